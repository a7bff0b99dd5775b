/* ISC license: see LICENSE. */

/*
 * Unit tests of the PROXY protocol parser (pn_proxy_parse) and of the
 * trusted ranges (pn_cidr), printing TAP.  Every case is parsed whole,
 * and read as postern-proxy reads it, by the parser's own need and line,
 * from the header followed by session bytes: the reader must stop at the
 * header's last byte.  Run by t/82-proxy-units.t.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/pn_cidr.h"
#include "lib/pn_proxy.h"
#include "tap.h"

#define BUF_MAX 2048
#define TAIL "EHLO x\r\n"       /* what the client sends after the header */


/* Reads s (header, then TAIL) as postern-proxy does; the result, and in
   *used how many bytes were taken. */
static int stepwise(char const *s, size_t len, pn_proxy *p, size_t *used)
{
  size_t got = 0;
  for (;;)
  {
    int r = pn_proxy_parse(s, got, p);
    size_t take;
    if (r != PN_PROXY_MORE) { *used = got; return r; }
    if (!p->need) { *used = got; return -1; }
    take = p->need < len - got ? p->need : len - got;
    if (!take) { *used = got; return PN_PROXY_MORE; }
    if (p->line)
    {
      char const *lf = memchr(s + got, '\n', take);
      if (lf) take = (size_t)(lf - (s + got)) + 1;
    }
    got += take;
  }
}

static void fmtaddr(pn_proxy const *p, unsigned char const *a, char *out)
{
  if (!inet_ntop(p->family == PN_PROXY_INET ? AF_INET : AF_INET6, a, out, 64)) memcpy(out, "?", 2);
}

/* want: the result; for OK, "SRC SPORT DST DPORT" or "local". */
static void check(char const *desc, char const *h, size_t hlen, int want, char const *addrs)
{
  char buf[BUF_MAX];
  char got[256];
  pn_proxy p;
  size_t used;
  int r;
  int okay;
  memcpy(buf, h, hlen);
  memcpy(buf + hlen, TAIL, sizeof(TAIL) - 1);
  r = pn_proxy_parse(buf, hlen + sizeof(TAIL) - 1, &p);
  okay = r == want;
  if (okay && r == PN_PROXY_OK) okay = p.len == hlen;
  if (okay && r == PN_PROXY_OK)
  {
    if (p.local) memcpy(got, "local", 6);
    else
    {
      char a[64], b[64];
      char sp[UINT_FMT], dp[UINT_FMT];
      fmtaddr(&p, p.src, a);
      fmtaddr(&p, p.dst, b);
      sp[uint_fmt(sp, p.sport)] = 0;
      dp[uint_fmt(dp, p.dport)] = 0;
      got[0] = 0;
      strcat(got, a); strcat(got, " "); strcat(got, sp); strcat(got, " ");
      strcat(got, b); strcat(got, " "); strcat(got, dp);
    }
    okay = !strcmp(got, addrs);
  }
  result(okay, desc);
  if (!okay)
  {
    put("#   got ");
    put(pn_proxy_str(r));
    if (r == PN_PROXY_OK) { put(": "); put(got); }
    put("\n");
  }
  /* read as the program reads it: never past the header */
  r = stepwise(buf, hlen + sizeof(TAIL) - 1, &p, &used);
  okay = r == want && (r != PN_PROXY_OK || used == hlen);
  result(okay, "  read by need: same result, nothing past the header");
}

#define S(x) x, sizeof(x) - 1
#define SIG "\r\n\r\n\0\r\nQUIT\n"

static void v1_cases(void)
{
  check("v1 TCP4", S("PROXY TCP4 192.0.2.7 10.0.0.1 40000 587\r\n"), PN_PROXY_OK, "192.0.2.7 40000 10.0.0.1 587");
  check("v1 TCP4 zeros and maxima", S("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n"), PN_PROXY_OK, "0.0.0.0 0 255.255.255.255 65535");
  check("v1 TCP6", S("PROXY TCP6 2001:db8::7 2001:DB8::1 1 587\r\n"), PN_PROXY_OK, "2001:db8::7 1 2001:db8::1 587");
  check("v1 TCP6 full length, 107 bytes", S("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe 65535 65535\r\n"),
    PN_PROXY_OK, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe 65535");
  check("v1 TCP6 IPv4-mapped", S("PROXY TCP6 ::ffff:192.0.2.7 ::1 5 6\r\n"), PN_PROXY_OK, "::ffff:192.0.2.7 5 ::1 6");
  check("v1 UNKNOWN", S("PROXY UNKNOWN\r\n"), PN_PROXY_OK, "local");
  check("v1 UNKNOWN with addresses, ignored", S("PROXY UNKNOWN ffff:f::f ffff:f::f 65535 65535\r\n"), PN_PROXY_OK, "local");
  check("v1 UNKNOWNX refused", S("PROXY UNKNOWNX\r\n"), PN_PROXY_EBAD, 0);
  check("v1 UDP4 refused", S("PROXY UDP4 192.0.2.7 10.0.0.1 1 2\r\n"), PN_PROXY_EFAMILY, 0);
  check("v1 lower case refused", S("PROXY tcp4 192.0.2.7 10.0.0.1 1 2\r\n"), PN_PROXY_EFAMILY, 0);
  check("v1 TCP4 with IPv6 addresses", S("PROXY TCP4 ::1 ::1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 TCP6 with IPv4 addresses", S("PROXY TCP6 192.0.2.7 10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 two spaces", S("PROXY TCP4  192.0.2.7 10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 trailing space", S("PROXY TCP4 192.0.2.7 10.0.0.1 1 2 \r\n"), PN_PROXY_EBAD, 0);
  check("v1 tab", S("PROXY TCP4\t192.0.2.7 10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 six fields", S("PROXY TCP4 192.0.2.7 10.0.0.1 1 2 3\r\n"), PN_PROXY_EBAD, 0);
  check("v1 four fields", S("PROXY TCP4 192.0.2.7 10.0.0.1 1\r\n"), PN_PROXY_EBAD, 0);
  check("v1 leading zero in an address", S("PROXY TCP4 192.0.2.07 10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 octet over 255", S("PROXY TCP4 192.0.2.256 10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 three octets", S("PROXY TCP4 192.0.2 10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 five octets", S("PROXY TCP4 192.0.2.7.1 10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 empty octet", S("PROXY TCP4 192..2.7 10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 leading zero in a port", S("PROXY TCP4 192.0.2.7 10.0.0.1 01 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 port over 65535", S("PROXY TCP4 192.0.2.7 10.0.0.1 65536 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 port with a sign", S("PROXY TCP4 192.0.2.7 10.0.0.1 +1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 bad IPv6", S("PROXY TCP6 2001:db8:::7 ::1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 IPv6 with a zone", S("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 bare LF", S("PROXY TCP4 192.0.2.7 10.0.0.1 1 2\n"), PN_PROXY_EBAD, 0);
  check("v1 CR inside", S("PROXY TCP4 192.0.2.7\r10.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 NUL inside", S("PROXY TCP4 192.0.2.7\00010.0.0.1 1 2\r\n"), PN_PROXY_EBAD, 0);
  check("v1 8-bit byte in UNKNOWN", S("PROXY UNKNOWN \377\r\n"), PN_PROXY_EBAD, 0);
  check("v1 empty", S("PROXY \r\n"), PN_PROXY_EBAD, 0);
  check("v1 PROXY without space", S("PROXYTCP4 192.0.2.7 10.0.0.1 1 2\r\n"), PN_PROXY_ENONE, 0);
  check("v1 no CRLF in 107 bytes", S("PROXY UNKNOWN 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123\r\n"),
    PN_PROXY_ELONG, 0);
  check("SMTP instead of a header", S("EHLO client.example\r\n"), PN_PROXY_ENONE, 0);
}

static void v2_cases(void)
{
  check("v2 PROXY TCP4", S(SIG "\x21\x11\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"),
    PN_PROXY_OK, "192.0.2.7 40000 10.0.0.1 587");
  check("v2 PROXY TCP6", S(SIG "\x21\x21\x00\x24"
    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
    "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01" "\x00\x01" "\x02\x4b"),
    PN_PROXY_OK, "2001:db8::7 1 2001:db8::1 587");
  check("v2 PROXY TCP4 with TLVs, skipped", S(SIG "\x21\x11\x00\x1b" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"
    "\x01\x00\x02h2" "\x04\x00\x00" "\x05\x00\x04uniq"), PN_PROXY_OK, "192.0.2.7 40000 10.0.0.1 587");
  check("v2 LOCAL, no address", S(SIG "\x20\x00\x00\x00"), PN_PROXY_OK, "local");
  check("v2 LOCAL with an address block, skipped", S(SIG "\x20\x11\x00\x0c" "\x7f\x00\x00\x01" "\x7f\x00\x00\x01" "\x00\x01" "\x00\x02"),
    PN_PROXY_OK, "local");
  check("v2 LOCAL with an unknown family, ignored", S(SIG "\x20\xff\x00\x01" "x"), PN_PROXY_OK, "local");
  check("v2 version 1 refused", S(SIG "\x11\x11\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"), PN_PROXY_EVERSION, 0);
  check("v2 version 3 refused", S(SIG "\x31\x11\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"), PN_PROXY_EVERSION, 0);
  check("v2 command 2 refused", S(SIG "\x22\x11\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"), PN_PROXY_ECOMMAND, 0);
  check("v2 PROXY UNSPEC refused", S(SIG "\x21\x00\x00\x00"), PN_PROXY_EFAMILY, 0);
  check("v2 PROXY UNIX refused", S(SIG "\x21\x31\x00\x04" "/a\0\0"), PN_PROXY_EFAMILY, 0);
  check("v2 PROXY UDP4 refused", S(SIG "\x21\x12\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"), PN_PROXY_EFAMILY, 0);
  check("v2 PROXY family 4 refused", S(SIG "\x21\x41\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"), PN_PROXY_EFAMILY, 0);
  check("v2 PROXY INET with UNSPEC transport refused", S(SIG "\x21\x10\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"), PN_PROXY_EFAMILY, 0);
  check("v2 TCP4 address block too short", S(SIG "\x21\x11\x00\x0b" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02"), PN_PROXY_EBAD, 0);
  check("v2 TCP6 with a TCP4 length", S(SIG "\x21\x21\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b"), PN_PROXY_EBAD, 0);
  check("v2 TLV cut short", S(SIG "\x21\x11\x00\x0e" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b" "\x01\x00"), PN_PROXY_EBAD, 0);
  check("v2 TLV longer than the header", S(SIG "\x21\x11\x00\x10" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b" "\x01\x00\x02h"), PN_PROXY_EBAD, 0);
  check("v2 bad signature", S("\r\n\r\n\0\r\nQUIT\r\x21\x00\x00\x00"), PN_PROXY_ENONE, 0);
  check("v2 length 1009: 1025 bytes refused", S(SIG "\x21\x11\x03\xf1"), PN_PROXY_ELONG, 0);
  check("v2 length 65535 refused", S(SIG "\x20\x00\xff\xff"), PN_PROXY_ELONG, 0);
}

static void v2_largest(void)
{
  char h[PN_PROXY_V2_MAX];
  memcpy(h, SIG "\x21\x11\x03\xf0" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b", 28);
  /* one TLV fills the rest: 1024 - 28 - 3 */
  h[28] = 0x04; h[29] = (char)(993 >> 8); h[30] = (char)(993 & 0xff);
  memset(h + 31, 'x', 993);
  check("v2 of 1024 bytes accepted", h, sizeof(h), PN_PROXY_OK, "192.0.2.7 40000 10.0.0.1 587");
}

static void truncated(void)
{
  static char const v1[] = "PROXY TCP4 192.0.2.7 10.0.0.1 40000 587\r\n";
  static char const v2[] = SIG "\x21\x11\x00\x0c" "\xc0\x00\x02\x07" "\x0a\x00\x00\x01" "\x9c\x40" "\x02\x4b";
  pn_proxy p;
  size_t i;
  int okay = 1;
  for (i = 0; i < sizeof(v1) - 1; i++)
    if (pn_proxy_parse(v1, i, &p) != PN_PROXY_MORE || !p.need) okay = 0;
  result(okay, "every beginning of a v1 header asks for more");
  okay = 1;
  for (i = 0; i < sizeof(v2) - 1; i++)
    if (pn_proxy_parse(v2, i, &p) != PN_PROXY_MORE || !p.need || p.line || i + p.need > sizeof(v2) - 1) okay = 0;
  result(okay, "every beginning of a v2 header asks for more, never past its end");
}

static void cidr_cases(void)
{
  pn_cidr c;
  unsigned char a[16];
  result(pn_cidr_parse("10.0.0.0/8", &c) && pn_cidr_ip("10.255.1.2", a) && pn_cidr_match(&c, a), "10.0.0.0/8 has 10.255.1.2");
  result(pn_cidr_ip("11.0.0.0", a) && !pn_cidr_match(&c, a), "10.0.0.0/8 has not 11.0.0.0");
  result(pn_cidr_ip("::ffff:10.1.2.3", a) && pn_cidr_match(&c, a), "10.0.0.0/8 has ::ffff:10.1.2.3 (IPv4-mapped)");
  result(pn_cidr_ip("::a01:203", a) && !pn_cidr_match(&c, a), "10.0.0.0/8 has not ::a01:203 (IPv4-compatible)");
  result(pn_cidr_parse("192.0.2.128/25", &c) && pn_cidr_ip("192.0.2.200", a) && pn_cidr_match(&c, a), "192.0.2.128/25 has .200");
  result(pn_cidr_ip("192.0.2.127", a) && !pn_cidr_match(&c, a), "192.0.2.128/25 has not .127");
  result(pn_cidr_parse("127.0.0.1", &c) && pn_cidr_ip("127.0.0.1", a) && pn_cidr_match(&c, a), "an address alone is /32");
  result(pn_cidr_ip("127.0.0.2", a) && !pn_cidr_match(&c, a), "127.0.0.1 has not 127.0.0.2");
  result(pn_cidr_parse("0.0.0.0/0", &c) && pn_cidr_ip("203.0.113.1", a) && pn_cidr_match(&c, a), "0.0.0.0/0 has every IPv4 address");
  result(pn_cidr_ip("2001:db8::1", a) && !pn_cidr_match(&c, a), "0.0.0.0/0 has no IPv6 address");
  result(pn_cidr_parse("2001:db8::/32", &c) && pn_cidr_ip("2001:db8:ffff::1", a) && pn_cidr_match(&c, a), "2001:db8::/32 has 2001:db8:ffff::1");
  result(pn_cidr_ip("2001:db9::1", a) && !pn_cidr_match(&c, a), "2001:db8::/32 has not 2001:db9::1");
  result(pn_cidr_parse("::1", &c) && pn_cidr_ip("::1", a) && pn_cidr_match(&c, a), "::1 alone is /128");
  result(!pn_cidr_parse("10.0.0.1/8", &c), "host bits set: refused");
  result(!pn_cidr_parse("10.0.0.0/33", &c), "/33 refused for IPv4");
  result(!pn_cidr_parse("::/129", &c), "/129 refused");
  result(!pn_cidr_parse("10.0.0.0/", &c) && !pn_cidr_parse("10.0.0.0/8x", &c) && !pn_cidr_parse("10.0.0/8", &c), "malformed ranges refused");
  result(!pn_cidr_parse("010.0.0.0/8", &c), "a leading zero refused");
}

int main(void)
{
  v1_cases();
  v2_cases();
  v2_largest();
  truncated();
  cidr_cases();
  plan();
  return failed ? 1 : 0;
}
