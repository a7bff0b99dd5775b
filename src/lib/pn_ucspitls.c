/* ISC license: see LICENSE. */

/*
 * pn_ucspitls: what a program does to get TLS from a UCSPI-TLS server
 * (postern-tls(8), "the UCSPI-TLS control protocol").  The server reads
 * nothing from the client before the "Y"; the caller must not read fd 0
 * after it, so that bytes a client pipelined after STARTTLS can only be
 * handshake input (CVE-2011-0411).
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "pn_ucspitls.h"

/* A descriptor number from the environment: >= 3 and open. */
static int getfd(char const *name, int *fd)
{
  char const *s = getenv(name);
  unsigned int n;
  size_t len;
  if (!s || !*s) return (errno = EINVAL, 0);
  len = uint_scan(s, &n);
  if (!len || s[len] || n < 3 || n > 65535) return (errno = EINVAL, 0);
  if (fcntl((int)n, F_GETFD) < 0) return 0;
  *fd = (int)n;
  return 1;
}

int pn_ucspitls_fds(pn_ucspitls *u)
{
  char const *s = getenv("SSLCTLFD");
  u->ctl = u->rfd = u->wfd = -1;
  u->protocol = u->cipher = u->sni = 0;
  if (!s || !*s) return 0;
  if (!getfd("SSLCTLFD", &u->ctl) || !getfd("SSLREADFD", &u->rfd) || !getfd("SSLWRITEFD", &u->wfd)) return -1;
  return 1;
}

void pn_ucspitls_coe(pn_ucspitls const *u)
{
  coe(u->ctl);
  coe(u->rfd);
  coe(u->wfd);
}

int pn_ucspitls_start(pn_ucspitls *u)
{
  ssize_t r;
  do r = write(u->ctl, "Y", 1);
  while (r < 0 && errno == EINTR);
  if (r < 0 && errno == EAGAIN) errno = EPIPE;   /* never full before its first byte */
  return r == 1;
}

/* 1 to PN_UCSPITLS_VALUE_MAX bytes of printable ASCII, no space: the
   values become environment variables of the chain and go into logs. */
static int value_ok(char const *s)
{
  size_t i;
  for (i = 0; s[i]; i++)
    if (i >= PN_UCSPITLS_VALUE_MAX || (unsigned char)s[i] < 33 || (unsigned char)s[i] > 126) return 0;
  return i > 0;
}

static void keep(pn_ucspitls *u, char const *s)
{
  static char const *const names[3] = { "SSL_PROTOCOL=", "SSL_CIPHER=", "SSL_TLS_SNI_SERVERNAME=" };
  char const **dst[3] = { &u->protocol, &u->cipher, &u->sni };
  unsigned int i;
  for (i = 0; i < 3; i++)
  {
    size_t n = strlen(names[i]);
    if (!strncmp(s, names[i], n)) *dst[i] = value_ok(s + n) ? s + n : 0;
  }
}

/* The strings of a complete answer (w bytes, the last two NULs, or a
   lone NUL for an empty one). */
static void parse(pn_ucspitls *u, size_t w)
{
  size_t i = 0;
  while (i + 1 < w)
  {
    size_t n = strlen(u->answer + i);
    keep(u, u->answer + i);
    i += n + 1;
  }
}

int pn_ucspitls_answer(pn_ucspitls *u, tain const *deadline)
{
  size_t w = 0;
  for (;;)
  {
    iopause_fd x = { .fd = u->ctl, .events = IOPAUSE_READ, .revents = 0 };
    ssize_t r = iopause_g(&x, 1, deadline);
    if (r < 0) return -1;
    if (!r) return (errno = ETIMEDOUT, -1);
    r = fd_read(u->ctl, u->answer + w, PN_UCSPITLS_ANSWER_MAX - w);
    if (r < 0)
    {
      if (errno == EAGAIN) continue;
      return -1;
    }
    if (!r) return w ? (errno = EPROTO, -1) : 0;
    w += (size_t)r;
    if (!u->answer[w - 1] && (w == 1 || !u->answer[w - 2])) break;
    if (w == PN_UCSPITLS_ANSWER_MAX) return (errno = EPROTO, -1);
  }
  u->answer[w] = 0;
  parse(u, w);
  return 1;
}

/* fd 2 is the client's socket when it is the same file as fd 0 (inetd,
   xinetd): then it follows fd 0 into TLS. */
static int same(int a, int b)
{
  struct stat sa;
  struct stat sb;
  if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0) return 0;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int pn_ucspitls_swap(pn_ucspitls *u)
{
  int on2 = same(0, 2);
  if (fd_copy(0, u->rfd) < 0 || fd_copy(1, u->wfd) < 0) return 0;
  if (on2 && fd_copy(2, u->wfd) < 0) return 0;
  fd_close(u->rfd);
  if (u->wfd != u->rfd) fd_close(u->wfd);
  fd_close(u->ctl);
  u->ctl = u->rfd = u->wfd = -1;
  return 1;
}
