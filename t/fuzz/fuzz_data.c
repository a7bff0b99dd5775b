/* ISC license: see LICENSE. */

/*
 * fuzz_data: the DATA and BDAT state machine (pn_data_feed,
 * pn_data_finish, and pn_smtp_bdatarg on the first line), the
 * re-stuffing for a downstream server (pn_data_stuff) and the header
 * scan (pn_hdr_scan).  Input: a byte of flags (bit 0: DATA, else BDAT),
 * a seed for the chunk sizes, then the client's bytes.
 *
 * Invariants:
 *  - a BDAT size is 1 to 19 digits and is what they say; LAST only as
 *    the whole rest of the line;
 *  - cutting the input into chunks of any sizes changes nothing: the
 *    message, the bytes consumed, the size, the bare, done and nul flags;
 *  - nul is set exactly when a NUL is among the bytes consumed;
 *  - the message never contains a CR; without a bare CR or LF its size
 *    is its length plus one per LF (RFC 1870 counts CRLF);
 *  - DATA ends exactly after the first CRLF.CRLF (or at a first line
 *    ".CRLF") and nowhere else: no \n.\n, \r.\r, \r\n.\n or \n.\r\n
 *    ends it (SMTP smuggling);
 *  - a clean message, stuffed again and terminated, reads back the same;
 *  - the header scan finds the same fields and the same end for every
 *    chunking.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/pn_addr.h"
#include "lib/pn_data.h"
#include "lib/pn_msg.h"
#include "lib/pn_smtp.h"
#include "fuzz.h"

#define BODY_MAX 65536

typedef struct run_s run;
struct run_s
{
  char *out;
  size_t outlen;
  size_t used;
  uint64_t size;
  unsigned int bare : 1;
  unsigned int done : 1;
  unsigned int nul : 1;
};

/* Feeds s; step 0: in one piece, else random chunks of 1 to step bytes. */
static void feed(int dot, char const *s, size_t len, size_t step, uint32_t seed, run *r)
{
  pn_data d;
  size_t pos = 0;
  uint32_t x = seed | 1;
  pn_data_init(&d, dot);
  r->outlen = 0;
  while (pos < len && !d.done)
  {
    size_t k = step ? 1 + fuzz_rand(&x) % step : len - pos;
    size_t w;
    size_t used;
    if (k > len - pos) k = len - pos;
    used = pn_data_feed(&d, s + pos, k, r->out + r->outlen, &w);
    if (used > k || w > used) fuzz_fail("pn_data_feed: consumed or wrote too much");
    if (used < k && !d.done) fuzz_fail("pn_data_feed: stopped early without the end");
    pos += used;
    r->outlen += w;
  }
  if (!dot) r->outlen += pn_data_finish(&d, r->out + r->outlen);
  r->used = pos;
  r->size = d.size;
  r->bare = d.bare;
  r->done = d.done;
  r->nul = d.nul;
}

static int same(run const *a, run const *b)
{
  return a->outlen == b->outlen && !memcmp(a->out, b->out, a->outlen) && a->used == b->used
    && a->size == b->size && a->bare == b->bare && a->done == b->done && a->nul == b->nul;
}

/* Where DATA must end: after the first CRLF.CRLF, or a first ".CRLF". */
static size_t data_end(char const *s, size_t len)
{
  size_t i;
  if (len >= 3 && !memcmp(s, ".\r\n", 3)) return 3;
  for (i = 0; i + 5 <= len; i++)
    if (!memcmp(s + i, "\r\n.\r\n", 5)) return i + 5;
  return 0;
}

static void message_check(int dot, char const *s, size_t len, run const *r)
{
  size_t nlf = 0;
  size_t i;
  if (memchr(r->out, '\r', r->outlen)) fuzz_fail("a CR in the message");
  if (r->nul != !!memchr(s, 0, r->used)) fuzz_fail("nul is not: a NUL among the message's bytes");
  for (i = 0; i < r->outlen; i++) if (r->out[i] == '\n') nlf++;
  if (!r->bare && r->size != r->outlen + nlf) fuzz_fail("size is not the CRLF size");
  if (dot)
  {
    size_t end = data_end(s, len);
    if (end && (!r->done || r->used != end)) fuzz_fail("DATA did not end at the first CRLF.CRLF");
    if (!end && r->done) fuzz_fail("DATA ended without CRLF.CRLF");
    if (!end && r->used != len) fuzz_fail("DATA left input unread");
  }
  else if (r->done || r->used != len) fuzz_fail("BDAT: done, or input left");
}

/* A clean, whole message, stuffed and terminated, reads back the same. */
static void roundtrip(int dot, run const *r, char *tmp, char *back)
{
  run b = { .out = back };
  size_t w = 0;
  int bol = 1;
  if (r->bare || (dot && !r->done)) return;
  if (r->outlen && r->out[r->outlen-1] != '\n') fuzz_fail("a clean message not ended by LF");
  w = pn_data_stuff(&bol, r->out, r->outlen, tmp);
  if (!bol && r->outlen) fuzz_fail("pn_data_stuff: not at a line start after LF");
  memcpy(tmp + w, ".\r\n", 3);
  w += 3;
  feed(1, tmp, w, 0, 0, &b);
  if (!b.done || b.bare || b.used != w || b.outlen != r->outlen || memcmp(b.out, r->out, r->outlen))
    fuzz_fail("stuffing is not undone by unstuffing");
  if (b.size != r->size) fuzz_fail("stuffing changes the size");
}

static unsigned int hdr(char const *s, size_t len, size_t step, uint32_t seed, size_t *end)
{
  pn_hdrscan h = PN_HDRSCAN_ZERO;
  size_t pos = 0;
  uint32_t x = seed | 1;
  while (pos < len && !(h.found & PN_HDR_END))
  {
    size_t k = step ? 1 + fuzz_rand(&x) % step : len - pos;
    size_t n;
    if (k > len - pos) k = len - pos;
    n = pn_hdr_scan(&h, s + pos, k);
    if (n > k) fuzz_fail("pn_hdr_scan: past its input");
    if (n < k && !(h.found & PN_HDR_END)) fuzz_fail("pn_hdr_scan: stopped early");
    pos += n;
  }
  *end = pos;
  return h.found;
}

/* The BDAT argument ("BDAT" is cut off): a size of 1 to 19 digits, then
   nothing, " LAST", or junk; what it says is what the digits say. */
static void bdatarg(char const *s, size_t len)
{
  char *a = malloc(len ? len : 1);
  uint64_t n;
  uint64_t v = 0;
  int last;
  int junk;
  size_t digits = 0;
  if (!a) fuzz_fail("malloc");
  memcpy(a, s, len);
  if (pn_smtp_bdatarg(a, len, &n, &last, &junk))
  {
    while (1 + digits < len && a[1 + digits] >= '0' && a[1 + digits] <= '9')
    {
      v = v * 10 + (uint64_t)(a[1 + digits] - '0');
      digits++;
    }
    if (a[0] != ' ' || !digits || digits > PN_SIZE_DIGITS_MAX) fuzz_fail("bdatarg: accepted a size that is not 1 to 19 digits");
    if (n != v) fuzz_fail("bdatarg: the size is not what the digits say");
    if (last && junk) fuzz_fail("bdatarg: LAST and junk");
    if (last && (len != 1 + digits + 5 || strncasecmp(a + 1 + digits, " LAST", 5))) fuzz_fail("bdatarg: LAST without \" LAST\"");
    if (!last && !junk && len != 1 + digits) fuzz_fail("bdatarg: something after the size, not called junk");
  }
  free(a);
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  char const *s = (char const *)data + 2;
  size_t len;
  int dot;
  uint32_t seed;
  run whole;
  run chunked;
  char *tmp;
  char *back;
  if (size < 2 || size - 2 > BODY_MAX) return 0;
  len = size - 2;
  {
    char const *lf = memchr(s, '\n', len);
    bdatarg(s, lf ? (size_t)(lf - s) : len);
  }
  dot = data[0] & 1;
  seed = (uint32_t)data[1] * 2654435761u;
  whole.out = malloc(len + 1);
  chunked.out = malloc(len + 1);
  tmp = malloc(2 * (len + 1) + 3);
  back = malloc(len + 1);
  if (!whole.out || !chunked.out || !tmp || !back) fuzz_fail("malloc");

  feed(dot, s, len, 0, 0, &whole);
  message_check(dot, s, len, &whole);
  feed(dot, s, len, 1, 0, &chunked);
  if (!same(&whole, &chunked)) fuzz_fail("byte by byte differs from one piece");
  feed(dot, s, len, 1 + data[1] % 64, seed, &chunked);
  if (!same(&whole, &chunked)) fuzz_fail("random chunks differ from one piece");
  roundtrip(dot, &whole, tmp, back);
  {
    size_t e1;
    size_t e2;
    unsigned int f1 = hdr(whole.out, whole.outlen, 0, 0, &e1);
    unsigned int f2 = hdr(whole.out, whole.outlen, 1 + data[1] % 16, seed, &e2);
    if (f1 != f2 || e1 != e2) fuzz_fail("header scan depends on chunking");
  }
  free(whole.out);
  free(chunked.out);
  free(tmp);
  free(back);
  return 0;
}
