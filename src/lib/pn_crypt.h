/* ISC license: see LICENSE. */

#ifndef PN_CRYPT_H
#define PN_CRYPT_H

#include <stddef.h>
#include "pn_pwdb.h"


/* pn_crypt: crypt(3) (libxcrypt).  Only postern-checkpw and
   postern-passwd reference this file, so only they link -lcrypt.
   Linking it also interposes mmap (see pn_crypt.c): the hash's own
   working memory gets transparent huge pages where the kernel allows. */

/* A refusal answers PN_CRYPT_PAD times the duration of one check of the
   dummy setting after the check began (doc/security.md). */
#define PN_CRYPT_PAD 8

/* The least costs postern-passwd makes (libxcrypt's count for each
   method, crypt_gensalt(3)): yescrypt libxcrypt's default, bcrypt 2^10
   rounds, sha512crypt libxcrypt's default rounds. */
#define PN_CRYPT_YESCRYPT_MIN 5UL
#define PN_CRYPT_BCRYPT_MIN 10UL
#define PN_CRYPT_SHA512_MIN 5000UL

/* Checks the NUL-terminated password pw against hash, in constant time.
   A match returns as soon as it is known.  Any other outcome (hash null,
   unusable, of another method, wrong password) is a refusal, which
   returns PN_CRYPT_PAD times the time of a check of the dummy setting
   (the default method at libxcrypt's default cost) after the call began,
   that time being measured during the call; every stored hash whose check
   costs up to PN_CRYPT_PAD - 1 dummy checks therefore refuses in the same
   time as no hash.  1 match, 0 no match, -1 error (errno: ENOMEM...). */
extern int pn_crypt_check(char const *, char const *);

/* 1 if hash is not locked (see pn_pwdb_locked) and libxcrypt can
   verify it (a known, enabled method), else 0. */
extern int pn_crypt_usable(char const *);

/* Hashes pw with a fresh salt for the method whose prefix is given
   ("$y$", "$6$", "$2b$") at cost count (libxcrypt's count; 0: the
   default, PN_CRYPT_BCRYPT_MIN for bcrypt, libxcrypt's for the others)
   into dst of max bytes.  1, or 0 with errno (ERANGE: below the floor,
   EINVAL: refused by libxcrypt). */
extern int pn_crypt_hash(char *, size_t, char const *, unsigned long, char const *);

/* 1 if pn_crypt_hash would take this method and count, else 0 with
   errno ERANGE (below the floor) or EINVAL (out of libxcrypt's range). */
extern int pn_crypt_cost_ok(char const *, unsigned long);

/* The floor of the method's count (0: none). */
extern unsigned long pn_crypt_cost_min(char const *);

/* Wipes crypt(3)'s working memory.  Call before exiting or exec'ing. */
extern void pn_crypt_wipe(void);

#endif
