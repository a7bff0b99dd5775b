/* ISC license: see LICENSE. */

/*
 * pn_body: the body path.  Input is taken straight from the client's
 * buffer (buffer_rpeek/buffer_rseek, one large read at a time) and run
 * through the pn_data state machine, whose output gathers in one chunk;
 * the sink gets the chunk when it is nearly full and at the end, so that
 * it is handed large pieces however the reads fell.  The header is held
 * back (at most PN_HDR_MAX bytes) until it has been scanned, so that the
 * sink can be given the added lines first
 * (RFC 6409 section 8: Date and Message-ID when missing); a longer header
 * is passed on as it is, with nothing added.  The held header is also
 * where the From: binding (pn_body_bind) is checked, before the sink
 * sees a byte: a header longer than the bound cannot be checked and is
 * refused when the check is asked for.  Past the size limit, or
 * after a sink failure, the input is still read to its end, and nothing
 * more is passed on.
 */

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include <skalibs/buffer.h>
#include <skalibs/tai.h>
#include <skalibs/unix-timed.h>

#include "pn_body.h"
#include "pn_data.h"
#include "pn_hdrbind.h"
#include "pn_io.h"
#include "pn_msg.h"

#define PN_BODY_CHUNK 65536       /* output gathered for the sink */
#define PN_BODY_LOW 16384         /* handed over when less room is left */

static char out[PN_BODY_CHUNK];
static char hold[PN_HDR_MAX];

void pn_body_start(pn_body *b, int dot, uint64_t limit, pn_sink const *sink)
{
  pn_hdrscan z = PN_HDRSCAN_ZERO;
  pn_data_init(&b->data, dot);
  b->hdr = z;
  b->sink = sink;
  b->limit = limit;
  b->held = 0;
  b->outlen = 0;
  b->err = 0;
  b->released = 0;
  b->over = 0;
  b->senders = 0;
  b->bind = PN_HDRBIND_OK;
}

void pn_body_bind(pn_body *b, char const *senders)
{
  b->senders = senders && *senders ? senders : 0;
}

static int live(pn_body const *b)
{
  return b->sink && !b->err && !b->over && b->bind == PN_HDRBIND_OK;
}

static void pass(pn_body *b, char const *s, size_t n)
{
  if (!n || !live(b)) return;
  if (!b->sink->put(b->sink->ctx, s, n)) b->err = errno ? errno : EIO;
}

/* The From: binding on the held header, then the added lines, then the
   held header.  complete: the held header is whole. */
static void release(pn_body *b, unsigned int found, int complete)
{
  b->released = 1;
  if (!live(b)) return;
  if (b->senders) b->bind = pn_hdrbind_check(b->senders, hold, b->held, complete);
  if (!live(b)) return;
  if (!b->sink->prefix(b->sink->ctx, found)) { b->err = errno ? errno : EIO; return; }
  pass(b, hold, b->held);
  b->held = 0;
}

static void emit(pn_body *b, char const *s, size_t n)
{
  if (b->limit && b->data.size > b->limit) b->over = 1;
  if (!live(b)) return;
  if (!b->released)
  {
    size_t k = pn_hdr_scan(&b->hdr, s, n);
    if (b->hdr.found & PN_HDR_END && b->held + k <= PN_HDR_MAX)
    {
      /* the header's last piece joins the held part: checked whole */
      memcpy(hold + b->held, s, k);
      b->held += k;
      s += k;
      n -= k;
      release(b, b->hdr.found, 1);
    }
    else if (b->held + n <= PN_HDR_MAX)
    {
      memcpy(hold + b->held, s, n);
      b->held += n;
      return;
    }
    else release(b, PN_HDR_DATE | PN_HDR_MSGID, 0);  /* too long: left alone */
  }
  pass(b, s, n);
}

static void handover(pn_body *b)
{
  if (!b->outlen) return;
  emit(b, out, b->outlen);
  b->outlen = 0;
}

/* Feeds len bytes; returns how many were the message's.  pn_data never
   writes more than it reads, so the room left bounds the input fed. */
static size_t feed(pn_body *b, char const *s, size_t len)
{
  size_t total = 0;
  while (len && !b->data.done)
  {
    size_t room = PN_BODY_CHUNK - b->outlen;
    size_t n = len < room ? len : room;
    size_t w;
    size_t used = pn_data_feed(&b->data, s, n, out + b->outlen, &w);
    b->outlen += w;
    if (PN_BODY_CHUNK - b->outlen < PN_BODY_LOW) handover(b);
    s += used;
    len -= used;
    total += used;
  }
  if (b->data.done) handover(b);
  return total;
}

/* Waits for input: pn_io_fill flushes the replies first; SMTPTIMEOUT
   bounds each line, or each PN_IO_UNIT bytes of a long line or of a
   chunk.  buffer_timed_fill returns 0 at EOF (skalibs' unsanitize_read). */
static int fill(pn_io *io)
{
  ssize_t r = pn_io_fill(io);
  if (!r) errno = EPIPE;
  return r > 0;
}

int pn_body_data(pn_body *b, pn_io *io)
{
  while (!b->data.done)
  {
    struct iovec v[2];
    size_t used;
    buffer_rpeek(&io->in, v);
    if (!v[0].iov_len)
    {
      if (!fill(io)) return -1;
      continue;
    }
    used = feed(b, v[0].iov_base, v[0].iov_len);
    pn_io_taken(io, used, used && memchr(v[0].iov_base, '\n', used) != 0);
    buffer_rseek(&io->in, used);
  }
  return 1;
}

int pn_body_chunk(pn_body *b, pn_io *io, uint64_t n)
{
  while (n)
  {
    struct iovec v[2];
    size_t len;
    buffer_rpeek(&io->in, v);
    if (!v[0].iov_len)
    {
      if (!fill(io)) return -1;
      continue;
    }
    len = v[0].iov_len < n ? v[0].iov_len : (size_t)n;
    feed(b, v[0].iov_base, len);
    buffer_rseek(&io->in, len);
    n -= len;
    pn_io_taken(io, len, !n);
  }
  return 1;
}

int pn_body_finish(pn_body *b)
{
  if (!b->data.dot) b->outlen += pn_data_finish(&b->data, out + b->outlen);
  handover(b);
  if (b->limit && b->data.size > b->limit) b->over = 1;
  if (!b->released) release(b, b->hdr.found, 1);
  if (b->over) return PN_BODY_EOVER;
  if (b->data.bare || b->data.nul) return PN_BODY_EBARE;
  if (b->bind != PN_HDRBIND_OK) return PN_BODY_EBIND;
  if (!b->sink || b->err) return PN_BODY_ESINK;
  return PN_BODY_OK;
}
