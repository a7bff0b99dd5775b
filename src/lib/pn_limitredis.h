/* ISC license: see LICENSE. */

#ifndef PN_LIMITREDIS_H
#define PN_LIMITREDIS_H

#include <stddef.h>
#include <stdint.h>
#include "pn_limitdb.h"
#include "pn_redis.h"


/* pn_limitredis: per-user sending counts in Redis (REDIS), the same
   semantics as the directory store (LIMITDIR, pn_limitdb): N messages
   and M recipients per fixed window, a window starting at the first
   count after the previous one ended.
   pn_limitdb.h gives the types (pn_limits, pn_limitst) and the results
   (PN_LIMITDB_OK, PN_LIMITDB_EMSGS, PN_LIMITDB_ERCPTS); pn_limitdb_frees
   applies to what a take here returns. */

#define PN_LIMITREDIS_USER_MAX PN_LIMITDB_USER_MAX   /* a user name, bytes */
#define PN_LIMITREDIS_MSGS "msgs"       /* keys: REDISPREFIX "msgs:" hex(user) */
#define PN_LIMITREDIS_RCPTS "rcpts"     /*       REDISPREFIX "rcpts:" hex(user) */

/* pn_limitdb_take's contract, in Redis: takes msgs messages and rcpts
   recipients from user's allowance, as one step (one Lua script: no
   other client's command runs between the check and the count), so
   that sessions on any number of hosts never take more than the limits
   together.  Each limit is a hash (c: the count, e: the window's end,
   now + window at the first count, which also names the window for
   pn_limitredis_give) that Redis expires after the window; a window
   longer than its limit's (the limit was lowered) is cut to it.  With
   msgs > 0 and rcpts 0 (MAIL), a user whose recipients are spent is
   refused too.  Returns PN_LIMITDB_OK (taken), PN_LIMITDB_EMSGS or
   PN_LIMITDB_ERCPTS (nothing taken), *st as the record is then; or -1 with errno (Redis
   unreachable or slow: the caller answers 451 4.3.0, never goes on
   unlimited; EPROTO: a key of another shape; EINVAL: an empty or too
   long user). */
extern int pn_limitredis_take(pn_redis *, char const *, uint64_t, pn_limits const *, unsigned int, unsigned int, pn_limitst *);

/* Gives back what a take took (taken: the record it returned) while its
   window lives: a window that ended, or a new one, is left alone.  1,
   or 0 with errno. */
extern int pn_limitredis_give(pn_redis *, char const *, unsigned int, unsigned int, pn_limitst const *);

#endif
