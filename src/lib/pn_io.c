/* ISC license: see LICENSE. */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/siovec.h>
#include <skalibs/tai.h>
#include <skalibs/unix-timed.h>

#include "pn_io.h"

#define PN_PEEK_MAX 4096

/*
 * The "exact" reader: it never consumes a byte past the first LF, so that
 * what a client pipelined after its AUTH exchange stays in the kernel for
 * the next program.  On a socket, peek then take up to the LF; on a
 * regular file (scripted input), read ahead then seek back to just after
 * the LF; on anything else (a pipe), one byte at a time.  Its stack copy
 * is zeroed after each read: the front's lines carry credentials.
 */
#define KIND_UNKNOWN 0
#define KIND_SOCKET 1
#define KIND_SEEKABLE 2
#define KIND_PIPE 3

static size_t upto_lf(char const *s, size_t len)
{
  char const *lf = memchr(s, '\n', len);
  return lf ? (size_t)(lf - s) + 1 : len;
}

/* kind is the one static here: skalibs calls a buffer's op with the fd,
   the iovec and its count only (iov_func_ref, no context pointer, not
   the buffer itself), so there is no struct to keep it in; finding it
   again on every read would cost an fstat per line.  It describes fd 0,
   which is one kind of file for the life of the process. */
static ssize_t read_exact_(int fd, struct iovec const *v, unsigned int n, char *tmp, size_t max)
{
  static int kind = KIND_UNKNOWN;
  size_t want;
  ssize_t r;
  if (kind == KIND_UNKNOWN || kind == KIND_SOCKET)
  {
    r = recv(fd, tmp, max, MSG_PEEK);
    if (r < 0 && errno == ENOTSOCK)
      kind = lseek(fd, 0, SEEK_CUR) >= 0 ? KIND_SEEKABLE : KIND_PIPE;
    else
    {
      if (r <= 0) return r;
      kind = KIND_SOCKET;
      r = recv(fd, tmp, upto_lf(tmp, (size_t)r), 0);
      if (r > 0) siovec_scatter(v, n, tmp, (size_t)r);
      return r;
    }
  }
  if (kind == KIND_SEEKABLE)
  {
    r = read(fd, tmp, max);
    if (r <= 0) return r;
    want = upto_lf(tmp, (size_t)r);
    if (want < (size_t)r && lseek(fd, (off_t)want - (off_t)r, SEEK_CUR) < 0) return -1;
    siovec_scatter(v, n, tmp, want);
    return (ssize_t)want;
  }
  r = read(fd, tmp, 1);
  if (r > 0) siovec_scatter(v, n, tmp, 1);
  return r;
}

static ssize_t read_exact(int fd, struct iovec const *v, unsigned int n)
{
  char tmp[PN_PEEK_MAX];
  size_t max = siovec_len(v, n);
  ssize_t r;
  int e;
  if (max > sizeof(tmp)) max = sizeof(tmp);
  if (!max) return 0;
  r = read_exact_(fd, v, n, tmp, max);
  e = errno;
  byte_zzero(tmp, max);
  errno = e;
  return r;
}

void pn_io_init(pn_io *io, int exact, unsigned int timeout, char *inbuf, size_t inlen, char *outbuf, size_t outlen)
{
  buffer_init(&io->in, exact ? &read_exact : &fd_readv, 0, inbuf, inlen);
  buffer_init(&io->out, &fd_writev, 1, outbuf, outlen);
  tain_uint(&io->tto, timeout);
  io->unitlen = 0;
  io->inunit = 0;
  io->hassession = 0;
  tain_now_set_stopwatch_g();
  ndelay_on(0);
  ndelay_on(1);
}

void pn_io_blocking(void)
{
  ndelay_off(0);
  ndelay_off(1);
}

void pn_io_session(pn_io *io, unsigned int secs)
{
  tain_addsec_g(&io->session, secs);
  io->hassession = 1;
}

void pn_io_nosession(pn_io *io)
{
  io->hassession = 0;
}

/* d, capped by the session's deadline */
static void cap(pn_io const *io, tain *d)
{
  if (io->hassession && tain_less(&io->session, d)) *d = io->session;
}

int pn_io_flush(pn_io *io)
{
  tain deadline;
  if (buffer_isempty(&io->out)) return 1;
  tain_add_g(&deadline, &io->tto);
  cap(io, &deadline);
  return buffer_timed_flush_g(&io->out, &deadline);
}

ssize_t pn_io_fill(pn_io *io)
{
  tain deadline;
  if (!pn_io_flush(io)) return -1;
  if (!io->inunit)
  {
    tain_add_g(&io->unit, &io->tto);
    io->unitlen = 0;
    io->inunit = 1;
  }
  deadline = io->unit;
  cap(io, &deadline);
  /* buffer_timed_fill: > 0 bytes read, 0 at EOF, -1 error (ETIMEDOUT) */
  return buffer_timed_fill_g(&io->in, &deadline);
}

void pn_io_taken(pn_io *io, size_t n, int end)
{
  io->unitlen += n;
  if (end || io->unitlen >= PN_IO_UNIT) io->inunit = 0;
}

void pn_io_wipe(pn_io *io)
{
  cbuffer *c = &io->in.c;
  if (c->p == c->n) byte_zzero(c->x, c->a);
  else if (c->p < c->n)
  {
    byte_zzero(c->x, c->p);
    byte_zzero(c->x + c->n, c->a - c->n);
  }
  else byte_zzero(c->x + c->n, c->p - c->n);
}

int pn_io_put(pn_io *io, char const *s, size_t len)
{
  while (len)
  {
    size_t w = buffer_putnoflush(&io->out, s, len);
    s += w;
    len -= w;
    if (len && !pn_io_flush(io)) return 0;
  }
  return 1;
}

int pn_io_puts(pn_io *io, char const *s)
{
  return pn_io_put(io, s, strlen(s));
}

void pn_io_quit(pn_io *io, char const *reply)
{
  if (pn_io_puts(io, reply) && pn_io_put(io, "\r\n", 2)) pn_io_flush(io);
  _exit(0);
}

int pn_io_take(buffer *b, char *s, size_t max, size_t *got)
{
  struct iovec v[2];
  unsigned int i;
  size_t used = 0;
  int found = 0;
  buffer_rpeek(b, v);
  for (i = 0; i < 2 && !found; i++)
  {
    char const *p = v[i].iov_base;
    size_t len = v[i].iov_len;
    char const *lf = len ? memchr(p, '\n', len) : 0;
    if (lf) { len = (size_t)(lf - p) + 1; found = 1; }
    if (*got < max)
    {
      size_t n = max - *got < len ? max - *got : len;
      if (n) memcpy(s + *got, p, n);
    }
    *got += len;
    used += len;
  }
  buffer_rseek(b, used);
  return found;
}

int pn_io_getline(pn_io *io, char *s, size_t max, size_t *len)
{
  size_t got = 0;
  /* RFC 2920: replies wait while commands are buffered, and leave
     before the first read that may block (pn_io_fill flushes) */
  while (!pn_io_take(&io->in, s, max, &got))
  {
    ssize_t r = pn_io_fill(io);
    if (r <= 0) return r;
  }
  /* one deadline for the whole line, however long: no unit length */
  pn_io_taken(io, 0, 1);
  if (got > max) return (errno = ERANGE, -1);
  got--;
  if (got && s[got-1] == '\r') got--;
  *len = got;
  return 1;
}
