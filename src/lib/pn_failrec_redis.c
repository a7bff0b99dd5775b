/* ISC license: see LICENSE. */

/*
 * The failure record in Redis: one counter per record name (an IPv4
 * address, or an IPv6 /64: pn_failname.c), REDISPREFIX "authfail:" name,
 * counting the failures of a fixed window that starts at the first one:
 * INCR, and EXPIRE NX (the window) in the same MULTI, so that the expiry
 * is set exactly when the count is born, by whichever host counts it,
 * and a crash between the two cannot leave a counter that never expires.
 * The same semantics as the directory (pn_failrec.c), with Redis keeping
 * the time: hosts whose clocks differ still share one window.
 *
 * One connection per process, opened at the first use.  The first error
 * is returned; the record is then off for the rest of the process: a
 * session meets the error once, logs it once, and is not slowed down by
 * a second timeout.
 */

#include <errno.h>

#include "pn_failrec.h"
#include "pn_redis.h"

static pn_redis store = PN_REDIS_ZERO;
static int down = 0;

void pn_failrec_useredis(char const *addr, char const *prefix)
{
  pn_redis_close(&store);
  store.addr = addr;
  store.prefix = prefix ? prefix : PN_REDIS_PREFIX_DEFAULT;
  down = 0;
}

int pn_failrec_inredis(void)
{
  return !!store.addr;
}

static size_t key(char *k, char const *ip)
{
  char name[PN_FAILREC_NAME_MAX];
  size_t len = pn_failrec_name(ip, name);
  if (!len) return (errno = EINVAL, 0);
  return pn_redis_key(k, &store, PN_FAILREC_KIND, name, len, 0);
}

int pn_failrec_redis_blocked(char const *ip, unsigned int max)
{
  char k[PN_REDIS_KEY_MAX];
  uint64_t count;
  int64_t ttl;
  if (down) return 0;
  if (!key(k, ip)) return -1;
  if (!pn_redis_read(&store, k, &count, &ttl)) { down = 1; return -1; }
  return count >= max;
}

int pn_failrec_redis_add(char const *ip, unsigned int window)
{
  char k[PN_REDIS_KEY_MAX];
  uint64_t count;
  if (down) return 1;
  if (!key(k, ip)) return 0;
  if (!pn_redis_incr(&store, k, window, &count)) { down = 1; return 0; }
  return 1;
}
