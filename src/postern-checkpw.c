/* ISC license: see LICENSE. */

/*
 * postern-checkpw: a checkpassword-interface verifier
 * (https://cr.yp.to/checkpwd/interface.html).  Reads user\0password\0 and
 * an optional timestamp\0 on fd 3; checks them against the compiled
 * password database (-f), PAM (-p) or the system accounts (with -p or
 * without, optionally bound by the senders database -s); on success
 * becomes the account, sets USER, HOME, SHELL, SMTPSENDERS and SMTPLIMITS,
 * chdirs to HOME and execs prog.  Exits 1 for bad credentials, 2 for bad input on
 * fd 3, 100 for usage, 111 for temporary errors.
 */

#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/cdb.h>
#include <skalibs/djbunix.h>
#include <skalibs/env.h>
#include <skalibs/exec.h>
#include <skalibs/setgroups.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "lib/pn_conf.h"
#include "lib/pn_crypt.h"
#include "lib/pn_limits.h"
#include "lib/pn_log.h"
#include "lib/pn_pam.h"
#include "lib/pn_pwdb.h"
#include "lib/pn_senders.h"
#include "lib/pn_sig.h"

#define USAGE "postern-checkpw [ -f pwdb.cdb | [ -p service ] [ -s senders.cdb ] ] [ -a account ] [ -u minuid ] prog..."

#define PN_PWBUF_SIZE 16384           /* getpwnam_r, getspnam_r scratch */
#define PN_GROUPS_MAX 1024            /* supplementary groups of an account */
#define PN_HOME_MAX 4096
#define PN_PROGPATH_MAX 4096
#define PN_ENVMOD_MAX (PN_FD3_MAX + PN_HOME_MAX + PN_PWDB_SENDERS_MAX + PN_PWDB_LIMITS_MAX + 256)
#define PN_SHADOW_NEVER 10000         /* sp_max of this many days: no ageing */
#define PN_SHADOW_FILE "/etc/shadow"

typedef struct cred_s cred;
struct cred_s
{
  char const *user;
  size_t userlen;
  char const *pw;
};

/* The secrets (and the passwd and shadow entries, with their hashes):
   wiped by bye() on every way out, and before the exec. */
static char creds[PN_FD3_MAX + 1];
static char pwbuf[PN_PWBUF_SIZE];
static char spbuf[PN_PWBUF_SIZE];

static void bye(int e) gccattr_noreturn;
static void bye(int e)
{
  byte_zzero(creds, sizeof(creds));
  byte_zzero(pwbuf, sizeof(pwbuf));
  byte_zzero(spbuf, sizeof(spbuf));
  pn_crypt_wipe();
  _exit(e);
}

static void dieusage(void) gccattr_noreturn;
static void dieusage(void)
{
  pn_log(PN_LOG_FATAL, "usage: ", USAGE);
  bye(100);
}

/* A temporary failure, logged with errno's text when sys is set. */
static void dietemp(int sys, char const *what, char const *arg) gccattr_noreturn;
static void dietemp(int sys, char const *what, char const *arg)
{
  pn_log(PN_LOG_FATAL, what, arg, sys ? ": " : "", sys ? strerror(errno) : "");
  bye(111);
}

static void fail(cred const *c, char const *why) gccattr_noreturn;
static void fail(cred const *c, char const *why)
{
  char q[PN_LOGVAL_SIZE];
  pn_info("auth fail user=", pn_log_quote(q, c->user, c->userlen), " reason=", why);
  bye(1);
}

/* checkpassword: at most PN_FD3_MAX bytes, user\0password\0, then an
   optional timestamp\0 (empty from postern-smtpd, a challenge from
   qmail-popup; not used here) and nothing we read after it. */
static void readcreds(cred *c)
{
  size_t len;
  char const *p;
  char const *q;
  errno = 0;
  len = allread(3, creds, sizeof(creds));
  if (errno) { pn_warn("unable to read fd 3: ", strerror(errno)); bye(2); }
  fd_close(3);
  if (len > PN_FD3_MAX) { pn_warn("credentials on fd 3 over 512 bytes"); bye(2); }
  p = memchr(creds, 0, len);
  q = p ? memchr(p + 1, 0, len - (size_t)(p + 1 - creds)) : 0;
  if (!q) { pn_warn("malformed credentials on fd 3"); bye(2); }
  if (q + 1 < creds + len && !memchr(q + 1, 0, len - (size_t)(q + 1 - creds)))
  {
    pn_warn("malformed credentials on fd 3: unterminated timestamp");
    bye(2);
  }
  c->user = creds;
  c->userlen = (size_t)(p - creds);
  c->pw = p + 1;
}

/* The getpwnam_r/getpwuid_r and getspnam_r results: 1 found, 0 absent,
   -1 error. */
static int pwresult(int e, void const *res)
{
  if (res) return 1;
  if (!e || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM) return 0;
  errno = e;
  return -1;
}

static int getpw_name(char const *name, struct passwd *pw)
{
  struct passwd *res = 0;
  int e = getpwnam_r(name, pw, pwbuf, sizeof(pwbuf), &res);
  return pwresult(e, res);
}

/* shadow(5): an expired account, or a password that must be changed or
   has expired (sp_max of PN_SHADOW_NEVER days or more means no ageing). */
static int expired(struct spwd const *sp)
{
  long today = (long)(time(0) / 86400);
  if (sp->sp_expire > 0 && today >= sp->sp_expire) return 1;
  if (sp->sp_lstchg == 0) return 1;
  if (sp->sp_lstchg > 0 && sp->sp_max >= 0 && sp->sp_max < PN_SHADOW_NEVER
   && today >= sp->sp_lstchg + sp->sp_max) return 1;
  return 0;
}

/* glibc reports an unreadable shadow file as a missing entry: a system
   error (111) must not pass for a locked account (1). */
static void shadowcheck(void)
{
  int fd = open(PN_SHADOW_FILE, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) { close(fd); return; }
  if (errno == EACCES || errno == EPERM) dietemp(1, "unable to read ", PN_SHADOW_FILE);
}

/* The shadow hash of user, or 0 (no entry: locked; expired: *why says
   so).  It lives in spbuf. */
static char const *shadowhash(char const *user, char const **why)
{
  struct spwd sp;
  struct spwd *res = 0;
  int r = getspnam_r(user, &sp, spbuf, sizeof(spbuf), &res);
  r = pwresult(r, res);
  if (r < 0) dietemp(1, "unable to read the shadow entry of a user", "");
  if (!r) { shadowcheck(); return 0; }
  if (expired(&sp)) { *why = "expired"; return 0; }
  return sp.sp_pwdp;
}

/* Without -f: the system accounts.  Leaves the user's entry in *pw.
   Every refusal goes through the dummy hash, so it costs a check. */
static void check_accounts(cred const *c, unsigned int minuid, struct passwd *pw)
{
  char const *hash = 0;
  char const *why = "unknown";
  int r = 0;
  if (pn_pwdb_user_ok(c->user, c->userlen)) r = getpw_name(c->user, pw);
  if (r < 0) dietemp(1, "unable to read the passwd entry of a user", "");
  if (r)
  {
    why = "locked";
    hash = pw->pw_passwd;
    if (!strcmp(hash, "x")) hash = shadowhash(c->user, &why);
    if (hash && !pn_crypt_usable(hash)) hash = 0;
    if (hash && pw->pw_uid < minuid) { why = "minuid"; hash = 0; }
  }
  r = pn_crypt_check(c->pw, hash);
  if (r < 0) dietemp(1, "unable to check a password", "");
  if (!r) fail(c, hash ? "password" : why);
}

/* With -f: the compiled database.  Returns the record in *e (pointing
   into the mapped cdb, which stays mapped until the exec). */
static void check_pwdb(cred const *c, char const *file, pn_pwent *e)
{
  static cdb db = CDB_ZERO;
  cdb_data d;
  char const *hash = 0;
  char const *why = "unknown";
  int r;
  if (!cdb_init(&db, file)) dietemp(1, "unable to open ", file);
  r = cdb_find(&db, &d, PN_PWDB_MARKER_KEY, sizeof(PN_PWDB_MARKER_KEY) - 1);
  if (r < 0) dietemp(0, "corrupt password database: ", file);
  if (!r || d.len != sizeof(PN_PWDB_MARKER_DATA) - 1 || memcmp(d.s, PN_PWDB_MARKER_DATA, d.len))
    dietemp(0, "not a postern password database, or of another version: ", file);
  /* An invalid name cannot be in the database; it must not reach the
     marker record either. */
  r = pn_pwdb_user_ok(c->user, c->userlen) ? cdb_find(&db, &d, c->user, c->userlen) : 0;
  if (r < 0) dietemp(0, "corrupt password database: ", file);
  if (r)
  {
    if (!pn_pwdb_unpack(d.s, d.len, e)) dietemp(0, "corrupt record in password database: ", file);
    hash = e->hash;
    if (!pn_crypt_usable(hash)) { why = "locked"; hash = 0; }
  }
  r = pn_crypt_check(c->pw, hash);
  if (r < 0) dietemp(1, "unable to check a password", "");
  if (!r) fail(c, hash ? "password" : why);
}

/* SMTPTIMEOUT bounds the PAM transaction, as it bounds each step of
   the dialogue: unset or empty, the default. */
static unsigned int pamtimeout(void)
{
  char const *s = getenv("SMTPTIMEOUT");
  unsigned int t;
  size_t len;
  if (!s || !*s) return PN_TIMEOUT_DEFAULT;
  len = uint_scan(s, &t);
  if (!len || s[len] || !t || t > PN_TIMEOUT_MAX) dietemp(0, "invalid SMTPTIMEOUT: ", s);
  return t;
}

/* With -p: PAM (pn_pam.c), with PAM_RHOST the client's address.  *pc
   becomes the user PAM settled on (PAM_USER).  Returns 1 when that
   user is a system account (its entry in *pw), else 0. */
static int check_pam(cred const *c, char const *service, cred *pc, struct passwd *pw)
{
  static pn_pam r = PN_PAM_ZERO;
  char q[PN_LOGVAL_SIZE];
  char q2[PN_LOGVAL_SIZE];
  int x;
  if (!pn_pwdb_user_ok(c->user, c->userlen)) fail(c, "unknown");
  x = pn_pam_check(service, c->user, c->pw, getenv("TCPREMOTEIP"), pamtimeout(), &r);
  if (x < 0)
  {
    pn_log(PN_LOG_FATAL, "PAM service ", service, " user=", pn_log_quote(q, c->user, c->userlen), ": ", r.why);
    bye(111);
  }
  if (!x) fail(c, r.why);
  pc->user = r.user;
  pc->userlen = strlen(r.user);
  pc->pw = c->pw;
  if (!pn_pwdb_user_ok(pc->user, pc->userlen))
    dietemp(0, "PAM settled on a user name that cannot be an account: ", pn_log_quote(q, pc->user, pc->userlen));
  if (pc->userlen != c->userlen || memcmp(pc->user, c->user, c->userlen))
    pn_info("pam user=", pn_log_quote(q, c->user, c->userlen), " settled on user=", pn_log_quote(q2, pc->user, pc->userlen));
  x = getpw_name(pc->user, pw);
  if (x < 0) dietemp(1, "unable to read the passwd entry of a user", "");
  return x;
}

/* Switches to the account, and checks that it took: no session runs
   with the privileges we had.  An account in group 0 is refused. */
static void become(struct passwd const *pw)
{
  gid_t groups[PN_GROUPS_MAX];
  int n = PN_GROUPS_MAX;
  int i;
  if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
    dietemp(0, "too many supplementary groups for account ", pw->pw_name);
  /* no gid 0 in the session, not even a supplementary one: whatever
     group root may read or write stays out of its reach */
  for (i = 0; i < n; i++)
    if (!groups[i])
    {
      pn_log(PN_LOG_FATAL, "refusing to run a session as account ", pw->pw_name, ": it is a member of group 0");
      bye(111);
    }
  if (setgroups_and_gid(pw->pw_gid, (size_t)n, groups) < 0
   || setgid(pw->pw_gid) < 0
   || setuid(pw->pw_uid) < 0)
    dietemp(1, "unable to switch to account ", pw->pw_name);
  if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid
   || getgid() != pw->pw_gid || getegid() != pw->pw_gid
   || (pw->pw_uid && !setuid(0)))
    dietemp(0, "privileges not dropped for account ", pw->pw_name);
}

/* Which account the session runs as.  As root: the named one (the
   user's own without -f), which must exist and have a uid of at least
   minuid.  Not as root: our own, whatever the record says. */
static void account(cred const *c, char const *name, unsigned int minuid, struct passwd *pw)
{
  int root = !getuid() || !geteuid();
  int r;
  if (root)
  {
    char q[PN_LOGVAL_SIZE];
    if (!name || !*name) dietemp(0, "no account to run the session of user ", pn_log_quote(q, c->user, c->userlen));
    r = getpw_name(name, pw);
    if (r < 0) dietemp(1, "unable to read the passwd entry of account ", name);
    if (!r) dietemp(0, "no such account: ", name);
  }
  else
  {
    struct passwd *res = 0;
    r = getpwuid_r(geteuid(), pw, pwbuf, sizeof(pwbuf), &res);
    r = pwresult(r, res);
    if (r < 0) dietemp(1, "unable to read our own passwd entry", "");
    if (!r) dietemp(0, "we have no passwd entry", "");
  }
  if (pw->pw_uid < minuid) fail(c, "minuid");
  /* whatever -u says, no session runs with uid or gid 0 */
  if (root && (!pw->pw_uid || !pw->pw_gid)) dietemp(0, "refusing to run a session with uid or gid 0: account ", pw->pw_name);
  if (root) become(pw);
}

/* -s: the entry of a system user (or, with -p, of the user PAM settled
   on) in the senders database, which lists who may submit: a user
   without one is refused.  Returns the account the session runs as:
   the entry's, else dflt (the caller's choice: -a's, else the user's
   own, else none). */
static char const *sysmap(cred const *c, char const *file, char const *dflt, pn_pwent *e)
{
  int r = pn_senders_find(file, c->user, c->userlen, e);
  if (r < 0) dietemp(1, "unable to read the senders database ", file);
  if (!r) fail(c, "senders");
  return e->accountlen ? e->account : dflt;
}

/* With -p, the session's account: the user PAM settled on (*pc) when
   it is a system account, else dflt (-a), and minuid applies to it.
   With -s too, as without -p: the user must have an entry in the
   senders database, minuid applies to the user's own system account
   (when there is one), and the session runs as the entry's account,
   else dflt, else the user's own. */
static void pam_account(cred const *c, char const *service, char const *sendersdb, char const *dflt, unsigned int minuid, cred *pc, pn_pwent *e, struct passwd *pw)
{
  int own = check_pam(c, service, pc, pw);
  char const *name = own ? pc->user : dflt;
  if (sendersdb)
  {
    if (own && pw->pw_uid < minuid) fail(pc, "minuid");
    name = sysmap(pc, sendersdb, dflt ? dflt : own ? pc->user : 0, e);
    minuid = 1;
  }
  account(pc, name, minuid, pw);
}

/* The program is exec'd after the chdir to HOME: a relative path with a
   slash is made absolute first, from where we started. */
static char const *progpath(char const *prog, char *buf, size_t max)
{
  size_t len;
  size_t plen = strlen(prog);
  if (prog[0] == '/' || !strchr(prog, '/')) return prog;
  if (!getcwd(buf, max)) dietemp(1, "unable to get the current directory", "");
  len = strlen(buf);
  if (len + plen + 2 > max) dietemp(0, "program path too long: ", prog);
  buf[len++] = '/';
  memcpy(buf + len, prog, plen + 1);
  return buf;
}

/* USER, HOME, SHELL set; SMTPSENDERS and SMTPLIMITS set from the record
   or removed. */
static void run(char const *prog, char const *const *argv, cred const *c, struct passwd const *pw, pn_pwent const *e)
{
  char modif[PN_ENVMOD_MAX];
  char q[PN_LOGVAL_SIZE];
  char fmt[UINT_FMT];
  char const *shell = *pw->pw_shell ? pw->pw_shell : "/bin/sh";
  size_t len = 0;
  char const *senders = e->senders;
  size_t need = c->userlen + strlen(pw->pw_dir) + strlen(shell) + strlen(senders) + strlen(e->limits) + 64;
  if (need > sizeof(modif)) dietemp(0, "environment too large for user ", pn_log_quote(q, c->user, c->userlen));
  if (chdir(pw->pw_dir) < 0) dietemp(1, "unable to chdir to ", pw->pw_dir);
  len += str_copy(modif + len, "USER="); len += str_copy(modif + len, c->user) + 1;
  len += str_copy(modif + len, "HOME="); len += str_copy(modif + len, pw->pw_dir) + 1;
  len += str_copy(modif + len, "SHELL="); len += str_copy(modif + len, shell) + 1;
  if (*senders) { len += str_copy(modif + len, "SMTPSENDERS="); len += str_copy(modif + len, senders) + 1; }
  else len += str_copy(modif + len, "SMTPSENDERS") + 1;
  if (*e->limits) { len += str_copy(modif + len, "SMTPLIMITS="); len += str_copy(modif + len, e->limits) + 1; }
  else len += str_copy(modif + len, "SMTPLIMITS") + 1;
  fmt[uint_fmt(fmt, (unsigned int)pw->pw_uid)] = 0;
  pn_info("auth ok user=", pn_log_quote(q, c->user, c->userlen), " account=", pw->pw_name, " uid=", fmt);
  byte_zzero(creds, sizeof(creds));
  byte_zzero(pwbuf, sizeof(pwbuf));
  byte_zzero(spbuf, sizeof(spbuf));
  pn_crypt_wipe();
  mexec_afm(prog, argv, (char const *const *)environ, env_len((char const *const *)environ), modif, len);
  dietemp(1, "unable to exec ", prog);
}

int main(int argc, char const *const *argv)
{
  char const *pwdb = 0;
  char const *service = 0;
  char const *dflt = 0;
  char const *sendersdb = 0;
  char const *prog;
  char progbuf[PN_PROGPATH_MAX];
  unsigned int minuid = 1;
  cred c;
  cred pc;
  pn_pwent e = PN_PWENT_ZERO;
  struct passwd pw;
  PROG = "postern-checkpw";
  pn_sig_reset(PN_SIG_PIPE_DEFAULT);
  pn_log_init(PROG);
  {
    subgetopt l = SUBGETOPT_ZERO;
    for (;;)
    {
      int opt = subgetopt_r(argc, argv, "f:p:s:a:u:", &l);
      if (opt == -1) break;
      switch (opt)
      {
        case 'f': pwdb = l.arg; break;
        case 'p': service = l.arg; break;
        case 's': sendersdb = l.arg; break;
        case 'a': dflt = l.arg; break;
        case 'u': if (!uint0_scan(l.arg, &minuid)) dieusage(); break;
        default: dieusage();
      }
    }
    argc -= l.ind; argv += l.ind;
  }
  if (!argc || (pwdb && (service || sendersdb))) dieusage();
  /* a PAM service is a file name in /etc/pam.d */
  if (service && (!*service || strchr(service, '/') || !strcmp(service, ".") || !strcmp(service, ".."))) dieusage();
  if (!fd_sanitize()) dietemp(1, "unable to open fds 0 to 2", "");
  prog = progpath(argv[0], progbuf, sizeof(progbuf));
  readcreds(&c);
  if (!c.userlen || !*c.pw) fail(&c, "empty");
  if (service)
  {
    pam_account(&c, service, sendersdb, dflt, minuid, &pc, &e, &pw);
    run(prog, argv, &pc, &pw, &e);
  }
  else if (pwdb)
  {
    check_pwdb(&c, pwdb, &e);
    account(&c, e.accountlen ? e.account : dflt, minuid, &pw);
  }
  else
  {
    check_accounts(&c, minuid, &pw);
    if (sendersdb) account(&c, sysmap(&c, sendersdb, dflt ? dflt : c.user, &e), 1, &pw);
    else account(&c, c.user, minuid, &pw);
  }
  run(prog, argv, &c, &pw, &e);
}
