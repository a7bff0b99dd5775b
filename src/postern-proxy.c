/* ISC license: see LICENSE. */

/*
 * postern-proxy: first in the chain behind a load balancer.  From a
 * trusted address it reads one PROXY protocol header (v1 or v2), and not
 * a byte more, takes the client's addresses from it and execs the rest
 * of the chain; from any other address, or with a bad or late header, it
 * logs one line and closes.  See postern-proxy(8).
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/exec.h>
#include <skalibs/gccattributes.h>
#include <skalibs/iopause.h>
#include <skalibs/sgetopt.h>
#include <skalibs/sig.h>
#include <skalibs/strerr.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "lib/pn_cidr.h"
#include "lib/pn_log.h"
#include "lib/pn_peer.h"
#include "lib/pn_proxy.h"

#define USAGE "postern-proxy -t CIDR [ -t CIDR ... ] [ -T seconds ] prog..."

#define PN_PROXY_TRUST_MAX 64         /* -t options */
#define PN_PROXY_TIMEOUT_DEFAULT 10   /* -T: seconds for the whole header */
#define PN_PROXY_TIMEOUT_MAX 3600
#define PN_PROXY_MODIF_MAX 512        /* the environment changes */

/* How fd 0 is read without going past the header (as pn_io's exact
   reader): a socket is peeked, then read up to the LF; a regular file
   read ahead, then seeked back; a pipe read a byte at a time, where
   the parser cannot say how many bytes are still header. */
#define KIND_UNKNOWN 0
#define KIND_SOCKET 1
#define KIND_SEEKABLE 2
#define KIND_PIPE 3

static pn_cidr trust[PN_PROXY_TRUST_MAX];
static unsigned int ntrust = 0;
static char peer[PN_IP_MAX] = "none";   /* the connecting address: the balancer */

static void dieusage(void) gccattr_noreturn;
static void dieusage(void)
{
  pn_log(PN_LOG_FATAL, "usage: ", USAGE);
  _exit(100);
}

static void dietemp(char const *what) gccattr_noreturn;
static void dietemp(char const *what)
{
  pn_log(PN_LOG_FATAL, "unable to ", what, ": ", strerror(errno));
  _exit(111);
}

/* Every refusal: one line, the connection closed by our exit. */
static void refuse(char const *why, unsigned int version) gccattr_noreturn;
static void refuse(char const *why, unsigned int version)
{
  char fmt[UINT_FMT];
  fmt[uint_fmt(fmt, version)] = 0;
  if (version) pn_info("refused reason=", why, " ip=", peer, " version=", fmt);
  else pn_info("refused reason=", why, " ip=", peer);
  _exit(0);
}

/* The connecting address: TCPREMOTEIP as the launcher set it, else the
   socket's peer.  Trusted if in one of the -t ranges. */
static int trusted(void)
{
  unsigned char a[16];
  char port[PN_PORT_MAX];
  char const *x = getenv("TCPREMOTEIP");
  unsigned int i;
  if (x && *x)
  {
    size_t n = strlen(x);
    if (n >= sizeof(peer)) return 0;
    memcpy(peer, x, n + 1);
  }
  else
  {
    int r = pn_peer_name(0, 0, peer, port);
    if (r < 0) dietemp("read the peer's address");
    if (!r) return 0;
  }
  if (!pn_cidr_ip(peer, a))
  {
    /* not an address: nothing of it goes into the log */
    memcpy(peer, "invalid", 8);
    return 0;
  }
  for (i = 0; i < ntrust; i++)
    if (pn_cidr_match(trust + i, a)) return 1;
  return 0;
}

static size_t upto_lf(char const *s, size_t len)
{
  char const *lf = memchr(s, '\n', len);
  return lf ? (size_t)(lf - s) + 1 : len;
}

/* Reads at most max bytes of fd 0 into s, none past a LF if line is
   set.  As read(2). */
static ssize_t get(char *s, size_t max, int line)
{
  static int kind = KIND_UNKNOWN;
  ssize_t r;
  if (kind == KIND_UNKNOWN || kind == KIND_SOCKET)
  {
    r = recv(0, s, max, line ? MSG_PEEK : 0);
    if (r >= 0 || errno != ENOTSOCK)
    {
      kind = KIND_SOCKET;
      if (r <= 0 || !line) return r;
      return recv(0, s, upto_lf(s, (size_t)r), 0);
    }
    kind = lseek(0, 0, SEEK_CUR) >= 0 ? KIND_SEEKABLE : KIND_PIPE;
  }
  if (kind == KIND_PIPE && line) max = 1;
  r = read(0, s, max);
  if (r > 0 && line && kind == KIND_SEEKABLE)
  {
    size_t want = upto_lf(s, (size_t)r);
    if (want < (size_t)r && lseek(0, (off_t)want - (off_t)r, SEEK_CUR) < 0) return -1;
    r = (ssize_t)want;
  }
  return r;
}

/* Reads the header within secs seconds in all; refuses the connection
   for anything but a whole, valid one.  Reads first and waits only when
   nothing is there: the header usually comes in one segment. */
static void header_read(pn_proxy *p, char *buf, unsigned int secs)
{
  size_t len = 0;
  tain deadline;
  tain_now_set_stopwatch_g();
  tain_addsec_g(&deadline, secs);
  if (ndelay_on(0) < 0) dietemp("set fd 0 non-blocking");
  for (;;)
  {
    ssize_t got;
    int r = pn_proxy_parse(buf, len, p);
    if (r == PN_PROXY_OK) break;
    if (r != PN_PROXY_MORE) refuse(pn_proxy_str(r), p->version);
    if (p->need > PN_PROXY_MAX - len) refuse("oversized", p->version);
    got = get(buf + len, p->need, p->line);
    if (got < 0)
    {
      iopause_fd x = { .fd = 0, .events = IOPAUSE_READ, .revents = 0 };
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) refuse("read", p->version);
      r = iopause_g(&x, 1, &deadline);
      if (r < 0) dietemp("iopause");
      if (!r) refuse("timeout", p->version);
      continue;
    }
    if (!got) refuse(len ? "truncated" : "eof", p->version);
    len += (size_t)got;
  }
  if (ndelay_off(0) < 0) dietemp("set fd 0 blocking");
}

static size_t modif_add(char *m, size_t w, char const *key, char const *val)
{
  size_t k = strlen(key);
  size_t v = val ? strlen(val) : 0;
  if (w + k + v + 2 > PN_PROXY_MODIF_MAX) return w;   /* cannot happen: bounded keys and values */
  memcpy(m + w, key, k); w += k;
  if (val)
  {
    m[w++] = '=';
    memcpy(m + w, val, v); w += v;
  }
  m[w++] = 0;
  return w;
}

/* The environment changes for the session, in m; their length.  The
   remote host's name and ident were the balancer's: they go. */
static size_t modif_make(pn_proxy const *p, char *m)
{
  char ip[PN_IP_MAX];
  char port[PN_PORT_MAX];
  char vfmt[UINT_FMT];
  int af = p->family == PN_PROXY_INET ? AF_INET : AF_INET6;
  size_t w = 0;
  vfmt[uint_fmt(vfmt, p->version)] = 0;
  w = modif_add(m, w, "PROXYREMOTEIP", peer);
  if (p->local)
  {
    pn_info("accept local proxy=", peer, " version=", vfmt);
    return w;
  }
  if (!inet_ntop(af, p->dst, ip, sizeof(ip))) dietemp("format an address");
  port[uint16_fmt(port, p->dport)] = 0;
  w = modif_add(m, w, "TCPLOCALIP", ip);
  w = modif_add(m, w, "TCPLOCALPORT", port);
  if (!inet_ntop(af, p->src, ip, sizeof(ip))) dietemp("format an address");
  port[uint16_fmt(port, p->sport)] = 0;
  w = modif_add(m, w, "TCPREMOTEIP", ip);
  w = modif_add(m, w, "TCPREMOTEPORT", port);
  w = modif_add(m, w, "TCPREMOTEHOST", 0);
  w = modif_add(m, w, "TCPREMOTEINFO", 0);
  pn_info("accept ip=", ip, " port=", port, " proxy=", peer, " version=", vfmt);
  return w;
}

int main(int argc, char const *const *argv)
{
  char buf[PN_PROXY_MAX];
  char modif[PN_PROXY_MODIF_MAX];
  pn_proxy p = PN_PROXY_ZERO;
  unsigned int secs = PN_PROXY_TIMEOUT_DEFAULT;
  size_t mlen;
  PROG = "postern-proxy";
  if (!fd_sanitize()) _exit(111);
  pn_log_init(PROG);
  {
    subgetopt l = SUBGETOPT_ZERO;
    for (;;)
    {
      int opt = subgetopt_r(argc, argv, "t:T:", &l);
      if (opt == -1) break;
      switch (opt)
      {
        case 't':
          if (ntrust >= PN_PROXY_TRUST_MAX || !pn_cidr_parse(l.arg, trust + ntrust)) dieusage();
          ntrust++;
          break;
        case 'T':
          if (!uint0_scan(l.arg, &secs) || !secs || secs > PN_PROXY_TIMEOUT_MAX) dieusage();
          break;
        default: dieusage();
      }
    }
    argc -= l.ind; argv += l.ind;
  }
  if (!argc || !ntrust) dieusage();
  sig_altignore(SIGPIPE);
  if (!trusted()) refuse("untrusted", 0);
  header_read(&p, buf, secs);
  mlen = modif_make(&p, modif);
  mexec_am(argv[0], argv, modif, mlen);
  dietemp("exec the next program");
}
