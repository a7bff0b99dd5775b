/* ISC license: see LICENSE. */

#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include <skalibs/allreadwrite.h>

#include "lib/postern.h"

#define PN_LOGLINE_MAX 2048

static char const *logprog = "postern";
static int usesyslog = 0;

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
  if (fstat(2, &st) < 0 || !S_ISSOCK(st.st_mode)) return;
  if (!samefile(&st, 0) && !samefile(&st, 1)) return;
  usesyslog = 1;
  openlog(prog, LOG_PID, LOG_MAIL);
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
    if (l > 64) l = 64;
    memcpy(line, logprog, l); len = l;
    line[len++] = ':'; line[len++] = ' ';
  }
  for (i = 0; i <= n; i++)
  {
    char const *s = i ? v[i-1] : names[level];
    size_t l = strlen(s);
    if (l > sizeof(line) - 1 - len) l = sizeof(line) - 1 - len;
    memcpy(line + len, s, l); len += l;
  }
  if (usesyslog)
  {
    line[len] = 0;
    syslog(level == PN_LOG_INFO ? LOG_INFO : level == PN_LOG_WARN ? LOG_WARNING : LOG_ERR, "%s", line);
  }
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
