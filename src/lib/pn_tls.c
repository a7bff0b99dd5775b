/* ISC license: see LICENSE. */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <tls.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/error.h>
#include <skalibs/iopause.h>
#include <skalibs/tai.h>

#include "pn_tls.h"

/* One tls_* call's wish, as iopause events on the network side. */
static int want(iopause_fd *x, unsigned int *n, int r, int rfd, int wfd)
{
  if (r == TLS_WANT_POLLIN) { x[*n].fd = rfd; x[*n].events = IOPAUSE_READ; }
  else if (r == TLS_WANT_POLLOUT) { x[*n].fd = wfd; x[*n].events = IOPAUSE_WRITE; }
  else return 0;
  (*n)++;
  return 1;
}

int pn_tls_handshake(struct tls *ctx, int rfd, int wfd, tain const *deadline)
{
  for (;;)
  {
    iopause_fd x[1];
    unsigned int n = 0;
    int r = tls_handshake(ctx);
    if (!r) return 1;
    if (!want(x, &n, r, rfd, wfd)) return (errno = EPROTO, 0);
    r = iopause_g(x, n, deadline);
    if (r < 0) return 0;
    if (!r) return (errno = ETIMEDOUT, 0);
    if (x[0].revents & (POLLERR | POLLNVAL)) return (errno = EPIPE, 0);
  }
}

void pn_tls_close(struct tls *ctx, int rfd, int wfd, tain const *deadline)
{
  for (;;)
  {
    iopause_fd x[1];
    unsigned int n = 0;
    int r = tls_close(ctx);
    if (!want(x, &n, r, rfd, wfd)) return;
    if (iopause_g(x, n, deadline) <= 0) return;
  }
}

/* The network side of a server connection, read in large pieces.
   OpenSSL reads exactly what it needs, a record's 5-byte header and then
   its body: two reads a record, more than half of the system calls of
   a large upload.  Served from one read of up to PN_TLS_INBUF bytes,
   they become one read for several records.  Nothing is read before
   the handshake starts, so no byte sent in cleartext before it (after
   STARTTLS) can be taken for TLS data; bytes left after the end of the
   connection are dropped with it. */
typedef struct netin_s netin;
struct netin_s
{
  int rfd;
  int wfd;
  size_t pos;
  size_t len;
  char buf[PN_TLS_INBUF];
};

static netin net;

static ssize_t netread(struct tls *ctx, void *buf, size_t n, void *arg)
{
  netin *in = arg;
  (void)ctx;
  if (in->pos == in->len)
  {
    ssize_t r = fd_read(in->rfd, in->buf, sizeof(in->buf));
    if (r < 0) return error_isagain(errno) ? TLS_WANT_POLLIN : -1;
    if (!r) return 0;
    in->pos = 0;
    in->len = r;
  }
  if (n > in->len - in->pos) n = in->len - in->pos;
  memcpy(buf, in->buf + in->pos, n);
  in->pos += n;
  return n;
}

static ssize_t netwrite(struct tls *ctx, void const *buf, size_t n, void *arg)
{
  netin *in = arg;
  ssize_t w = fd_write(in->wfd, buf, n);
  (void)ctx;
  if (w < 0 && error_isagain(errno)) return TLS_WANT_POLLOUT;
  return w;
}

int pn_tls_accept(struct tls *srv, struct tls **c, int rfd, int wfd)
{
  net.rfd = rfd;
  net.wfd = wfd;
  net.pos = net.len = 0;
  return tls_accept_cbs(srv, c, &netread, &netwrite, &net);
}

/* One direction of the relay: a buffer, and the deadline of its
   pending bytes (reset at each write that makes progress). */
typedef struct dir_s dir;
struct dir_s
{
  char buf[PN_TLS_RELAYBUF];
  size_t len;
  tain deadline;
  int eof;                      /* its source has ended */
};

typedef struct relay_s relay;
struct relay_s
{
  struct tls *ctx;
  pn_tls_fds *fds;
  tain tto;
  dir up;                       /* client -> prog */
  dir down;                     /* prog -> client */
  iopause_fd x[4];
  unsigned int n;
  int progress;
};

static void added(relay *R, dir *d, size_t r)
{
  if (!d->len) tain_add_g(&d->deadline, &R->tto);
  d->len += r;
  R->progress = 1;
}

static void wantfd(relay *R, int fd, short events)
{
  R->x[R->n].fd = fd;
  R->x[R->n].events = events;
  R->n++;
}

/* client -> up, up -> prog.  0 to go on, else a PN_TLS_END_* + 1. */
static int stepup(relay *R)
{
  dir *d = &R->up;
  /* as many records as there are, up to a full buffer: one write to
     prog, and one wake-up of it, for several records */
  while (!d->eof && d->len < sizeof(d->buf))
  {
    ssize_t r = tls_read(R->ctx, d->buf + d->len, sizeof(d->buf) - d->len);
    if (r > 0) { added(R, d, r); continue; }
    if (!r) d->eof = 1;
    else if (!want(R->x, &R->n, r, R->fds->netin, R->fds->netout)) return PN_TLS_END_TLS + 1;
    break;
  }
  if (d->len && R->fds->toprog >= 0)
  {
    ssize_t w = fd_write(R->fds->toprog, d->buf, d->len);
    if (w > 0)
    {
      memmove(d->buf, d->buf + w, d->len - w);
      d->len -= w;
      tain_add_g(&d->deadline, &R->tto);
      R->progress = 1;
    }
    else if (w < 0 && error_isagain(errno)) wantfd(R, R->fds->toprog, IOPAUSE_WRITE);
    else return PN_TLS_END_SYS + 1;
  }
  if (d->eof && !d->len && R->fds->toprog >= 0)
  {
    if (R->fds->toprog == R->fds->fromprog) shutdown(R->fds->toprog, SHUT_WR);
    else fd_close(R->fds->toprog);
    R->fds->toprog = -1;
  }
  return 0;
}

/* prog -> down, down -> client. */
static int stepdown(relay *R)
{
  dir *d = &R->down;
  if (!d->eof && d->len < sizeof(d->buf))
  {
    ssize_t r = fd_read(R->fds->fromprog, d->buf + d->len, sizeof(d->buf) - d->len);
    if (r > 0) added(R, d, r);
    else if (!r) d->eof = 1;
    else if (error_isagain(errno)) wantfd(R, R->fds->fromprog, IOPAUSE_READ);
    else return PN_TLS_END_SYS + 1;
  }
  if (d->len)
  {
    ssize_t w = tls_write(R->ctx, d->buf, d->len);
    if (w > 0)
    {
      memmove(d->buf, d->buf + w, d->len - w);
      d->len -= w;
      tain_add_g(&d->deadline, &R->tto);
      R->progress = 1;
    }
    else if (!want(R->x, &R->n, w, R->fds->netin, R->fds->netout)) return PN_TLS_END_TLS + 1;
  }
  if (d->eof && !d->len) return (R->up.eof ? PN_TLS_END_NET : PN_TLS_END_PROG) + 1;
  return 0;
}

/* The earliest deadline of a direction with bytes pending; 0: none. */
static tain const *deadline(relay const *R)
{
  if (R->up.len && R->down.len)
    return tain_less(&R->up.deadline, &R->down.deadline) ? &R->up.deadline : &R->down.deadline;
  if (R->up.len) return &R->up.deadline;
  if (R->down.len) return &R->down.deadline;
  return 0;
}

static int relay_loop(relay *R)
{
  for (;;)
  {
    int e;
    R->n = 0;
    R->progress = 0;
    e = stepup(R);
    if (!e) e = stepdown(R);
    if (e) return e - 1;
    if (R->progress) continue;
    e = iopause_g(R->x, R->n, deadline(R));
    if (e < 0) return PN_TLS_END_SYS;
    if (!e) return PN_TLS_END_TIMEOUT;
  }
}

int pn_tls_relay(struct tls *ctx, pn_tls_fds *fds, unsigned int timeout)
{
  static relay R;
  int one = 1;
  int e;
  /* Each tls_write is a whole record: send it at once.  With Nagle, a
     record that follows another before its ACK waits for the peer's
     delayed ACK (up to 40 ms on Linux), once per reply. */
  setsockopt(fds->netout, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  R.ctx = ctx;
  R.fds = fds;
  R.up.len = R.down.len = 0;
  R.up.eof = R.down.eof = 0;
  tain_uint(&R.tto, timeout);
  e = relay_loop(&R);
  if (fds->toprog >= 0 && fds->toprog != fds->fromprog) fd_close(fds->toprog);
  fd_close(fds->fromprog);
  fds->toprog = fds->fromprog = -1;
  return e;
}

size_t pn_tls_vars(struct tls *c, char *s, size_t max)
{
  char const *v[3] = { tls_conn_version(c), tls_conn_cipher(c), tls_conn_servername(c) };
  static char const *const k[3] = { "SSL_PROTOCOL", "SSL_CIPHER", "SSL_TLS_SNI_SERVERNAME" };
  size_t m = 0;
  unsigned int i;
  for (i = 0; i < 3; i++)
  {
    size_t kl = strlen(k[i]);
    size_t vl = v[i] && v[i][0] ? strlen(v[i]) : 0;
    if (m + kl + vl + 2 > max) return 0;
    memcpy(s + m, k[i], kl); m += kl;
    if (vl) { s[m++] = '='; memcpy(s + m, v[i], vl); m += vl; }
    s[m++] = 0;
  }
  return m;
}
