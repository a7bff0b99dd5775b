/* ISC license: see LICENSE. */

/*
 * pn_crypt: password hashing and checking through libxcrypt.  Kept apart
 * from the rest of the library: only the programs that link -lcrypt
 * (postern-checkpw, postern-passwd) reference it.
 *
 * Two things beyond calling crypt_rn: the working memory of the hash
 * gets transparent huge pages (pn_hugemmap, doc/performance.md), and a refusal takes
 * a time that does not depend on the stored hash (doc/security.md).
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <crypt.h>

#include <skalibs/bytestr.h>
#include <skalibs/iopause.h>
#include <skalibs/tai.h>

#include "pn_crypt.h"
#include "pn_ct.h"
#include "pn_hugemmap.h"
#include "pn_pwdb.h"

/* crypt_rn's working area is large (about 32 kB): static, wiped by
   pn_crypt_wipe(). */
static struct crypt_data cd;

/* A setting of the default method with libxcrypt's default cost, made
   once: hashing against it costs what a real check of that method costs. */
static char dummy[CRYPT_GENSALT_OUTPUT_SIZE];


/* ---- checking ---- */

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
  pn_hugemmap(1);
  r = crypt_rn(pw, setting, &cd, sizeof(cd));
  pn_hugemmap(0);
  if (!r || r[0] == '*')
  {
    if (errno == ENOMEM || errno == EAGAIN) return -1;
    *out = 0;
    return 0;
  }
  *out = r;
  return 1;
}

/* 1 if hash has the dummy's method and cost: its setting is the dummy's
   up to the salt ("$y$j9T$"), then the salt, a '$' and the hash.  Its
   check then costs what the dummy's does.  A false 0 costs only time. */
static int sameclass(char const *hash)
{
  char const *salt = strrchr(dummy, '$');
  size_t plen;
  char const *sep;
  if (!salt) return 0;
  plen = (size_t)(salt + 1 - dummy);
  if (strncmp(hash, dummy, plen)) return 0;
  sep = strchr(hash + plen, '$');
  return sep && !strchr(sep + 1, '$');
}

/* A refusal.  T is the time of one check against the dummy, measured
   now: the check of the stored hash when it is of the dummy's class,
   else a check of the dummy, run here.  The refusal returns when
   PN_CRYPT_PAD times T have passed since start, whatever ran before. */
static int refuse(char const *pw, tain const *start, tain const *mid)
{
  tain now;
  tain t;
  char const *r;
  unsigned int i;
  if (!mid)
  {
    tain m;
    if (!tain_now(&m) || run(pw, dummy, &r) < 0) return -1;
    if (!tain_now(&now)) return -1;
    tain_sub(&t, &now, &m);
  }
  else
  {
    now = *mid;
    tain_sub(&t, &now, start);
  }
  {
    tain d = *start;
    for (i = 0; i < PN_CRYPT_PAD; i++) tain_add(&d, &d, &t);
    deepsleepuntil(&d, &now);
  }
  return 0;
}

/* A wrong password for a usable hash: a refusal, which the check just
   done measures when the hash is of the dummy's class. */
static int mismatch(char const *pw, char const *hash, tain const *start)
{
  tain mid;
  if (!tain_now(&mid) || !getdummy()) return -1;
  return refuse(pw, start, sameclass(hash) ? &mid : 0);
}

int pn_crypt_check(char const *pw, char const *hash)
{
  tain start;
  char const *r;
  size_t len;
  int e;
  /* The dummy is made (a getrandom for its salt) only for a refusal,
     inside the timed span on every refusal's path alike. */
  if (!tain_now(&start)) return -1;
  if (!hash || !pn_crypt_usable(hash)) e = getdummy() ? refuse(pw, &start, 0) : -1;
  else
  {
    e = run(pw, hash, &r);
    if (e > 0)
    {
      len = strlen(hash);
      /* The length of a hash is not secret: its method fixes it. */
      e = strlen(r) == len && pn_ct_memeq(r, hash, len);
      if (!e) e = mismatch(pw, hash, &start);
    }
    else if (!e) e = getdummy() ? refuse(pw, &start, 0) : -1;
  }
  pn_crypt_wipe();
  return e;
}


/* ---- hashing ---- */

/* The least cost postern-passwd makes, the most libxcrypt takes (it
   would clamp sha512crypt's rounds silently), and postern's default
   where it differs from libxcrypt's (bcrypt: libxcrypt's is 5). */
struct floor_s { char const *prefix; unsigned long floor; unsigned long max; unsigned long dflt; };
static struct floor_s const floors[] =
{
  { "$y$", PN_CRYPT_YESCRYPT_MIN, 11, 0 },
  { "$2b$", PN_CRYPT_BCRYPT_MIN, 31, PN_CRYPT_BCRYPT_MIN },
  { "$6$", PN_CRYPT_SHA512_MIN, 999999999, 0 },
  { 0, 0, 0, 0 }
};

static struct floor_s const *floorof(char const *prefix)
{
  struct floor_s const *f = floors;
  for (; f->prefix; f++) if (!strcmp(f->prefix, prefix)) return f;
  return 0;
}

static int setting(char *dst, size_t max, char const *prefix, unsigned long count)
{
  struct floor_s const *f = floorof(prefix);
  if (!count && f) count = f->dflt;
  if (count && f && count < f->floor) return (errno = ERANGE, 0);
  if (f && count > f->max) return (errno = EINVAL, 0);
  errno = 0;
  if (!crypt_gensalt_rn(prefix, count, 0, 0, dst, (int)max) || dst[0] == '*')
  {
    if (!errno) errno = EINVAL;
    return 0;
  }
  return 1;
}

int pn_crypt_cost_ok(char const *prefix, unsigned long count)
{
  char s[CRYPT_GENSALT_OUTPUT_SIZE];
  return setting(s, sizeof(s), prefix, count);
}

unsigned long pn_crypt_cost_min(char const *prefix)
{
  struct floor_s const *f = floorof(prefix);
  return f ? f->floor : 0;
}

int pn_crypt_hash(char *dst, size_t max, char const *prefix, unsigned long count, char const *pw)
{
  char s[CRYPT_GENSALT_OUTPUT_SIZE];
  char const *r;
  size_t len;
  int e;
  if (!setting(s, sizeof(s), prefix, count)) return 0;
  e = run(pw, s, &r);
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
