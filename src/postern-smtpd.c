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
#include <spawn.h>
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
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include <skalibs/unix-timed.h>

#include "lib/pn_b64.h"
#include "lib/pn_conf.h"
#include "lib/pn_failrec.h"
#include "lib/pn_io.h"
#include "lib/pn_limits.h"
#include "lib/pn_log.h"
#include "lib/pn_peer.h"
#include "lib/pn_sig.h"

#define USAGE "postern-smtpd prog..."

extern char **environ;

#define PN_HELO_MAX 255                         /* EHLO/HELO argument */
#define PN_SECRET_MAX (PN_AUTHLINE_MAX / 4 * 3) /* decoded AUTH response */
#define PN_ENVMODIF_MAX 2048                    /* environment for prog */
#define PN_ENVP_MAX 1024                        /* its variables, in all */

/* Replies (RFC 3463 enhanced codes) */
#define RPL_OK "250 2.0.0 OK"
#define RPL_HELP "214 2.0.0 Commands: EHLO HELO AUTH NOOP RSET VRFY HELP QUIT"
#define RPL_VRFY "252 2.5.0 Cannot VRFY user; send mail to the address to try it"
#define RPL_BYE "221 2.0.0 Bye"
#define RPL_UNKNOWN "500 5.5.1 Unrecognized command"
#define RPL_NUL "500 5.5.2 NUL character in command"
#define RPL_TOOLONG "500 5.5.6 Command line too long"
#define RPL_NEEDAUTH "530 5.7.0 Authentication required"
#define RPL_NOHELO "503 5.5.1 Send EHLO or HELO first"
#define RPL_HELOSYNTAX "501 5.5.4 Syntax: EHLO domain"
#define RPL_AUTHSYNTAX "501 5.5.4 Syntax: AUTH mechanism [initial-response]"
#define RPL_AUTHMECH "504 5.5.4 Unrecognized authentication mechanism"
#define RPL_AUTHTLS "538 5.7.11 Encryption required for requested authentication mechanism"
#define RPL_AUTHB64 "501 5.5.2 Invalid authentication data"
#define RPL_AUTHCANCEL "501 5.7.0 Authentication cancelled"
#define RPL_AUTHLONG "500 5.5.6 Authentication line too long"
#define RPL_AUTHFAIL "535 5.7.8 Authentication credentials invalid"
#define RPL_AUTHTEMP "454 4.7.0 Temporary authentication failure"
#define RPL_AUTHCRASH "421 4.3.0 Authentication service failed; closing connection"
#define RPL_TOOMANYAUTH "421 4.7.0 Too many failed authentications; closing connection"
#define RPL_TOOMANYBAD "421 4.7.0 Too many errors; closing connection"
#define RPL_TIMEOUT "421 4.4.2 Timeout; closing connection"
#define RPL_CONFIG "421 4.3.0 Server configuration error; try again later"
#define RPL_TEMP "421 4.3.0 Temporary server error; closing connection"
#define RPL_BLOCKED "421 4.7.0 Too many failed authentications from your address; try again later"
#define RPL_BDATSIZE "421 4.5.0 Unparsable BDAT size; closing connection"
#define RPL_BDATBIG "421 4.3.4 BDAT chunk over the size limit; closing connection"

/* Results of an AUTH exchange before the check */
#define AUTH_OK 0        /* credentials in hand */
#define AUTH_FAILED 1    /* a reply has been chosen: counts as a failure */

static pn_conf conf;
static pn_io io;
static char inbuf[4096];
static char outbuf[4096];
static char line[PN_AUTHLINE_MAX];
static char helo[PN_HELO_MAX + 1];
static char const *proto = 0;
static unsigned int nbad = 0;
static unsigned int nauthfail = 0;
static int plaintext_ok = 0;
static int havepeer = 0;
static char const *const *prog;
static char remoteip[PN_IP_MAX] = "";
static char envmodif[PN_ENVMODIF_MAX];
static size_t envmodiflen = 0;
static size_t envmodifn = 0;

/* Credentials live here and nowhere else, wiped on every path. */
static char secret[PN_SECRET_MAX];
static char secret2[PN_SECRET_MAX];
static char fd3buf[PN_FD3_MAX];

static void dieusage(void)
{
  pn_log(PN_LOG_FATAL, "usage: ", USAGE);
  _exit(100);
}

static void wipe(void)
{
  byte_zzero(secret, sizeof(secret));
  byte_zzero(secret2, sizeof(secret2));
  byte_zzero(fd3buf, sizeof(fd3buf));
  byte_zzero(line, sizeof(line));
}

static void quit(char const *reply, char const *why)
{
  wipe();
  if (why) pn_info("end reason=", why, " ip=", remoteip);
  pn_io_quit(&io, reply);
}

static void reply(char const *s)
{
  if (!pn_io_puts(&io, s) || !pn_io_put(&io, "\r\n", 2))
  {
    wipe();
    pn_info("end reason=write ip=", remoteip);
    _exit(0);
  }
}

/* Replies 500-504 and 530 count; after the PN_BADCMD_MAX-th, 421. */
static void bad(char const *s)
{
  reply(s);
  if (++nbad >= PN_BADCMD_MAX) quit(RPL_TOOMANYBAD, "errors");
}

/* Reads a line; handles EOF, timeout and errors itself.  Returns 1 for a
   line, 0 for a line over the buffer (already discarded). */
static int getline_or_die(size_t *len)
{
  int r = pn_io_getline(&io, line, sizeof(line), len);
  if (r > 0) return 1;
  if (!r) { wipe(); pn_info("end reason=eof ip=", remoteip); _exit(0); }
  if (errno == ERANGE) return 0;
  if (errno == ETIMEDOUT) quit(RPL_TIMEOUT, "timeout");
  wipe();
  pn_info("end reason=read ip=", remoteip);
  _exit(0);
}

/* The environment for prog: a skalibs modification string. */
static int envset(char const *key, char const *val, size_t vallen)
{
  size_t klen = strlen(key);
  if (envmodiflen + klen + vallen + 2 > sizeof(envmodif)) return 0;
  memcpy(envmodif + envmodiflen, key, klen);
  envmodiflen += klen;
  if (val)
  {
    envmodif[envmodiflen++] = '=';
    memcpy(envmodif + envmodiflen, val, vallen);
    envmodiflen += vallen;
  }
  envmodif[envmodiflen++] = 0;
  envmodifn++;
  return 1;
}

static int envsets(char const *key, char const *val)
{
  return envset(key, val, val ? strlen(val) : 0);
}


/* Where the client is: TCPREMOTEIP as set by the launcher, else the
   socket itself, whose addresses are then passed on as tcpserver would.
   Plaintext mechanisms are allowed on TLS, by AUTHINSECURE, on loopback,
   and with no peer at all (scripted use). */
static int peer_setup(void)
{
  char ip[PN_IP_MAX];
  char port[PN_PORT_MAX];
  char const *x = getenv("TCPREMOTEIP");
  int r;
  havepeer = 1;
  if (x && *x)
  {
    size_t n = strlen(x);
    if (n >= sizeof(remoteip)) n = sizeof(remoteip) - 1;
    memcpy(remoteip, x, n);
    remoteip[n] = 0;
  }
  else
  {
    r = pn_peer_name(0, 0, ip, port);
    if (r < 0) return 0;
    havepeer = r;
    if (!r) memcpy(remoteip, "none", 5);
    else
    {
      memcpy(remoteip, ip, strlen(ip) + 1);
      if (!envsets("TCPREMOTEIP", ip) || !envsets("TCPREMOTEPORT", port)) return 0;
    }
  }
  x = getenv("TCPLOCALIP");
  if (!x || !*x)
  {
    r = pn_peer_name(0, 1, ip, port);
    if (r < 0) return 0;
    if (r && (!envsets("TCPLOCALIP", ip) || !envsets("TCPLOCALPORT", port))) return 0;
  }
  /* the verifier sets USER; a stale one must not reach it */
  if (!envsets("USER", 0)) return 0;
  plaintext_ok = conf.tls || conf.authinsecure || !havepeer || pn_peer_isloopback(remoteip);
  return 1;
}

/* The failure record across connections (AUTHFAILDIR): errors in it are
   logged and otherwise ignored, so that a broken record never locks
   everybody out. */
static void failrec_check(void)
{
  int r;
  if (!conf.failrecdir || !havepeer) return;
  r = pn_failrec_blocked(conf.failrecdir, remoteip, conf.failrecmax, conf.failrecwindow, (uint64_t)time(0));
  if (r < 0) pn_warn("unable to read the failure record in ", conf.failrecdir, ": ", strerror(errno));
  if (r > 0) quit(RPL_BLOCKED, "blocked");
}

static void failrec_add(void)
{
  if (!conf.failrecdir || !havepeer) return;
  if (!pn_failrec_add(conf.failrecdir, remoteip, conf.failrecwindow, conf.failrecrecords, (uint64_t)time(0)))
    pn_warn("unable to update the failure record in ", conf.failrecdir, ": ", strerror(errno));
}

/* Every AUTH that does not succeed ends here: the delay, the reply, the
   log line, the counters; at AUTHMAXFAIL, 421 and close. */
static void authfail(char const *r, char const *why, unsigned int mech, char const *user, size_t ulen)
{
  char q[PN_LOGVAL_SIZE];
  pn_log_quote(q, user, ulen);
  wipe();
  if (conf.authfaildelay)
  {
    tain deadline;
    if (!pn_io_flush(&io)) quit(RPL_TEMP, "write");
    tain_addsec_g(&deadline, conf.authfaildelay);
    deepsleepuntil_g(&deadline);
  }
  pn_info("auth fail user=", q, " mech=", mech ? pn_conf_mechname(mech) : "none",
    " ip=", remoteip, " reason=", why);
  if (++nauthfail >= conf.authmaxfail)
  {
    reply(r);
    quit(RPL_TOOMANYAUTH, "authfail");
  }
  if (r[0] == '5' && r[1] == '0') bad(r);
  else reply(r);
}

/* A client response: "*" cancels, "=" is empty, else strict base64.
   Returns the decoded length, or -1 after the failure was handled. */
static ssize_t decode(char const *s, size_t len, char *dst, unsigned int mech, char const *user, size_t ulen)
{
  ssize_t n;
  if (len == 1 && s[0] == '*') { authfail(RPL_AUTHCANCEL, "cancel", mech, user, ulen); return -1; }
  if (len == 1 && s[0] == '=') return 0;
  n = pn_b64_decode(dst, PN_SECRET_MAX, s, len);
  if (n < 0) { authfail(RPL_AUTHB64, "base64", mech, user, ulen); return -1; }
  return n;
}

/* Sends a 334 challenge and reads the response into line.  Returns its
   length, or -1 after the failure was handled. */
static ssize_t challenge(char const *c, unsigned int mech, char const *user, size_t ulen)
{
  size_t len;
  reply(c);
  if (!getline_or_die(&len)) { authfail(RPL_AUTHLONG, "toolong", mech, user, ulen); return -1; }
  if (memchr(line, 0, len)) { authfail(RPL_AUTHB64, "base64", mech, user, ulen); return -1; }
  return (ssize_t)len;
}

/* Starts prog with fd3 as its fd 3 and the chain's environment.
   posix_spawn, not fork: the child borrows our memory until it execs
   (vfork), so that nothing of ours is copied for a process that is
   about to be replaced.  1, or 0 with errno. */
static int spawn(int fd3, pid_t *pid)
{
  static char const *envp[PN_ENVP_MAX];
  posix_spawn_file_actions_t fa;
  size_t envlen = env_len((char const *const *)environ);
  int e;
  if (!env_mergen(envp, PN_ENVP_MAX, (char const *const *)environ, envlen, envmodif, envmodiflen, envmodifn))
    return (errno = E2BIG, 0);
  e = posix_spawn_file_actions_init(&fa);
  if (e) return (errno = e, 0);
  if (fd3 != 3)
  {
    e = posix_spawn_file_actions_adddup2(&fa, fd3, 3);
    if (!e) e = posix_spawn_file_actions_addclose(&fa, fd3);
  }
  if (!e) e = posix_spawnp(pid, prog[0], &fa, 0, (char *const *)prog, (char *const *)envp);
  posix_spawn_file_actions_destroy(&fa);
  return e ? (errno = e, 0) : 1;
}

/* The checkpassword call: credentials on fd 3, prog started with the
   chain's environment, its exit status read as DESIGN.md says. */
static void check(unsigned int mech, char const *user, size_t ulen, char const *pw, size_t pwlen)
{
  size_t base = envmodiflen;
  size_t basen = envmodifn;
  size_t n = ulen + pwlen + 3;
  int p[2];
  int wstat;
  int started;
  pid_t pid;
  if (n > PN_FD3_MAX) { authfail(RPL_AUTHFAIL, "toolong", mech, user, ulen); return; }
  /* other connections from the same address may have failed meanwhile */
  failrec_check();
  memcpy(fd3buf, user, ulen);
  fd3buf[ulen] = 0;
  memcpy(fd3buf + ulen + 1, pw, pwlen);
  fd3buf[ulen + 1 + pwlen] = 0;
  fd3buf[n - 1] = 0;
  if (!envset("SMTPAUTHUSER", user, ulen) || !envsets("SMTPAUTHMECH", pn_conf_mechname(mech))
   || !envsets("SMTPHELO", helo) || !envsets("SMTPPROTO", proto))
  {
    envmodiflen = base; envmodifn = basen;
    authfail(RPL_AUTHTEMP, "environment", mech, user, ulen);
    return;
  }
  if (pipe(p) < 0) { authfail(RPL_AUTHTEMP, "pipe", mech, user, ulen); return; }
  /* at most PN_FD3_MAX bytes: fits in the pipe, never blocks */
  if (allwrite(p[1], fd3buf, n) < n) { close(p[0]); close(p[1]); authfail(RPL_AUTHTEMP, "pipe", mech, user, ulen); return; }
  close(p[1]);
  /* user may point into secret2 (LOGIN): it is wiped after the log line */
  byte_zzero(fd3buf, sizeof(fd3buf));
  if (!pn_io_flush(&io)) { close(p[0]); quit(RPL_TEMP, "write"); }
  /* the child gets our open file descriptions, blocking as programs expect */
  pn_io_blocking();
  started = spawn(p[0], &pid);
  if (!started) pn_warn("unable to start ", prog[0], ": ", strerror(errno));
  close(p[0]);
  envmodiflen = base; envmodifn = basen;
  if (started && wait_pid(pid, &wstat) < 0) quit(RPL_TEMP, "wait");
  ndelay_on(0);
  ndelay_on(1);
  if (!started) { authfail(RPL_AUTHTEMP, "spawn", mech, user, ulen); return; }
  if (WIFSIGNALED(wstat))
  {
    char fmt[UINT_FMT];
    fmt[uint_fmt(fmt, (unsigned int)WTERMSIG(wstat))] = 0;
    pn_warn("verifier or session killed by signal ", fmt, " ip=", remoteip);
    quit(RPL_AUTHCRASH, 0);
  }
  switch (WEXITSTATUS(wstat))
  {
    case 1:
      failrec_add();
      authfail(RPL_AUTHFAIL, "password", mech, user, ulen);
      return;
    case 2: authfail(RPL_AUTHTEMP, "verifier-misuse", mech, user, ulen); return;
    case 111: authfail(RPL_AUTHTEMP, "verifier-temporary", mech, user, ulen); return;
    default: wipe(); _exit(WEXITSTATUS(wstat));
  }
}

/* RFC 4616: [authzid] NUL authcid NUL passwd, exactly two NULs. */
static void auth_plain(char const *init, size_t initlen, int hasinit)
{
  ssize_t n;
  char *z1;
  char *z2;
  size_t ulen;
  if (!hasinit)
  {
    ssize_t len = challenge("334 ", PN_MECH_PLAIN, "", 0);
    if (len < 0) return;
    init = line;
    initlen = (size_t)len;
  }
  n = decode(init, initlen, secret, PN_MECH_PLAIN, "", 0);
  if (n < 0) return;
  z1 = memchr(secret, 0, (size_t)n);
  z2 = z1 ? memchr(z1 + 1, 0, (size_t)n - (size_t)(z1 + 1 - secret)) : 0;
  if (!z2 || memchr(z2 + 1, 0, (size_t)n - (size_t)(z2 + 1 - secret))
   || z2 == z1 + 1 || z2 + 1 == secret + n)
  {
    authfail(RPL_AUTHB64, "syntax", PN_MECH_PLAIN, "", 0);
    return;
  }
  ulen = (size_t)(z2 - z1 - 1);
  if (z1 != secret && ((size_t)(z1 - secret) != ulen || memcmp(secret, z1 + 1, ulen)))
  {
    authfail(RPL_AUTHFAIL, "authzid", PN_MECH_PLAIN, z1 + 1, ulen);
    return;
  }
  check(PN_MECH_PLAIN, z1 + 1, ulen, z2 + 1, (size_t)(secret + n - z2 - 1));
}

/* LOGIN: user name and password in two base64 responses, neither empty
   nor containing a NUL (it would shift the fd 3 fields). */
static void auth_login(char const *init, size_t initlen, int hasinit)
{
  ssize_t ulen;
  ssize_t pwlen;
  ssize_t len;
  if (!hasinit)
  {
    len = challenge("334 VXNlcm5hbWU6", PN_MECH_LOGIN, "", 0);
    if (len < 0) return;
    init = line;
    initlen = (size_t)len;
  }
  ulen = decode(init, initlen, secret2, PN_MECH_LOGIN, "", 0);
  if (ulen < 0) return;
  if (!ulen || memchr(secret2, 0, (size_t)ulen)) { authfail(RPL_AUTHB64, "syntax", PN_MECH_LOGIN, "", 0); return; }
  len = challenge("334 UGFzc3dvcmQ6", PN_MECH_LOGIN, secret2, (size_t)ulen);
  if (len < 0) return;
  pwlen = decode(line, (size_t)len, secret, PN_MECH_LOGIN, secret2, (size_t)ulen);
  if (pwlen < 0) return;
  if (!pwlen || memchr(secret, 0, (size_t)pwlen)) { authfail(RPL_AUTHB64, "syntax", PN_MECH_LOGIN, secret2, (size_t)ulen); return; }
  check(PN_MECH_LOGIN, secret2, (size_t)ulen, secret, (size_t)pwlen);
}

static void do_auth(char const *arg, size_t len)
{
  size_t mlen = 0;
  unsigned int mech = 0;
  unsigned int i;
  int hasinit;
  while (mlen < len && arg[mlen] != ' ') mlen++;
  if (!proto) { authfail(RPL_NOHELO, "nohelo", 0, "", 0); return; }
  if (!mlen) { authfail(RPL_AUTHSYNTAX, "syntax", 0, "", 0); return; }
  for (i = 0; i < conf.nmechs; i++)
  {
    char const *name = pn_conf_mechname(conf.mechs[i]);
    if (strlen(name) == mlen && !strncasecmp(arg, name, mlen)) mech = conf.mechs[i];
  }
  if (!mech) { authfail(RPL_AUTHMECH, "mechanism", 0, "", 0); return; }
  if (!plaintext_ok) { authfail(RPL_AUTHTLS, "encryption", mech, "", 0); return; }
  hasinit = mlen < len;
  arg += hasinit ? mlen + 1 : mlen;
  len -= hasinit ? mlen + 1 : mlen;
  if (hasinit && (!len || memchr(arg, ' ', len))) { authfail(RPL_AUTHSYNTAX, "syntax", mech, "", 0); return; }
  if (mech == PN_MECH_PLAIN) auth_plain(arg, len, hasinit);
  else auth_login(arg, len, hasinit);
}

static void do_ehlo(char const *arg, size_t len, int extended)
{
  size_t n = 0;
  size_t i;
  unsigned int m;
  while (n < len && arg[n] != ' ') n++;
  if (!n || n > PN_HELO_MAX) { bad(RPL_HELOSYNTAX); return; }
  for (i = 0; i < n; i++)
    if ((unsigned char)arg[i] <= ' ' || (unsigned char)arg[i] >= 0x7f) { bad(RPL_HELOSYNTAX); return; }
  memcpy(helo, arg, n);
  helo[n] = 0;
  proto = extended ? "ESMTP" : "SMTP";
  if (!extended)
  {
    pn_io_puts(&io, "250 ");
    reply(conf.hostname);
    return;
  }
  pn_io_puts(&io, "250-");
  reply(conf.hostname);
  reply("250-PIPELINING");
  reply("250-ENHANCEDSTATUSCODES");
  reply("250-8BITMIME");
  {
    char fmt[UINT64_FMT];
    fmt[uint64_fmt(fmt, conf.databytes)] = 0;
    pn_io_puts(&io, "250-SIZE ");
    reply(fmt);
  }
  reply("250-SMTPUTF8");
  if (!conf.nmechs || !plaintext_ok) { reply("250 CHUNKING"); return; }
  reply("250-CHUNKING");
  pn_io_puts(&io, "250 AUTH");
  for (m = 0; m < conf.nmechs; m++)
  {
    pn_io_puts(&io, " ");
    pn_io_puts(&io, pn_conf_mechname(conf.mechs[m]));
  }
  reply("");
}

/* BDAT before AUTH: read and discard the chunk, then 530 (RFC 3030 says
   the chunk must be consumed whatever the reply).  A size we cannot use
   leaves us lost in the stream: close. */
static void do_bdat(char const *arg, size_t len)
{
  uint64_t size;
  size_t n = uint64_scan(arg, &size);
  tain deadline;
  if (!n || (n < len && arg[n] != ' ')) quit(RPL_BDATSIZE, "bdat");
  if (conf.databytes && size > conf.databytes) quit(RPL_BDATBIG, "bdat");
  if (!pn_io_flush(&io)) quit(RPL_TEMP, "write");
  tain_add_g(&deadline, &io.tto);
  while (size)
  {
    size_t avail = buffer_len(&io.in);
    if (!avail)
    {
      ssize_t r = buffer_timed_fill_g(&io.in, &deadline);
      if (r < 0 && errno == ETIMEDOUT) quit(RPL_TIMEOUT, "timeout");
      if (r <= 0) _exit(0);
      continue;
    }
    if (avail > size) avail = size;
    buffer_rseek(&io.in, avail);
    size -= avail;
  }
  bad(RPL_NEEDAUTH);
}

static int verb_is(char const *s, size_t len, char const *verb, size_t *argpos)
{
  size_t vlen = strlen(verb);
  if (len < vlen || strncasecmp(s, verb, vlen)) return 0;
  if (len == vlen) { *argpos = len; return 1; }
  if (s[vlen] != ' ') return 0;
  *argpos = vlen + 1;
  return 1;
}

/* A line of len bytes as pn_io_getline left it in line: the octets it
   took on the wire, its line end included (line[len] is the CR of a
   CRLF, or the bare LF), so that 511 bytes and a bare LF are 512, as
   postern-queue counts them. */
static size_t received(size_t len)
{
  return len + (line[len] == '\r' ? 2 : 1);
}

static void dispatch(size_t len)
{
  size_t a;
  size_t octets = received(len);
  if (memchr(line, 0, len)) { bad(RPL_NUL); return; }
  line[len] = 0;
  if (octets > PN_CMDLINE_MAX && !verb_is(line, len, "AUTH", &a)) { bad(RPL_TOOLONG); return; }
  if (verb_is(line, len, "EHLO", &a)) do_ehlo(line + a, len - a, 1);
  else if (verb_is(line, len, "HELO", &a)) do_ehlo(line + a, len - a, 0);
  else if (verb_is(line, len, "AUTH", &a)) do_auth(line + a, len - a);
  else if (verb_is(line, len, "NOOP", &a)) reply(RPL_OK);
  else if (verb_is(line, len, "RSET", &a)) reply(RPL_OK);
  else if (verb_is(line, len, "HELP", &a)) reply(RPL_HELP);
  else if (verb_is(line, len, "VRFY", &a)) reply(RPL_VRFY);
  else if (verb_is(line, len, "QUIT", &a)) quit(RPL_BYE, 0);
  else if (verb_is(line, len, "MAIL", &a) || verb_is(line, len, "RCPT", &a)
        || verb_is(line, len, "DATA", &a)) bad(RPL_NEEDAUTH);
  else if (verb_is(line, len, "BDAT", &a)) do_bdat(line + a, len - a);
  else bad(RPL_UNKNOWN);
}

int main(int argc, char const *const *argv)
{
  char const *badvar;
  fd_sanitize();
  pn_log_init("postern-smtpd");
  if (argc < 2) dieusage();
  prog = argv + 1;
  pn_sig_reset(PN_SIG_PIPE_EPIPE);
  if (!pn_conf_read(&conf, &badvar))
  {
    pn_log(PN_LOG_FATAL, "bad value for ", badvar);
    pn_io_init(&io, 1, PN_TIMEOUT_DEFAULT, inbuf, sizeof(inbuf), outbuf, sizeof(outbuf));
    if (pn_io_puts(&io, RPL_CONFIG "\r\n")) pn_io_flush(&io);
    _exit(111);
  }
  pn_io_init(&io, 1, conf.timeout, inbuf, sizeof(inbuf), outbuf, sizeof(outbuf));
  if (!peer_setup()) quit(RPL_TEMP, "environment");
  pn_info("connect ip=", remoteip);
  failrec_check();
  pn_io_puts(&io, "220 ");
  pn_io_puts(&io, conf.hostname);
  reply(" ESMTP postern");
  for (;;)
  {
    size_t len;
    if (!getline_or_die(&len)) { bad(RPL_TOOLONG); continue; }
    dispatch(len);
  }
}
