/* ISC license: see LICENSE. */

/*
 * pn_relay: postern-queue as the client of a program that speaks SMTP on
 * its stdin and stdout (sendmail -bs).  The program is started by
 * pn_child with argv as given (never a shell) and an environment without the
 * connection's variables.  Every reply line is bounded, every reply has a
 * bounded number of lines, every read and write has a deadline; anything
 * else is EPROTO, and the caller stops the program.
 */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/djbunix.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include <skalibs/unix-timed.h>

#include "pn_relay.h"
#include "pn_child.h"
#include "pn_conf.h"
#include "pn_data.h"
#include "pn_io.h"

#define ENV_MAX 1024              /* variables passed to the program */
#define STOP_WAIT 5               /* seconds for the program to exit after QUIT */

extern char **environ;

int pn_relay_envok(char const *var)
{
  static char const *const prefixes[] = { "TCP", "SMTP", "SSL_", 0 };
  static char const *const names[] = { "PROTO", "RELAYCLIENT", 0 };
  size_t n = strcspn(var, "=");
  unsigned int i;
  for (i = 0; prefixes[i]; i++)
    if (!strncmp(var, prefixes[i], strlen(prefixes[i]))) return 0;
  for (i = 0; names[i]; i++)
    if (strlen(names[i]) == n && !strncmp(var, names[i], n)) return 0;
  return 1;
}

/* fd 2 is the client's socket (inetd, xinetd): the program's stderr
   must not reach the client. */
static int stderr_is_client(void)
{
  struct stat s2;
  struct stat s;
  if (fstat(2, &s2) < 0 || !S_ISSOCK(s2.st_mode)) return 0;
  if (fstat(0, &s) == 0 && s.st_dev == s2.st_dev && s.st_ino == s2.st_ino) return 1;
  if (fstat(1, &s) == 0 && s.st_dev == s2.st_dev && s.st_ino == s2.st_ino) return 1;
  return 0;
}

/* The program, on two close-on-exec pipes, with the environment
   without the connection's variables (pn_relay_envok). */
static int spawn(pn_relay *r, char const *const *argv)
{
  char const *envp[ENV_MAX + 1];
  size_t n = 0;
  char **e;
  int pin[2];
  int pout[2];
  int fds[2];
  pid_t pid;
  for (e = environ; *e && n < ENV_MAX; e++)
    if (pn_relay_envok(*e)) envp[n++] = *e;
  envp[n] = 0;
  if (pipecoe(pin) < 0) return 0;
  if (pipecoe(pout) < 0) { fd_close(pin[0]); fd_close(pin[1]); return 0; }
  fds[0] = pin[0];
  fds[1] = pout[1];
  pid = pn_child_spawn(argv, envp, fds, 2, stderr_is_client());
  fd_close(pin[0]);
  fd_close(pout[1]);
  if (!pid) { fd_close(pin[1]); fd_close(pout[0]); return 0; }
  ndelay_on(pin[1]);
  ndelay_on(pout[0]);
  r->pid = pid;
  buffer_init(&r->in, &fd_readv, pout[0], r->inbuf, sizeof(r->inbuf));
  buffer_init(&r->out, &fd_writev, pin[1], r->outbuf, sizeof(r->outbuf));
  r->bol = 1;
  return 1;
}

/* One reply line, CRLF removed.  1, or 0 with errno. */
static int getline_(pn_relay *r, char *s, size_t *len, tain const *deadline)
{
  size_t got = 0;
  while (!pn_io_take(&r->in, s, PN_RELAY_LINE_MAX, &got))
  {
    ssize_t n;
    if (got > PN_RELAY_LINE_MAX) return (errno = EPROTO, 0);
    n = buffer_timed_fill_g(&r->in, deadline);
    if (n <= 0) return n ? 0 : (errno = EPIPE, 0);   /* 0: EOF */
  }
  if (got > PN_RELAY_LINE_MAX) return (errno = EPROTO, 0);
  got--;
  if (got && s[got-1] == '\r') got--;
  *len = got;
  return 1;
}

static int flush(pn_relay *r)
{
  tain deadline;
  tain_add_g(&deadline, &r->tto);
  return buffer_timed_flush_g(&r->out, &deadline);
}

static int putcmd(pn_relay *r, char const *s, size_t len)
{
  tain deadline;
  tain_add_g(&deadline, &r->tto);
  if (buffer_timed_put_g(&r->out, s, len, &deadline) < len) return 0;
  if (buffer_timed_put_g(&r->out, "\r\n", 2, &deadline) < 2) return 0;
  return flush(r);
}

/* "NNN-text" ... "NNN text": same code on every line, 2xx to 5xx. */
static int getreply(pn_relay *r, pn_reply *rep)
{
  char line[PN_RELAY_LINE_MAX];
  tain deadline;
  tain_add_g(&deadline, &r->tto);
  rep->nlines = 0;
  rep->len = 0;
  for (;;)
  {
    size_t len;
    size_t n;
    unsigned int code;
    if (!flush(r) || !getline_(r, line, &len, &deadline)) return 0;
    if (len < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9'
      || line[2] < '0' || line[2] > '9' || (len > 3 && line[3] != ' ' && line[3] != '-'))
      return (errno = EPROTO, 0);
    code = (unsigned int)(line[0] - '0') * 100 + (unsigned int)(line[1] - '0') * 10 + (unsigned int)(line[2] - '0');
    if (rep->nlines && code != rep->code) return (errno = EPROTO, 0);
    if (++rep->nlines > PN_RELAY_LINES_MAX) return (errno = EPROTO, 0);
    rep->code = code;
    n = len > 4 ? len - 4 : 0;
    if (rep->len + n + 1 > sizeof(rep->text)) return (errno = EPROTO, 0);
    if (rep->len) rep->text[rep->len - 1] = '\n';
    memcpy(rep->text + rep->len, line + 4, n);
    rep->len += n + 1;
    rep->text[rep->len - 1] = 0;
    if (len == 3 || line[3] == ' ') break;
  }
  rep->len--;
  return 1;
}

int pn_relay_cmd(pn_relay *r, char const *s, size_t len, pn_reply *rep)
{
  if (!r->pid) return (errno = EPIPE, 0);
  return putcmd(r, s, len) && getreply(r, rep);
}

/* d.ddd.ddd followed by a space or the end, d the reply's class */
static int is_ecode(char const *s, size_t len, char class)
{
  size_t i = 2;
  unsigned int n;
  if (len < 5 || s[0] != class || s[1] != '.') return 0;
  for (n = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) n++;
  if (!n || n > 3 || i >= len || s[i] != '.') return 0;
  for (n = 0, i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) n++;
  return n && n <= 3 && (i == len || s[i] == ' ');
}

size_t pn_relay_fmtline(char *dst, pn_reply const *rep, unsigned int i, char const *ecode)
{
  char const *s = rep->text;
  char const *nl;
  size_t n;
  size_t w;
  size_t k;
  for (k = 0; k < i && (nl = strchr(s, '\n')); k++) s = nl + 1;
  nl = strchr(s, '\n');
  n = nl ? (size_t)(nl - s) : strlen(s);
  w = uint_fmt(dst, rep->code);
  dst[w++] = i + 1 < rep->nlines ? '-' : ' ';
  if (!is_ecode(s, n, dst[0]))
  {
    memcpy(dst + w, dst[0] == '2' ? ecode : dst[0] == '4' ? "4.0.0" : "5.0.0", 5);
    w += 5;
    dst[w++] = ' ';
  }
  if (n > PN_RELAY_FMT_MAX - w) n = PN_RELAY_FMT_MAX - w;
  for (k = 0; k < n; k++) dst[w++] = s[k] >= 32 && s[k] < 127 ? s[k] : '?';
  return w;
}

/* The EHLO keywords we pass parameters for. */
static void caps(pn_relay *r, pn_reply const *rep)
{
  char const *s = rep->text;
  r->size = r->eightbit = r->smtputf8 = 0;
  for (s = strchr(s, '\n'); s; s = strchr(s, '\n'))
  {
    size_t n;
    s++;
    n = strcspn(s, " \n");
    if (n == 4 && !strncasecmp(s, "SIZE", 4)) r->size = 1;
    else if (n == 8 && !strncasecmp(s, "8BITMIME", 8)) r->eightbit = 1;
    else if (n == 8 && !strncasecmp(s, "SMTPUTF8", 8)) r->smtputf8 = 1;
  }
}

static int hello(pn_relay *r, char const *helo)
{
  pn_reply rep;
  char line[PN_HOSTNAME_MAX + 6];
  size_t n = strlen(helo);
  if (n > PN_HOSTNAME_MAX) return (errno = EINVAL, 0);
  if (!getreply(r, &rep)) return 0;
  if (rep.code != 220) return (errno = EPROTO, 0);
  memcpy(line, "EHLO ", 5);
  memcpy(line + 5, helo, n);
  if (!pn_relay_cmd(r, line, n + 5, &rep)) return 0;
  if (rep.code == 250) { caps(r, &rep); return 1; }
  memcpy(line, "HELO", 4);
  if (!pn_relay_cmd(r, line, n + 5, &rep)) return 0;
  r->size = r->eightbit = r->smtputf8 = 0;
  return rep.code == 250 ? 1 : (errno = EPROTO, 0);
}

int pn_relay_start(pn_relay *r, char const *const *argv, char const *helo, unsigned int timeout)
{
  tain_uint(&r->tto, timeout);
  r->pid = 0;
  if (!spawn(r, argv)) return 0;
  if (hello(r, helo)) return 1;
  pn_relay_stop(r, 0);
  return 0;
}

int pn_relay_put(void *ctx, char const *s, size_t len)
{
  pn_relay *r = ctx;
  char tmp[2 * PN_RELAY_BUF / 4];
  tain deadline;
  tain_add_g(&deadline, &r->tto);
  while (len)
  {
    size_t n = len > sizeof(tmp) / 2 ? sizeof(tmp) / 2 : len;
    size_t w = pn_data_stuff(&r->bol, s, n, tmp);
    if (buffer_timed_put_g(&r->out, tmp, w, &deadline) < w) return 0;
    s += n;
    len -= n;
  }
  return 1;
}

int pn_relay_enddata(pn_relay *r, pn_reply *rep)
{
  if (!r->pid) return (errno = EPIPE, 0);
  if (!r->bol && !pn_relay_put(r, "\n", 1)) return 0;
  r->bol = 1;
  return putcmd(r, ".", 1) && getreply(r, rep);
}

/* Waits for the program's end of output, then for the program; a
   program that does not exit by then is killed. */
static void reap(pn_relay *r)
{
  tain deadline;
  int wstat;
  tain_addsec_g(&deadline, STOP_WAIT);
  for (;;)
  {
    struct iovec v[2];
    buffer_rpeek(&r->in, v);
    buffer_rseek(&r->in, v[0].iov_len + v[1].iov_len);
    if (buffer_timed_fill_g(&r->in, &deadline) <= 0) break;   /* EOF, timeout */
  }
  if (pn_child_wait(r->pid, &wstat, &deadline) > 0) return;
  kill(r->pid, SIGKILL);
  wait_pid(r->pid, &wstat);
}

void pn_relay_stop(pn_relay *r, int quit)
{
  int e = errno;
  if (!r->pid) return;
  if (quit)
  {
    pn_reply rep;
    pn_relay_cmd(r, "QUIT", 4, &rep);
    fd_close(buffer_fd(&r->out));
    reap(r);
  }
  else
  {
    fd_close(buffer_fd(&r->out));
    kill(r->pid, SIGTERM);
    reap(r);
  }
  fd_close(buffer_fd(&r->in));
  r->pid = 0;
  errno = e;
}
