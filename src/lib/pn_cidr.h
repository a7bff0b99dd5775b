/* ISC license: see LICENSE. */

#ifndef PN_CIDR_H
#define PN_CIDR_H


/* pn_cidr: address ranges, IPv4 and IPv6 in one form (IPv4 as
   IPv4-mapped IPv6, ::ffff:a.b.c.d, so that a mapped address matches
   the IPv4 range it is in) */

typedef struct pn_cidr_s pn_cidr;
struct pn_cidr_s
{
  unsigned char addr[16];
  unsigned int bits;            /* 0 to 128 */
};

/* "a.b.c.d/n" (n 0 to 32), "v6addr/n" (0 to 128), or an address alone
   (/32, /128).  Host bits must be zero.  1, or 0 for a bad range. */
extern int pn_cidr_parse(char const *, pn_cidr *);

/* An address as text, IPv4 or IPv6, into 16 bytes (IPv4 mapped).  1, or
   0 if it is not an address. */
extern int pn_cidr_ip(char const *, unsigned char *);

/* 1 if the 16-byte address is in the range, else 0. */
extern int pn_cidr_match(pn_cidr const *, unsigned char const *);

#endif
