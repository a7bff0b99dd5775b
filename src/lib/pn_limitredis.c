/* ISC license: see LICENSE. */

/*
 * pn_limitredis: the sending counts in Redis.  Per user and limit one
 * hash, REDISPREFIX "msgs:" or "rcpts:" and the user name in hex (any
 * byte string gives one key, and an operator can read it back), with
 * c, the count, and e, the window's end in seconds, written once when
 * the window starts: it tells a later give which window it took from.
 * Redis expires the hash after the window (EXPIRE, relative: hosts
 * whose clocks differ a little still see one window of the right
 * length).
 *
 * A take is one Lua script: read both counts, decide, count; Redis runs
 * a script whole, so no take on another host can come between the check
 * and the count (MULTI cannot: it has no condition).  A key of another
 * shape (not a hash, a count that is not a number, no expiry) is an
 * error, never a fresh count, as a corrupt record is in LIMITDIR.
 */

#include <errno.h>
#include <string.h>

#include "pn_limitredis.h"
#include "pn_redis.h"

/* ARGV: mmax mwin rmax rwin msgs rcpts now; returns
   { status, mcount, mend, rcount, rend } */
static char const take_lua[] =
  "local a = {} for i = 1, 7 do a[i] = tonumber(ARGV[i]) end\n"
  "local mmax, mwin, rmax, rwin, msgs, rcpts, now = unpack(a)\n"
  "local function load(k, win)\n"
  "  if win == 0 then return 0, 0 end\n"
  "  local v = redis.call('HMGET', k, 'c', 'e')\n"
  "  if not v[1] and not v[2] then return 0, 0 end\n"
  "  local c, e, t = tonumber(v[1]), tonumber(v[2]), redis.call('PTTL', k)\n"
  "  if not c or not e or t < 0 then return nil end\n"
  "  if t > win * 1000 then\n"
  "    e = now + win\n"
  "    redis.call('HSET', k, 'e', e)\n"
  "    redis.call('PEXPIRE', k, win * 1000)\n"
  "  end\n"
  "  return c, e\n"
  "end\n"
  "local function count(k, win, n, c, e)\n"
  "  if win == 0 or n == 0 then return c, e end\n"
  "  if e == 0 then\n"
  "    e = now + win\n"
  "    redis.call('HSET', k, 'e', e)\n"
  "    redis.call('EXPIRE', k, win)\n"
  "  end\n"
  "  return redis.call('HINCRBY', k, 'c', n), e\n"
  "end\n"
  "local mc, me = load(KEYS[1], mwin)\n"
  "local rc, re = load(KEYS[2], rwin)\n"
  "if not mc or not rc then return redis.error_reply('ERR postern: a count of another shape') end\n"
  "if mwin > 0 and msgs > 0 and mc + msgs > mmax then\n"
  "  if mmax == 0 then me = 0 end\n"
  "  return { 1, mc, me, rc, re }\n"
  "end\n"
  "local need = rcpts\n"
  "if need == 0 then need = 1 end\n"
  "if rwin > 0 and (msgs > 0 or rcpts > 0) and rc + need > rmax then\n"
  "  if rmax == 0 then re = 0 end\n"
  "  return { 2, mc, me, rc, re }\n"
  "end\n"
  "mc, me = count(KEYS[1], mwin, msgs, mc, me)\n"
  "rc, re = count(KEYS[2], rwin, rcpts, rc, re)\n"
  "return { 0, mc, me, rc, re }\n";

/* ARGV: msgs rcpts mend rend */
static char const give_lua[] =
  "local function back(k, n, e)\n"
  "  if n == 0 or e == 0 then return end\n"
  "  local v = redis.call('HMGET', k, 'c', 'e')\n"
  "  local c = tonumber(v[1])\n"
  "  if not c or tonumber(v[2]) ~= e then return end\n"
  "  if n > c then n = c end\n"
  "  if n > 0 then redis.call('HINCRBY', k, 'c', -n) end\n"
  "end\n"
  "back(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[3]))\n"
  "back(KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[4]))\n"
  "return { 1 }\n";

static int keys(pn_redis const *r, char const *user, char *km, char *kr)
{
  size_t len = strlen(user);
  if (!len || len > PN_LIMITREDIS_USER_MAX) return (errno = EINVAL, 0);
  return pn_redis_key(km, r, PN_LIMITREDIS_MSGS, user, len, 1)
    && pn_redis_key(kr, r, PN_LIMITREDIS_RCPTS, user, len, 1);
}

int pn_limitredis_take(pn_redis *r, char const *user, uint64_t now, pn_limits const *l, unsigned int msgs, unsigned int rcpts, pn_limitst *st)
{
  char km[PN_REDIS_KEY_MAX];
  char kr[PN_REDIS_KEY_MAX];
  char const *k[2] = { km, kr };
  int64_t args[7];
  int64_t out[5];
  pn_limitst z = PN_LIMITST_ZERO;
  unsigned int i;
  *st = z;
  if (!keys(r, user, km, kr)) return -1;
  if (!l->msgs.window && !l->rcpts.window) return PN_LIMITDB_OK;
  args[0] = l->msgs.max;
  args[1] = l->msgs.window;
  args[2] = l->rcpts.max;
  args[3] = l->rcpts.window;
  args[4] = msgs;
  args[5] = rcpts;
  args[6] = (int64_t)now;
  if (!pn_redis_eval(r, take_lua, 2, k, 7, args, 5, out)) return -1;
  for (i = 0; i < 5; i++) if (out[i] < 0) return (errno = EPROTO, -1);
  if (out[0] > PN_LIMITDB_ERCPTS || out[1] > UINT32_MAX || out[3] > UINT32_MAX) return (errno = EPROTO, -1);
  st->mcount = (uint32_t)out[1];
  st->mend = (uint64_t)out[2];
  st->rcount = (uint32_t)out[3];
  st->rend = (uint64_t)out[4];
  return (int)out[0];
}

int pn_limitredis_give(pn_redis *r, char const *user, unsigned int msgs, unsigned int rcpts, pn_limitst const *taken)
{
  char km[PN_REDIS_KEY_MAX];
  char kr[PN_REDIS_KEY_MAX];
  char const *k[2] = { km, kr };
  int64_t args[4];
  int64_t out[1];
  if (!keys(r, user, km, kr)) return 0;
  if ((!msgs || !taken->mend) && (!rcpts || !taken->rend)) return 1;
  args[0] = msgs;
  args[1] = rcpts;
  args[2] = (int64_t)taken->mend;
  args[3] = (int64_t)taken->rend;
  return pn_redis_eval(r, give_lua, 2, k, 4, args, 1, out);
}
