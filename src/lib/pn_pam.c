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
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/sig.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "pn_pam.h"
#include "pn_pamtx.h"

#define PN_PAM_BACKSTOP 5    /* seconds past the deadline the child allows itself */
#define PN_PAM_REPLY_MAX (1 + PN_PAM_WHY_MAX + 1 + PN_PAM_USER_MAX + 1)

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
static void child(int fd, char const *service, char const *user, char const *pw, char const *rhost, unsigned int timeout) gccattr_noreturn;
static void child(int fd, char const *service, char const *user, char const *pw, char const *rhost, unsigned int timeout)
{
  char out[PN_PAM_REPLY_MAX];
  pn_pam r = PN_PAM_ZERO;
  size_t len = 0;
  int x = -1;
  setpgid(0, 0);
  sig_restore(SIGALRM);
  alarm(timeout + PN_PAM_BACKSTOP);
  if (quiet()) x = pn_pamtx_run(service, user, pw, rhost, &r);
  else pn_pamtx_why(&r, "unable to open /dev/null: ", strerror(errno));
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
    pn_pamtx_why(r, "no answer from the PAM modules within SMTPTIMEOUT seconds: ", fmt);
    return -1;
  }
  if (got < 0)
  {
    int sig = WIFSIGNALED(wstat);
    fmt[uint_fmt(fmt, sig ? WTERMSIG(wstat) : WEXITSTATUS(wstat))] = 0;
    pn_pamtx_why(r, sig ? "the PAM transaction was killed by signal " : "the PAM transaction ended without an answer, exit ", fmt);
    return -1;
  }
  w = strlen(buf + 1);
  u = strlen(buf + 2 + w);
  if (w > PN_PAM_WHY_MAX || u > PN_PAM_USER_MAX || (buf[0] == '1') != !!u)
  {
    pn_pamtx_why(r, "the PAM transaction gave a malformed answer", "");
    return -1;
  }
  memcpy(r->why, buf + 1, w + 1);
  memcpy(r->user, buf + 2 + w, u + 1);
  return buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -1;
}

int pn_pam_check(char const *service, char const *user, char const *pw, char const *rhost, unsigned int timeout, pn_pam *r)
{
  char buf[PN_PAM_REPLY_MAX];
  size_t len = 0;
  int wstat = 0;
  int got;
  int p[2];
  pid_t pid;
  /* an inherited SIG_IGN would reap the child (and the modules' helpers,
     such as pam_unix's unix_chkpwd) before anyone waits for it */
  sig_restore(SIGCHLD);
  if (pipecoe(p) < 0) { pn_pamtx_why(r, "unable to make a pipe: ", strerror(errno)); return -1; }
  pid = fork();
  if (pid < 0)
  {
    pn_pamtx_why(r, "unable to fork: ", strerror(errno));
    fd_close(p[0]); fd_close(p[1]);
    return -1;
  }
  if (!pid)
  {
    fd_close(p[0]);
    child(p[1], service, user, pw, rhost, timeout);
  }
  fd_close(p[1]);
  setpgid(pid, pid);   /* also done by the child: whichever runs first */
  got = collect(p[0], timeout, buf, &len);
  fd_close(p[0]);
  /* whatever the answer, nothing the transaction started outlives it;
     the group's id is the child's pid, ours until we reap it */
  if (kill(-pid, SIGKILL) < 0) kill(pid, SIGKILL);
  if (wait_pid(pid, &wstat) < 0) { pn_pamtx_why(r, "unable to wait for the PAM transaction: ", strerror(errno)); return -1; }
  return answer(got, buf, wstat, timeout, r);
}
