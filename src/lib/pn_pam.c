/* ISC license: see LICENSE. */

/*
 * The PAM transaction runs in a child process, and the parent waits for
 * its answer on a pipe until a deadline, then kills it with its whole
 * process group.  PAM calls are blocking calls into modules we do not
 * know (LDAP, Kerberos, SSSD clients, pam_exec scripts), so this is the
 * only bound that holds whatever a module does: alarm() with a handler
 * that _exits would fail as soon as a module sets its own SIGALRM
 * handler, calls alarm() itself (some directory clients do, for their
 * own timeouts) or blocks the signal.  The child also keeps the
 * modules' state out of the process that becomes the user's session:
 * descriptors a module leaves open (a directory connection bound with
 * the service's credentials), threads, heap copies of the password,
 * changed signal dispositions all die with it.  The cost is one fork
 * per AUTH.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/sig.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "pn_log.h"
#include "pn_pam.h"

#define PN_PAM_BACKSTOP 5    /* seconds past the deadline the child allows itself */
#define PN_PAM_REPLY_MAX (1 + PN_PAM_WHY_MAX + 1 + PN_PAM_USER_MAX + 1)

typedef struct convdata_s convdata;
struct convdata_s
{
  char const *user;
  char const *pw;
};

static void whycat(pn_pam *r, char const *s)
{
  size_t have = strlen(r->why);
  size_t n = strnlen(s, PN_PAM_WHY_MAX - have);
  memcpy(r->why + have, s, n);
  r->why[have + n] = 0;
}

static void setwhy(pn_pam *r, char const *a, char const *b)
{
  r->why[0] = 0;
  whycat(r, a);
  whycat(r, b);
}

/* A heap copy of s for a pam_response.  libpam and the modules free the
   responses with free() (Linux-PAM overwrites them first): what we can
   do is hand over a fresh calloc'd buffer and keep no copy of our own. */
static char *respdup(char const *s)
{
  size_t n = strlen(s) + 1;
  char *p = calloc(n, 1);
  if (p) memcpy(p, s, n);
  return p;
}

/* On a refused conversation: every response we made, wiped and freed. */
static void respdrop(struct pam_response *r, int n)
{
  int i;
  for (i = 0; i < n; i++)
    if (r[i].resp)
    {
      byte_zzero(r[i].resp, strlen(r[i].resp));
      free(r[i].resp);
    }
  free(r);
}

static int holds(char const *s, size_t len, char const *w, size_t wlen)
{
  size_t i;
  if (!wlen || wlen > len) return 0;
  for (i = 0; i + wlen <= len; i++)
    if (!memcmp(s + i, w, wlen)) return 1;
  return 0;
}

/* A module's error or information message goes to the log, quoted and
   capped; not one that holds the password. */
static void logmsg(int style, char const *s, convdata const *d)
{
  char q[PN_LOGVAL_SIZE];
  size_t len = strnlen(s, PAM_MAX_MSG_SIZE);
  if (holds(s, len, d->pw, strlen(d->pw)))
  {
    pn_warn("pam: a module message withheld: it holds the password");
    return;
  }
  pn_log(style == PAM_ERROR_MSG ? PN_LOG_WARN : PN_LOG_INFO, "pam: module message ", pn_log_quote(q, s, len));
}

/* Answers the password prompt (echo off) with the password and the user
   prompt (echo on) with the user name; logs the messages; refuses any
   other prompt (PAM_CONV_ERR), so a module that wants more than a
   password cannot pass. */
static int conv(int n, struct pam_message const **msg, struct pam_response **resp, void *data)
{
  convdata const *d = data;
  struct pam_response *r;
  char fmt[INT_FMT];
  int i;
  if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  r = calloc((size_t)n, sizeof(struct pam_response));
  if (!r) return PAM_BUF_ERR;
  for (i = 0; i < n; i++)
  {
    switch (msg[i]->msg_style)
    {
      case PAM_PROMPT_ECHO_OFF: r[i].resp = respdup(d->pw); break;
      case PAM_PROMPT_ECHO_ON: r[i].resp = respdup(d->user); break;
      case PAM_ERROR_MSG:
      case PAM_TEXT_INFO:
        if (msg[i]->msg) logmsg(msg[i]->msg_style, msg[i]->msg, d);
        continue;
      default:
        fmt[int_fmt(fmt, msg[i]->msg_style)] = 0;
        pn_warn("pam: refusing a conversation message of style ", fmt);
        respdrop(r, n);
        return PAM_CONV_ERR;
    }
    if (!r[i].resp) { respdrop(r, n); return PAM_BUF_ERR; }
  }
  *resp = r;
  return PAM_SUCCESS;
}

/* DESIGN.md's refusals (exit 1); every other status is temporary. */
static int refusal(int e, pn_pam *r)
{
  char const *why;
  switch (e)
  {
    case PAM_AUTH_ERR: why = "password"; break;
    case PAM_USER_UNKNOWN: why = "unknown"; break;
    case PAM_MAXTRIES: why = "maxtries"; break;
    case PAM_CRED_INSUFFICIENT: why = "insufficient"; break;
    case PAM_ACCT_EXPIRED: why = "expired"; break;
    case PAM_NEW_AUTHTOK_REQD: why = "mustchange"; break;
    case PAM_PERM_DENIED: why = "denied"; break;
    default: return 0;
  }
  setwhy(r, why, "");
  return 1;
}

/* The user PAM settled on, copied out before pam_end. */
static int settled(pam_handle_t *h, pn_pam *r)
{
  void const *item = 0;
  int e = pam_get_item(h, PAM_USER, &item);
  size_t len;
  if (e != PAM_SUCCESS) return e;
  len = item ? strnlen(item, PN_PAM_USER_MAX + 1) : 0;
  if (!len || len > PN_PAM_USER_MAX) return PAM_SYSTEM_ERR;
  memcpy(r->user, item, len);
  r->user[len] = 0;
  return PAM_SUCCESS;
}

/* The transaction, in the child: 1, 0 or -1 as pn_pam_check. */
static int transaction(char const *service, convdata *d, char const *rhost, pn_pam *r)
{
  struct pam_conv cv = { .conv = &conv, .appdata_ptr = d };
  pam_handle_t *h = 0;
  char const *step = "pam_start";
  int ret = 1;
  int e = pam_start(service, d->user, &cv, &h);
  if (e == PAM_SUCCESS && rhost && *rhost) { step = "pam_set_item"; e = pam_set_item(h, PAM_RHOST, rhost); }
  if (e == PAM_SUCCESS) { step = "pam_authenticate"; e = pam_authenticate(h, PAM_DISALLOW_NULL_AUTHTOK); }
  if (e == PAM_SUCCESS) { step = "pam_acct_mgmt"; e = pam_acct_mgmt(h, PAM_DISALLOW_NULL_AUTHTOK); }
  if (e == PAM_SUCCESS) { step = "PAM_USER"; e = settled(h, r); }
  if (e != PAM_SUCCESS)
  {
    ret = refusal(e, r) ? 0 : -1;
    if (ret < 0)
    {
      setwhy(r, step, ": ");
      whycat(r, pam_strerror(h, e));
    }
  }
  if (h) pam_end(h, e);
  return ret;
}

static int isclient(int fd)
{
  struct stat a;
  struct stat b;
  int i;
  if (fstat(fd, &a) < 0 || !S_ISSOCK(a.st_mode)) return 0;
  for (i = 0; i < 2; i++)
    if (!fstat(i, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino) return 1;
  return 0;
}

/* Fds 0 and 1 are the client's connection (and fd 2 too under inetd,
   where pn_log uses syslog): no module writes to it or reads from it. */
static int quiet(void)
{
  int client2 = isclient(2);
  int fd = open2("/dev/null", O_RDWR);
  if (fd < 0) return 0;
  if (fd_copy(0, fd) < 0 || fd_copy(1, fd) < 0 || (client2 && fd_copy(2, fd) < 0)) return 0;
  if (fd > 2) fd_close(fd);
  return 1;
}

/* The child: a process group of its own, so that the parent can kill
   what the modules started too; an alarm as a backstop should the
   parent die; then the transaction, and its answer on fd:
   status ('1', '0' or '-'), why\0, user\0. */
static void child(int fd, char const *service, convdata *d, char const *rhost, unsigned int timeout) gccattr_noreturn;
static void child(int fd, char const *service, convdata *d, char const *rhost, unsigned int timeout)
{
  char out[PN_PAM_REPLY_MAX];
  pn_pam r = PN_PAM_ZERO;
  size_t len = 0;
  int x = -1;
  setpgid(0, 0);
  sig_restore(SIGALRM);
  alarm(timeout + PN_PAM_BACKSTOP);
  if (quiet()) x = transaction(service, d, rhost, &r);
  else setwhy(&r, "unable to open /dev/null: ", strerror(errno));
  out[len++] = x > 0 ? '1' : x ? '-' : '0';
  len += str_copy(out + len, r.why) + 1;
  len += str_copy(out + len, r.user) + 1;
  _exit(allwrite(fd, out, len) < len ? 111 : 0);
}

/* status, then two NULs: why and user */
static int whole(char const *s, size_t len)
{
  return len > 1 && byte_count(s + 1, len - 1, 0) >= 2;
}

/* Reads the child's answer: 1 whole, 0 not within the deadline, -1 end
   of file or an error first. */
static int collect(int fd, unsigned int timeout, char *buf, size_t *len)
{
  tain deadline;
  iopause_fd x = { .fd = fd, .events = IOPAUSE_READ, .revents = 0 };
  tain_now_g();
  tain_addsec_g(&deadline, timeout);
  while (!whole(buf, *len))
  {
    ssize_t n;
    int e;
    if (*len >= PN_PAM_REPLY_MAX) return -1;
    e = iopause_g(&x, 1, &deadline);
    if (e < 0) return -1;
    if (!e) return 0;
    n = fd_read(fd, buf + *len, PN_PAM_REPLY_MAX - *len);
    if (n <= 0) return -1;
    *len += (size_t)n;
  }
  return 1;
}

/* The child's answer, or why there is none. */
static int answer(int got, char const *buf, int wstat, unsigned int timeout, pn_pam *r)
{
  char fmt[UINT_FMT];
  size_t w;
  size_t u;
  if (!got)
  {
    fmt[uint_fmt(fmt, timeout)] = 0;
    setwhy(r, "no answer from the PAM modules within SMTPTIMEOUT seconds: ", fmt);
    return -1;
  }
  if (got < 0)
  {
    int sig = WIFSIGNALED(wstat);
    fmt[uint_fmt(fmt, sig ? WTERMSIG(wstat) : WEXITSTATUS(wstat))] = 0;
    setwhy(r, sig ? "the PAM transaction was killed by signal " : "the PAM transaction ended without an answer, exit ", fmt);
    return -1;
  }
  w = strlen(buf + 1);
  u = strlen(buf + 2 + w);
  if (w > PN_PAM_WHY_MAX || u > PN_PAM_USER_MAX || (buf[0] == '1') != !!u)
  {
    setwhy(r, "the PAM transaction gave a malformed answer", "");
    return -1;
  }
  memcpy(r->why, buf + 1, w + 1);
  memcpy(r->user, buf + 2 + w, u + 1);
  return buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -1;
}

int pn_pam_check(char const *service, char const *user, char const *pw, char const *rhost, unsigned int timeout, pn_pam *r)
{
  char buf[PN_PAM_REPLY_MAX];
  convdata d = { .user = user, .pw = pw };
  size_t len = 0;
  int wstat = 0;
  int got;
  int p[2];
  pid_t pid;
  /* an inherited SIG_IGN would reap the child (and the modules' helpers,
     such as pam_unix's unix_chkpwd) before anyone waits for it */
  sig_restore(SIGCHLD);
  if (pipecoe(p) < 0) { setwhy(r, "unable to make a pipe: ", strerror(errno)); return -1; }
  pid = fork();
  if (pid < 0)
  {
    setwhy(r, "unable to fork: ", strerror(errno));
    fd_close(p[0]); fd_close(p[1]);
    return -1;
  }
  if (!pid)
  {
    fd_close(p[0]);
    child(p[1], service, &d, rhost, timeout);
  }
  fd_close(p[1]);
  setpgid(pid, pid);   /* also done by the child: whichever runs first */
  got = collect(p[0], timeout, buf, &len);
  fd_close(p[0]);
  /* whatever the answer, nothing the transaction started outlives it;
     the group's id is the child's pid, ours until we reap it */
  if (kill(-pid, SIGKILL) < 0) kill(pid, SIGKILL);
  if (wait_pid(pid, &wstat) < 0) { setwhy(r, "unable to wait for the PAM transaction: ", strerror(errno)); return -1; }
  return answer(got, buf, wstat, timeout, r);
}
