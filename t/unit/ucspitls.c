/* ISC license: see LICENSE. */

/*
 * Unit tests of pn_ucspitls, printing TAP: the descriptors from the
 * environment, the "Y", and the answer read from a socket pair, as
 * postern-tls or another UCSPI-TLS server may write it (in one piece or
 * several, with names it does not know, with values that must not reach
 * the chain, cut short, too long, or not at all).  Run by
 * t/79-starttls-units.t.
 */

#include <sys/socket.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "lib/pn_ucspitls.h"
#include "tap.h"

static int streq(char const *a, char const *b)
{
  return a && b ? !strcmp(a, b) : a == b;
}

/* The answer: the server writes the parts (then closes when close_after),
   the program reads with a 5 s deadline.  The status of
   pn_ucspitls_answer. */
static int answer(pn_ucspitls *u, char const *const *parts, size_t const *lens, unsigned int np, int close_after)
{
  int sv[2];
  tain deadline;
  unsigned int i;
  int r;
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return -2;
  u->ctl = sv[0];
  u->protocol = u->cipher = u->sni = 0;
  for (i = 0; i < np; i++) allwrite(sv[1], parts[i], lens[i]);
  if (close_after) close(sv[1]);
  tain_now_set_stopwatch_g();
  tain_addsec_g(&deadline, close_after ? 5 : 1);
  r = pn_ucspitls_answer(u, &deadline);
  close(sv[0]);
  if (!close_after) close(sv[1]);
  return r;
}

static void test_answers(void)
{
  static pn_ucspitls u;
  static char big[PN_UCSPITLS_ANSWER_MAX + 10];
  char const *p[3];
  size_t l[3];
  char const full[] = "SSL_PROTOCOL=TLSv1.3\0SSL_CIPHER=TLS_AES_256_GCM_SHA384\0SSL_TLS_SNI_SERVERNAME=mail.example.org\0";
  char const nosni[] = "SSL_PROTOCOL=TLSv1.2\0X_OTHER=x y\0SSL_CIPHER=ECDHE-ECDSA-AES256-GCM-SHA384\0SSL_TLS_SNI_SERVERNAME\0";
  char const bad[] = "SSL_PROTOCOL=TLS 1.3\0SSL_CIPHER=\0SSL_TLS_SNI_SERVERNAME=a\nb\0";

  p[0] = full; l[0] = sizeof(full);        /* the last NUL of the array ends the answer */
  result(answer(&u, p, l, 1, 0) == 1, "postern-tls's answer in one piece: 1");
  result(streq(u.protocol, "TLSv1.3") && streq(u.cipher, "TLS_AES_256_GCM_SHA384") && streq(u.sni, "mail.example.org"),
    "protocol, cipher and server name kept");

  p[0] = full; l[0] = 7;
  p[1] = full + 7; l[1] = sizeof(full) - 1 - 7;
  p[2] = ""; l[2] = 1;                      /* the final NUL alone */
  result(answer(&u, p, l, 3, 0) == 1 && streq(u.sni, "mail.example.org"), "the answer in three pieces, the final NUL last: 1");

  p[0] = nosni; l[0] = sizeof(nosni);
  result(answer(&u, p, l, 1, 0) == 1 && streq(u.protocol, "TLSv1.2") && streq(u.cipher, "ECDHE-ECDSA-AES256-GCM-SHA384") && !u.sni,
    "a bare SSL_TLS_SNI_SERVERNAME: no server name; unknown names ignored");

  p[0] = bad; l[0] = sizeof(bad);
  result(answer(&u, p, l, 1, 0) == 1 && !u.protocol && !u.cipher && !u.sni,
    "a space, an empty value, a line feed: not kept");

  p[0] = ""; l[0] = 1;
  result(answer(&u, p, l, 1, 0) == 1 && !u.protocol, "an empty answer (one NUL): TLS is on, nothing known");

  result(answer(&u, p, l, 0, 1) == 0, "closed without a byte: 0 (the handshake failed)");

  p[0] = full; l[0] = 20;
  errno = 0;
  result(answer(&u, p, l, 1, 1) == -1 && errno == EPROTO, "closed in the middle: -1 EPROTO");

  memset(big, 'A', sizeof(big));
  p[0] = big; l[0] = sizeof(big);
  errno = 0;
  result(answer(&u, p, l, 1, 0) == -1 && errno == EPROTO, "over 1024 bytes: -1 EPROTO");

  p[0] = full; l[0] = 20;
  errno = 0;
  result(answer(&u, p, l, 1, 0) == -1 && errno == ETIMEDOUT, "no end before the deadline: -1 ETIMEDOUT");
}

static void test_fds(void)
{
  pn_ucspitls u;
  int sv[2];
  char a[UINT_FMT];
  char b[UINT_FMT];
  unsetenv("SSLCTLFD");
  result(pn_ucspitls_fds(&u) == 0, "SSLCTLFD unset: 0");
  setenv("SSLCTLFD", "", 1);
  result(pn_ucspitls_fds(&u) == 0, "SSLCTLFD empty: 0");
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { result(0, "socketpair"); return; }
  a[uint_fmt(a, (unsigned int)sv[0])] = 0;
  b[uint_fmt(b, (unsigned int)sv[1])] = 0;
  setenv("SSLCTLFD", a, 1);
  setenv("SSLREADFD", b, 1);
  setenv("SSLWRITEFD", b, 1);
  result(pn_ucspitls_fds(&u) == 1 && u.ctl == sv[0] && u.rfd == sv[1] && u.wfd == sv[1], "three open descriptors: 1");
  setenv("SSLWRITEFD", "1", 1);
  result(pn_ucspitls_fds(&u) == -1, "a descriptor below 3: -1");
  setenv("SSLWRITEFD", "7x", 1);
  result(pn_ucspitls_fds(&u) == -1, "not a number: -1");
  setenv("SSLWRITEFD", "999", 1);
  errno = 0;
  result(pn_ucspitls_fds(&u) == -1 && errno == EBADF, "not open: -1 EBADF");
  setenv("SSLWRITEFD", b, 1);
  pn_ucspitls_fds(&u);
  close(sv[1]);
  errno = 0;
  result(!pn_ucspitls_start(&u) && errno == EPIPE, "the other end gone: the Y is not written, EPIPE");
  close(sv[0]);
}

int main(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, 0);
  test_answers();
  test_fds();
  plan();
  return failed ? 1 : 0;
}
