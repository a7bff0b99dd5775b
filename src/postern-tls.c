/* ISC license: see LICENSE. */

/*
 * postern-tls: TLS in front of a program that never sees a key nor links
 * a TLS library.  Forks first: the child (still root, no key ever in its
 * memory) waits on a pipe, then execs prog.  The parent loads the key
 * pairs, drops to an account (default nobody), then, with -i, does the
 * handshake on fds 0 and 1 and relays between the network and prog's
 * pipes; without -i, prog starts in cleartext on the network with the
 * UCSPI-TLS descriptors (SSLCTLFD, SSLREADFD, SSLWRITEFD) and the
 * parent does the handshake when prog writes Y on SSLCTLFD.  The exact
 * control protocol is in doc/postern-tls.8.
 */

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/error.h>
#include <skalibs/env.h>
#include <skalibs/exec.h>
#include <skalibs/iopause.h>
#include <skalibs/setgroups.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/sig.h>
#include <skalibs/socket.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "lib/pn_conf.h"
#include "lib/pn_log.h"
#include "lib/pn_peer.h"
#include "lib/pn_tls.h"
#include "lib/pn_tlskeys.h"

#define USAGE "postern-tls [ -i ] [ -u account ] -c cert.pem -k key.pem [ -c cert.pem -k key.pem ... ] [ -p protocols ] [ -C ciphers ] prog..."

#define PN_TLS_PAIRS_MAX 8            /* -c/-k pairs */
#define PN_TLS_ACCOUNT "nobody"
#define PN_TLS_VARS_MAX 1024          /* SSL_* variables, SNI name included */
#define PN_TLS_GO_MAX (PN_TLS_VARS_MAX + 128)
#define PN_TLS_MODIF_MAX (PN_TLS_GO_MAX + 1024)
#define PN_TLS_DRAIN 2                /* seconds: see drain() */
#define PN_TLS_GO 'g'                 /* first byte of the parent's go-ahead */
#define RPL_CONFIG "421 4.3.0 Server configuration error; try again later\r\n"

static struct
{
  int implicit;                       /* -i */
  char const *account;
  char const *cert[PN_TLS_PAIRS_MAX];
  char const *key[PN_TLS_PAIRS_MAX];
  unsigned int ncert;
  unsigned int nkey;
  char const *protocols;
  char const *ciphers;
  unsigned int timeout;
} conf = { .account = PN_TLS_ACCOUNT };

/* The descriptors: [0] is the read end of each pipe. */
static int gop[2] = { -1, -1 };       /* parent -> child: go-ahead */
static int sp[2] = { -1, -1 };        /* cleartext: [0] parent, [1] prog */
static int ctl[2] = { -1, -1 };       /* [0] parent, [1] prog: SSLCTLFD */
static pid_t child = 0;
static char where[PN_IP_MAX + 16];   /* " ip=..."; pn_log adds " sid=..." */

static void dieusage(void) gccattr_noreturn;
static void dieusage(void)
{
  pn_log(PN_LOG_FATAL, "usage: ", USAGE);
  _exit(100);
}

/* prog's status as ours: signals are 111, logged. */
static void bye(void) gccattr_noreturn;
static void bye(void)
{
  int wstat;
  if (gop[1] >= 0) fd_close(gop[1]);
  if (child <= 0) _exit(111);
  if (wait_pid(child, &wstat) < 0) _exit(111);
  if (WIFSIGNALED(wstat))
  {
    char fmt[UINT_FMT];
    fmt[uint_fmt(fmt, WTERMSIG(wstat))] = 0;
    pn_warn("prog killed by signal ", fmt, where);
    _exit(111);
  }
  _exit(WEXITSTATUS(wstat));
}

/* 1 if fds a and b are the same socket. */
static int samesock(int a, int b)
{
  struct stat sa;
  struct stat sb;
  if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0) return 0;
  return S_ISSOCK(sa.st_mode) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Appends s, then (with nul set) its terminating NUL, to the
   modification string; the caller has checked the room. */
static void cat(char *modif, size_t *m, char const *s, int nul)
{
  size_t l = strlen(s);
  memcpy(modif + *m, s, l + !!nul);
  *m += l + !!nul;
}

/* "VAR=n\0" */
static void catfd(char *modif, size_t *m, char const *var, int fd)
{
  cat(modif, m, var, 0);
  *m += uint_fmt(modif + *m, fd);
  modif[(*m)++] = 0;
}

/* TCPREMOTEIP and friends, from the socket on fd 0, when the launcher
   set none (xinetd, systemd): with -i, prog's fd 0 is a pipe. */
static void catpeer(char *modif, size_t *m)
{
  static char const *const names[2][2] = { { "TCPREMOTEIP=", "TCPREMOTEPORT=" }, { "TCPLOCALIP=", "TCPLOCALPORT=" } };
  char ip[PN_IP_MAX];
  char port[PN_PORT_MAX];
  int local;
  if (getenv("TCPREMOTEIP")) return;
  for (local = 0; local < 2; local++)
  {
    if (pn_peer_name(0, local, ip, port) <= 0) return;
    cat(modif, m, names[local][0], 0); cat(modif, m, ip, 1);
    cat(modif, m, names[local][1], 0); cat(modif, m, port, 1);
  }
}

/* The child, forked before OpenSSL starts and any key is read: waits for the parent's
   go-ahead (PN_TLS_GO, then the variables to set), then execs prog.  EOF
   instead: the parent failed and logged why; exit quietly. */
static void runprog(char const *const *argv) gccattr_noreturn;
static void runprog(char const *const *argv)
{
  char modif[PN_TLS_MODIF_MAX];
  size_t m = 0;
  fd_close(gop[1]); fd_close(sp[0]);
  if (ctl[0] >= 0) fd_close(ctl[0]);
  for (;;)
  {
    ssize_t r = fd_read(gop[0], modif + m, PN_TLS_GO_MAX - m);
    if (r < 0) _exit(111);
    if (!r) break;
    m += r;
    if (m >= PN_TLS_GO_MAX) _exit(111);
  }
  fd_close(gop[0]);
  if (!m || modif[0] != PN_TLS_GO) _exit(111);
  catpeer(modif, &m);
  if (conf.implicit)
  {
    /* As under inetd: one socket on 0 and 1, and on 2 where the
       launcher put the client's socket there (then the chain sees it
       and logs to syslog, never into the TLS stream). */
    int e2 = samesock(2, 0);
    if (fd_copy(0, sp[1]) < 0 || fd_copy(1, sp[1]) < 0 || (e2 && fd_copy(2, sp[1]) < 0)) _exit(111);
    fd_close(sp[1]);
  }
  else
  {
    /* SSLREADFD and SSLWRITEFD: two descriptors of one socket, which
       the front may also put on fd 2 (see postern-tls.8) */
    int w = dup(sp[1]);
    if (w < 0 || uncoe(ctl[1]) < 0 || uncoe(sp[1]) < 0) _exit(111);
    catfd(modif, &m, "SSLCTLFD=", ctl[1]);
    catfd(modif, &m, "SSLREADFD=", sp[1]);
    catfd(modif, &m, "SSLWRITEFD=", w);
    /* no TLS yet, whatever the launcher said */
    cat(modif, &m, "SMTPTLS", 1); cat(modif, &m, "SSL_PROTOCOL", 1);
    cat(modif, &m, "SSL_CIPHER", 1); cat(modif, &m, "SSL_TLS_SNI_SERVERNAME", 1);
  }
  mexec_am(argv[0], argv, modif + 1, m - 1);
  pn_log(PN_LOG_FATAL, "unable to exec ", argv[0], ": ", strerror(errno));
  _exit(111);
}

/* Before the child may start anything, and before OpenSSL and any key:
   the pipes, then the fork.  (Forked later, the parent would copy, page
   by page as it writes to them, OpenSSL's tables the child shares until
   its exec.) */
static void forkprog(char const *const *argv)
{
  if (pipecoe(gop) < 0 || ipc_pair_coe(sp) < 0
   || (!conf.implicit && ipc_pair_coe(ctl) < 0))
  {
    pn_log(PN_LOG_FATAL, "unable to make pipes: ", strerror(errno), where);
    _exit(111);
  }
  child = fork();
  if (child < 0)
  {
    pn_log(PN_LOG_FATAL, "unable to fork: ", strerror(errno), where);
    _exit(111);
  }
  if (!child) runprog(argv);
  fd_close(gop[0]); fd_close(sp[1]);
  if (ctl[1] >= 0) fd_close(ctl[1]);
  gop[0] = sp[1] = ctl[1] = -1;
}

/* Writes all of s to a non-blocking fd before the deadline: 1 or 0. */
static int timedwrite(int fd, char const *s, size_t len, tain const *deadline)
{
  while (len)
  {
    iopause_fd x = { .fd = fd, .events = IOPAUSE_WRITE };
    ssize_t w = fd_write(fd, s, len);
    if (w > 0) { s += w; len -= w; continue; }
    if (w < 0 && !error_isagain(errno)) return 0;
    if (iopause_g(&x, 1, deadline) <= 0) return 0;
  }
  return 1;
}

/* After the 421: the client's unread bytes would make our close a
   reset, which may destroy the reply before the client reads it.  So
   half-close, then read and drop what comes, until EOF or at most
   PN_TLS_DRAIN seconds. */
static void drain(void)
{
  tain deadline;
  char buf[512];
  shutdown(1, SHUT_WR);
  if (ndelay_on(0) < 0) return;
  tain_addsec_g(&deadline, PN_TLS_DRAIN);
  for (;;)
  {
    iopause_fd x = { .fd = 0, .events = IOPAUSE_READ };
    ssize_t r = fd_read(0, buf, sizeof(buf));
    if (!r || (r < 0 && !error_isagain(errno))) return;
    if (r < 0 && iopause_g(&x, 1, &deadline) <= 0) return;
  }
}

/* A fault before TLS: on 587 the client is told in cleartext, since
   prog cannot safely start; then 111. */
static void dieconfig(void) gccattr_noreturn;
static void dieconfig(void)
{
  if (!conf.implicit)
  {
    tain deadline;
    tain_addsec_g(&deadline, conf.timeout);
    if (ndelay_on(1) == 0 && timedwrite(1, RPL_CONFIG, sizeof(RPL_CONFIG) - 1, &deadline))
      drain();
  }
  fd_close(gop[1]); gop[1] = -1;
  bye();
  _exit(111);
}

/* The protocols and ciphers, checked before anything starts: a bad
   value is a usage error. */
static struct tls_config *settings(void)
{
  struct tls_config *cfg = 0;
  switch (pn_tlskeys_config(&cfg, conf.protocols, conf.ciphers))
  {
    case PN_TLSKEYS_OK: return cfg;
    case PN_TLSKEYS_PROTOCOLS: pn_log(PN_LOG_FATAL, "bad protocols: ", conf.protocols); _exit(100);
    case PN_TLSKEYS_CIPHERS: pn_log(PN_LOG_FATAL, "bad protocols or ciphers: ", tls_config_error(cfg)); _exit(100);
    default: pn_log(PN_LOG_FATAL, "unable to initialize libtls", where); _exit(111);
  }
}

/* The key pairs, read now (each connection), into a server context
   (pn_tlskeys): the configuration's copies of the keys are wiped once
   it is built, or on failure. */
static struct tls *loadkeys(struct tls_config *cfg)
{
  struct tls *srv = 0;
  unsigned int i = 0;
  int r = pn_tlskeys_server(&srv, cfg, conf.cert, conf.key, conf.ncert, &i);
  if (r == PN_TLSKEYS_OK) return srv;
  if (r == PN_TLSKEYS_READ)
    pn_log(PN_LOG_FATAL, "unable to read the key pair cert=", conf.cert[i], " key=", conf.key[i], ": ", tls_config_error(cfg), where);
  else if (r == PN_TLSKEYS_USE)
  {
    char const *why = tls_error(srv);
    pn_log(PN_LOG_FATAL, "unable to use the key pair cert=", conf.cert[i], " key=", conf.key[i], ": ", why ? why : "unknown", where);
  }
  else pn_log(PN_LOG_FATAL, "unable to initialize libtls", where);
  dieconfig();
}

/* Root: becomes the account, for good, with no way back to privileges. */
static void droppriv(void)
{
  struct passwd *pw;
  if (geteuid())
  {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) goto err;
    return;
  }
  errno = 0;
  pw = getpwnam(conf.account);
  if (!pw)
  {
    pn_log(PN_LOG_FATAL, "unknown account ", conf.account, where);
    dieconfig();
  }
  if (!pw->pw_uid)
  {
    pn_log(PN_LOG_FATAL, "account ", conf.account, " is root: refused", where);
    dieconfig();
  }
  if (chdir("/") < 0
   || setgroups_and_gid(pw->pw_gid, 0, 0) < 0
   || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) goto err;
  if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid
   || getgid() != pw->pw_gid || getegid() != pw->pw_gid || !setuid(0))
  {
    errno = EPERM;
    goto err;
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) goto err;
  return;
 err:
  pn_log(PN_LOG_FATAL, "unable to switch to account ", conf.account, ": ", strerror(errno), where);
  dieconfig();
}

static void logtls(struct tls *c)
{
  char q[PN_LOGVAL_SIZE];
  char const *sni = tls_conn_servername(c);
  pn_log_quote(q, sni ? sni : "", sni ? strlen(sni) : 0);
  pn_info("tls start protocol=", tls_conn_version(c), " cipher=", tls_conn_cipher(c), " sni=", q, where);
}

/* "tls fail reason=..." or "tls end reason=...": libtls's text without
   its prefixes ("handshake failed: error:0A000102:SSL routines::"),
   quoted. */
static void logreason(char const *event, char const *why)
{
  char q[PN_LOGVAL_SIZE];
  char const *p;
  if (!why) why = "unknown";
  p = strrchr(why, ':');
  if (p && p[1])
  {
    why = p + 1;
    while (*why == ' ') why++;
  }
  pn_log_quote(q, why, strlen(why));
  pn_info("tls ", event, " reason=", q, where);
}

/* The handshake on fds 0 and 1, which become non-blocking for good.
   Returns the connection, or 0 (logged). */
static struct tls *handshake(struct tls *srv)
{
  struct tls *c = 0;
  tain deadline;
  if (ndelay_on(0) < 0 || ndelay_on(1) < 0 || pn_tls_accept(srv, &c, 0, 1) < 0)
  {
    logreason("fail", tls_error(srv) ? tls_error(srv) : strerror(errno));
    return 0;
  }
  tain_addsec_g(&deadline, conf.timeout);
  if (pn_tls_handshake(c, 0, 1, &deadline)) { logtls(c); return c; }
  if (errno == ETIMEDOUT) pn_info("tls fail reason=timeout", where);
  else logreason("fail", errno == EPROTO && tls_error(c) ? tls_error(c) : strerror(errno));
  tls_free(c);
  return 0;
}

/* The network, cut for every holder of the socket: prog never talks
   cleartext after a failed or ended TLS session. */
static void cutnet(void)
{
  shutdown(0, SHUT_RDWR);
  shutdown(1, SHUT_RDWR);
  fd_close(0); fd_close(1);
}

static void relay(struct tls *c) gccattr_noreturn;
static void relay(struct tls *c)
{
  pn_tls_fds fds = { .netin = 0, .netout = 1, .fromprog = sp[0], .toprog = sp[0] };
  tain deadline;
  int e;
  if (ndelay_on(sp[0]) < 0)
  {
    pn_log(PN_LOG_FATAL, "unable to set up the relay: ", strerror(errno), where);
    e = PN_TLS_END_SYS;
  }
  else e = pn_tls_relay(c, &fds, conf.timeout);
  if (e == PN_TLS_END_TIMEOUT) pn_info("tls end reason=timeout", where);
  else if (e == PN_TLS_END_TLS) logreason("end", tls_error(c));
  else if (e == PN_TLS_END_SYS) logreason("end", strerror(errno));
  if (e == PN_TLS_END_PROG || e == PN_TLS_END_NET)
  {
    tain_addsec_g(&deadline, conf.timeout);
    pn_tls_close(c, 0, 1, &deadline);
  }
  tls_free(c);
  cutnet();
  bye();
}

/* Without -i: waits for prog's command on SSLCTLFD, then the handshake
   and the answer.  EOF: prog declined TLS or ended; its status is ours. */
static void ucspitls(struct tls *srv) gccattr_noreturn;
static void ucspitls(struct tls *srv)
{
  struct tls *c;
  char cmd;
  char ans[PN_TLS_VARS_MAX + 1];
  size_t len;
  tain deadline;
  ssize_t r = fd_read(ctl[0], &cmd, 1);
  if (r <= 0) { fd_close(ctl[0]); bye(); }
  if (cmd != 'Y' && cmd != 'y')
  {
    char fmt[UINT_FMT];
    fmt[uint_fmt(fmt, (unsigned char)cmd)] = 0;
    pn_warn("unknown control command byte=", fmt, where);
    fd_close(ctl[0]); cutnet(); bye();
  }
  c = handshake(srv);
  if (!c) { fd_close(ctl[0]); cutnet(); bye(); }
  len = pn_tls_vars(c, ans, sizeof(ans) - 1);
  ans[len++] = 0;
  tain_addsec_g(&deadline, conf.timeout);
  if (cmd == 'Y' && (ndelay_on(ctl[0]) < 0 || !timedwrite(ctl[0], ans, len, &deadline)))
  {
    pn_info("tls end reason=control", where);
    fd_close(ctl[0]); tls_free(c); cutnet(); bye();
  }
  fd_close(ctl[0]);
  relay(c);
}

/* After a failed -i handshake: prog never started; the client's fault,
   logged, exit 0. */
static void endquiet(void) gccattr_noreturn;
static void endquiet(void)
{
  int wstat;
  if (gop[1] >= 0) fd_close(gop[1]);
  cutnet();
  wait_pid(child, &wstat);
  _exit(0);
}

/* -i: the handshake, then the go-ahead carries the variables to prog. */
static void implicit(struct tls *srv) gccattr_noreturn;
static void implicit(struct tls *srv)
{
  static char const unset[] = "SSLCTLFD\0SSLREADFD\0SSLWRITEFD";
  char go[PN_TLS_GO_MAX];
  size_t m = 0;
  size_t n;
  tain deadline;
  struct tls *c = handshake(srv);
  if (!c) endquiet();
  go[m++] = PN_TLS_GO;
  memcpy(go + m, "SMTPTLS=1", 10); m += 10;
  n = pn_tls_vars(c, go + m, sizeof(go) - m - sizeof(unset));
  if (!n) { pn_info("tls end reason=toolong", where); endquiet(); }
  m += n;
  memcpy(go + m, unset, sizeof(unset)); m += sizeof(unset);
  tain_addsec_g(&deadline, conf.timeout);
  if (!timedwrite(gop[1], go, m, &deadline)) endquiet();
  fd_close(gop[1]); gop[1] = -1;
  relay(c);
}

static void where_init(void)
{
  char ip[PN_IP_MAX];
  char port[PN_PORT_MAX];
  char const *x = getenv("TCPREMOTEIP");
  size_t m = 0;
  if (!x || strlen(x) >= PN_IP_MAX) x = pn_peer_name(0, 0, ip, port) > 0 ? ip : "unknown";
  m += strlen(strcpy(where, " ip="));
  m += strlen(strcpy(where + m, x));
  where[m] = 0;
}

static void timeout_init(void)
{
  char const *x = getenv("SMTPTIMEOUT");
  conf.timeout = PN_TIMEOUT_DEFAULT;
  if (x && (!uint0_scan(x, &conf.timeout) || !conf.timeout || conf.timeout > PN_TIMEOUT_MAX))
  {
    conf.timeout = PN_TIMEOUT_DEFAULT;
    pn_log(PN_LOG_FATAL, "bad value for SMTPTIMEOUT", where);
    dieconfig();
  }
}

int main(int argc, char const *const *argv)
{
  struct tls_config *cfg;
  struct tls *srv;
  PROG = "postern-tls";
  if (!fd_sanitize()) _exit(111);
  pn_log_init(PROG);
  {
    subgetopt l = SUBGETOPT_ZERO;
    for (;;)
    {
      int opt = subgetopt_r(argc, argv, "iu:c:k:p:C:", &l);
      if (opt == -1) break;
      switch (opt)
      {
        case 'i': conf.implicit = 1; break;
        case 'u': conf.account = l.arg; break;
        case 'c': if (conf.ncert >= PN_TLS_PAIRS_MAX) dieusage(); conf.cert[conf.ncert++] = l.arg; break;
        case 'k': if (conf.nkey >= PN_TLS_PAIRS_MAX) dieusage(); conf.key[conf.nkey++] = l.arg; break;
        case 'p': conf.protocols = l.arg; break;
        case 'C': conf.ciphers = l.arg; break;
        default: dieusage();
      }
    }
    argc -= l.ind; argv += l.ind;
  }
  if (!argc || !conf.ncert || conf.ncert != conf.nkey) dieusage();
  where_init();
  forkprog(argv);
  if (tls_init() < 0) { pn_log(PN_LOG_FATAL, "unable to initialize libtls", where); _exit(111); }
  cfg = settings();
  if (!sig_ignore(SIGPIPE)) { pn_log(PN_LOG_FATAL, "unable to ignore SIGPIPE", where); dieconfig(); }
  tain_now_set_stopwatch_g();
  timeout_init();
  srv = loadkeys(cfg);
  droppriv();
  if (conf.implicit) implicit(srv);
  {
    char const go = PN_TLS_GO;
    tain deadline;
    tain_addsec_g(&deadline, conf.timeout);
    if (!timedwrite(gop[1], &go, 1, &deadline)) dieconfig();
    fd_close(gop[1]); gop[1] = -1;
  }
  ucspitls(srv);
}
