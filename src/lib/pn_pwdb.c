/* ISC license: see LICENSE. */

/*
 * pn_pwdb: the compiled password database's records, what
 * postern-checkpw needs: a user name's form (checked before a lookup),
 * a locked hash, a cdb record split on its NULs ("don't parse in
 * privileged code").  The text source's parser and the packing of
 * records are pn_pwfile's, linked by postern-passwd alone.
 */

#include <string.h>

#include "pn_pwdb.h"

int pn_pwdb_namechar(unsigned char c)
{
  return c > 0x20 && c != 0x7f && c != ':';
}

int pn_pwdb_user_ok(char const *s, size_t len)
{
  size_t i;
  if (!len || len > PN_PWDB_USER_MAX || s[0] == '#') return 0;
  for (i = 0; i < len; i++) if (!pn_pwdb_namechar(s[i])) return 0;
  return 1;
}

int pn_pwdb_locked(char const *s, size_t len)
{
  return !len || s[0] == '!' || s[0] == '*';
}

/* Three fields, or four when the user has limits (a record without
   them reads as it did before limits existed). */
int pn_pwdb_unpack(char const *s, size_t len, pn_pwent *e)
{
  char const *f[4] = { "", "", "", "" };
  size_t flen[4] = { 0, 0, 0, 0 };
  size_t i = 0;
  unsigned int k;
  if (len > PN_PWDB_DATA_MAX) return 0;
  for (k = 0; k < 4 && (k < 3 || i < len); k++)
  {
    char const *p = memchr(s + i, 0, len - i);
    if (!p) return 0;
    f[k] = s + i;
    flen[k] = (size_t)(p - (s + i));
    i += flen[k] + 1;
  }
  if (i != len || (k == 4 && !flen[3])) return 0;
  if (flen[0] > PN_PWDB_HASH_MAX || flen[1] > PN_PWDB_ACCOUNT_MAX || flen[2] > PN_PWDB_SENDERS_MAX
   || flen[3] > PN_PWDB_LIMITS_MAX) return 0;
  e->hash = f[0]; e->hashlen = flen[0];
  e->account = f[1]; e->accountlen = flen[1];
  e->senders = f[2]; e->senderslen = flen[2];
  e->limits = f[3]; e->limitslen = flen[3];
  return 1;
}
