/* ISC license: see LICENSE. */

/*
 * pn_crypt: password hashing and checking through libxcrypt.  Kept apart
 * from the rest of the library: only the programs that link -lcrypt
 * (postern-checkpw, postern-passwd) reference it.
 */

#include <errno.h>
#include <string.h>
#include <crypt.h>

#include <skalibs/bytestr.h>

#include "pn_crypt.h"
#include "pn_ct.h"
#include "pn_pwdb.h"

/* crypt_rn's working area is large (about 32 kB): static, wiped by
   pn_crypt_wipe(). */
static struct crypt_data cd;

/* A setting of the default method with libxcrypt's default cost, made
   once: hashing against it costs what a real check of that method costs. */
static char dummy[CRYPT_GENSALT_OUTPUT_SIZE];

static int getdummy(void)
{
  if (dummy[0]) return 1;
  errno = 0;
  if (!crypt_gensalt_rn(0, 0, 0, 0, dummy, sizeof(dummy)) || dummy[0] == '*')
  {
    dummy[0] = 0;
    if (!errno) errno = EINVAL;
    return 0;
  }
  return 1;
}

int pn_crypt_usable(char const *hash)
{
  size_t len = strlen(hash);
  int r;
  if (pn_pwdb_locked(hash, len)) return 0;
  r = crypt_checksalt(hash);
  return r == CRYPT_SALT_OK || r == CRYPT_SALT_METHOD_LEGACY;
}

/* Runs crypt_rn; a failure token ("*0", "*1") or a null result counts as
   no match unless the cause is a lack of resources. */
static int run(char const *pw, char const *setting, char const **out)
{
  char const *r;
  errno = 0;
  r = crypt_rn(pw, setting, &cd, sizeof(cd));
  if (!r || r[0] == '*')
  {
    if (errno == ENOMEM || errno == EAGAIN) return -1;
    *out = 0;
    return 0;
  }
  *out = r;
  return 1;
}

/* Against the dummy setting: the same work, never a match. */
static int spend(char const *pw)
{
  char const *r;
  if (!getdummy()) return -1;
  return run(pw, dummy, &r) < 0 ? -1 : 0;
}

int pn_crypt_check(char const *pw, char const *hash)
{
  char const *r;
  size_t len;
  int e;
  if (!hash || !pn_crypt_usable(hash)) e = spend(pw);
  else
  {
    e = run(pw, hash, &r);
    if (!e) e = spend(pw);
    else if (e > 0)
    {
      len = strlen(hash);
      /* The length of a hash is not secret: its method fixes it. */
      e = strlen(r) == len && pn_ct_memeq(r, hash, len);
    }
  }
  pn_crypt_wipe();
  return e;
}

int pn_crypt_hash(char *dst, size_t max, char const *prefix, char const *pw)
{
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  char const *r;
  size_t len;
  int e;
  errno = 0;
  if (!crypt_gensalt_rn(prefix, 0, 0, 0, setting, sizeof(setting)) || setting[0] == '*')
    return (errno = errno ? errno : EINVAL, 0);
  e = run(pw, setting, &r);
  if (e <= 0) return (errno = e < 0 ? errno : EINVAL, 0);
  len = strlen(r);
  if (len >= max) return (errno = ENAMETOOLONG, 0);
  memcpy(dst, r, len + 1);
  pn_crypt_wipe();
  return 1;
}

void pn_crypt_wipe(void)
{
  byte_zzero((char *)&cd, sizeof(cd));
}
