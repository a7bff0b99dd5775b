/* ISC license: see LICENSE. */

#ifndef PN_LIMITREDIS_H
#define PN_LIMITREDIS_H

#include <stddef.h>
#include <stdint.h>
#include "pn_redis.h"


/* pn_limitredis: per-user sending counts in Redis (REDIS), the same
   semantics as the directory store (LIMITDIR, pn_limitdb): N messages
   and M recipients per fixed window, a window starting at the first
   count after the previous one ended.

   The types mirror pn_limit.h and pn_limitdb.h field for field (pn_limit,
   pn_limits, pn_limitst, PN_LIMITDB_*), under names of their own until
   those are in the tree: plugging in is replacing pn_rlimit by pn_limit,
   pn_rlimits by pn_limits, pn_rlimitst by pn_limitst. */

#define PN_LIMITREDIS_USER_MAX 255      /* a user name, bytes (PN_LIMITDB_USER_MAX) */
#define PN_LIMITREDIS_MSGS "msgs"       /* keys: REDISPREFIX "msgs:" hex(user) */
#define PN_LIMITREDIS_RCPTS "rcpts"     /*       REDISPREFIX "rcpts:" hex(user) */

typedef struct pn_rlimit_s pn_rlimit;
struct pn_rlimit_s
{
  uint32_t max;             /* 0 with a window: nothing allowed */
  uint32_t window;          /* seconds; 0: no limit */
};

typedef struct pn_rlimits_s pn_rlimits;
struct pn_rlimits_s
{
  pn_rlimit msgs;
  pn_rlimit rcpts;
};

typedef struct pn_rlimitst_s pn_rlimitst;
struct pn_rlimitst_s
{
  uint64_t mend;            /* end of the messages' window (seconds); 0: none */
  uint64_t rend;
  uint32_t mcount;
  uint32_t rcount;
};
#define PN_RLIMITST_ZERO { .mend = 0, .rend = 0, .mcount = 0, .rcount = 0 }

#define PN_LIMITREDIS_OK 0
#define PN_LIMITREDIS_EMSGS 1     /* the messages are spent */
#define PN_LIMITREDIS_ERCPTS 2    /* the recipients are spent, or would be */

/* pn_limitdb_take's contract, in Redis: takes msgs messages and rcpts
   recipients from user's allowance, as one step (one Lua script: no
   other client's command runs between the check and the count), so
   that sessions on any number of hosts never take more than the limits
   together.  Each limit is a hash (c: the count, e: the window's end,
   now + window at the first count, which also names the window for
   pn_limitredis_give) that Redis expires after the window; a window
   longer than its limit's (the limit was lowered) is cut to it.  With
   msgs > 0 and rcpts 0 (MAIL), a user whose recipients are spent is
   refused too.  Returns PN_LIMITREDIS_OK (taken), _EMSGS or _ERCPTS
   (nothing taken), *st as the record is then; or -1 with errno (Redis
   unreachable or slow: the caller answers 451 4.3.0, never goes on
   unlimited; EPROTO: a key of another shape; EINVAL: an empty or too
   long user). */
extern int pn_limitredis_take(pn_redis *, char const *, uint64_t, pn_rlimits const *, unsigned int, unsigned int, pn_rlimitst *);

/* Gives back what a take took (taken: the record it returned) while its
   window lives: a window that ended, or a new one, is left alone.  1,
   or 0 with errno. */
extern int pn_limitredis_give(pn_redis *, char const *, unsigned int, unsigned int, pn_rlimitst const *);

#endif
