/* ISC license: see LICENSE. */

/*
 * pn-load: the SMTP load generator of postern's benchmarks (bench/run).
 * Not installed; it needs nothing but libc.
 *
 *   pn-load [options] -a host:port
 *   pn-load [options] prog [args...]
 *   pn-load -F
 *
 * Runs -n sessions, -c at a time, against a TCP server, or against prog
 * started once per session with its stdin and stdout on pipes.  A session:
 * the greeting, EHLO, AUTH PLAIN (with -u and -p), -m messages of -s bytes
 * (MAIL, RCPT, DATA, the body, end of data), QUIT, then the server's EOF.
 * With -P the envelope of a message goes in one write and the end of data
 * is pipelined with the next envelope or with QUIT (RFC 2920 section 3.1);
 * EHLO must then offer PIPELINING.  Every reply is checked: one
 * unexpected reply, an early EOF or a timeout fails the session.
 *
 * The message is -s bytes as RFC 1870 counts them (CRLF line ends, before
 * dot-stuffing): a short header, then 76-character lines, one in 32 of them
 * starting with a dot, so that the body path has some unstuffing to do.
 *
 * Options: -c sessions at a time (1), -n sessions (1), -m messages a
 * session (1; 0 for none), -s message size (2000), -P pipelining, -u and
 * -p the AUTH PLAIN credentials (no AUTH without them), -t seconds a
 * session may last (120), -R seconds to wait for the server to listen
 * (its probe connection is closed at once), -l file for the stderr of the
 * commands, -L file to append every latency to, one a line ("s ms" for a
 * session, "e ms" for an end of data), so that runs can be merged; -x
 * sends a PROXY protocol v2 header (TCP over IPv4, 127.0.0.1 to
 * 127.0.0.1) first on each connection, for postern-proxy.
 *
 * Prints one line of key=value pairs on stdout: sessions, ok, failed,
 * messages (sent), accepted (250 after end of data), seconds (first start
 * to last end), sess_per_s, msg_per_s, mb_per_s (accepted message bytes,
 * 10^6 bytes a MB), data_mb_per_s (the same bytes over the time spent in
 * data phases, from the 354 read to the 250 read: what one session's body
 * path does, whatever starting sessions costs), sess_p50_ms, sess_p99_ms
 * (whole session: connect or spawn to EOF), eod_p50_ms, eod_p99_ms (last
 * byte of end of data written to its 250 read), data_ms (the data phases'
 * total) and badexit (with a command: exits other than 0).  The first
 * failures are described on stderr.  Exits 0 when every session
 * succeeded, 1 when one failed, 100 on usage, 111 on a system error.
 *
 * -F prints a TCP port of 127.0.0.1 free at that moment, and exits.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define USAGE "pn-load [ -c conc ] [ -n sessions ] [ -m msgs ] [ -s size ] [ -P ] [ -u user -p password ] [ -t timeout ] [ -R wait ] [ -l errlog ] [ -L latlog ] [ -x ] -a host:port | prog..."

#define PL_CONC_MAX 256             /* sessions at a time */
#define PL_SESSIONS_MAX 1000000
#define PL_MSGS_MAX 100000          /* messages a session */
#define PL_SIZE_MIN 512             /* room for the header */
#define PL_SIZE_MAX 1000000000
#define PL_CRED_MAX 255             /* user, password */
#define PL_IN_MAX 4096              /* one reply line */
#define PL_IOV_MAX 3
#define PL_EXP_MAX 4                /* replies expected in one round */
#define PL_FAILSHOW_MAX 5           /* failures described on stderr */
#define PL_LINE_LEN 76              /* body line, CRLF excluded */
#define PL_DOT_EVERY 32             /* one body line in this many starts with '.' */
#define PL_RETRY_NS 50000000L       /* pause between connection attempts (-R) */

enum phase
{
  PH_GREET,
  PH_EHLO,
  PH_AUTH,
  PH_MAIL,
  PH_RCPT,
  PH_DATA,
  PH_BODY,
  PH_QUIT,
  PH_EOF
};

typedef struct session_s session;
struct session_s
{
  int active;
  int rfd;
  int wfd;
  int connecting;
  unsigned int num;
  enum phase phase;
  unsigned int msg;             /* messages whose body was sent */
  struct iovec iov[PL_IOV_MAX];
  unsigned int niov;
  unsigned int iovi;            /* first iovec not yet fully written */
  int exp[PL_EXP_MAX];
  unsigned int nexp;
  unsigned int got;             /* replies received in this round */
  int eodpos;                   /* index in exp of the 250 to end of data, or -1 */
  unsigned int bodyiov;         /* index in iov of the body, if eodpos >= 0 */
  int linecode;                 /* code of the multiline reply in progress, or 0 */
  int pipelining;               /* EHLO offered PIPELINING */
  char in[PL_IN_MAX];
  size_t inlen;
  struct timespec start;
  struct timespec eodsent;      /* when the body's last byte was written */
  struct timespec datastart;    /* when the 354 to DATA was read */
};

static struct
{
  unsigned int conc;
  unsigned int sessions;
  unsigned int msgs;
  size_t size;
  int pipelining;
  char const *user;
  char const *pass;
  unsigned int timeout;
  unsigned int retry;
  char const *errlog;
  char const *latlog;
  char const *addr;
  int proxy;
  char *const *argv;
} cfg = { .conc = 1, .sessions = 1, .msgs = 1, .size = 2000, .timeout = 120 };

static struct sockaddr_in sa;
static int errfd = -1;
static char *body;              /* the message, dot-stuffed, with ".\r\n" */
static size_t bodylen;
static char authline[PL_CRED_MAX * 2 + 64];
static char const ehloline[] = "EHLO bench.example\r\n";
static char const mailline[] = "MAIL FROM:<bench@bench.example>\r\n";
static char const rcptline[] = "RCPT TO:<rcpt@bench.example>\r\n";
static char const dataline[] = "DATA\r\n";
static char const envelope[] = "MAIL FROM:<bench@bench.example>\r\nRCPT TO:<rcpt@bench.example>\r\nDATA\r\n";
static char const quitline[] = "QUIT\r\n";
/* PROXY v2: signature, PROXY, TCP over IPv4, 12 bytes of addresses */
static char const proxyhdr[] = "\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c"
  "\x7f\x00\x00\x01" "\x7f\x00\x00\x01" "\x9c\x40" "\x02\x4b";

static session *sess;
static double *sesslat;         /* ms, one per successful session */
static double *eodlat;          /* ms, one per accepted message */
static unsigned int nsesslat;
static size_t neodlat;
static unsigned int started;
static unsigned int finished;
static unsigned int nactive;
static unsigned int nfailed;
static unsigned long long nsent;
static unsigned long long naccepted;
static double datams;           /* time in data phases of accepted messages */
static unsigned int children;
static unsigned int badexit;

static void dieusage(void)
{
  fprintf(stderr, "pn-load: usage: %s\n", USAGE);
  exit(100);
}

static void diesys(char const *what)
{
  fprintf(stderr, "pn-load: fatal: %s: %s\n", what, strerror(errno));
  exit(111);
}

static double ms_between(struct timespec const *a, struct timespec const *b)
{
  return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static struct timespec now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t;
}

static unsigned long scan_num(char const *s, unsigned long max)
{
  char *end;
  unsigned long n;
  errno = 0;
  n = strtoul(s, &end, 10);
  if (errno || end == s || *end || n > max) dieusage();
  return n;
}

static size_t b64(char *dst, unsigned char const *s, size_t len)
{
  static char const tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t w = 0;
  size_t i;
  for (i = 0; i + 2 < len; i += 3)
  {
    dst[w++] = tab[s[i] >> 2];
    dst[w++] = tab[((s[i] & 3) << 4) | (s[i+1] >> 4)];
    dst[w++] = tab[((s[i+1] & 15) << 2) | (s[i+2] >> 6)];
    dst[w++] = tab[s[i+2] & 63];
  }
  if (i < len)
  {
    dst[w++] = tab[s[i] >> 2];
    if (i + 1 < len)
    {
      dst[w++] = tab[((s[i] & 3) << 4) | (s[i+1] >> 4)];
      dst[w++] = tab[(s[i+1] & 15) << 2];
    }
    else
    {
      dst[w++] = tab[(s[i] & 3) << 4];
      dst[w++] = '=';
    }
    dst[w++] = '=';
  }
  return w;
}

static void make_authline(void)
{
  unsigned char raw[PL_CRED_MAX * 2 + 2];
  size_t ul = strlen(cfg.user);
  size_t pl = strlen(cfg.pass);
  size_t n;
  if (!ul || !pl || ul > PL_CRED_MAX || pl > PL_CRED_MAX) dieusage();
  raw[0] = 0;
  memcpy(raw + 1, cfg.user, ul);
  raw[1 + ul] = 0;
  memcpy(raw + 2 + ul, cfg.pass, pl);
  memcpy(authline, "AUTH PLAIN ", 11);
  n = 11 + b64(authline + 11, raw, ul + pl + 2);
  memcpy(authline + n, "\r\n", 3);
}

/* The message on the wire: cfg.size bytes before stuffing, then ".\r\n". */
static void make_body(void)
{
  static char const head[] =
    "From: <bench@bench.example>\r\n"
    "To: <rcpt@bench.example>\r\n"
    "Subject: postern benchmark\r\n"
    "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
    "Message-ID: <pn-load@bench.example>\r\n"
    "\r\n";
  size_t left = cfg.size - (sizeof(head) - 1);
  size_t max = cfg.size + cfg.size / (PL_LINE_LEN * PL_DOT_EVERY) + 8;
  unsigned int seed = 12345;
  unsigned long line = 0;
  char *p;
  body = malloc(max);
  if (!body) diesys("malloc");
  memcpy(body, head, sizeof(head) - 1);
  p = body + sizeof(head) - 1;
  while (left)
  {
    /* full lines while at least a 3-byte line would remain, then the rest */
    size_t len = left >= PL_LINE_LEN + 2 + 3 ? PL_LINE_LEN : left - 2;
    size_t i;
    for (i = 0; i < len; i++)
    {
      seed = seed * 1103515245u + 12345u;
      p[i] = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[(seed >> 16) % 63];
    }
    if (!(++line % PL_DOT_EVERY))
    {
      memmove(p + 1, p, len);
      p[0] = '.';
      p[1] = '.';
      p++;
    }
    p[len] = '\r';
    p[len+1] = '\n';
    p += len + 2;
    left -= len + 2;
  }
  memcpy(p, ".\r\n", 3);
  bodylen = (size_t)(p + 3 - body);
}

static void put(session *s, char const *buf, size_t len)
{
  s->iov[s->niov].iov_base = (void *)buf;
  s->iov[s->niov].iov_len = len;
  s->niov++;
}

static void expect(session *s, int code)
{
  s->exp[s->nexp++] = code;
}

static void put_envelope(session *s)
{
  if (cfg.pipelining)
  {
    put(s, envelope, sizeof(envelope) - 1);
    expect(s, 250);
    expect(s, 250);
    expect(s, 354);
    s->phase = PH_DATA;
  }
  else
  {
    put(s, mailline, sizeof(mailline) - 1);
    expect(s, 250);
    s->phase = PH_MAIL;
  }
}

static void put_quit(session *s)
{
  put(s, quitline, sizeof(quitline) - 1);
  expect(s, 221);
  s->phase = PH_QUIT;
}

static void fail(session *, char const *, char const *, size_t);

/* The round that just ended decides the next: what to send, what to expect. */
static void next_round(session *s)
{
  s->niov = s->iovi = 0;
  s->nexp = s->got = 0;
  s->eodpos = -1;
  switch (s->phase)
  {
    case PH_GREET:
      put(s, ehloline, sizeof(ehloline) - 1);
      expect(s, 250);
      s->phase = PH_EHLO;
      break;
    case PH_EHLO:
      if (cfg.pipelining && !s->pipelining)
      {
        fail(s, "EHLO did not offer PIPELINING", 0, 0);
        return;
      }
      if (cfg.user)
      {
        put(s, authline, strlen(authline));
        expect(s, 235);
        s->phase = PH_AUTH;
        break;
      }
      /* fall through */
    case PH_AUTH:
      if (cfg.msgs) put_envelope(s);
      else put_quit(s);
      break;
    case PH_MAIL:
      put(s, rcptline, sizeof(rcptline) - 1);
      expect(s, 250);
      s->phase = PH_RCPT;
      break;
    case PH_RCPT:
      put(s, dataline, sizeof(dataline) - 1);
      expect(s, 354);
      s->phase = PH_DATA;
      break;
    case PH_DATA:
      s->bodyiov = s->niov;
      put(s, body, bodylen);
      s->eodpos = (int)s->nexp;
      expect(s, 250);
      s->msg++;
      nsent++;
      s->phase = PH_BODY;
      if (cfg.pipelining)
      {
        if (s->msg < cfg.msgs) put_envelope(s);
        else put_quit(s);
      }
      break;
    case PH_BODY:
      if (s->msg < cfg.msgs) put_envelope(s);
      else put_quit(s);
      break;
    case PH_QUIT:
    case PH_EOF:
      s->phase = PH_EOF;
      break;
  }
}

static void end_session(session *s)
{
  if (s->rfd >= 0) close(s->rfd);
  if (s->wfd >= 0 && s->wfd != s->rfd) close(s->wfd);
  s->rfd = s->wfd = -1;
  s->active = 0;
  nactive--;
  finished++;
}

static void fail(session *s, char const *why, char const *line, size_t len)
{
  if (nfailed < PL_FAILSHOW_MAX)
  {
    fprintf(stderr, "pn-load: session %u failed in phase %d (message %u, reply %u): %s", s->num, (int)s->phase, s->msg, s->got, why);
    if (line) fprintf(stderr, ": %.*s", (int)(len > 200 ? 200 : len), line);
    fputc('\n', stderr);
  }
  nfailed++;
  end_session(s);
}

static void succeed(session *s)
{
  struct timespec t = now();
  sesslat[nsesslat++] = ms_between(&s->start, &t);
  end_session(s);
}

static int isreply(char const *line, size_t len)
{
  if (len < 3) return 0;
  if (line[0] < '2' || line[0] > '5') return 0;
  if (line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9') return 0;
  return len == 3 || line[3] == ' ' || line[3] == '-';
}

/* One reply line, CR and LF removed.  Returns why the session fails, or 0. */
static char const *reply_line(session *s, char const *line, size_t len)
{
  static char why[64];
  int code;
  if (s->phase == PH_EOF) return "data after the reply to QUIT";
  if (!isreply(line, len)) return "malformed reply";
  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (s->linecode && code != s->linecode) return "code changed inside a multiline reply";
  if (s->phase == PH_EHLO && len >= 14 && !strncasecmp(line + 4, "PIPELINING", 10) && (len == 14 || line[14] == ' '))
    s->pipelining = 1;
  if (len > 3 && line[3] == '-')
  {
    s->linecode = code;
    return 0;
  }
  s->linecode = 0;
  if (s->got >= s->nexp) return "reply to no command";
  if (code != s->exp[s->got])
  {
    snprintf(why, sizeof(why), "expected %d, got", s->exp[s->got]);
    return why;
  }
  if (code == 354) s->datastart = now();
  if ((int)s->got == s->eodpos)
  {
    struct timespec t = now();
    if (s->iovi <= s->bodyiov) return "reply to end of data before it was sent";
    eodlat[neodlat++] = ms_between(&s->eodsent, &t);
    datams += ms_between(&s->datastart, &t);
    naccepted++;
  }
  s->got++;
  if (s->got == s->nexp && s->iovi == s->niov) next_round(s);
  return 0;
}

static void on_read(session *s)
{
  char const *why;
  size_t pos = 0;
  ssize_t r = read(s->rfd, s->in + s->inlen, sizeof(s->in) - s->inlen);
  if (r < 0)
  {
    if (errno == EAGAIN || errno == EINTR) return;
    fail(s, strerror(errno), 0, 0);
    return;
  }
  if (!r)
  {
    if (s->phase == PH_EOF && !s->inlen) succeed(s);
    else fail(s, "unexpected EOF", 0, 0);
    return;
  }
  s->inlen += (size_t)r;
  for (;;)
  {
    char *lf = memchr(s->in + pos, '\n', s->inlen - pos);
    size_t len;
    if (!lf) break;
    len = (size_t)(lf - (s->in + pos));
    if (len && s->in[pos + len - 1] == '\r') len--;
    why = reply_line(s, s->in + pos, len);
    if (why) fail(s, why, s->in + pos, len);
    if (!s->active) return;
    pos = (size_t)(lf - s->in) + 1;
  }
  memmove(s->in, s->in + pos, s->inlen - pos);
  s->inlen -= pos;
  if (s->inlen == sizeof(s->in)) fail(s, "reply line too long", s->in, 80);
}

static void on_write(session *s)
{
  while (s->iovi < s->niov)
  {
    ssize_t w = writev(s->wfd, s->iov + s->iovi, (int)(s->niov - s->iovi));
    size_t left;
    if (w < 0)
    {
      if (errno == EAGAIN || errno == EINTR) return;
      fail(s, strerror(errno), 0, 0);
      return;
    }
    left = (size_t)w;
    while (left && s->iovi < s->niov)
    {
      struct iovec *v = s->iov + s->iovi;
      if (left >= v->iov_len)
      {
        left -= v->iov_len;
        v->iov_len = 0;
        if (s->eodpos >= 0 && s->iovi == s->bodyiov) s->eodsent = now();
        s->iovi++;
      }
      else
      {
        v->iov_base = (char *)v->iov_base + left;
        v->iov_len -= left;
        left = 0;
      }
    }
  }
  if (s->got == s->nexp) next_round(s);
}

static void on_connected(session *s)
{
  int e = 0;
  socklen_t el = sizeof(e);
  if (getsockopt(s->wfd, SOL_SOCKET, SO_ERROR, &e, &el) < 0) e = errno;
  if (e)
  {
    fail(s, strerror(e), 0, 0);
    return;
  }
  s->connecting = 0;
}

static int nonblock(int fd)
{
  int f = fcntl(fd, F_GETFL);
  return f < 0 ? -1 : fcntl(fd, F_SETFL, f | O_NONBLOCK);
}

static int start_tcp(session *s)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  s->rfd = s->wfd = fd;
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
  {
    if (errno != EINPROGRESS)
    {
      fail(s, strerror(errno), 0, 0);
      return 0;
    }
    s->connecting = 1;
  }
  return 0;
}

static int start_prog(session *s)
{
  int in[2];
  int out[2];
  pid_t pid;
  if (pipe2(in, O_CLOEXEC) < 0) return -1;
  if (pipe2(out, O_CLOEXEC) < 0) return -1;
  pid = fork();
  if (pid < 0) return -1;
  if (!pid)
  {
    if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0) _exit(111);
    if (errfd >= 0 && dup2(errfd, 2) < 0) _exit(111);
    signal(SIGPIPE, SIG_DFL);
    execvp(cfg.argv[0], cfg.argv);
    _exit(111);
  }
  children++;
  close(in[0]);
  close(out[1]);
  s->wfd = in[1];
  s->rfd = out[0];
  if (nonblock(s->wfd) < 0 || nonblock(s->rfd) < 0) return -1;
  return 0;
}

static void start_session(session *s)
{
  memset(s, 0, sizeof(*s));
  s->rfd = s->wfd = -1;
  s->active = 1;
  s->num = started++;
  s->phase = PH_GREET;
  s->eodpos = -1;
  expect(s, 220);
  if (cfg.proxy && cfg.addr) put(s, proxyhdr, sizeof(proxyhdr) - 1);
  nactive++;
  s->start = now();
  if ((cfg.addr ? start_tcp(s) : start_prog(s)) < 0) diesys(cfg.addr ? "connect" : "spawn");
}

static void reap(int block)
{
  while (children)
  {
    int st;
    pid_t pid = waitpid(-1, &st, block ? 0 : WNOHANG);
    if (pid < 0)
    {
      if (errno == EINTR) continue;
      diesys("wait4");
    }
    if (!pid) break;
    children--;
    if (!WIFEXITED(st) || WEXITSTATUS(st)) badexit++;
  }
}

/* -R: wait until the server listens.  The probe connection is closed at once. */
static void wait_listen(void)
{
  struct timespec t0 = now();
  for (;;)
  {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timespec t;
    struct timespec pause = { .tv_sec = 0, .tv_nsec = PL_RETRY_NS };
    if (fd < 0) diesys("socket");
    if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
    {
      close(fd);
      return;
    }
    if (errno != ECONNREFUSED) diesys("connect");
    close(fd);
    t = now();
    if (ms_between(&t0, &t) > cfg.retry * 1e3)
    {
      errno = ECONNREFUSED;
      diesys("waiting for the server");
    }
    nanosleep(&pause, 0);
  }
}

static void free_port(void)
{
  struct sockaddr_in a;
  socklen_t al = sizeof(a);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) diesys("socket");
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) diesys("bind");
  if (getsockname(fd, (struct sockaddr *)&a, &al) < 0) diesys("getsockname");
  printf("%u\n", (unsigned int)ntohs(a.sin_port));
  exit(0);
}

static void parse_addr(char const *s)
{
  char host[64];
  char const *colon = strrchr(s, ':');
  if (!colon || (size_t)(colon - s) >= sizeof(host)) dieusage();
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = 0;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)scan_num(colon + 1, 65535));
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) dieusage();
}

static int cmp_double(void const *a, void const *b)
{
  double x = *(double const *)a;
  double y = *(double const *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted values. */
static double pct(double const *v, size_t n, double p)
{
  size_t k;
  if (!n) return 0;
  k = (size_t)(p * (double)n + 0.999999);
  if (k < 1) k = 1;
  if (k > n) k = n;
  return v[k-1];
}

static int check_timeouts(void)
{
  struct timespec t = now();
  int next = -1;
  unsigned int i;
  for (i = 0; i < cfg.conc; i++)
  {
    double left;
    if (!sess[i].active) continue;
    left = cfg.timeout * 1e3 - ms_between(&sess[i].start, &t);
    if (left <= 0)
    {
      fail(&sess[i], "timeout", 0, 0);
      continue;
    }
    if (next < 0 || left < next) next = (int)left + 1;
  }
  return next;
}

static void run(void)
{
  struct pollfd pfd[PL_CONC_MAX * 2];
  session *owner[PL_CONC_MAX * 2];
  while (finished < cfg.sessions)
  {
    unsigned int n = 0;
    unsigned int i;
    int tmo;
    for (i = 0; i < cfg.conc && started < cfg.sessions; i++)
      if (!sess[i].active) start_session(&sess[i]);
    for (i = 0; i < cfg.conc; i++)
    {
      session *s = sess + i;
      if (!s->active) continue;
      if (s->connecting)
      {
        pfd[n].fd = s->wfd;
        pfd[n].events = POLLOUT;
        owner[n++] = s;
        continue;
      }
      pfd[n].fd = s->rfd;
      pfd[n].events = POLLIN;
      if (s->iovi < s->niov)
      {
        if (s->wfd == s->rfd) pfd[n].events |= POLLOUT;
        else
        {
          owner[n++] = s;
          pfd[n].fd = s->wfd;
          pfd[n].events = POLLOUT;
        }
      }
      owner[n++] = s;
    }
    tmo = check_timeouts();
    if (children) tmo = tmo < 0 || tmo > 100 ? 100 : tmo;
    if (poll(pfd, n, tmo) < 0)
    {
      if (errno == EINTR) continue;
      diesys("poll");
    }
    for (i = 0; i < n; i++)
    {
      session *s = owner[i];
      short re = pfd[i].revents;
      if (!re || !s->active || (pfd[i].fd != s->rfd && pfd[i].fd != s->wfd)) continue;
      if (s->connecting)
      {
        on_connected(s);
        continue;
      }
      if (pfd[i].fd == s->wfd && (re & (POLLOUT | POLLERR)) && s->iovi < s->niov)
      {
        on_write(s);
        if (!s->active) continue;
      }
      if (pfd[i].fd == s->rfd && (re & (POLLIN | POLLHUP | POLLERR))) on_read(s);
    }
    if (children) reap(0);
  }
  reap(1);
}

/* -L: the raw latencies, before they are sorted. */
static void latlog(void)
{
  FILE *f = fopen(cfg.latlog, "a");
  size_t i;
  if (!f) diesys(cfg.latlog);
  for (i = 0; i < nsesslat; i++) fprintf(f, "s %.3f\n", sesslat[i]);
  for (i = 0; i < neodlat; i++) fprintf(f, "e %.3f\n", eodlat[i]);
  if (fclose(f) == EOF) diesys(cfg.latlog);
}

static void report(struct timespec const *t0, struct timespec const *t1)
{
  double secs = ms_between(t0, t1) / 1e3;
  unsigned int ok = cfg.sessions - nfailed;
  qsort(sesslat, nsesslat, sizeof(double), &cmp_double);
  qsort(eodlat, neodlat, sizeof(double), &cmp_double);
  if (secs <= 0) secs = 1e-9;
  printf("sessions=%u ok=%u failed=%u messages=%llu accepted=%llu seconds=%.3f"
    " sess_per_s=%.1f msg_per_s=%.1f mb_per_s=%.2f data_mb_per_s=%.2f"
    " sess_p50_ms=%.2f sess_p99_ms=%.2f eod_p50_ms=%.2f eod_p99_ms=%.2f"
    " data_ms=%.3f badexit=%u\n",
    cfg.sessions, ok, nfailed, nsent, naccepted, secs,
    ok / secs, naccepted / secs, (double)naccepted * (double)cfg.size / 1e6 / secs,
    datams > 0 ? (double)naccepted * (double)cfg.size / 1e3 / datams : 0.0,
    pct(sesslat, nsesslat, 0.50), pct(sesslat, nsesslat, 0.99),
    pct(eodlat, neodlat, 0.50), pct(eodlat, neodlat, 0.99),
    datams, badexit);
}

int main(int argc, char *const *argv)
{
  struct timespec t0;
  struct timespec t1;
  int opt;
  while ((opt = getopt(argc, argv, "+c:n:m:s:Pu:p:t:R:l:L:a:Fx")) != -1)
  {
    switch (opt)
    {
      case 'c': cfg.conc = (unsigned int)scan_num(optarg, PL_CONC_MAX); break;
      case 'n': cfg.sessions = (unsigned int)scan_num(optarg, PL_SESSIONS_MAX); break;
      case 'm': cfg.msgs = (unsigned int)scan_num(optarg, PL_MSGS_MAX); break;
      case 's': cfg.size = scan_num(optarg, PL_SIZE_MAX); break;
      case 'P': cfg.pipelining = 1; break;
      case 'u': cfg.user = optarg; break;
      case 'p': cfg.pass = optarg; break;
      case 't': cfg.timeout = (unsigned int)scan_num(optarg, 86400); break;
      case 'R': cfg.retry = (unsigned int)scan_num(optarg, 3600); break;
      case 'l': cfg.errlog = optarg; break;
      case 'L': cfg.latlog = optarg; break;
      case 'a': cfg.addr = optarg; break;
      case 'F': free_port(); break;
      case 'x': cfg.proxy = 1; break;
      default: dieusage();
    }
  }
  argv += optind;
  if (!cfg.conc || !cfg.sessions || !cfg.timeout || cfg.size < PL_SIZE_MIN) dieusage();
  if (!cfg.user != !cfg.pass) dieusage();
  if (!cfg.addr == !*argv) dieusage();
  if (cfg.conc > cfg.sessions) cfg.conc = cfg.sessions;
  cfg.argv = argv;
  if (cfg.addr) parse_addr(cfg.addr);
  if (cfg.user) make_authline();
  if (cfg.errlog)
  {
    errfd = open(cfg.errlog, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (errfd < 0) diesys(cfg.errlog);
  }
  signal(SIGPIPE, SIG_IGN);
  make_body();
  sess = calloc(cfg.conc, sizeof(session));
  sesslat = calloc(cfg.sessions, sizeof(double));
  eodlat = calloc((size_t)cfg.sessions * (cfg.msgs ? cfg.msgs : 1), sizeof(double));
  if (!sess || !sesslat || !eodlat) diesys("calloc");
  if (cfg.addr && cfg.retry) wait_listen();
  t0 = now();
  run();
  t1 = now();
  if (cfg.latlog) latlog();
  report(&t0, &t1);
  return nfailed ? 1 : 0;
}
