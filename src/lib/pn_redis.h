/* ISC license: see LICENSE. */

#ifndef PN_REDIS_H
#define PN_REDIS_H

#include <stddef.h>
#include <stdint.h>


/* pn_redis: a thin layer over hiredis for the state several hosts share
   (REDIS, REDISPREFIX): counters that expire, nothing else. */

#define PN_REDIS_TIMEOUT_MS 1000    /* connect, and each read or write of a command */
#define PN_REDIS_ADDR_MAX 255       /* REDIS, bytes */
#define PN_REDIS_PREFIX_MAX 64      /* REDISPREFIX, bytes */
#define PN_REDIS_PREFIX_DEFAULT "postern:"
#define PN_REDIS_KIND_MAX 16        /* a key's kind ("authfail"), bytes */
#define PN_REDIS_ID_MAX 510         /* a key's id as sent, bytes (a 255-byte name in hex) */
#define PN_REDIS_KEY_MAX (PN_REDIS_PREFIX_MAX + PN_REDIS_KIND_MAX + 1 + PN_REDIS_ID_MAX + 1)
#define PN_REDIS_NUM_MAX 20         /* a counter's value, digits: longer is garbage */
#define PN_REDIS_EVAL_MAX 10        /* keys + arguments of a script, and integers it returns */

/* A connection, opened on first use and kept.  Any error closes it; the
   next command opens it again. */
typedef struct pn_redis_s pn_redis;
struct pn_redis_s
{
  char const *addr;         /* REDIS: "host:port", "[v6]:port", or "/socket" */
  char const *prefix;       /* REDISPREFIX */
  unsigned int timeoutms;
  void *ctx;                /* hiredis' redisContext; 0: not connected */
};
#define PN_REDIS_ZERO { .addr = 0, .prefix = PN_REDIS_PREFIX_DEFAULT, .timeoutms = PN_REDIS_TIMEOUT_MS, .ctx = 0 }

/* Every function below returns 1 on success, or 0 with errno: the
   system's for the connection (ECONNREFUSED, ENOENT...), ETIMEDOUT when
   Redis did not answer within timeoutms, EPROTO for an error reply or a
   reply of the wrong shape (wrong type, too long), EINVAL for an address
   or a key that cannot be. */

/* Connects now if not connected (the others do it themselves).  The
   socket is close-on-exec. */
extern int pn_redis_connect(pn_redis *);
extern void pn_redis_close(pn_redis *);

/* The key prefix + kind + ":" + id into k (PN_REDIS_KEY_MAX bytes, NUL
   added).  hex: id (any bytes, at most PN_REDIS_ID_MAX / 2) is written in
   lowercase hex; else id is written as is and must be PN_REDIS_ID_MAX
   bytes at most of [0-9A-Za-z.:_-].  The key's length, 0 (EINVAL) if it
   cannot be made. */
extern size_t pn_redis_key(char *, pn_redis const *, char const *, char const *, size_t, int);

/* Adds 1 to the counter key and, if it has no expiry (a new key: the
   first increment), makes it expire in secs seconds, as one step (MULTI,
   INCR, EXPIRE NX, EXEC).  *count: the value after the increment. */
extern int pn_redis_incr(pn_redis *, char const *, unsigned int, uint64_t *);

/* Reads the counter key: *count its value (0 if absent), *ttl the
   milliseconds it has to live (-2 absent, -1 no expiry). */
extern int pn_redis_read(pn_redis *, char const *, uint64_t *, int64_t *);

/* EVAL script with nkeys keys and nargs integer arguments (together at
   most PN_REDIS_EVAL_MAX); the script must return an array of exactly
   nout integers (at most PN_REDIS_EVAL_MAX), stored in out. */
extern int pn_redis_eval(pn_redis *, char const *, unsigned int, char const *const *, unsigned int, int64_t const *, unsigned int, int64_t *);

#endif
