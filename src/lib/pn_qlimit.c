/* ISC license: see LICENSE. */

/*
 * pn_qlimit: the sending limits at postern-queue's hooks.  MAIL takes one
 * message from the user's allowance and each RCPT one recipient, at once
 * and under the store's lock, so that concurrent sessions never pass a
 * limit together; a transaction that ends without its message accepted
 * gives back what it took.  Every refusal is one log line in the fixed
 * form conf/fail2ban/filter.d/postern-limit.conf reads.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <skalibs/random.h>
#include <skalibs/types.h>

#include "pn_qlimit.h"
#include "pn_limitredis.h"
#include "pn_log.h"
#include "pn_reply.h"

#define EXPIRE_ONE_IN 64          /* sessions that expire old records */
#define EXPIRE_MAX 256            /* entries looked at */

static int dir_take(void *ctx, char const *u, uint64_t now, pn_limits const *l, unsigned int m, unsigned int r, pn_limitst *st)
{
  return pn_limitdb_take(ctx, u, now, l, m, r, st);
}

static int dir_give(void *ctx, char const *u, unsigned int m, unsigned int r, pn_limitst const *st)
{
  return pn_limitdb_give(ctx, u, m, r, st);
}

static int redis_take(void *ctx, char const *u, uint64_t now, pn_limits const *l, unsigned int m, unsigned int r, pn_limitst *st)
{
  return pn_limitredis_take(ctx, u, now, l, m, r, st);
}

static int redis_give(void *ctx, char const *u, unsigned int m, unsigned int r, pn_limitst const *st)
{
  return pn_limitredis_give(ctx, u, m, r, st);
}

/* The store: Redis when REDIS is set, else the directory. */
static void store_pick(pn_qlimit *ql, pn_conf const *c)
{
  pn_redis z = PN_REDIS_ZERO;
  ql->redis = z;
  if (c->redis)
  {
    ql->redis.addr = c->redis;
    ql->redis.prefix = c->redisprefix;
    ql->store.take = &redis_take;
    ql->store.give = &redis_give;
    ql->store.ctx = &ql->redis;
    ql->store.kind = "redis";
    ql->store.where = c->redis;
    return;
  }
  ql->store.take = &dir_take;
  ql->store.give = &dir_give;
  ql->store.ctx = &ql->db;
  ql->store.kind = "dir";
  ql->store.where = ql->conf.dir;
}

int pn_qlimit_init(pn_qlimit *ql, pn_conf const *c, char const *user, char const **bad)
{
  pn_limitst z = PN_LIMITST_ZERO;
  if (!pn_limitconf_read(&ql->conf, bad)) return 0;
  ql->user = user && *user ? user : 0;
  ql->ip = getenv("TCPREMOTEIP");
  ql->sid = getenv("SMTPSESSIONID");
  ql->accepted = ql->tmsgs = ql->trcpts = 0;
  ql->taken = z;
  ql->db.dir = ql->conf.dir;
  ql->db.waitms = PN_LIMITDB_WAIT_MS;
  store_pick(ql, c);
  ql->counted = ql->user && ql->store.where && (ql->conf.limits.msgs.window || ql->conf.limits.rcpts.window);
  if (!c->redis && ql->conf.dir && !random_uint32(EXPIRE_ONE_IN))
    pn_limitdb_expire(&ql->db, (uint64_t)time(0), EXPIRE_MAX);
  return 1;
}

/* "limit refused user=... limit=WHICH max=MAX ip=IP[ frees=T][ sid=ID]" */
static void log_refused(pn_qlimit const *ql, char const *which, char const *max, char const *frees)
{
  char user[PN_LOGVAL_SIZE];
  char const *ip = ql->ip ? ql->ip : "";
  char const *u = ql->user ? ql->user : "";
  pn_log_quote(user, u, strlen(u));
  pn_info("limit refused user=", user, " limit=", which, " max=", max, " ip=", ip,
    frees ? " frees=" : "", frees ? frees : "", ql->sid ? " sid=" : "", ql->sid ? ql->sid : "");
}

/* "limit state error user=... ip=IP dir=DIR: error" */
static void log_state(pn_qlimit const *ql, int e)
{
  char user[PN_LOGVAL_SIZE];
  pn_log_quote(user, ql->user, strlen(ql->user));
  pn_warn("limit state error user=", user, " ip=", ql->ip ? ql->ip : "", " ",
    ql->store.kind, "=", ql->store.where, ": ", strerror(e));
}

/* A take refused (r: PN_LIMITDB_EMSGS or ERCPTS): the log line and the
   reply, 451 4.7.1 at MAIL, 452 4.5.3 at RCPT. */
static void refused(pn_qlimit const *ql, pn_smtp *s, int r, pn_limitst const *st, uint64_t now, int rcpt)
{
  int which = r == PN_LIMITDB_EMSGS ? PN_LIMIT_MSGS : PN_LIMIT_RCPTS;
  pn_limit const *l = which == PN_LIMIT_MSGS ? &ql->conf.limits.msgs : &ql->conf.limits.rcpts;
  uint64_t frees = pn_limitdb_frees(st, r);
  char max[PN_LIMIT_FMT];
  char f[UINT64_FMT];
  char rep[PN_LIMIT_REPLY_MAX];
  size_t n;
  pn_limit_fmt(max, l);
  f[uint64_fmt(f, frees)] = 0;
  log_refused(ql, which == PN_LIMIT_MSGS ? "msgs" : "rcpts", max, f);
  n = pn_limit_reply(rep, which, rcpt, l, frees, now);
  pn_smtp_line(s, rcpt ? 452 : 451, rep, n);
}

/* Takes m messages and r recipients: 1, or 0 after the reply. */
static int take(pn_qlimit *ql, pn_smtp *s, unsigned int m, unsigned int r)
{
  pn_limitst st;
  uint64_t now = (uint64_t)time(0);
  int x = (*ql->store.take)(ql->store.ctx, ql->user, now, &ql->conf.limits, m, r, &st);
  if (x < 0) { log_state(ql, errno); pn_smtp_reply(s, PN_R_LIMITSTATE); return 0; }
  if (x != PN_LIMITDB_OK) { refused(ql, s, x, &st, now, !m); return 0; }
  ql->taken = st;
  ql->tmsgs += m;
  ql->trcpts += r;
  return 1;
}

void pn_qlimit_session(pn_qlimit *ql, pn_smtp *s)
{
  char max[UINT_FMT];
  if (!ql->user || ql->accepted < ql->conf.maxmsgs) return;
  max[uint_fmt(max, ql->conf.maxmsgs)] = 0;
  log_refused(ql, "session", max, 0);
  pn_smtp_quit(s, PN_R_MAXMSGS, "limit");
}

int pn_qlimit_mail(pn_qlimit *ql, pn_smtp *s)
{
  if (!ql->counted) return 1;
  return take(ql, s, 1, 0);
}

int pn_qlimit_rcpt(pn_qlimit *ql, pn_smtp *s)
{
  if (!ql->counted) return 1;
  return take(ql, s, 0, 1);
}

static void give(pn_qlimit *ql, unsigned int m, unsigned int r)
{
  if ((m || r) && !(*ql->store.give)(ql->store.ctx, ql->user, m, r, &ql->taken)) log_state(ql, errno);
}

void pn_qlimit_unrcpt(pn_qlimit *ql)
{
  if (!ql->counted || !ql->trcpts) return;
  give(ql, 0, 1);
  ql->trcpts--;
}

void pn_qlimit_accepted(pn_qlimit *ql)
{
  ql->accepted++;
  ql->tmsgs = ql->trcpts = 0;
}

void pn_qlimit_end(pn_qlimit *ql)
{
  if (ql->counted) give(ql, ql->tmsgs, ql->trcpts);
  ql->tmsgs = ql->trcpts = 0;
}
