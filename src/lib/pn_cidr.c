/* ISC license: see LICENSE. */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

#include <skalibs/types.h>

#include "pn_cidr.h"

#define CIDR_TEXT_MAX 64        /* an IPv6 address and "/128" fit */

int pn_cidr_ip(char const *s, unsigned char *out)
{
  unsigned char a4[4];
  if (inet_pton(AF_INET, s, a4) == 1)
  {
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, a4, 4);
    return 1;
  }
  return inet_pton(AF_INET6, s, out) == 1;
}

int pn_cidr_parse(char const *s, pn_cidr *c)
{
  char tmp[CIDR_TEXT_MAX];
  char const *slash = strchr(s, '/');
  size_t n = slash ? (size_t)(slash - s) : strlen(s);
  unsigned int bits;
  unsigned int i;
  int v4;
  if (n >= sizeof(tmp)) return 0;
  memcpy(tmp, s, n);
  tmp[n] = 0;
  if (!pn_cidr_ip(tmp, c->addr)) return 0;
  v4 = !strchr(tmp, ':');
  if (!slash) bits = v4 ? 32 : 128;
  else if (!slash[1] || slash[uint_scan(slash + 1, &bits) + 1]) return 0;
  if (bits > (v4 ? 32u : 128u)) return 0;
  c->bits = v4 ? bits + 96 : bits;
  /* no host bits: 10.0.0.1/8 is a typing mistake */
  for (i = c->bits; i < 128; i++)
    if (c->addr[i >> 3] & (0x80 >> (i & 7))) return 0;
  return 1;
}

int pn_cidr_match(pn_cidr const *c, unsigned char const *a)
{
  unsigned int whole = c->bits >> 3;
  unsigned int rest = c->bits & 7;
  if (memcmp(c->addr, a, whole)) return 0;
  if (!rest) return 1;
  return !((c->addr[whole] ^ a[whole]) & (0xff00 >> rest));
}
