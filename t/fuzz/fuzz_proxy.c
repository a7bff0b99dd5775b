/* ISC license: see LICENSE. */

/*
 * fuzz_proxy: the PROXY protocol parser (pn_proxy_parse) and the trusted
 * ranges (pn_cidr_parse).  The input is the first bytes of a connection.
 * It is copied to an exact-size heap buffer so that ASan sees a read one
 * byte too far.
 *
 * Invariants: the result is one of PN_PROXY_*; MORE asks for at least
 * one byte and, for v2, never for bytes past the length the header
 * gives; an accepted header is no longer than the input, at most 107
 * bytes for v1 (ended by CRLF) and 1024 for v2, and names IPv4 or IPv6
 * unless it is LOCAL or UNKNOWN; reading the input as postern-proxy
 * does, by need and line, gives the same result and takes exactly the
 * header, never a byte after it.  The same bytes as a range (a string
 * up to the first NUL): an accepted range matches its own address.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pn_cidr.h"
#include "lib/pn_proxy.h"
#include "fuzz.h"

#define CIDR_TEXT_MAX 80

/* Reads s as postern-proxy does; the result, *used the bytes taken. */
static int stepwise(char const *s, size_t len, pn_proxy *p, size_t *used)
{
  size_t got = 0;
  for (;;)
  {
    int r = pn_proxy_parse(s, got, p);
    size_t take;
    if (r != PN_PROXY_MORE) { *used = got; return r; }
    if (!p->need) fuzz_fail("MORE asks for no byte");
    if (got + p->need > PN_PROXY_MAX) fuzz_fail("MORE asks for more than PN_PROXY_MAX in all");
    take = p->need < len - got ? p->need : len - got;
    if (!take) { *used = got; return r; }
    if (p->line)
    {
      char const *lf = memchr(s + got, '\n', take);
      if (lf) take = (size_t)(lf - (s + got)) + 1;
    }
    got += take;
  }
}

static void accepted(char const *s, size_t size, pn_proxy const *p)
{
  if (p->len > size) fuzz_fail("header longer than the input");
  if (p->version == 1)
  {
    if (p->len < PN_PROXY_V1_MIN || p->len > PN_PROXY_V1_MAX) fuzz_fail("v1 length");
    if (s[p->len - 2] != '\r' || s[p->len - 1] != '\n') fuzz_fail("v1 not ended by CRLF");
    if (memchr(s, '\n', p->len - 1)) fuzz_fail("v1 with a LF inside");
  }
  else if (p->version == 2)
  {
    if (p->len < PN_PROXY_V2_HEAD || p->len > PN_PROXY_V2_MAX) fuzz_fail("v2 length");
    if (p->len != PN_PROXY_V2_HEAD + (((size_t)(unsigned char)s[14] << 8) | (unsigned char)s[15]))
      fuzz_fail("v2 length not the header's");
  }
  else fuzz_fail("an accepted header without a version");
  if (!p->local && p->family != PN_PROXY_INET && p->family != PN_PROXY_INET6) fuzz_fail("no family");
}

static void cidr(uint8_t const *data, size_t size)
{
  char s[CIDR_TEXT_MAX];
  pn_cidr c;
  size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
  memcpy(s, data, n);
  s[n] = 0;
  if (!pn_cidr_parse(s, &c)) return;
  if (c.bits > 128) fuzz_fail("a range over 128 bits");
  if (!pn_cidr_match(&c, c.addr)) fuzz_fail("a range does not match its own address");
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  char *s = malloc(size ? size : 1);
  pn_proxy p;
  pn_proxy q;
  size_t used;
  int r;
  int rs;
  if (!s) fuzz_fail("malloc");
  memcpy(s, data, size);
  r = pn_proxy_parse(s, size, &p);
  if (r < PN_PROXY_OK || r > PN_PROXY_EFAMILY) fuzz_fail("unknown result");
  if (r == PN_PROXY_MORE)
  {
    if (!p.need) fuzz_fail("MORE asks for no byte");
    if (p.version == 2 && size >= PN_PROXY_V2_HEAD && p.line) fuzz_fail("v2 read by line");
  }
  if (r == PN_PROXY_OK) accepted(s, size, &p);
  rs = stepwise(s, size, &q, &used);
  if (rs != r) fuzz_fail("read by need: another result");
  if (r == PN_PROXY_OK)
  {
    if (used != p.len) fuzz_fail("read by need: not exactly the header");
    if (q.local != p.local || q.family != p.family || q.sport != p.sport || q.dport != p.dport
      || memcmp(q.src, p.src, 16) || memcmp(q.dst, p.dst, 16)) fuzz_fail("read by need: other addresses");
  }
  free(s);
  cidr(data, size);
  return 0;
}
