/* ISC license: see LICENSE. */

/*
 * pn-hs: the CPU of TLS on the server's side, for bench/run.  Not
 * installed.
 *
 *   pn-hs -n N cert.pem key.pem
 *
 * A server process does N TLS handshakes (TLS 1.3, X25519, libtls's
 * defaults as postern-tls has them) with a client process over 127.0.0.1,
 * one after the other, then reads the key pair and builds the server
 * context N times, as postern-tls does at each connection; each part's
 * user+system CPU is taken from getrusage in the server alone, so the
 * client's work does not count.  Prints
 *
 *   handshakes=N hs_cpu_ms=X keys_cpu_ms=Y floor_kb=Z protocol=P cipher=C
 *
 * hs_cpu_ms is one handshake (accept to done, then close), keys_cpu_ms
 * one key pair read and context built, floor_kb the server's peak RSS
 * once libtls is initialized and the pair loaded, before any handshake:
 * the floor of postern-tls's RSS.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>

static void die(char const *, char const *) __attribute__((noreturn));
static void die(char const *s, char const *e)
{
  fprintf(stderr, "pn-hs: %s: %s\n", s, e ? e : strerror(errno));
  exit(111);
}

static double cpu_ms(void)
{
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3
    + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

/* VmHWM of this process, KiB */
static unsigned long hwm(void)
{
  char l[256];
  unsigned long kb = 0;
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return 0;
  while (fgets(l, sizeof(l), f))
    if (!strncmp(l, "VmHWM:", 6)) kb = strtoul(l + 6, 0, 10);
  fclose(f);
  return kb;
}

static struct tls *server(char const *cert, char const *key)
{
  struct tls_config *cfg = tls_config_new();
  struct tls *srv = tls_server();
  if (!cfg || !srv) die("tls", "out of memory");
  if (tls_config_set_protocols(cfg, TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3) < 0
   || tls_config_set_ciphers(cfg, "secure") < 0
   || tls_config_set_keypair_file(cfg, cert, key) < 0) die("config", tls_config_error(cfg));
  if (tls_configure(srv, cfg) < 0) die("configure", tls_error(srv));
  tls_config_clear_keys(cfg);
  tls_config_free(cfg);
  return srv;
}

static void serve(int, unsigned int, char const *, char const *, int) __attribute__((noreturn));
static void serve(int l, unsigned int n, char const *cert, char const *key, int report)
{
  struct tls *srv = server(cert, key);
  unsigned long floor = hwm();
  char line[256];
  double t0;
  double hs;
  unsigned int i;
  char const *proto = "protocol=? cipher=?";
  t0 = cpu_ms();
  for (i = 0; i < n; i++)
  {
    struct tls *c;
    int s = accept(l, 0, 0);
    if (s < 0) die("accept", 0);
    if (tls_accept_socket(srv, &c, s) < 0) die("accept_socket", tls_error(srv));
    if (tls_handshake(c) < 0) die("handshake", tls_error(c));
    if (i == n - 1)
    {
      snprintf(line, sizeof(line), "protocol=%s cipher=%s", tls_conn_version(c), tls_conn_cipher(c));
      proto = line;
    }
    tls_close(c);
    tls_free(c);
    close(s);
  }
  hs = (cpu_ms() - t0) / n;
  t0 = cpu_ms();
  for (i = 0; i < n; i++) tls_free(server(cert, key));
  {
    char out[512];
    int len = snprintf(out, sizeof(out), "handshakes=%u hs_cpu_ms=%.3f keys_cpu_ms=%.3f floor_kb=%lu %s\n",
      n, hs, (cpu_ms() - t0) / n, floor, proto);
    if (write(report, out, len) != len) die("write", 0);
  }
  exit(0);
}

static void client(unsigned int port, unsigned int n)
{
  struct tls_config *cfg = tls_config_new();
  struct sockaddr_in sa;
  unsigned int i;
  if (!cfg) die("tls", "out of memory");
  tls_config_insecure_noverifycert(cfg);
  tls_config_insecure_noverifyname(cfg);
  if (tls_config_set_ecdhecurves(cfg, "X25519") < 0) die("curves", tls_config_error(cfg));
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (i = 0; i < n; i++)
  {
    struct tls *c = tls_client();
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (!c || s < 0 || tls_configure(c, cfg) < 0) die("client", 0);
    if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) die("connect", 0);
    if (tls_connect_socket(c, s, "localhost") < 0 || tls_handshake(c) < 0) die("client handshake", tls_error(c));
    /* until the server's close_notify: the server finishes first, and
       no unread ticket turns our close into a reset */
    {
      char b[256];
      while (tls_read(c, b, sizeof(b)) > 0) ;
    }
    tls_close(c);
    tls_free(c);
    close(s);
  }
}

int main(int argc, char **argv)
{
  struct sockaddr_in sa;
  socklen_t salen = sizeof(sa);
  unsigned int n = 200;
  int p[2];
  int l;
  pid_t pid;
  int opt;
  while ((opt = getopt(argc, argv, "n:")) != -1)
  {
    if (opt == 'n') n = (unsigned int)atoi(optarg);
    else return 100;
  }
  if (argc - optind < 2 || !n) { fprintf(stderr, "usage: pn-hs [-n N] cert.pem key.pem\n"); return 100; }
  signal(SIGPIPE, SIG_IGN);
  if (tls_init() < 0) die("tls_init", "failed");
  l = socket(AF_INET, SOCK_STREAM, 0);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 16) < 0
   || getsockname(l, (struct sockaddr *)&sa, &salen) < 0 || pipe(p) < 0) die("listen", 0);
  pid = fork();
  if (pid < 0) die("fork", 0);
  if (!pid) { close(p[0]); serve(l, n, argv[optind], argv[optind + 1], p[1]); }
  close(p[1]);
  close(l);
  client(ntohs(sa.sin_port), n);
  {
    char buf[512];
    ssize_t r = read(p[0], buf, sizeof(buf));
    int wstat;
    if (waitpid(pid, &wstat, 0) < 0 || !WIFEXITED(wstat) || WEXITSTATUS(wstat) || r <= 0) die("server", "failed");
    fwrite(buf, 1, r, stdout);
  }
  return 0;
}
