/* ISC license: see LICENSE. */

/*
 * postern-smtpd prog...: the SMTP front.  Speaks SMTP until a successful
 * AUTH; for each AUTH attempt it forks, gives the credentials to the
 * checkpassword program prog on fd 3 and reads its exit status.  A failed
 * check lets the dialogue go on; a successful one means prog (or what it
 * exec'd) has taken the session, and the front only waits for it.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/env.h>
#include <skalibs/iopause.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include <skalibs/unix-timed.h>

#include "lib/pn_auth.h"
#include "lib/pn_child.h"
#include "lib/pn_conf.h"
#include "lib/pn_envmod.h"
#include "lib/pn_failrec.h"
#include "lib/pn_io.h"
#include "lib/pn_limits.h"
#include "lib/pn_log.h"
#include "lib/pn_peer.h"
#include "lib/pn_reply.h"
#include "lib/pn_sig.h"
#include "lib/pn_smtp.h"
#include "lib/pn_starttls.h"
#include "lib/pn_ucspitls.h"

#define USAGE "postern-smtpd prog..."

extern char **environ;

#define PN_HELO_MAX 255                         /* EHLO/HELO argument */
#define PN_SECRET_MAX PN_AUTH_DECODED_MAX     /* decoded AUTH response */
#define PN_ENVP_MAX 1024                        /* its variables, in all */
#define PN_MECHS_FMT 32                         /* "PLAIN LOGIN" */
#define PN_CHAIN_WAIT_MAX 86400                 /* s: the verifier and the session it runs */
#define INBUF_SIZE 4096
#define OUTBUF_SIZE 4096

/* The session: main's, on its stack; handlers find it in smtp.ctx. */
typedef struct front_s front;
struct front_s
{
  pn_smtp smtp;
  pn_conf conf;
  char const *const *prog;
  char const *proto;                    /* 0 until EHLO or HELO */
  unsigned int nauthfail;
  int havepeer;                         /* fd 0 is an IP socket, or TCPREMOTEIP set */
  unsigned int plaintext_ok : 1;
  unsigned int starttls : 1;            /* STARTTLS offered: SSLCTLFD set, no TLS yet */
  pn_envmod env;                        /* the environment for prog */
  char remoteip[PN_IP_MAX];
  char helo[PN_HELO_MAX + 1];
  char inbuf[INBUF_SIZE];
  char outbuf[OUTBUF_SIZE];
  /* Credentials live here and in inbuf (and the exact reader's stack),
     wiped on every path, and before the verifier starts. */
  char line[PN_AUTHLINE_MAX];
  char secret[PN_SECRET_MAX];
  char secret2[PN_SECRET_MAX];
  char fd3buf[PN_FD3_MAX];
  pn_ucspitls tls;
};

static void dieusage(void) gccattr_noreturn;
static void dieusage(void)
{
  pn_log(PN_LOG_FATAL, "usage: ", USAGE);
  _exit(100);
}

static void wipe(front *f)
{
  byte_zzero(f->secret, sizeof(f->secret));
  byte_zzero(f->secret2, sizeof(f->secret2));
  byte_zzero(f->fd3buf, sizeof(f->fd3buf));
  byte_zzero(f->line, sizeof(f->line));
  pn_io_wipe(&f->smtp.io);
}

/* The dialogue's end hook: every way out wipes, and logs why: the
   connection's one end line, unless the session ran in the child. */
static void end(pn_smtp *s, char const *why)
{
  front *f = s->ctx;
  wipe(f);
  pn_info("end reason=", why, " ip=", f->remoteip);
}

/* Where the client is: TCPREMOTEIP as set by the launcher, else the
   socket itself (pn_envmod_peer).  Plaintext mechanisms are allowed on
   TLS, by AUTHINSECURE, on loopback, and with no peer at all (scripted
   use). */
static int peer_setup(front *f)
{
  if (!pn_envmod_peer(&f->env, f->remoteip, &f->havepeer)) return 0;
  /* the verifier sets USER; a stale one must not reach it */
  if (!pn_envmod_sets(&f->env, "USER", 0)) return 0;
  f->plaintext_ok = f->conf.tls || f->conf.authinsecure || !f->havepeer || pn_peer_isloopback(f->remoteip);
  return 1;
}

/* The failure record across connections (AUTHFAILDIR): errors in it are
   logged and otherwise ignored, so that a broken record never locks
   everybody out. */
static void failrec_check(front *f)
{
  int r;
  if (!f->conf.failrecdir || !f->havepeer) return;
  r = pn_failrec_blocked(f->conf.failrecdir, f->remoteip, f->conf.failrecmax, f->conf.failrecwindow, (uint64_t)time(0));
  if (r < 0) pn_warn("unable to read the failure record in ", f->conf.failrecdir, ": ", strerror(errno));
  if (r > 0) pn_smtp_quit(&f->smtp, PN_R_BLOCKED, "blocked");
}

static void failrec_add(front *f)
{
  if (!f->conf.failrecdir || !f->havepeer) return;
  if (!pn_failrec_add(f->conf.failrecdir, f->remoteip, f->conf.failrecwindow, f->conf.failrecrecords, (uint64_t)time(0)))
    pn_warn("unable to update the failure record in ", f->conf.failrecdir, ": ", strerror(errno));
}

/* Every AUTH that does not succeed ends here: the delay, the reply, the
   log line (q: the user name, quoted), the counters; at AUTHMAXFAIL, 421
   and close. */
static void authfail_q(front *f, unsigned int r, char const *why, unsigned int mech, char const *q)
{
  wipe(f);
  if (f->conf.authfaildelay)
  {
    tain deadline;
    if (!pn_io_flush(&f->smtp.io)) pn_smtp_quit(&f->smtp, PN_R_TEMPCLOSE, "write");
    tain_addsec_g(&deadline, f->conf.authfaildelay);
    deepsleepuntil_g(&deadline);
  }
  pn_info("auth fail user=", q, " mech=", mech ? pn_conf_mechname(mech) : "none",
    " ip=", f->remoteip, " reason=", why);
  if (++f->nauthfail >= f->conf.authmaxfail)
  {
    pn_smtp_send(&f->smtp, r);
    pn_smtp_quit(&f->smtp, PN_R_TOOMANYAUTH, "authfail");
  }
  pn_smtp_reply(&f->smtp, r);
}

static void authfail(front *f, unsigned int r, char const *why, unsigned int mech, char const *user, size_t ulen)
{
  char q[PN_LOGVAL_SIZE];
  authfail_q(f, r, why, mech, pn_log_quote(q, user, ulen));
}

/* A pn_auth status: 0 for PN_AUTH_OK, else the failure handled (its
   reply and reason, the user name in c for the log line) and 1. */
static int authst(front *f, unsigned int st, unsigned int mech, pn_authcred const *c)
{
  if (!st) return 0;
  authfail(f, pn_auth_reply(st), pn_auth_why(st), mech, c->user, c->ulen);
  return 1;
}

/* Sends a 334 challenge and reads the response into f->line.  Returns
   its length, or -1 after the failure was handled. */
static ssize_t challenge(front *f, unsigned int c, unsigned int mech, char const *user, size_t ulen)
{
  size_t len;
  pn_smtp_send(&f->smtp, c);
  if (!pn_smtp_getline(&f->smtp, &len)) { authfail(f, PN_R_AUTHLONG, "toolong", mech, user, ulen); return -1; }
  if (memchr(f->line, 0, len)) { authfail(f, PN_R_AUTHB64, "base64", mech, user, ulen); return -1; }
  return (ssize_t)len;
}

/* Starts prog with fd3 as its fd 3 and the chain's environment.  The
   pid, or 0 with errno. */
static pid_t spawn(front *f, int fd3)
{
  char const *envp[PN_ENVP_MAX];
  int fds[4] = { -1, -1, -1, fd3 };
  size_t envlen = env_len((char const *const *)environ);
  if (!env_mergen(envp, PN_ENVP_MAX, (char const *const *)environ, envlen, f->env.s, f->env.len, f->env.n))
    return (errno = E2BIG, 0);
  return pn_child_spawn(f->prog, envp, fds, 4, 0);
}

/* The verifier, or the session it became: waited for, but not for ever
   (PN_CHAIN_WAIT_MAX); past it the chain is killed. */
static void wait_chain(front *f, pid_t pid, int *wstat)
{
  tain deadline;
  int r;
  tain_addsec_g(&deadline, PN_CHAIN_WAIT_MAX);
  r = pn_child_wait(pid, wstat, &deadline);
  if (r > 0) return;
  if (!r)
  {
    kill(pid, SIGKILL);
    wait_pid(pid, wstat);
    pn_smtp_quit(&f->smtp, PN_R_NONE, "chain-timeout");
  }
  pn_smtp_quit(&f->smtp, PN_R_TEMPCLOSE, "wait");
}

/* The verifier's exit status, as DESIGN.md reads it (q: the user name,
   quoted).  A session that ran in the child logged its own end line,
   unless its status says it never started. */
static void verdict(front *f, int wstat, unsigned int mech, char const *q)
{
  if (WIFSIGNALED(wstat))
  {
    char fmt[UINT_FMT];
    fmt[uint_fmt(fmt, (unsigned int)WTERMSIG(wstat))] = 0;
    pn_warn("verifier or session killed by signal ", fmt, " ip=", f->remoteip);
    pn_smtp_quit(&f->smtp, PN_R_AUTHCRASH, "signal");
  }
  switch (WEXITSTATUS(wstat))
  {
    case 1:
      failrec_add(f);
      authfail_q(f, PN_R_AUTHFAIL, "password", mech, q);
      return;
    case 2: authfail_q(f, PN_R_AUTHTEMP, "verifier-misuse", mech, q); return;
    case 111: authfail_q(f, PN_R_AUTHTEMP, "verifier-temporary", mech, q); return;
    case 0: _exit(0);
    default:
    {
      char fmt[UINT_FMT];
      fmt[uint_fmt(fmt, (unsigned int)WEXITSTATUS(wstat))] = 0;
      pn_info("end reason=chain status=", fmt, " ip=", f->remoteip);
      _exit(WEXITSTATUS(wstat));
    }
  }
}

/* The record pn_auth built in f->fd3buf (user\0password\0\0, n bytes,
   at most PN_FD3_MAX, which fit in the pipe and never block) into a
   pipe for fd 3.  The read end, or -1. */
static int fd3_fill(front *f, size_t n)
{
  int p[2];
  if (pipe(p) < 0) return -1;
  if (allwrite(p[1], f->fd3buf, n) < n) { close(p[0]); close(p[1]); return -1; }
  close(p[1]);
  byte_zzero(f->fd3buf, sizeof(f->fd3buf));
  return p[0];
}

/* The checkpassword call: the record (f->fd3buf, reclen bytes) on fd 3,
   prog started with the chain's environment, its exit status read as
   DESIGN.md says.  c points into the secrets, wiped before the start. */
static void check(front *f, unsigned int mech, pn_authcred const *c, size_t reclen)
{
  char const *user = c->user;
  size_t ulen = c->ulen;
  char q[PN_LOGVAL_SIZE];
  size_t base = f->env.len;
  size_t basen = f->env.n;
  int fd3;
  int wstat;
  pid_t pid;
  /* other connections from the same address may have failed meanwhile */
  failrec_check(f);
  if (!pn_envmod_set(&f->env, "SMTPAUTHUSER", user, ulen) || !pn_envmod_sets(&f->env, "SMTPAUTHMECH", pn_conf_mechname(mech))
   || !pn_envmod_sets(&f->env, "SMTPHELO", f->helo) || !pn_envmod_sets(&f->env, "SMTPPROTO", f->proto))
  {
    f->env.len = base; f->env.n = basen;
    authfail(f, PN_R_AUTHTEMP, "environment", mech, user, ulen);
    return;
  }
  fd3 = fd3_fill(f, reclen);
  if (fd3 < 0) { f->env.len = base; f->env.n = basen; authfail(f, PN_R_AUTHTEMP, "pipe", mech, user, ulen); return; }
  /* The credentials are in the pipe, and only there from now on: user
     and pw point into what wipe zeroes, so the log keeps the quoted name */
  pn_log_quote(q, user, ulen);
  wipe(f);
  if (!pn_io_flush(&f->smtp.io)) { close(fd3); pn_smtp_quit(&f->smtp, PN_R_TEMPCLOSE, "write"); }
  /* the child gets our open file descriptions, blocking as programs expect */
  pn_io_blocking();
  pid = spawn(f, fd3);
  if (!pid) pn_warn("unable to start ", f->prog[0], ": ", strerror(errno));
  close(fd3);
  f->env.len = base; f->env.n = basen;
  if (pid) wait_chain(f, pid, &wstat);
  ndelay_on(0);
  ndelay_on(1);
  if (!pid) { authfail_q(f, PN_R_AUTHTEMP, "spawn", mech, q); return; }
  verdict(f, wstat, mech, q);
}

/* RFC 4616 PLAIN, decoded and checked by pn_auth into the record. */
static void auth_plain(front *f, char const *init, size_t initlen, int hasinit)
{
  pn_authcred c = PN_AUTHCRED_ZERO;
  size_t reclen;
  if (!hasinit)
  {
    ssize_t len = challenge(f, PN_R_334, PN_MECH_PLAIN, "", 0);
    if (len < 0) return;
    init = f->line;
    initlen = (size_t)len;
  }
  if (authst(f, pn_auth_plain(f->fd3buf, &reclen, f->secret, sizeof(f->secret), &c, init, initlen), PN_MECH_PLAIN, &c))
    return;
  check(f, PN_MECH_PLAIN, &c, reclen);
}

/* LOGIN: user name and password in two responses, each checked by
   pn_auth (not empty, no NUL) before the next step. */
static void auth_login(front *f, char const *init, size_t initlen, int hasinit)
{
  pn_authcred c = PN_AUTHCRED_ZERO;
  size_t reclen;
  ssize_t len;
  if (!hasinit)
  {
    len = challenge(f, PN_R_334USER, PN_MECH_LOGIN, "", 0);
    if (len < 0) return;
    init = f->line;
    initlen = (size_t)len;
  }
  if (authst(f, pn_auth_login_user(f->secret2, sizeof(f->secret2), &c, init, initlen), PN_MECH_LOGIN, &c)) return;
  len = challenge(f, PN_R_334PASS, PN_MECH_LOGIN, c.user, c.ulen);
  if (len < 0) return;
  if (authst(f, pn_auth_login_pass(f->fd3buf, &reclen, f->secret, sizeof(f->secret), &c, f->line, (size_t)len), PN_MECH_LOGIN, &c))
    return;
  check(f, PN_MECH_LOGIN, &c, reclen);
}

/* STARTTLS (RFC 3207) over the UCSPI-TLS control (postern-tls(8)):
   offered when SSLCTLFD is set and TLS is not on yet. */
static int tls_setup(front *f)
{
  char const *x = getenv("SSLCTLFD");
  f->starttls = x && *x && !f->conf.tls;
  return pn_starttls_setup(&f->tls, &f->env);
}

/* The exchange is pn_starttls_run's.  After the handshake: the answer's
   variables for the chain, and the dialogue starts over (RFC 3207 4.2:
   forget what the client said). */
static void do_starttls(pn_smtp *s, char const *arg, size_t len)
{
  front *f = s->ctx;
  pn_ucspitls const *u = &f->tls;
  (void)arg; (void)len;
  if (f->conf.tls) { pn_smtp_reply(s, PN_R_TLSACTIVE); return; }
  if (!f->starttls) { pn_smtp_reply(s, PN_R_NOSTARTTLS); return; }
  if (!pn_starttls_run(s, &f->tls, f->conf.timeout, f->remoteip)) return;
  if (!pn_starttls_env(&f->env, u)) pn_smtp_quit(s, PN_R_TEMPCLOSE, "environment");
  pn_io_init(&s->io, 1, f->conf.timeout, f->inbuf, sizeof(f->inbuf), f->outbuf, sizeof(f->outbuf));
  f->conf.tls = 1;
  f->starttls = 0;
  f->plaintext_ok = 1;
  f->proto = 0;
  f->helo[0] = 0;
  pn_info("starttls protocol=", u->protocol ? u->protocol : "unknown", " cipher=", u->cipher ? u->cipher : "unknown",
    " ip=", f->remoteip);
}

/* Commands: each gets what follows the verb (empty, or SP and more). */

static void do_auth(pn_smtp *s, char const *arg, size_t len)
{
  front *f = s->ctx;
  size_t mlen = 0;
  unsigned int mech = 0;
  unsigned int i;
  int hasinit;
  if (len) { arg++; len--; }
  while (mlen < len && arg[mlen] != ' ') mlen++;
  if (!f->proto) { authfail(f, PN_R_NOHELO, "nohelo", 0, "", 0); return; }
  if (f->conf.tlsrequired && !f->conf.tls) { authfail(f, PN_R_NEEDTLS, "tlsrequired", 0, "", 0); return; }
  if (!mlen) { authfail(f, PN_R_AUTHSYNTAX, "syntax", 0, "", 0); return; }
  for (i = 0; i < f->conf.nmechs; i++)
  {
    char const *name = pn_conf_mechname(f->conf.mechs[i]);
    if (strlen(name) == mlen && !strncasecmp(arg, name, mlen)) mech = f->conf.mechs[i];
  }
  if (!mech) { authfail(f, PN_R_AUTHMECH, "mechanism", 0, "", 0); return; }
  if (!f->plaintext_ok) { authfail(f, PN_R_AUTHTLS, "encryption", mech, "", 0); return; }
  hasinit = mlen < len;
  arg += hasinit ? mlen + 1 : mlen;
  len -= hasinit ? mlen + 1 : mlen;
  if (hasinit && (!len || memchr(arg, ' ', len))) { authfail(f, PN_R_AUTHSYNTAX, "syntax", mech, "", 0); return; }
  if (mech == PN_MECH_PLAIN) auth_plain(f, arg, len, hasinit);
  else auth_login(f, arg, len, hasinit);
}

static void hello(pn_smtp *s, char const *arg, size_t len, int extended)
{
  front *f = s->ctx;
  pn_caps caps = PN_CAPS_ZERO;
  char mechs[PN_MECHS_FMT];
  size_t n = pn_smtp_heloarg(arg, len, PN_HELO_MAX);
  unsigned int m;
  if (!n) { pn_smtp_reply(s, PN_R_ARGS); return; }
  memcpy(f->helo, arg + 1, n);
  f->helo[n] = 0;
  f->proto = extended ? "ESMTP" : "SMTP";
  if (!extended) { pn_smtp_helo(s, f->conf.hostname); return; }
  caps.size = f->conf.databytes;
  if (f->starttls) caps.starttls = "STARTTLS";
  caps.limits = f->conf.limits;
  if (f->conf.nmechs && f->plaintext_ok && (f->conf.tls || !f->conf.tlsrequired))
  {
    size_t w = 0;
    for (m = 0; m < f->conf.nmechs; m++)
    {
      char const *name = pn_conf_mechname(f->conf.mechs[m]);
      if (m) mechs[w++] = ' ';
      memcpy(mechs + w, name, strlen(name));
      w += strlen(name);
    }
    mechs[w] = 0;
    caps.auth = mechs;
  }
  pn_smtp_ehlo(s, f->conf.hostname, &caps);
}

static void do_ehlo(pn_smtp *s, char const *arg, size_t len)
{
  hello(s, arg, len, 1);
}

static void do_helo(pn_smtp *s, char const *arg, size_t len)
{
  hello(s, arg, len, 0);
}

/* BDAT before AUTH: the chunk is read and dropped (RFC 3030: whatever
   the reply), then 530, or 501 for a parameter that is not LAST.  A
   size we cannot use leaves us lost in the stream: close. */
static void do_bdat(pn_smtp *s, char const *arg, size_t len)
{
  front *f = s->ctx;
  uint64_t size;
  int last;
  int junk;
  if (!pn_smtp_bdatarg(arg, len, &size, &last, &junk)) pn_smtp_quit(s, PN_R_BDATSIZE, "bdat");
  if (f->conf.databytes && size > f->conf.databytes) pn_smtp_quit(s, PN_R_BDATBIG, "bdat");
  pn_smtp_skip(s, size);
  pn_smtp_reply(s, junk ? PN_R_ARGS : f->conf.tlsrequired && !f->conf.tls ? PN_R_NEEDTLS : PN_R_NEEDAUTH);
}

/* MAIL, RCPT, DATA: the front never takes them (the session after AUTH
   runs in the child); with TLSREQUIRED and no TLS yet, the reply says
   what comes first. */
static void do_needauth(pn_smtp *s, char const *arg, size_t len)
{
  front *f = s->ctx;
  (void)arg; (void)len;
  pn_smtp_reply(s, f->conf.tlsrequired && !f->conf.tls ? PN_R_NEEDTLS : PN_R_NEEDAUTH);
}

/* The command table, sorted by name. */
static pn_verb const verbs[] =
{
  { .name = "AUTH", .args = PN_ARGS_RAW, .flags = PN_VERB_LONG, .f = &do_auth },
  { .name = "BDAT", .args = PN_ARGS_RAW, .f = &do_bdat },
  { .name = "DATA", .args = PN_ARGS_NONE, .f = &do_needauth },
  { .name = "EHLO", .args = PN_ARGS_RAW, .f = &do_ehlo },
  { .name = "HELO", .args = PN_ARGS_RAW, .f = &do_helo },
  { .name = "HELP", .args = PN_ARGS_ANY, .f = &pn_smtp_do_help },
  { .name = "MAIL", .args = PN_ARGS_RAW, .f = &do_needauth },
  { .name = "NOOP", .args = PN_ARGS_ANY, .f = &pn_smtp_do_ok },
  { .name = "QUIT", .args = PN_ARGS_NONE, .f = &pn_smtp_do_quit },
  { .name = "RCPT", .args = PN_ARGS_RAW, .f = &do_needauth },
  { .name = "RSET", .args = PN_ARGS_NONE, .f = &pn_smtp_do_ok },
  { .name = "STARTTLS", .args = PN_ARGS_NONE, .f = &do_starttls },
  { .name = "VRFY", .args = PN_ARGS_SOME, .f = &pn_smtp_do_vrfy },
};

/* A configuration that cannot be used: 421, before anything else. */
static void dieconf(front *f, char const *badvar) gccattr_noreturn;
static void dieconf(front *f, char const *badvar)
{
  pn_log(PN_LOG_FATAL, "bad value for ", badvar);
  pn_info("end reason=config ip=unknown");
  pn_io_init(&f->smtp.io, 1, PN_TIMEOUT_DEFAULT, f->inbuf, sizeof(f->inbuf), f->outbuf, sizeof(f->outbuf));
  if (pn_io_put(&f->smtp.io, pn_replies[PN_R_CONFIG].line, pn_replies[PN_R_CONFIG].len))
    pn_io_flush(&f->smtp.io);
  _exit(111);
}

static void setup(front *f, char const *const *prog)
{
  char const *badvar;
  f->prog = prog;
  f->proto = 0;
  f->nauthfail = 0;
  f->env.len = 0;
  f->env.n = 0;
  f->remoteip[0] = 0;
  f->helo[0] = 0;
  f->smtp.verbs = verbs;
  f->smtp.nverbs = sizeof(verbs) / sizeof(verbs[0]);
  f->smtp.line = f->line;
  f->smtp.linemax = sizeof(f->line);
  f->smtp.nbad = 0;
  f->smtp.ncmd = 0;
  f->smtp.cmdmax = PN_PREAUTH_CMDS_MAX;
  f->smtp.state = 0;
  f->smtp.nulbad = 1;
  f->smtp.end = &end;
  f->smtp.ctx = f;
  if (!pn_conf_read(&f->conf, &badvar)) dieconf(f, badvar);
  pn_io_init(&f->smtp.io, 1, f->conf.timeout, f->inbuf, sizeof(f->inbuf), f->outbuf, sizeof(f->outbuf));
  /* SMTPAUTHTIMEOUT: from the connection to a successful AUTH */
  pn_io_session(&f->smtp.io, f->conf.authtimeout);
  pn_failrec_useredis(f->conf.redis, f->conf.redisprefix);
}

int main(int argc, char const *const *argv)
{
  front f;
  PROG = "postern-smtpd";
  fd_sanitize();
  pn_log_init(PROG);
  if (argc < 2) dieusage();
  pn_sig_reset(PN_SIG_PIPE_EPIPE);
  setup(&f, argv + 1);
  if (!peer_setup(&f) || !tls_setup(&f)) pn_smtp_quit(&f.smtp, PN_R_TEMPCLOSE, "environment");
  pn_info("connect ip=", f.remoteip);
  failrec_check(&f);
  pn_smtp_greet(&f.smtp, f.conf.hostname);
  pn_smtp_loop(&f.smtp);
}
