/* ISC license: see LICENSE. */

/*
 * pn_pwfile: the password file's text (user:hash[:account[:senders[:
 * limits]]]), parsed and checked field by field, and packed into the
 * cdb record pn_pwdb_unpack reads.  postern-passwd (run by the admin)
 * is the one program that parses it; postern-checkpw does not link
 * this file (t/27 checks its symbols).
 */

#include <stdlib.h>
#include <string.h>

#include "pn_pwfile.h"
#include "pn_limit.h"

/* An account name has a user name's form; empty is "none". */
#if PN_PWDB_ACCOUNT_MAX > PN_PWDB_USER_MAX
#error "an account name is checked as a user name: PN_PWDB_ACCOUNT_MAX must not pass PN_PWDB_USER_MAX"
#endif

int pn_pwfile_account_ok(char const *s, size_t len)
{
  return !len || (len <= PN_PWDB_ACCOUNT_MAX && pn_pwdb_user_ok(s, len));
}

/* One entry: "user@domain" or "@domain"; the domain part (after the last
   '@') is not empty.  postern-queue does the matching. */
static int sender_ok(char const *s, size_t len)
{
  size_t at = len;
  size_t i;
  for (i = 0; i < len; i++)
  {
    if (!pn_pwdb_namechar(s[i])) return 0;
    if (s[i] == '@') at = i;
  }
  return at < len && at + 1 < len;
}

int pn_pwfile_senders_ok(char const *s, size_t len)
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

int pn_pwfile_limits_ok(char const *s, size_t len)
{
  char buf[PN_PWDB_LIMITS_MAX + 1];
  pn_limits l = PN_LIMITS_ZERO;
  if (!len) return 1;
  if (len > PN_PWDB_LIMITS_MAX || memchr(s, 0, len)) return 0;
  memcpy(buf, s, len);
  buf[len] = 0;
  return pn_limit_scanset(buf, &l);
}

/* A crypt(3) hash is printable ASCII without ':' or spaces. */
static int hash_ok(char const *s, size_t len)
{
  size_t i;
  if (len > PN_PWDB_HASH_MAX) return 0;
  for (i = 0; i < len; i++) if (!pn_pwdb_namechar(s[i]) || (unsigned char)s[i] >= 0x80) return 0;
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

int pn_pwfile_parse(char const *s, size_t len, pn_pwent *e, char const **err)
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
  if (!pn_pwfile_account_ok(x.account, x.accountlen)) return (*err = "bad account field", -1);
  if (!pn_pwfile_senders_ok(x.senders, x.senderslen)) return (*err = "bad senders field", -1);
  if (!pn_pwfile_limits_ok(x.limits, x.limitslen)) return (*err = "bad limits field", -1);
  *e = x;
  return 1;
}

static int linecmp(void const *a, void const *b)
{
  pn_pwline const *x = *(pn_pwline const *const *)a;
  pn_pwline const *y = *(pn_pwline const *const *)b;
  size_t n = x->e.userlen < y->e.userlen ? x->e.userlen : y->e.userlen;
  int r = memcmp(x->e.user, y->e.user, n);
  if (r) return r;
  return x->e.userlen < y->e.userlen ? -1 : x->e.userlen > y->e.userlen;
}

/* A user on two lines: 0 and the two line numbers; else 1; -1 ENOMEM. */
static int nodups(genalloc const *ents, unsigned int *lineno, unsigned int *other)
{
  size_t n = genalloc_len(pn_pwline, ents);
  pn_pwline const **v;
  size_t i;
  int ok = 1;
  if (n < 2) return 1;
  v = malloc(n * sizeof(pn_pwline const *));
  if (!v) return -1;
  for (i = 0; i < n; i++) v[i] = genalloc_s(pn_pwline, ents) + i;
  qsort(v, n, sizeof(pn_pwline const *), &linecmp);
  for (i = 1; ok && i < n; i++) if (!linecmp(&v[i-1], &v[i]))
  {
    pn_pwline const *later = v[i]->lineno > v[i-1]->lineno ? v[i] : v[i-1];
    *lineno = later->lineno;
    *other = (later == v[i] ? v[i-1] : v[i])->lineno;
    ok = 0;
  }
  free(v);
  return ok;
}

int pn_pwfile_parseall(char const *s, size_t len, genalloc *ents, unsigned int *lineno, char const **err, unsigned int *other)
{
  size_t pos = 0;
  unsigned int n = 0;
  genalloc_setlen(pn_pwline, ents, 0);
  *other = 0;
  while (pos < len)
  {
    char const *nl = memchr(s + pos, '\n', len - pos);
    size_t k = nl ? (size_t)(nl - (s + pos)) : len - pos;
    pn_pwline x = { .e = PN_PWENT_ZERO, .off = pos, .len = k, .lineno = ++n };
    int r = pn_pwfile_parse(s + pos, k, &x.e, err);
    if (r < 0) return (*lineno = n, 0);
    if (r && !genalloc_append(pn_pwline, ents, &x)) return -1;
    pos += k + (nl ? 1 : 0);
  }
  return nodups(ents, lineno, other);
}

pn_pwline const *pn_pwfile_find(genalloc const *ents, char const *user, size_t len)
{
  size_t n = genalloc_len(pn_pwline, ents);
  size_t i;
  for (i = 0; i < n; i++)
  {
    pn_pwline const *x = genalloc_s(pn_pwline, ents) + i;
    if (x->e.userlen == len && !memcmp(x->e.user, user, len)) return x;
  }
  return 0;
}

size_t pn_pwfile_pack(char *dst, pn_pwent const *e)
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
