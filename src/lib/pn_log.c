/* ISC license: see LICENSE. */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/random.h>
#include <skalibs/socket.h>
#include <skalibs/types.h>

#include "pn_log.h"

#define PN_LOGLINE_MAX 2048
#define PN_LOGPROG_MAX 64
#define SYSLOG_PATH "/dev/log"
#define SYSLOG_MAIL (2 << 3)     /* facility mail, RFC 5424 6.2.1 */

static char const *logprog = "postern";
static int usesyslog = 0;
static int logfd = -1;
static char sid[5 + PN_SID_MAX + 1] = "";   /* " sid=...", or empty */
static size_t sidlen = 0;

int pn_log_sid_ok(char const *s)
{
  size_t i;
  for (i = 0; s[i]; i++)
  {
    char c = s[i];
    if (i >= PN_SID_MAX) return 0;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
      || c == '.' || c == '_' || c == '-')) return 0;
  }
  return i > 0;
}

/* time (s, us), pid and 32 random bits, in hex: as the message ids,
   plus what two hosts could not share by chance */
static size_t sid_make(char *s)
{
  struct timespec ts;
  char r[4];
  size_t w = 0;
  if (clock_gettime(CLOCK_REALTIME, &ts) < 0) ts.tv_sec = 0, ts.tv_nsec = 0;
  random_buf(r, sizeof(r));
  w += uint64_xfmt(s + w, (uint64_t)ts.tv_sec);
  s[w++] = '.';
  w += uint32_xfmt(s + w, (uint32_t)(ts.tv_nsec / 1000));
  s[w++] = '.';
  w += uint64_xfmt(s + w, (uint64_t)getpid());
  s[w++] = '.';
  w += uint32_xfmt(s + w, (uint32_t)(unsigned char)r[0] << 24 | (uint32_t)(unsigned char)r[1] << 16
    | (uint32_t)(unsigned char)r[2] << 8 | (uint32_t)(unsigned char)r[3]);
  s[w] = 0;
  return w;
}

/* The connection's id: SMTPSESSIONID as inherited when it is one, else
   a new one, exported for the rest of the chain.  The first program of
   the chain (postern-proxy, postern-tls or postern-smtpd) makes it; the
   others keep it. */
static void sid_init(void)
{
  char made[PN_SID_MAX + 1];
  char const *x = getenv("SMTPSESSIONID");
  size_t n;
  if (!x || !pn_log_sid_ok(x))
  {
    sid_make(made);
    x = made;
    setenv("SMTPSESSIONID", made, 1);   /* on failure, our own lines still carry it */
  }
  n = strlen(x);
  memcpy(sid, " sid=", 5);
  memcpy(sid + 5, x, n + 1);
  sidlen = 5 + n;
}

char const *pn_log_sid(void)
{
  return sidlen ? sid + 5 : "";
}

static int samefile(struct stat const *a, int fd)
{
  struct stat st;
  if (fstat(fd, &st) < 0) return 0;
  return st.st_dev == a->st_dev && st.st_ino == a->st_ino;
}

/* Under inetd and xinetd fd 2 is the client's socket: what we would write
   there would reach the client.  Then log to syslog instead. */
void pn_log_init(char const *prog)
{
  struct stat st;
  logprog = prog;
  sid_init();
  if (fstat(2, &st) < 0 || !S_ISSOCK(st.st_mode)) return;
  if (!samefile(&st, 0) && !samefile(&st, 1)) return;
  usesyslog = 1;
}

/* syslog(3) without stdio nor time zones: one datagram
   "<PRI>prog[pid]: line" to /dev/log, the timestamp left to the syslog
   daemon (RFC 3164 4.3.2); opened at the first line, close-on-exec.  A
   daemon that is down or restarted costs the line, never the session. */
static void tosyslog(int level, char const *line, size_t len)
{
  static unsigned int const sev[3] = { 6, 4, 3 };  /* info, warning, err */
  char head[PN_LOGPROG_MAX + UINT_FMT + PID_FMT + 8];
  struct iovec v[2];
  size_t h = 0;
  size_t l = strlen(logprog);
  unsigned int tries;
  if (l > PN_LOGPROG_MAX) l = PN_LOGPROG_MAX;
  head[h++] = '<';
  h += uint_fmt(head + h, SYSLOG_MAIL | sev[level]);
  head[h++] = '>';
  memcpy(head + h, logprog, l); h += l;
  head[h++] = '[';
  h += pid_fmt(head + h, getpid());
  head[h++] = ']'; head[h++] = ':'; head[h++] = ' ';
  v[0].iov_base = head; v[0].iov_len = h;
  v[1].iov_base = (char *)line; v[1].iov_len = len;
  for (tries = 0; tries < 2; tries++)
  {
    struct msghdr m;
    if (logfd < 0)
    {
      logfd = ipc_datagram_coe();
      if (logfd < 0) return;
      if (ipc_connect(logfd, SYSLOG_PATH) < 0) { fd_close(logfd); logfd = -1; return; }
    }
    memset(&m, 0, sizeof(m));
    m.msg_iov = v;
    m.msg_iovlen = 2;
    if (sendmsg(logfd, &m, MSG_NOSIGNAL) >= 0) return;
    fd_close(logfd);
    logfd = -1;
  }
}

void pn_logv(int level, char const *const *v, unsigned int n)
{
  static char const *const names[3] = { "info: ", "warning: ", "fatal: " };
  char line[PN_LOGLINE_MAX];
  size_t len = 0;
  int e = errno;
  unsigned int i;
  if (level < 0 || level > 2) level = PN_LOG_WARN;
  if (!usesyslog)
  {
    size_t l = strlen(logprog);
    if (l > PN_LOGPROG_MAX) l = PN_LOGPROG_MAX;
    memcpy(line, logprog, l); len = l;
    line[len++] = ':'; line[len++] = ' ';
  }
  for (i = 0; i <= n; i++)
  {
    char const *s = i ? v[i-1] : names[level];
    size_t l = strlen(s);
    if (l > sizeof(line) - 1 - sidlen - len) l = sizeof(line) - 1 - sidlen - len;
    memcpy(line + len, s, l); len += l;
  }
  memcpy(line + len, sid, sidlen); len += sidlen;
  if (usesyslog) tosyslog(level, line, len);
  else
  {
    line[len++] = '\n';
    allwrite(2, line, len);
  }
  errno = e;
}

char *pn_log_quote(char *dst, char const *s, size_t len)
{
  static char const hex[16] = "0123456789abcdef";
  size_t w = 0;
  size_t i;
  size_t n = len > PN_LOGVAL_MAX ? PN_LOGVAL_MAX : len;
  dst[w++] = '"';
  for (i = 0; i < n; i++)
  {
    unsigned char c = s[i];
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
    {
      dst[w++] = '\\'; dst[w++] = 'x';
      dst[w++] = hex[c >> 4]; dst[w++] = hex[c & 15];
    }
    else dst[w++] = c;
  }
  dst[w++] = '"';
  if (len > n) { dst[w++] = '.'; dst[w++] = '.'; dst[w++] = '.'; }
  dst[w] = 0;
  return dst;
}
