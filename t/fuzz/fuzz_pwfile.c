/* ISC license: see LICENSE. */

/*
 * fuzz_pwfile: the password file parser (pn_pwfile_parse, line by line
 * as postern-passwd reads a file) and the record format of the compiled
 * database (pn_pwfile_pack, pn_pwdb_unpack).  The input is a password
 * file; each line is copied to an exact-size heap buffer so that ASan
 * sees a read one byte too far.  The whole input is also given to
 * pn_pwdb_unpack as a cdb record, as postern-checkpw would find it in a
 * corrupt database, and to pn_pwfile_parseall as a whole file.
 *
 * Invariants: an accepted entry's fields lie inside its line, in order,
 * and pass the field checks; packed then unpacked, it is the same; a
 * refused line says why; an unpacked record has three NUL-terminated
 * fields within the limits, and packs back to the same bytes; a whole
 * file is accepted exactly when every line is and no user is on two
 * lines, and pn_pwfile_find finds each user on its own line.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pn_pwfile.h"
#include "fuzz.h"

static int within(char const *f, size_t flen, char const *s, size_t len)
{
  return f >= s && f + flen <= s + len;
}

static void entry_check(char const *s, size_t len, pn_pwent const *e)
{
  char data[PN_PWDB_DATA_MAX];
  pn_pwent u;
  size_t n;
  if (!within(e->user, e->userlen, s, len) || !within(e->hash, e->hashlen, s, len)
   || (e->accountlen && !within(e->account, e->accountlen, s, len))
   || (e->senderslen && !within(e->senders, e->senderslen, s, len))
   || (e->limitslen && !within(e->limits, e->limitslen, s, len)))
    fuzz_fail("a field outside its line");
  if (!pn_pwdb_user_ok(e->user, e->userlen)) fuzz_fail("accepted a bad user name");
  if (!pn_pwfile_account_ok(e->account, e->accountlen)) fuzz_fail("accepted a bad account");
  if (!pn_pwfile_senders_ok(e->senders, e->senderslen)) fuzz_fail("accepted a bad senders list");
  if (!pn_pwfile_limits_ok(e->limits, e->limitslen)) fuzz_fail("accepted a bad limits field");
  if (e->hashlen > PN_PWDB_HASH_MAX) fuzz_fail("hash over PN_PWDB_HASH_MAX");
  if (memchr(e->hash, 0, e->hashlen) || memchr(e->account, 0, e->accountlen) || memchr(e->senders, 0, e->senderslen))
    fuzz_fail("a NUL inside a field");
  n = pn_pwfile_pack(data, e);
  if (n != e->hashlen + e->accountlen + e->senderslen + 3 + (e->limitslen ? e->limitslen + 1 : 0)) fuzz_fail("packed length");
  if (!pn_pwdb_unpack(data, n, &u)) fuzz_fail("a packed entry does not unpack");
  if (u.hashlen != e->hashlen || memcmp(u.hash, e->hash, e->hashlen)
   || u.accountlen != e->accountlen || memcmp(u.account, e->account, e->accountlen)
   || u.senderslen != e->senderslen || memcmp(u.senders, e->senders, e->senderslen)
   || u.limitslen != e->limitslen || memcmp(u.limits, e->limits, e->limitslen))
    fuzz_fail("pack then unpack is not the identity");
}

static void lines(char const *s, size_t len)
{
  size_t pos = 0;
  while (pos < len)
  {
    char const *nl = memchr(s + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
    char *line = malloc(n ? n : 1);
    pn_pwent e = PN_PWENT_ZERO;
    char const *err = 0;
    int r;
    if (!line) fuzz_fail("malloc");
    memcpy(line, s + pos, n);
    r = pn_pwfile_parse(line, n, &e, &err);
    if (r < -1 || r > 1) fuzz_fail("pn_pwfile_parse: unknown result");
    if (r < 0 && (!err || !*err)) fuzz_fail("a refused line without a reason");
    if (r > 0) entry_check(line, n, &e);
    free(line);
    pos += n + (nl ? 1 : 0);
  }
}

static void record(char const *s, size_t len)
{
  char *d = malloc(len ? len : 1);
  char back[PN_PWDB_DATA_MAX];
  pn_pwent e = PN_PWENT_ZERO;
  if (!d) fuzz_fail("malloc");
  memcpy(d, s, len);
  if (pn_pwdb_unpack(d, len, &e))
  {
    if (e.hashlen > PN_PWDB_HASH_MAX || e.accountlen > PN_PWDB_ACCOUNT_MAX || e.senderslen > PN_PWDB_SENDERS_MAX
     || e.limitslen > PN_PWDB_LIMITS_MAX)
      fuzz_fail("unpacked fields over their limits");
    if (e.hash[e.hashlen] || e.account[e.accountlen] || e.senders[e.senderslen] || e.limits[e.limitslen])
      fuzz_fail("unpacked fields not NUL-terminated");
    if (strlen(e.hash) != e.hashlen || strlen(e.account) != e.accountlen || strlen(e.senders) != e.senderslen)
      fuzz_fail("a NUL inside an unpacked field");
    if (pn_pwfile_pack(back, &e) != len || memcmp(back, d, len)) fuzz_fail("unpack then pack is not the identity");
    (void)pn_pwdb_locked(e.hash, e.hashlen);
  }
  free(d);
}

static void whole(char const *s, size_t len)
{
  genalloc ents = GENALLOC_ZERO;
  unsigned int lineno = 0;
  unsigned int other = 0;
  char const *err = 0;
  int r = pn_pwfile_parseall(s, len, &ents, &lineno, &err, &other);
  size_t n = genalloc_len(pn_pwline, &ents);
  size_t i;
  if (r < 0) fuzz_fail("pn_pwfile_parseall: out of memory");
  if (!r && (!lineno || (!other && (!err || !*err)) || (other && other >= lineno)))
    fuzz_fail("a refused file without its line, reason or earlier line");
  if (!r && other)
  {
    pn_pwline const *a = 0;
    pn_pwline const *b = 0;
    for (i = 0; i < n; i++)
    {
      pn_pwline const *x = genalloc_s(pn_pwline, &ents) + i;
      if (x->lineno == other) a = x;
      if (x->lineno == lineno) b = x;
    }
    if (!a || !b || a->e.userlen != b->e.userlen || memcmp(a->e.user, b->e.user, a->e.userlen))
      fuzz_fail("a duplicate that is not one");
  }
  for (i = 0; r > 0 && i < n; i++)
  {
    pn_pwline const *x = genalloc_s(pn_pwline, &ents) + i;
    if (x->off + x->len > len || x->e.user != s + x->off) fuzz_fail("a line outside the file");
    if (pn_pwfile_find(&ents, x->e.user, x->e.userlen) != x) fuzz_fail("find does not find a user's own line");
  }
  genalloc_free(pn_pwline, &ents);
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  lines((char const *)data, size);
  record((char const *)data, size);
  whole((char const *)data, size);
  return 0;
}
