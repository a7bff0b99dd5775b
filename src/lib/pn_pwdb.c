/* ISC license: see LICENSE. */

/*
 * pn_pwdb: the password database formats.  postern-passwd parses the
 * text source and packs records; postern-checkpw only looks a user up in
 * the cdb and unpacks the record ("don't parse in privileged code").
 */

#include <string.h>

#include "pn_pwdb.h"
#include "pn_limit.h"

static int namechar(unsigned char c)
{
  return c > 0x20 && c != 0x7f && c != ':';
}

static int name_ok(char const *s, size_t len, size_t max)
{
  size_t i;
  if (!len || len > max || s[0] == '#') return 0;
  for (i = 0; i < len; i++) if (!namechar(s[i])) return 0;
  return 1;
}

int pn_pwdb_user_ok(char const *s, size_t len)
{
  return name_ok(s, len, PN_PWDB_USER_MAX);
}

int pn_pwdb_account_ok(char const *s, size_t len)
{
  return !len || name_ok(s, len, PN_PWDB_ACCOUNT_MAX);
}

/* One entry: "user@domain" or "@domain"; the domain part (after the last
   '@') is not empty.  postern-queue does the matching. */
static int sender_ok(char const *s, size_t len)
{
  size_t at = len;
  size_t i;
  for (i = 0; i < len; i++)
  {
    if (!namechar(s[i])) return 0;
    if (s[i] == '@') at = i;
  }
  return at < len && at + 1 < len;
}

int pn_pwdb_senders_ok(char const *s, size_t len)
{
  size_t i = 0;
  if (len > PN_PWDB_SENDERS_MAX) return 0;
  while (i < len)
  {
    size_t j = i;
    if (s[i] == ' ') { i++; continue; }
    while (j < len && s[j] != ' ') j++;
    if (!sender_ok(s + i, j - i)) return 0;
    i = j;
  }
  return 1;
}

int pn_pwdb_limits_ok(char const *s, size_t len)
{
  char buf[PN_PWDB_LIMITS_MAX + 1];
  pn_limits l = PN_LIMITS_ZERO;
  if (!len) return 1;
  if (len > PN_PWDB_LIMITS_MAX || memchr(s, 0, len)) return 0;
  memcpy(buf, s, len);
  buf[len] = 0;
  return pn_limit_scanset(buf, &l);
}

int pn_pwdb_locked(char const *s, size_t len)
{
  return !len || s[0] == '!' || s[0] == '*';
}

/* A crypt(3) hash is printable ASCII without ':' or spaces. */
static int hash_ok(char const *s, size_t len)
{
  size_t i;
  if (len > PN_PWDB_HASH_MAX) return 0;
  for (i = 0; i < len; i++) if (!namechar(s[i]) || (unsigned char)s[i] >= 0x80) return 0;
  return 1;
}

static int blank(char const *s, size_t len)
{
  size_t i;
  if (len && s[0] == '#') return 1;
  for (i = 0; i < len; i++) if (s[i] != ' ' && s[i] != '\t') return 0;
  return 1;
}

/* Cuts the next ':'-separated field off *s.  1 if a ':' ended it. */
static int field(char const **s, size_t *len, char const **f, size_t *flen)
{
  char const *p = memchr(*s, ':', *len);
  size_t n = p ? (size_t)(p - *s) : *len;
  *f = *s;
  *flen = n;
  if (!p) { *s += n; *len = 0; return 0; }
  *s += n + 1;
  *len -= n + 1;
  return 1;
}

int pn_pwdb_parse(char const *s, size_t len, pn_pwent *e, char const **err)
{
  pn_pwent x = PN_PWENT_ZERO;
  if (blank(s, len)) return 0;
  if (len > PN_PWDB_LINE_MAX) return (*err = "line too long", -1);
  if (memchr(s, 0, len)) return (*err = "NUL byte in line", -1);
  if (!field(&s, &len, &x.user, &x.userlen)) return (*err = "no ':' after the user name", -1);
  if (field(&s, &len, &x.hash, &x.hashlen)
   && field(&s, &len, &x.account, &x.accountlen)
   && field(&s, &len, &x.senders, &x.senderslen)
   && field(&s, &len, &x.limits, &x.limitslen))
    return (*err = "too many fields", -1);
  if (!pn_pwdb_user_ok(x.user, x.userlen)) return (*err = "bad user name", -1);
  if (!hash_ok(x.hash, x.hashlen)) return (*err = "bad hash field", -1);
  if (!pn_pwdb_account_ok(x.account, x.accountlen)) return (*err = "bad account field", -1);
  if (!pn_pwdb_senders_ok(x.senders, x.senderslen)) return (*err = "bad senders field", -1);
  if (!pn_pwdb_limits_ok(x.limits, x.limitslen)) return (*err = "bad limits field", -1);
  *e = x;
  return 1;
}

size_t pn_pwdb_pack(char *dst, pn_pwent const *e)
{
  size_t w = 0;
  memcpy(dst + w, e->hash, e->hashlen); w += e->hashlen;
  dst[w++] = 0;
  memcpy(dst + w, e->account, e->accountlen); w += e->accountlen;
  dst[w++] = 0;
  memcpy(dst + w, e->senders, e->senderslen); w += e->senderslen;
  dst[w++] = 0;
  if (e->limitslen)
  {
    memcpy(dst + w, e->limits, e->limitslen); w += e->limitslen;
    dst[w++] = 0;
  }
  return w;
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
