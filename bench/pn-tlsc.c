/* ISC license: see LICENSE. */

/*
 * pn-tlsc: a TLS client tunnel for bench/run, so that bench/pn-load,
 * which speaks plain SMTP, can load postern-tls.  Not installed.
 *
 *   pn-tlsc [-s] ca.pem lport port
 *
 * Listens on 127.0.0.1:lport; for each connection forks a child that
 * connects to 127.0.0.1:port, does a TLS handshake (server name
 * localhost, verified against ca.pem, X25519), then moves bytes between
 * the two with postern's own relay (src/lib/pn_tls.c, compiled in),
 * until either side ends.  Prints "ready" when it listens.  Runs until killed.
 *
 * -s: STARTTLS (RFC 3207) first: reads the server's greeting, sends
 * EHLO and STARTTLS in cleartext, and after the handshake gives the
 * greeting to its client, which then speaks as on a plain connection
 * (its EHLO is the one RFC 3207 asks for after TLS).
 */

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>

#include <skalibs/djbunix.h>
#include <skalibs/tai.h>

#include "lib/pn_tls.h"

#define TIMEOUT 600
#define REPLY_MAX 4096

static int starttls;

static void die(char const *) __attribute__((noreturn));
static void die(char const *s)
{
  fprintf(stderr, "pn-tlsc: %s: %s\n", s, strerror(errno));
  exit(111);
}

static int tcp(unsigned int port, int listening)
{
  struct sockaddr_in sa;
  int one = 1;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) die("socket");
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listening)
  {
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 64) < 0) die("bind");
  }
  else if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) die("connect");
  return s;
}

/* One whole reply (its last line has a space after the code), read a
   byte at a time so that nothing of the TLS stream is taken; its length. */
static size_t reply(int s, char *buf)
{
  size_t w = 0;
  size_t bol = 0;
  for (;;)
  {
    ssize_t r;
    if (w == REPLY_MAX) { errno = EPROTO; die("reply too long"); }
    r = read(s, buf + w, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) { if (!r) errno = EPIPE; die("read"); }
    if (buf[w++] != '\n') continue;
    if (w - bol >= 4 && buf[bol + 3] == ' ') return w;
    bol = w;
  }
}

static void say(int s, char const *cmd)
{
  size_t n = strlen(cmd);
  if (write(s, cmd, n) != (ssize_t)n) die("write");
}

/* The cleartext part of STARTTLS; the greeting is kept in greet. */
static size_t cleartext(int s, char *greet)
{
  char buf[REPLY_MAX];
  size_t n = reply(s, greet);
  say(s, "EHLO pn-tlsc.example\r\n");
  reply(s, buf);
  say(s, "STARTTLS\r\n");
  reply(s, buf);
  if (memcmp(buf, "220 ", 4)) { errno = EPROTO; die("STARTTLS refused"); }
  return n;
}

static void session(struct tls_config *, int, unsigned int) __attribute__((noreturn));
static void session(struct tls_config *cfg, int c, unsigned int port)
{
  pn_tls_fds fds;
  struct tls *ctx = tls_client();
  tain deadline;
  char greet[REPLY_MAX];
  size_t greetlen = 0;
  int s = tcp(port, 0);
  if (!ctx || tls_configure(ctx, cfg) < 0) die("tls_configure");
  if (starttls) greetlen = cleartext(s, greet);
  if (ndelay_on(s) < 0) die("ndelay_on");
  if (tls_connect_fds(ctx, s, s, "localhost") < 0) die("tls_connect_fds");
  tain_now_set_stopwatch_g();
  tain_addsec_g(&deadline, TIMEOUT);
  if (!pn_tls_handshake(ctx, s, s, &deadline))
  {
    fprintf(stderr, "pn-tlsc: handshake: %s\n", tls_error(ctx) ? tls_error(ctx) : strerror(errno));
    exit(1);
  }
  if (greetlen && write(c, greet, greetlen) != (ssize_t)greetlen) die("write");
  if (ndelay_on(c) < 0) die("ndelay_on");
  fds.netin = fds.netout = s;
  fds.fromprog = fds.toprog = c;
  pn_tls_relay(ctx, &fds, TIMEOUT);
  tain_addsec_g(&deadline, 5);
  pn_tls_close(ctx, s, s, &deadline);
  exit(0);
}

int main(int argc, char **argv)
{
  struct tls_config *cfg;
  int l;
  if (argc > 1 && !strcmp(argv[1], "-s")) { starttls = 1; argc--; argv++; }
  if (argc < 4) { fprintf(stderr, "usage: pn-tlsc [-s] ca.pem lport port\n"); return 100; }
  signal(SIGCHLD, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  cfg = tls_config_new();
  if (!cfg || tls_config_set_ca_file(cfg, argv[1]) < 0
   || tls_config_set_ecdhecurves(cfg, "X25519") < 0)
  {
    fprintf(stderr, "pn-tlsc: %s\n", cfg ? tls_config_error(cfg) : "tls_config_new");
    return 111;
  }
  l = tcp(atoi(argv[2]), 1);
  printf("ready\n");
  fflush(stdout);
  for (;;)
  {
    int c = accept(l, 0, 0);
    if (c < 0) { if (errno == EINTR) continue; die("accept"); }
    switch (fork())
    {
      case -1: die("fork");
      case 0: close(l); session(cfg, c, atoi(argv[3]));
      default: close(c);
    }
  }
}
