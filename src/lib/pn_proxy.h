/* ISC license: see LICENSE. */

#ifndef PN_PROXY_H
#define PN_PROXY_H

#include <stddef.h>
#include <stdint.h>


/* pn_proxy: the PROXY protocol header (HAProxy's doc/proxy-protocol.txt),
   version 1 (text) and 2 (binary); a pure parser, no I/O */

#define PN_PROXY_V1_MIN 15      /* "PROXY UNKNOWN\r\n" */
#define PN_PROXY_V1_MAX 107     /* the spec's worst case, CRLF included */
#define PN_PROXY_V2_HEAD 16     /* signature, version and command, family, length */
#define PN_PROXY_V2_MAX 1024    /* a whole v2 header, TLVs included: more is refused */
#define PN_PROXY_MAX PN_PROXY_V2_MAX

/* results of pn_proxy_parse */
#define PN_PROXY_OK 0           /* a whole header: see len, local, the addresses */
#define PN_PROXY_MORE 1         /* a valid beginning: see need and line */
#define PN_PROXY_ENONE 2        /* the bytes begin neither a v1 nor a v2 header */
#define PN_PROXY_EBAD 3         /* malformed */
#define PN_PROXY_ELONG 4        /* v1 without CRLF in 107 bytes, v2 over 1024 */
#define PN_PROXY_EVERSION 5     /* v2 with a version other than 2 */
#define PN_PROXY_ECOMMAND 6     /* v2 with a command other than LOCAL or PROXY */
#define PN_PROXY_EFAMILY 7      /* a family or transport other than TCP over IPv4 or IPv6 */

#define PN_PROXY_INET 4
#define PN_PROXY_INET6 6

typedef struct pn_proxy_s pn_proxy;
struct pn_proxy_s
{
  unsigned int version;         /* 1 or 2, once known */
  unsigned int local;           /* OK: v2 LOCAL or v1 UNKNOWN: keep the connection's addresses */
  unsigned int family;          /* OK, not local: PN_PROXY_INET or PN_PROXY_INET6 */
  unsigned char src[16];        /* the client: 4 or 16 bytes, network order */
  unsigned char dst[16];        /* the address the client connected to */
  uint16_t sport;
  uint16_t dport;
  size_t len;                   /* OK: the header's length, in bytes */
  size_t need;                  /* MORE: how many more bytes may be read, at least 1 */
  unsigned int line;            /* MORE: ... and none past a LF (v1) */
};
#define PN_PROXY_ZERO { .version = 0, .local = 0, .family = 0, .src = { 0 }, .dst = { 0 }, \
  .sport = 0, .dport = 0, .len = 0, .need = 0, .line = 0 }

/*
 * Parses the first len bytes of a connection.  Returns PN_PROXY_OK with
 * p->len the header's length (the bytes after it belong to the session),
 * PN_PROXY_MORE when s is the valid beginning of a header, or an error
 * PN_PROXY_E*, as soon as the bytes so far cannot begin a valid header.
 *
 * The reader never needs to read a byte past the header: on MORE, up to
 * p->need more bytes may be read, and when p->line is set they must stop
 * at the first LF (v1, whose length the bytes do not tell).  Reading so,
 * a valid header is never over-read; an invalid one is refused anyway.
 * s may hold more than the header: only the header's bytes are looked at.
 */
extern int pn_proxy_parse(char const *, size_t, pn_proxy *);

/* The word for a result in a log line: "ok", "more", "none",
   "malformed", "oversized", "version", "command", "family". */
extern char const *pn_proxy_str(int);

#endif
