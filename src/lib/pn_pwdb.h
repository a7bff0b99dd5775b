/* ISC license: see LICENSE. */

#ifndef PN_PWDB_H
#define PN_PWDB_H

#include <stddef.h>


/* pn_pwdb: the compiled password database, what postern-checkpw reads.
   cdb: key user, data hash\0account\0senders\0 and, when the user has
   limits, limits\0; plus the marker record below (its key cannot be a
   user name).  The text source and the packing are pn_pwfile.h's.
   Pure functions: no I/O, no crypt(3). */

#define PN_PWDB_USER_MAX 255
#define PN_PWDB_HASH_MAX 383          /* CRYPT_OUTPUT_SIZE - 1 */
#define PN_PWDB_ACCOUNT_MAX 255
#define PN_PWDB_SENDERS_MAX 4096
#define PN_PWDB_LIMITS_MAX 256        /* PN_LIMIT_SET_MAX */
#define PN_PWDB_LINE_MAX (PN_PWDB_USER_MAX + PN_PWDB_HASH_MAX + PN_PWDB_ACCOUNT_MAX + PN_PWDB_SENDERS_MAX + PN_PWDB_LIMITS_MAX + 4)
#define PN_PWDB_DATA_MAX (PN_PWDB_HASH_MAX + PN_PWDB_ACCOUNT_MAX + PN_PWDB_SENDERS_MAX + PN_PWDB_LIMITS_MAX + 4)
#define PN_PWDB_MARKER_KEY ":postern-pwdb"
#define PN_PWDB_MARKER_DATA "1"

typedef struct pn_pwent_s pn_pwent;
struct pn_pwent_s
{
  char const *user;
  size_t userlen;
  char const *hash;
  size_t hashlen;
  char const *account;
  size_t accountlen;
  char const *senders;
  size_t senderslen;
  char const *limits;
  size_t limitslen;
};
#define PN_PWENT_ZERO { .user = "", .userlen = 0, .hash = "", .hashlen = 0, .account = "", .accountlen = 0, .senders = "", .senderslen = 0, .limits = "", .limitslen = 0 }

/* 1 if c may be in a user name, an account name, a senders entry or a
   hash: printable, not space or ':'. */
extern int pn_pwdb_namechar(unsigned char);

/* 1 if the len bytes are a user name postern accepts: 1 to
   PN_PWDB_USER_MAX bytes, no ':', whitespace or control character, not
   starting with '#'; else 0. */
extern int pn_pwdb_user_ok(char const *, size_t);

/* 1 if a hash field means a locked account ("", or starting with '!'
   or '*'), else 0. */
extern int pn_pwdb_locked(char const *, size_t);

/* Splits len bytes of cdb data into *e (user untouched); the fields
   point into s and are NUL-terminated there.  1, or 0 if the data is
   not a well-formed record. */
extern int pn_pwdb_unpack(char const *, size_t, pn_pwent *);

#endif
