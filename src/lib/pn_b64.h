/* ISC license: see LICENSE. */

#ifndef PN_B64_H
#define PN_B64_H

#include <sys/types.h>
#include <stddef.h>


/* pn_b64: strict base64 (RFC 4648 section 4, padding required) */

#define PN_B64_ENCLEN(n) ((((n) + 2) / 3) * 4)

/* Decodes len bytes of s into dst (room for max bytes).  Returns the
   decoded length, or -1 with errno EINVAL (not canonical base64) or
   ENOBUFS (decoded data would exceed max). */
extern ssize_t pn_b64_decode(char *, size_t, char const *, size_t);

/* Encodes; dst has PN_B64_ENCLEN(len) bytes.  Returns that length. */
extern size_t pn_b64_encode(char *, char const *, size_t);

#endif
