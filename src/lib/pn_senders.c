/* ISC license: see LICENSE. */

/*
 * pn_senders: a lookup in a compiled postern password database, for
 * postern-checkpw -s: which account the session of a system user runs
 * as and which senders it may use.  Nothing is parsed here: the record
 * is split as pn_pwdb packed it.
 */

#include <errno.h>
#include <string.h>

#include <skalibs/cdb.h>

#include "pn_senders.h"

int pn_senders_find(char const *file, char const *user, size_t ulen, pn_pwent *e)
{
  static cdb db = CDB_ZERO;
  cdb_data d;
  int r;
  if (!db.map && !cdb_init(&db, file)) return -1;
  r = cdb_find(&db, &d, PN_PWDB_MARKER_KEY, sizeof(PN_PWDB_MARKER_KEY) - 1);
  if (r <= 0 || d.len != sizeof(PN_PWDB_MARKER_DATA) - 1 || memcmp(d.s, PN_PWDB_MARKER_DATA, d.len))
    return (errno = EPROTO, -1);
  /* an invalid name is in no database, and must not reach the marker */
  if (!pn_pwdb_user_ok(user, ulen)) return 0;
  r = cdb_find(&db, &d, user, ulen);
  if (r < 0) return (errno = EPROTO, -1);
  if (!r) return 0;
  if (!pn_pwdb_unpack(d.s, d.len, e)) return (errno = EPROTO, -1);
  e->user = user;
  e->userlen = ulen;
  return 1;
}
