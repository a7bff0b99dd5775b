/* ISC license: see LICENSE. */

#ifndef PN_CRYPT_H
#define PN_CRYPT_H

#include <stddef.h>
#include "pn_pwdb.h"


/* pn_crypt: crypt(3) (libxcrypt).  Only postern-checkpw and
   postern-passwd reference this file, so only they link -lcrypt. */

/* Checks the NUL-terminated password pw against hash.  With hash null,
   unusable (locked, unknown method) or invalid, it hashes pw against a
   dummy setting of the default method instead, so that the call costs
   the same, and returns 0.  Compares in constant time.  1 match, 0 no
   match, -1 error (errno: ENOMEM...). */
extern int pn_crypt_check(char const *, char const *);

/* 1 if hash is not locked (see pn_pwdb_locked) and libxcrypt can
   verify it (a known, enabled method), else 0. */
extern int pn_crypt_usable(char const *);

/* Hashes pw with a fresh salt for the method whose prefix is given
   ("$y$", "$6$", "$2b$") at libxcrypt's default cost, into dst of max
   bytes.  1, or 0 with errno. */
extern int pn_crypt_hash(char *, size_t, char const *, char const *);

/* Wipes crypt(3)'s working memory.  Call before exiting or exec'ing. */
extern void pn_crypt_wipe(void);

#endif
