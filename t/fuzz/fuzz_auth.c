/* ISC license: see LICENSE. */

/*
 * fuzz_auth: the AUTH exchange, its decoding and the base64 decoder.
 * Each input is used four ways:
 *  - as base64 text for pn_b64_decode, whose results must be canonical
 *    (a text that decodes is exactly the encoding of what it decodes
 *    to), must round-trip (the input's own encoding decodes back to it),
 *    and must never write past the room it is given (exact-size heap
 *    buffers: ASan sees one byte too far);
 *  - as an AUTH PLAIN response and, cut at its first LF, as the two
 *    LOGIN responses, for pn_auth_plain and pn_auth_login (no session,
 *    no _exit): a status is OK exactly when the rules of DESIGN.md
 *    (checked here again, independently) hold, and the fd 3 record is
 *    then user NUL password NUL NUL, at most PN_FD3_MAX bytes;
 *  - as a decoded PLAIN message for pn_auth_plain_split, against the
 *    same independent rules;
 *  - as what a client sends after "EHLO client.example" CRLF "AUTH " to
 *    postern-smtpd: the harness of fuzz_smtpd.c with that prefix.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pn_auth.h"
#include "lib/pn_b64.h"
#include "lib/pn_limits.h"
#include "lib/pn_reply.h"

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

/* The PLAIN rules, written again without pn_auth: exactly two NULs,
   authcid and password not empty, authzid empty or the authcid. */
static unsigned int plain_model(char const *m, size_t len)
{
  size_t z[3];
  size_t nz = 0;
  size_t i;
  for (i = 0; i < len; i++)
    if (!m[i]) { if (nz == 2) return PN_AUTH_SYNTAX; z[nz++] = i; }
  if (nz != 2 || z[1] == z[0] + 1 || z[1] + 1 == len) return PN_AUTH_SYNTAX;
  if (z[0] && (z[0] != z[1] - z[0] - 1 || memcmp(m, m + z[0] + 1, z[0]))) return PN_AUTH_AUTHZID;
  return (z[1] - z[0] - 1) + (len - z[1] - 1) + 3 > PN_FD3_MAX ? PN_AUTH_TOOLONG : PN_AUTH_OK;
}

/* A record: user NUL pw NUL NUL, no other NUL, the lengths of c. */
static void record_check(char const *rec, size_t reclen, pn_authcred const *c)
{
  if (reclen > PN_FD3_MAX || reclen != c->ulen + c->pwlen + 3) fuzz_fail("auth: record length");
  if (!c->ulen || !c->pwlen) fuzz_fail("auth: an empty field passed");
  if (memchr(rec, 0, c->ulen) || memchr(rec + c->ulen + 1, 0, c->pwlen)) fuzz_fail("auth: a NUL inside a field");
  if (rec[c->ulen] || rec[reclen - 2] || rec[reclen - 1]) fuzz_fail("auth: record not user NUL pw NUL NUL");
  if (memcmp(rec, c->user, c->ulen) || memcmp(rec + c->ulen + 1, c->pw, c->pwlen)) fuzz_fail("auth: record not the credentials");
}

/* The response's own status, as the front would meet it. */
static unsigned int response_model(char const *s, size_t len, char *dec, size_t max, size_t *n)
{
  ssize_t r;
  *n = 0;
  if (len == 1 && s[0] == '*') return PN_AUTH_CANCEL;
  if (len == 1 && s[0] == '=') return PN_AUTH_OK;
  r = pn_b64_decode(dec, max, s, len);
  if (r < 0) return PN_AUTH_BASE64;
  *n = (size_t)r;
  return PN_AUTH_OK;
}

static void fz_plain(char const *s, size_t len)
{
  size_t max = len / 4 * 3 + 1;
  char *dec = malloc(max);
  char *dec2 = malloc(max);
  char *rec = malloc(PN_FD3_MAX);
  pn_authcred c = PN_AUTHCRED_ZERO;
  size_t reclen = 1;
  size_t n;
  unsigned int want;
  unsigned int st;
  if (!dec || !dec2 || !rec) fuzz_fail("malloc");
  want = response_model(s, len, dec2, max, &n);
  if (!want) want = plain_model(dec2, n);
  st = pn_auth_plain(rec, &reclen, dec, max, &c, s, len);
  if (st != want) fuzz_fail("auth: PLAIN status is not the rules'");
  if (st >= PN_AUTH_N || (st && pn_auth_reply(st) == PN_R_NONE) || (!st && pn_auth_reply(st) != PN_R_NONE))
    fuzz_fail("auth: a status without its reply");
  if (!st) record_check(rec, reclen, &c);
  else if (reclen) fuzz_fail("auth: a record after a failure");
  free(dec); free(dec2); free(rec);
}

static void fz_split(char const *m, size_t len)
{
  pn_authcred c = PN_AUTHCRED_ZERO;
  unsigned int want = plain_model(m, len);
  unsigned int st = pn_auth_plain_split(m, len, &c);
  if (want == PN_AUTH_TOOLONG) want = PN_AUTH_OK;
  if (st != want) fuzz_fail("auth: PLAIN split is not the rules'");
  if (!st && (c.user < m || c.pw < m || c.user + c.ulen > m + len || c.pw + c.pwlen != m + len))
    fuzz_fail("auth: PLAIN fields outside the message");
}

static void fz_login(char const *s, size_t len)
{
  char const *lf = memchr(s, '\n', len);
  size_t ul = lf ? (size_t)(lf - s) : len;
  char const *p = lf ? lf + 1 : "";
  size_t pl = lf ? len - ul - 1 : 0;
  size_t max = len / 4 * 3 + 1;
  char *ud = malloc(max);
  char *pd = malloc(max);
  char *rec = malloc(PN_FD3_MAX);
  pn_authcred c = PN_AUTHCRED_ZERO;
  size_t reclen = 1;
  size_t un;
  size_t pn;
  unsigned int want;
  unsigned int st;
  if (!ud || !pd || !rec) fuzz_fail("malloc");
  want = response_model(s, ul, ud, max, &un);
  if (!want && (!un || memchr(ud, 0, un))) want = PN_AUTH_SYNTAX;
  if (!want) want = response_model(p, pl, pd, max, &pn);
  if (!want && (!pn || memchr(pd, 0, pn))) want = PN_AUTH_SYNTAX;
  if (!want && un + pn + 3 > PN_FD3_MAX) want = PN_AUTH_TOOLONG;
  st = pn_auth_login(rec, &reclen, ud, pd, max, &c, s, ul, p, pl);
  if (st != want) fuzz_fail("auth: LOGIN status is not the rules'");
  if (!st) record_check(rec, reclen, &c);
  else if (reclen) fuzz_fail("auth: a record after a failure");
  free(ud); free(pd); free(rec);
}

static void fuzz_auth_extra(uint8_t const *data, size_t size)
{
  b64_decodes((char const *)data, size);
  b64_roundtrip((char const *)data, size);
  fz_plain((char const *)data, size);
  fz_split((char const *)data, size);
  fz_login((char const *)data, size);
}
