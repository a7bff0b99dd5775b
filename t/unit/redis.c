/* ISC license: see LICENSE. */

/*
 * Unit tests of pn_redis and of the sending counts in Redis
 * (pn_limitredis), against the redis-server at $PN_T_REDIS (host:port),
 * printing TAP: key names, INCR with EXPIRE on the first INCR only,
 * bounded and checked replies, an unreachable and a silent server; the
 * limits' boundary, give, window expiry (as Redis reports it), lowered
 * limits, corrupt keys, and 20 processes racing for one allowance.  Run
 * by t/19-redis-units.t, which starts the server.
 */

#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/pn_redis.h"
#include "lib/pn_limitredis.h"
#include "tap.h"

#define RACERS 20
#define RACE_TRIES 10
#define RACE_MAX 50

static char prefix[64];
static char const *addr;

static void store(pn_redis *r)
{
  pn_redis z = PN_REDIS_ZERO;
  *r = z;
  r->addr = addr;
  r->prefix = prefix;
}

/* A script's one integer: v, or -1000 on error. */
static int64_t one(pn_redis *r, char const *script, char const *key)
{
  char const *k[1] = { key };
  int64_t v;
  if (!pn_redis_eval(r, script, 1, k, 0, 0, 1, &v)) return -1000;
  return v;
}

static void test_keys(pn_redis *r)
{
  char k[PN_REDIS_KEY_MAX];
  char id[300];
  size_t len = pn_redis_key(k, r, "authfail", "2001:db8::_64", 13, 0);
  result(len && !strcmp(k + strlen(prefix), "authfail:2001:db8::_64"), "key: prefix, kind, ':', the name");
  len = pn_redis_key(k, r, "msgs", "a\xff:*", 4, 1);
  result(len && !strcmp(k + strlen(prefix), "msgs:61ff3a2a"), "key: any bytes in hex");
  result(!pn_redis_key(k, r, "authfail", "a b", 3, 0) && errno == EINVAL, "key: unsafe bytes refused unless in hex");
  memset(id, 'x', sizeof(id));
  result(!pn_redis_key(k, r, "msgs", id, 256, 1) && errno == EINVAL, "key: a 256-byte id in hex is too long");
  result(pn_redis_key(k, r, "msgs", id, 255, 1) == strlen(prefix) + 5 + 510, "key: a 255-byte id in hex fits");
}

static void test_counters(pn_redis *r)
{
  char k[PN_REDIS_KEY_MAX];
  uint64_t c = 0;
  int64_t ttl = 0;
  pn_redis_key(k, r, "authfail", "192.0.2.1", 9, 0);
  result(pn_redis_read(r, k, &c, &ttl) && c == 0 && ttl == -2, "read: an absent counter is 0, ttl -2");
  result(pn_redis_incr(r, k, 100, &c) && c == 1, "incr: the first is 1");
  result(pn_redis_read(r, k, &c, &ttl) && c == 1 && ttl > 0 && ttl <= 100000, "... and sets the expiry to the window");
  result(pn_redis_incr(r, k, 5000, &c) && c == 2, "incr: the second is 2");
  result(pn_redis_read(r, k, &c, &ttl) && c == 2 && ttl > 0 && ttl <= 100000, "... and leaves the expiry alone (EXPIRE NX)");
  result(one(r, "redis.call('SET', KEYS[1], '7') return { 1 }", k) == 1
    && pn_redis_incr(r, k, 60, &c) && c == 8 && pn_redis_read(r, k, &c, &ttl) && ttl > 0 && ttl <= 60000,
    "incr: a counter without expiry gets one");
  result(one(r, "redis.call('SET', KEYS[1], 'seven') return { 1 }", k) == 1
    && !pn_redis_read(r, k, &c, &ttl) && errno == EPROTO, "read: a value that is not a number is EPROTO");
  result(!pn_redis_incr(r, k, 60, &c) && errno == EPROTO, "incr: on a value that is not a number, EPROTO");
  result(one(r, "redis.call('SET', KEYS[1], string.rep('9', 1000000)) return { 1 }", k) == 1
    && !pn_redis_read(r, k, &c, &ttl) && errno == EPROTO, "read: a 1 MB value is not read whole: EPROTO");
  result(one(r, "redis.call('DEL', KEYS[1]) redis.call('HSET', KEYS[1], 'a', 1) return { 1 }", k) == 1
    && !pn_redis_incr(r, k, 60, &c) && errno == EPROTO, "incr: a key of another type is EPROTO");
  result(one(r, "return { 1 }", k) == 1, "the connection is usable after errors");
  result(one(r, "return 'x'", k) == -1000 && errno == EPROTO, "eval: a reply of the wrong shape is EPROTO");
}

static void test_down(void)
{
  pn_redis r = PN_REDIS_ZERO;
  uint64_t c;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa;
  socklen_t sl = sizeof(sa);
  char a[32];
  r.addr = "127.0.0.1:1";
  result(!pn_redis_incr(&r, "k", 60, &c) && errno == ECONNREFUSED, "unreachable: ECONNREFUSED");
  r.addr = "no-port";
  result(!pn_redis_incr(&r, "k", 60, &c) && errno == EINVAL, "an address without a port: EINVAL");
  r.addr = "/nonexistent/redis.sock";
  result(!pn_redis_incr(&r, "k", 60, &c) && errno == ENOENT, "a missing unix socket: ENOENT");
  /* a server that accepts (the kernel does, from its backlog) and never answers */
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 8) < 0
    || getsockname(s, (struct sockaddr *)&sa, &sl) < 0) { result(0, "a silent server"); return; }
  memcpy(a, "127.0.0.1:", 10);
  a[10 + uint_fmt(a + 10, ntohs(sa.sin_port))] = 0;
  r.addr = a;
  r.timeoutms = 200;
  result(!pn_redis_incr(&r, "k", 60, &c) && errno == ETIMEDOUT && !r.ctx, "a silent server: ETIMEDOUT, the connection closed");
  close(s);
}

static int take(pn_redis *r, char const *user, uint32_t mmax, uint32_t mwin, uint32_t rmax, uint32_t rwin, unsigned int msgs, unsigned int rcpts, pn_limitst *st)
{
  pn_limits l = { .msgs = { .max = mmax, .window = mwin }, .rcpts = { .max = rmax, .window = rwin } };
  return pn_limitredis_take(r, user, (uint64_t)time(0), &l, msgs, rcpts, st);
}

static int64_t pttl(pn_redis *r, char const *kind, char const *user)
{
  char k[PN_REDIS_KEY_MAX];
  pn_redis_key(k, r, kind, user, strlen(user), 1);
  return one(r, "return { redis.call('PTTL', KEYS[1]) }", k);
}

static void test_limits(pn_redis *r)
{
  pn_limitst st;
  pn_limitst t;
  uint64_t now = (uint64_t)time(0);
  int i;
  for (i = 0; i < 3; i++) if (take(r, "alice", 3, 600, 0, 0, 1, 0, &st) != PN_LIMITDB_OK) break;
  result(i == 3 && st.mcount == 3, "msgs 3/600: three messages taken");
  result(st.mend >= now + 600 && st.mend <= now + 602, "... the window ends 600 s after the first");
  result(take(r, "alice", 3, 600, 0, 0, 1, 0, &st) == PN_LIMITDB_EMSGS && st.mcount == 3, "the fourth is refused, nothing taken");
  result(pttl(r, "msgs", "alice") > 0 && pttl(r, "msgs", "alice") <= 600000, "the key expires with the window");
  result(take(r, "bob", 3, 600, 5, 600, 0, 3, &st) == PN_LIMITDB_OK && st.rcount == 3, "rcpts 5/600: three recipients");
  result(take(r, "bob", 3, 600, 5, 600, 0, 3, &t) == PN_LIMITDB_ERCPTS && t.rcount == 3, "three more would pass: refused");
  result(take(r, "bob", 3, 600, 5, 600, 0, 2, &t) == PN_LIMITDB_OK && t.rcount == 5, "two fit exactly");
  result(take(r, "bob", 3, 600, 5, 600, 1, 0, &t) == PN_LIMITDB_ERCPTS && t.mcount == 0, "MAIL with the recipients spent: refused");
  result(pn_limitredis_give(r, "bob", 0, 2, &t) && take(r, "bob", 3, 600, 5, 600, 0, 2, &t) == PN_LIMITDB_OK, "give: two back, two taken again");
  st.rend += 1;
  result(pn_limitredis_give(r, "bob", 0, 5, &st) && take(r, "bob", 3, 600, 5, 600, 0, 1, &t) == PN_LIMITDB_ERCPTS, "give for another window: nothing back");
  result(take(r, "bob", 3, 60, 5, 600, 1, 0, &t) == PN_LIMITDB_ERCPTS && pttl(r, "msgs", "bob") == -2, "nothing counted when refused");
  result(take(r, "carol", 3, 3600, 0, 0, 1, 0, &t) == PN_LIMITDB_OK && take(r, "carol", 3, 60, 0, 0, 1, 0, &t) == PN_LIMITDB_OK
    && pttl(r, "msgs", "carol") <= 60000 && t.mend <= (uint64_t)time(0) + 60 && t.mcount == 2, "a lowered limit cuts the window");
  result(take(r, "dave", 0, 60, 0, 0, 1, 0, &t) == PN_LIMITDB_EMSGS && t.mend == 0, "max 0: refused, never frees");
  result(take(r, "erin", 0, 0, 0, 0, 5, 5, &t) == PN_LIMITDB_OK && pttl(r, "msgs", "erin") == -2, "no limits: nothing counted");
  result(take(r, "", 3, 60, 0, 0, 1, 0, &t) == -1 && errno == EINVAL, "an empty user: EINVAL");
  result(take(r, "f\xff:*\n", 1, 60, 0, 0, 1, 0, &t) == PN_LIMITDB_OK && pttl(r, "msgs", "f\xff:*\n") > 0, "a user of any bytes has its own key");
  {
    char k[PN_REDIS_KEY_MAX];
    pn_redis_key(k, r, "msgs", "gina", 4, 1);
    one(r, "redis.call('SET', KEYS[1], '1') return { 1 }", k);
    result(take(r, "gina", 3, 60, 0, 0, 1, 0, &t) == -1 && errno == EPROTO, "a key of another shape: an error, not a fresh count");
  }
}

static void test_expiry(pn_redis *r)
{
  pn_limitst t;
  int64_t ttl;
  int i;
  result(take(r, "hal", 1, 1, 0, 0, 1, 0, &t) == PN_LIMITDB_OK && take(r, "hal", 1, 1, 0, 0, 1, 0, &t) == PN_LIMITDB_EMSGS,
    "msgs 1/1s: one, then refused");
  ttl = pttl(r, "msgs", "hal");
  result(ttl > 0 && ttl <= 1000, "Redis holds the window for at most 1 s");
  for (i = 0; i < 50 && pttl(r, "msgs", "hal") != -2; i++)
  {
    struct timespec ts = { .tv_sec = 0, .tv_nsec = 100000000 };
    nanosleep(&ts, 0);
  }
  result(take(r, "hal", 1, 1, 0, 0, 1, 0, &t) == PN_LIMITDB_OK && t.mcount == 1, "once Redis expired it, a fresh window");
}

static void test_race(void)
{
  pid_t pids[RACERS];
  unsigned int total = 0;
  int errors = 0;
  int i;
  for (i = 0; i < RACERS; i++)
  {
    pids[i] = fork();
    if (pids[i] < 0) { result(0, "fork"); return; }
    if (!pids[i])
    {
      pn_redis r;
      pn_limitst t;
      int j;
      int got = 0;
      store(&r);
      for (j = 0; j < RACE_TRIES; j++)
      {
        int x = take(&r, "racer", RACE_MAX, 600, 0, 0, 1, 0, &t);
        if (x < 0) _exit(100);
        if (x == PN_LIMITDB_OK) got++;
      }
      _exit(got);
    }
  }
  for (i = 0; i < RACERS; i++)
  {
    int st;
    if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) > RACE_TRIES) errors++;
    else total += WEXITSTATUS(st);
  }
  result(!errors && total == RACE_MAX, "20 processes, 200 tries at 50/600s: exactly 50 taken");
}

int main(void)
{
  pn_redis r;
  pn_limitst t;
  addr = getenv("PN_T_REDIS");
  if (!addr) { put("1..0 # skip PN_T_REDIS not set\n"); return 0; }
  memcpy(prefix, "t:", 2);
  prefix[2 + uint_fmt(prefix + 2, (unsigned int)getpid())] = ':';
  store(&r);
  test_keys(&r);
  test_counters(&r);
  test_down();
  test_limits(&r);
  test_expiry(&r);
  test_race();
  r.addr = "127.0.0.1:1";
  pn_redis_close(&r);
  result(take(&r, "alice", 3, 600, 0, 0, 1, 0, &t) == -1 && errno == ECONNREFUSED, "limits with Redis unreachable: an error, never unlimited");
  plan();
  return failed ? 1 : 0;
}
