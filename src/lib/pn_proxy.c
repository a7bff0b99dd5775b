/* ISC license: see LICENSE. */

/*
 * The PROXY protocol header, as HAProxy's doc/proxy-protocol.txt has it.
 * Strict: what does not match the spec exactly is refused, as its
 * section 2.1 asks ("Any sequence which does not exactly match the
 * protocol must be discarded").  What is accepted:
 *
 *   v1  "PROXY TCP4 src dst sport dport\r\n", the same with TCP6, and
 *       "PROXY UNKNOWN" then anything printable up to the CRLF; single
 *       spaces, IPv4 as 4 decimal numbers without leading zeros, IPv6
 *       as inet_pton reads it, ports 0 to 65535 without leading zeros.
 *   v2  the 12-byte signature, version 2, command LOCAL (any family,
 *       the address block skipped) or PROXY with TCP over IPv4 (\x11)
 *       or IPv6 (\x21); the TLVs after the addresses must be well
 *       framed and are skipped.  PROXY with AF_UNSPEC, AF_UNIX or a
 *       datagram transport is refused (EFAMILY): the session would run
 *       with an address the balancer did not vouch for, or none.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

#include "pn_proxy.h"

#define V1_FIELDS 5             /* protocol, source, destination, ports */
#define V6_TEXT_MAX 45          /* ffff:...:ffff:255.255.255.255 */

static unsigned char const v2sig[12] =
  { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

/* A decimal number of at most maxdigits digits, no leading zero, at
   most max: 1 and *n, or 0. */
static int decimal(char const *s, size_t len, unsigned int maxdigits, unsigned long max, unsigned long *n)
{
  unsigned long v = 0;
  size_t i;
  if (!len || len > maxdigits || (len > 1 && s[0] == '0')) return 0;
  for (i = 0; i < len; i++)
  {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (unsigned long)(s[i] - '0');
  }
  if (v > max) return 0;
  *n = v;
  return 1;
}

static int v1_ip4(char const *s, size_t len, unsigned char *out)
{
  unsigned int k;
  size_t i = 0;
  for (k = 0; k < 4; k++)
  {
    size_t j = i;
    unsigned long b;
    while (j < len && s[j] != '.') j++;
    if ((k < 3) != (j < len)) return 0;
    if (!decimal(s + i, j - i, 3, 255, &b)) return 0;
    out[k] = (unsigned char)b;
    i = j + 1;
  }
  return 1;
}

static int v1_ip6(char const *s, size_t len, unsigned char *out)
{
  char tmp[V6_TEXT_MAX + 1];
  size_t i;
  if (len > V6_TEXT_MAX) return 0;
  for (i = 0; i < len; i++)
  {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
      return 0;
  }
  memcpy(tmp, s, len);
  tmp[len] = 0;
  return inet_pton(AF_INET6, tmp, out) == 1;
}

static int v1_port(char const *s, size_t len, uint16_t *port)
{
  unsigned long n;
  if (!decimal(s, len, 5, 65535, &n)) return 0;
  *port = (uint16_t)n;
  return 1;
}

/* The line between "PROXY " and the CRLF, b of blen bytes, all
   printable: UNKNOWN, or five fields split by single spaces. */
static int v1_fields(char const *b, size_t blen, pn_proxy *p)
{
  char const *f[V1_FIELDS];
  size_t flen[V1_FIELDS];
  unsigned int count = 0;
  size_t start = 0;
  size_t i;
  int ok;
  if (blen >= 7 && !memcmp(b, "UNKNOWN", 7) && (blen == 7 || b[7] == ' '))
  {
    p->local = 1;
    return PN_PROXY_OK;
  }
  for (i = 0; i <= blen; i++)
  {
    if (i < blen && b[i] != ' ') continue;
    if (count == V1_FIELDS || i == start) return PN_PROXY_EBAD;
    f[count] = b + start;
    flen[count++] = i - start;
    start = i + 1;
  }
  if (count != V1_FIELDS) return PN_PROXY_EBAD;
  if (flen[0] != 4 || memcmp(f[0], "TCP", 3) || (f[0][3] != '4' && f[0][3] != '6'))
    return PN_PROXY_EFAMILY;
  if (f[0][3] == '4')
  {
    p->family = PN_PROXY_INET;
    ok = v1_ip4(f[1], flen[1], p->src) && v1_ip4(f[2], flen[2], p->dst);
  }
  else
  {
    p->family = PN_PROXY_INET6;
    ok = v1_ip6(f[1], flen[1], p->src) && v1_ip6(f[2], flen[2], p->dst);
  }
  if (!ok || !v1_port(f[3], flen[3], &p->sport) || !v1_port(f[4], flen[4], &p->dport))
    return PN_PROXY_EBAD;
  return PN_PROXY_OK;
}

/* v1: a line of printable US-ASCII ended by CRLF, at most 107 bytes
   (spec 2.1).  Until its LF is there, only what is there is checked. */
static int v1(char const *s, size_t len, pn_proxy *p)
{
  size_t n = len < PN_PROXY_V1_MAX ? len : PN_PROXY_V1_MAX;
  char const *lf = memchr(s, '\n', n);
  size_t end = lf ? (size_t)(lf - s) : n;
  size_t i;
  p->version = 1;
  if (memcmp(s, "PROXY ", end < 6 ? end : 6)) return PN_PROXY_ENONE;
  for (i = 0; i < end; i++)
  {
    unsigned char c = s[i];
    if (c == '\r' && i + 1 == end) continue;
    if (c < 0x20 || c > 0x7e) return PN_PROXY_EBAD;
  }
  if (!lf)
  {
    if (len >= PN_PROXY_V1_MAX) return PN_PROXY_ELONG;
    /* no valid header is shorter than PN_PROXY_V1_MIN */
    if (len < PN_PROXY_V1_MIN) p->need = PN_PROXY_V1_MIN - len;
    else
    {
      p->need = PN_PROXY_V1_MAX - len;
      p->line = 1;
    }
    return PN_PROXY_MORE;
  }
  if (end < 7 || s[end - 1] != '\r') return PN_PROXY_EBAD;
  p->len = end + 1;
  return v1_fields(s + 6, end - 7, p);
}

/* The TLVs of a v2 header, from i to end: type, 2-byte length, value. */
static int v2_tlvs(unsigned char const *s, size_t i, size_t end)
{
  while (i < end)
  {
    size_t tlen;
    if (end - i < 3) return 0;
    tlen = ((size_t)s[i + 1] << 8) | s[i + 2];
    if (tlen > end - i - 3) return 0;
    i += 3 + tlen;
  }
  return 1;
}

/* v2 (spec 2.2): 16 bytes, then as many as their length says. */
static int v2(unsigned char const *s, size_t len, pn_proxy *p)
{
  size_t alen;
  size_t total;
  p->version = 2;
  if (memcmp(s, v2sig, len < sizeof(v2sig) ? len : sizeof(v2sig))) return PN_PROXY_ENONE;
  if (len > 12 && (s[12] >> 4) != 2) return PN_PROXY_EVERSION;
  if (len > 12 && (s[12] & 0x0f) > 1) return PN_PROXY_ECOMMAND;
  if (len < PN_PROXY_V2_HEAD)
  {
    p->need = PN_PROXY_V2_HEAD - len;
    return PN_PROXY_MORE;
  }
  total = PN_PROXY_V2_HEAD + (((size_t)s[14] << 8) | s[15]);
  if (total > PN_PROXY_V2_MAX) return PN_PROXY_ELONG;
  if (len < total)
  {
    p->need = total - len;
    return PN_PROXY_MORE;
  }
  p->len = total;
  /* LOCAL: "discard the protocol block including the family" */
  if (!(s[12] & 0x0f))
  {
    p->local = 1;
    return PN_PROXY_OK;
  }
  if (s[13] == 0x11) { p->family = PN_PROXY_INET; alen = 4; }
  else if (s[13] == 0x21) { p->family = PN_PROXY_INET6; alen = 16; }
  else return PN_PROXY_EFAMILY;
  if (total - PN_PROXY_V2_HEAD < 2 * alen + 4) return PN_PROXY_EBAD;
  memcpy(p->src, s + PN_PROXY_V2_HEAD, alen);
  memcpy(p->dst, s + PN_PROXY_V2_HEAD + alen, alen);
  p->sport = (uint16_t)((s[PN_PROXY_V2_HEAD + 2 * alen] << 8) | s[PN_PROXY_V2_HEAD + 2 * alen + 1]);
  p->dport = (uint16_t)((s[PN_PROXY_V2_HEAD + 2 * alen + 2] << 8) | s[PN_PROXY_V2_HEAD + 2 * alen + 3]);
  if (!v2_tlvs(s, PN_PROXY_V2_HEAD + 2 * alen + 4, total)) return PN_PROXY_EBAD;
  return PN_PROXY_OK;
}

int pn_proxy_parse(char const *s, size_t len, pn_proxy *p)
{
  pn_proxy const zero = PN_PROXY_ZERO;
  *p = zero;
  if (!len)
  {
    /* as many as the shortest header of either version */
    p->need = PN_PROXY_V1_MIN;
    return PN_PROXY_MORE;
  }
  if (s[0] == 'P') return v1(s, len, p);
  if (s[0] == '\r') return v2((unsigned char const *)s, len, p);
  return PN_PROXY_ENONE;
}

char const *pn_proxy_str(int r)
{
  static char const *const words[] =
    { "ok", "more", "none", "malformed", "oversized", "version", "command", "family" };
  return r >= 0 && r < (int)(sizeof(words) / sizeof(words[0])) ? words[r] : "unknown";
}
