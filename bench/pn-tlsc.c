/* ISC license: see LICENSE. */

/*
 * pn-tlsc: a TLS client tunnel for bench/run, so that bench/pn-load,
 * which speaks plain SMTP, can load postern-tls.  Not installed.
 *
 *   pn-tlsc ca.pem lport port
 *
 * Listens on 127.0.0.1:lport; for each connection forks a child that
 * connects to 127.0.0.1:port, does a TLS handshake (server name
 * localhost, verified against ca.pem, X25519), then moves bytes between
 * the two with postern's own relay (src/lib/pn_tls.c, compiled in),
 * until either side ends.  Prints "ready" when it listens.  Runs until killed.
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

static void session(struct tls_config *, int, unsigned int) __attribute__((noreturn));
static void session(struct tls_config *cfg, int c, unsigned int port)
{
  pn_tls_fds fds;
  struct tls *ctx = tls_client();
  tain deadline;
  int s = tcp(port, 0);
  if (!ctx || tls_configure(ctx, cfg) < 0) die("tls_configure");
  if (ndelay_on(s) < 0 || ndelay_on(c) < 0) die("ndelay_on");
  if (tls_connect_fds(ctx, s, s, "localhost") < 0) die("tls_connect_fds");
  tain_now_set_stopwatch_g();
  tain_addsec_g(&deadline, TIMEOUT);
  if (!pn_tls_handshake(ctx, s, s, &deadline))
  {
    fprintf(stderr, "pn-tlsc: handshake: %s\n", tls_error(ctx) ? tls_error(ctx) : strerror(errno));
    exit(1);
  }
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
  if (argc < 4) { fprintf(stderr, "usage: pn-tlsc ca.pem lport port\n"); return 100; }
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
