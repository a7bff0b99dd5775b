/* ISC license: see LICENSE. */

/*
 * pn_redis: hiredis, blocking, with every wait bounded: the connect by
 * redisConnect*WithTimeout, each read and write of the socket by
 * redisSetTimeout (SO_RCVTIMEO, SO_SNDTIMEO).  Commands go as argv
 * (binary-safe, no format strings), pipelined where several make one
 * step.  Only commands whose replies are small by construction are sent
 * (integers, a fixed array, GETRANGE of at most PN_REDIS_NUM_MAX + 1
 * bytes, scripts of ours returning a few integers), and every reply's
 * type and size is checked before use.  Any error closes the connection,
 * so that a reply late past a timeout is never read as the answer to the
 * next command.
 */

#include <sys/time.h>
#include <errno.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include <skalibs/djbunix.h>
#include <skalibs/types.h>

#include "pn_redis.h"

static char const hexdigit[16] = "0123456789abcdef";

void pn_redis_close(pn_redis *r)
{
  if (r->ctx) redisFree((redisContext *)r->ctx);
  r->ctx = 0;
}

/* errno for hiredis' error on c; then the connection is closed. */
static int fail(pn_redis *r, int e)
{
  redisContext *c = r->ctx;
  if (c && !e) switch (c->err)
  {
    case REDIS_ERR_IO: e = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS ? ETIMEDOUT : errno ? errno : EIO; break;
    case REDIS_ERR_EOF: e = ECONNRESET; break;
    case REDIS_ERR_PROTOCOL: e = EPROTO; break;
    case REDIS_ERR_OOM: e = ENOMEM; break;
    default: e = EIO; break;
  }
  pn_redis_close(r);
  return (errno = e ? e : EIO, 0);
}

/* "host:port" or "[v6]:port" into host (PN_REDIS_ADDR_MAX + 1 bytes). */
static int splitaddr(char const *s, char *host, uint16_t *port)
{
  char const *colon = strrchr(s, ':');
  size_t hlen;
  size_t n;
  if (!colon || colon == s) return 0;
  n = uint16_scan(colon + 1, port);
  if (!n || colon[1 + n] || !*port) return 0;
  hlen = (size_t)(colon - s);
  if (s[0] == '[')
  {
    if (hlen < 3 || s[hlen - 1] != ']') return 0;
    s++;
    hlen -= 2;
  }
  if (hlen > PN_REDIS_ADDR_MAX) return 0;
  memcpy(host, s, hlen);
  host[hlen] = 0;
  return 1;
}

int pn_redis_connect(pn_redis *r)
{
  char host[PN_REDIS_ADDR_MAX + 1];
  uint16_t port;
  struct timeval tv;
  redisContext *c;
  if (r->ctx) return 1;
  if (!r->addr || !r->prefix) return (errno = EINVAL, 0);
  tv.tv_sec = r->timeoutms / 1000;
  tv.tv_usec = (r->timeoutms % 1000) * 1000;
  errno = 0;
  if (r->addr[0] == '/') c = redisConnectUnixWithTimeout(r->addr, tv);
  else if (!splitaddr(r->addr, host, &port)) return (errno = EINVAL, 0);
  else c = redisConnectWithTimeout(host, port, tv);
  if (!c) return (errno = ENOMEM, 0);
  r->ctx = c;
  if (c->err) return fail(r, c->err == REDIS_ERR_OTHER ? EHOSTUNREACH : 0);
  if (redisSetTimeout(c, tv) != REDIS_OK) return fail(r, 0);
  if (coe(c->fd) < 0) return fail(r, errno);
  return 1;
}

/* Queues one command (argv of NUL-terminated strings). */
static int append(pn_redis *r, unsigned int argc, char const **argv)
{
  size_t len[2 + 2 * PN_REDIS_EVAL_MAX];
  unsigned int i;
  for (i = 0; i < argc; i++) len[i] = strlen(argv[i]);
  if (redisAppendCommandArgv(r->ctx, (int)argc, argv, len) != REDIS_OK) return fail(r, 0);
  return 1;
}

/* The next reply, or 0 with errno (the connection closed). */
static redisReply *next(pn_redis *r)
{
  void *p = 0;
  if (redisGetReply(r->ctx, &p) != REDIS_OK || !p) { fail(r, 0); return 0; }
  return p;
}

/* 1 if x is an integer reply, with its value in *v. */
static int isint(redisReply const *x, int64_t *v)
{
  if (x->type != REDIS_REPLY_INTEGER) return 0;
  *v = (int64_t)x->integer;
  return 1;
}

/* Reads n replies; the last is kept in *last (to be freed), the others
   must be statuses (+OK, +QUEUED). */
static int replies(pn_redis *r, unsigned int n, redisReply **last)
{
  while (n--)
  {
    redisReply *x = next(r);
    if (!x) return 0;
    if (!n) { *last = x; return 1; }
    if (x->type != REDIS_REPLY_STATUS) { freeReplyObject(x); return fail(r, EPROTO); }
    freeReplyObject(x);
  }
  return fail(r, EINVAL);
}

static int idsafe(char const *s, size_t len)
{
  size_t i;
  for (i = 0; i < len; i++)
  {
    unsigned char c = (unsigned char)s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
      || c == '.' || c == ':' || c == '_' || c == '-')) return 0;
  }
  return 1;
}

size_t pn_redis_key(char *k, pn_redis const *r, char const *kind, char const *id, size_t idlen, int hex)
{
  size_t plen = strlen(r->prefix);
  size_t klen = strlen(kind);
  size_t n;
  size_t i;
  if (plen > PN_REDIS_PREFIX_MAX || !klen || klen > PN_REDIS_KIND_MAX || !idlen
    || (hex ? idlen > PN_REDIS_ID_MAX / 2 : idlen > PN_REDIS_ID_MAX || !idsafe(id, idlen)))
    return (errno = EINVAL, 0);
  memcpy(k, r->prefix, plen);
  memcpy(k + plen, kind, klen);
  n = plen + klen;
  k[n++] = ':';
  if (!hex) { memcpy(k + n, id, idlen); n += idlen; }
  else for (i = 0; i < idlen; i++)
  {
    k[n++] = hexdigit[(unsigned char)id[i] >> 4];
    k[n++] = hexdigit[(unsigned char)id[i] & 15];
  }
  k[n] = 0;
  return n;
}

int pn_redis_incr(pn_redis *r, char const *key, unsigned int secs, uint64_t *count)
{
  char num[UINT_FMT];
  char const *multi[1] = { "MULTI" };
  char const *incr[2] = { "INCR", key };
  char const *expire[4] = { "EXPIRE", key, num, "NX" };
  char const *exec[1] = { "EXEC" };
  redisReply *x = 0;
  int64_t v;
  int64_t e;
  num[uint_fmt(num, secs)] = 0;
  if (!secs) return (errno = EINVAL, 0);
  if (!pn_redis_connect(r)) return 0;
  if (!append(r, 1, multi) || !append(r, 2, incr) || !append(r, 4, expire) || !append(r, 1, exec)
    || !replies(r, 4, &x)) return 0;
  if (x->type != REDIS_REPLY_ARRAY || x->elements != 2
    || !isint(x->element[0], &v) || !isint(x->element[1], &e) || v < 1)
  {
    freeReplyObject(x);
    return fail(r, EPROTO);
  }
  freeReplyObject(x);
  *count = (uint64_t)v;
  return 1;
}

int pn_redis_read(pn_redis *r, char const *key, uint64_t *count, int64_t *ttl)
{
  char const *get[4] = { "GETRANGE", key, "0", "20" };   /* PN_REDIS_NUM_MAX + 1 bytes at most */
  char const *pttl[2] = { "PTTL", key };
  redisReply *x;
  size_t n;
  if (!pn_redis_connect(r) || !append(r, 4, get) || !append(r, 2, pttl)) return 0;
  x = next(r);
  if (!x) return 0;
  *count = 0;
  n = x->type == REDIS_REPLY_STRING ? (size_t)x->len : 0;
  if (x->type != REDIS_REPLY_STRING || n > PN_REDIS_NUM_MAX
    || (n && uint64_scan(x->str, count) != n))
  {
    freeReplyObject(x);
    return fail(r, EPROTO);
  }
  freeReplyObject(x);
  x = next(r);
  if (!x) return 0;
  if (!isint(x, ttl)) { freeReplyObject(x); return fail(r, EPROTO); }
  freeReplyObject(x);
  return 1;
}

int pn_redis_eval(pn_redis *r, char const *script, unsigned int nkeys, char const *const *keys, unsigned int nargs, int64_t const *args, unsigned int nout, int64_t *out)
{
  char nums[PN_REDIS_EVAL_MAX][LONG_FMT];
  char nk[UINT_FMT];
  char const *argv[3 + PN_REDIS_EVAL_MAX];
  redisReply *x;
  unsigned int i;
  if (nkeys + nargs > PN_REDIS_EVAL_MAX || nout > PN_REDIS_EVAL_MAX) return (errno = EINVAL, 0);
  nk[uint_fmt(nk, nkeys)] = 0;
  argv[0] = "EVAL";
  argv[1] = script;
  argv[2] = nk;
  for (i = 0; i < nkeys; i++) argv[3 + i] = keys[i];
  for (i = 0; i < nargs; i++)
  {
    nums[i][int64_fmt(nums[i], args[i])] = 0;
    argv[3 + nkeys + i] = nums[i];
  }
  if (!pn_redis_connect(r) || !append(r, 3 + nkeys + nargs, argv)) return 0;
  x = next(r);
  if (!x) return 0;
  if (x->type != REDIS_REPLY_ARRAY || x->elements != nout) { freeReplyObject(x); return fail(r, EPROTO); }
  for (i = 0; i < nout; i++)
    if (!isint(x->element[i], out + i)) { freeReplyObject(x); return fail(r, EPROTO); }
  freeReplyObject(x);
  return 1;
}
