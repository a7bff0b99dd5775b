/* ISC license: see LICENSE. */

#ifndef PN_LIMITDB_H
#define PN_LIMITDB_H

#include <stddef.h>
#include <stdint.h>
#include "pn_limit.h"


/* pn_limitdb: per-user sending counts in a directory (LIMITDIR) */

#define PN_LIMITDB_USER_MAX 255       /* a user name, bytes */
#define PN_LIMITDB_WAIT_MS 2000       /* how long to wait for a record's lock */
#define PN_LIMITDB_NAME 66            /* a record's file name, NUL included */

typedef struct pn_limitdb_s pn_limitdb;
struct pn_limitdb_s
{
  char const *dir;
  unsigned int waitms;      /* lock wait, milliseconds */
};

/* A user's record: the counts of the current windows and when they end
   (seconds since the epoch; 0: no window yet). */
typedef struct pn_limitst_s pn_limitst;
struct pn_limitst_s
{
  uint64_t mend;
  uint64_t rend;
  uint32_t mcount;
  uint32_t rcount;
};
#define PN_LIMITST_ZERO { .mend = 0, .rend = 0, .mcount = 0, .rcount = 0 }

#define PN_LIMITDB_OK 0
#define PN_LIMITDB_EMSGS 1        /* the messages are spent */
#define PN_LIMITDB_ERCPTS 2       /* the recipients are spent, or would be */

/* Takes msgs messages and rcpts recipients from user's allowance at time
   now (seconds), atomically under the record's lock: concurrent sessions
   of one user never take more than the limits together.  A window starts
   at the first take after the previous one ended and lasts its limit's
   window.  With msgs > 0 and rcpts 0 (MAIL), a user whose recipients are
   spent is refused too (PN_LIMITDB_ERCPTS).  Limits with window 0 are not
   counted.  Returns PN_LIMITDB_OK (taken), PN_LIMITDB_EMSGS or
   PN_LIMITDB_ERCPTS (nothing taken), with *st the record as it is then;
   or -1 with errno: ETIMEDOUT (the lock was not had within waitms),
   EPROTO (a corrupt record), EINVAL (an empty or too long user name), or
   the system's. */
extern int pn_limitdb_take(pn_limitdb const *, char const *, uint64_t, pn_limits const *, unsigned int, unsigned int, pn_limitst *);

/* Gives back what takes took, for a transaction that ended without its
   message being accepted.  taken: the record a take returned; a window
   that has ended since is left alone (its counts are gone anyway).  1, or
   0 with errno. */
extern int pn_limitdb_give(pn_limitdb const *, char const *, unsigned int, unsigned int, pn_limitst const *);

/* When the limit a take refused (PN_LIMITDB_EMSGS or ERCPTS) frees: the
   end of its window; 0 if never (a limit of 0). */
extern uint64_t pn_limitdb_frees(pn_limitst const *, int);

/* Removes the records whose windows have all ended at now, looking at no
   more than max entries; busy records are skipped.  The number removed,
   or -1 with errno. */
extern int pn_limitdb_expire(pn_limitdb const *, uint64_t, unsigned int);

/* The record's file name for user: "u" and the hex SHA-256 of the name,
   so that any byte string names one safe file.  s has PN_LIMITDB_NAME
   bytes. */
extern void pn_limitdb_name(char *, char const *, size_t);

#endif
