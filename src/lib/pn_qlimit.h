/* ISC license: see LICENSE. */

#ifndef PN_QLIMIT_H
#define PN_QLIMIT_H

#include <stdint.h>
#include "pn_limit.h"
#include "pn_limitdb.h"
#include "pn_conf.h"
#include "pn_redis.h"
#include "pn_smtp.h"


/* pn_qlimit: postern-queue's sending limits at each hook of its
   dialogue (DESIGN.md "Limits and identity"): the per-user counts
   (MSGLIMIT, RCPTLIMIT, SMTPLIMITS) in a store, the cap on messages per
   session (MAXMSGS), the LIMITS keyword of the EHLO reply.  Limits apply
   to SMTPAUTHUSER only; without it (RELAYCLIENT) every hook passes. */

/* Where the counts live, behind one interface: Redis (REDIS,
   pn_limitredis) when it is set, else the directory (LIMITDIR,
   pn_limitdb).  take and give have pn_limitdb_take's and
   pn_limitdb_give's contracts; kind and where name the store in the
   state error line ("dir=DIR", "redis=ADDR"). */
typedef struct pn_lstore_s pn_lstore;
struct pn_lstore_s
{
  int (*take)(void *, char const *, uint64_t, pn_limits const *, unsigned int, unsigned int, pn_limitst *);
  int (*give)(void *, char const *, unsigned int, unsigned int, pn_limitst const *);
  void *ctx;
  char const *kind;         /* "dir" or "redis" */
  char const *where;        /* LIMITDIR or REDIS */
};

typedef struct pn_qlimit_s pn_qlimit;
struct pn_qlimit_s
{
  pn_limitconf conf;
  pn_limitdb db;
  pn_redis redis;
  pn_lstore store;
  char const *user;         /* SMTPAUTHUSER; 0: no limits */
  char const *ip;           /* TCPREMOTEIP, for the log */
  char const *sid;          /* SMTPSESSIONID, for the log; 0 if unset */
  unsigned int accepted;    /* messages accepted in this session */
  unsigned int tmsgs;       /* what the open transaction took */
  unsigned int trcpts;
  pn_limitst taken;         /* the record the last take returned */
  unsigned int counted : 1; /* a store and a limit: counts are kept */
};

/* Reads the settings (pn_limitconf_read), picks the store (c's REDIS,
   else LIMITDIR) and now and then expires old records in LIMITDIR.
   user: SMTPAUTHUSER or 0.  1, or 0 with *bad naming the malformed
   variable.  (The LIMITS keyword of the EHLO reply is pn_conf's, since
   the front lists it too.) */
extern int pn_qlimit_init(pn_qlimit *, pn_conf const *, char const *, char const **);

/* MAIL, first: after MAXMSGS messages accepted in the session, the log
   line, 421 4.7.0 and the session ends (pn_smtp_quit, why "limit"). */
extern void pn_qlimit_session(pn_qlimit *, pn_smtp *);

/* MAIL, when it passed the other checks: takes one message: 1, or 0
   when the reply (451 4.7.1, 451 4.3.0) is given. */
extern int pn_qlimit_mail(pn_qlimit *, pn_smtp *);

/* RCPT: takes one recipient: 1, or 0 when the reply (452 4.5.3,
   451 4.3.0) is given. */
extern int pn_qlimit_rcpt(pn_qlimit *, pn_smtp *);

/* The recipient pn_qlimit_rcpt took was refused after all: back. */
extern void pn_qlimit_unrcpt(pn_qlimit *);

/* The transaction's message was accepted: its counts stay. */
extern void pn_qlimit_accepted(pn_qlimit *);

/* The transaction is over (or the session): what it still holds is
   given back.  Harmless when it holds nothing. */
extern void pn_qlimit_end(pn_qlimit *);

#endif
