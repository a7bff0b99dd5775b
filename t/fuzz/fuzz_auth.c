/* ISC license: see LICENSE. */

/*
 * fuzz_auth: the AUTH exchange and the base64 decoder.  Each input is
 * used twice:
 *  - as base64 text for pn_b64_decode, whose results must be canonical
 *    (a text that decodes is exactly the encoding of what it decodes
 *    to), must round-trip (the input's own encoding decodes back to it),
 *    and must never write past the room it is given (exact-size heap
 *    buffers: ASan sees one byte too far);
 *  - as what a client sends after "EHLO client.example" CRLF "AUTH " to
 *    postern-smtpd: the harness of fuzz_smtpd.c with that prefix.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pn_b64.h"

static void fuzz_auth_extra(uint8_t const *, size_t);

#define FUZZ_AUTH 1
#include "fuzz_smtpd.c"

static void b64_decodes(char const *s, size_t len)
{
  size_t max = len / 4 * 3;
  char *dst = malloc(max ? max : 1);
  char *enc;
  ssize_t n;
  if (!dst) fuzz_fail("malloc");
  errno = 0;
  n = pn_b64_decode(dst, max, s, len);
  if (n < 0)
  {
    if (errno != EINVAL) fuzz_fail("b64: a failure with room enough is not EINVAL");
    free(dst);
    return;
  }
  if (len & 3) fuzz_fail("b64: a length not a multiple of 4 decoded");
  if ((size_t)n > max) fuzz_fail("b64: decoded more than it had room for");
  enc = malloc(PN_B64_ENCLEN((size_t)n) + 1);
  if (!enc) fuzz_fail("malloc");
  if (pn_b64_encode(enc, dst, (size_t)n) != len || memcmp(enc, s, len))
    fuzz_fail("b64: accepted a text that is not the canonical encoding");
  free(enc);
  /* less room: ENOBUFS, nothing written past it */
  if (n > 0)
  {
    char *small = malloc((size_t)n - 1 ? (size_t)n - 1 : 1);
    if (!small) fuzz_fail("malloc");
    errno = 0;
    if (pn_b64_decode(small, (size_t)n - 1, s, len) != -1 || errno != ENOBUFS)
      fuzz_fail("b64: no ENOBUFS with too little room");
    free(small);
  }
  free(dst);
}

static void b64_roundtrip(char const *s, size_t len)
{
  size_t elen = PN_B64_ENCLEN(len);
  char *enc = malloc(elen ? elen : 1);
  char *dec = malloc(len ? len : 1);
  ssize_t n;
  if (!enc || !dec) fuzz_fail("malloc");
  if (pn_b64_encode(enc, s, len) != elen) fuzz_fail("b64: encoded length");
  n = pn_b64_decode(dec, len, enc, elen);
  if (n < 0 || (size_t)n != len || memcmp(dec, s, len)) fuzz_fail("b64: encode then decode is not the identity");
  free(enc);
  free(dec);
}

static void fuzz_auth_extra(uint8_t const *data, size_t size)
{
  b64_decodes((char const *)data, size);
  b64_roundtrip((char const *)data, size);
}
