/* ISC license: see LICENSE. */

#ifndef PN_FAILREC_H
#define PN_FAILREC_H

#include <stddef.h>
#include <stdint.h>


/* pn_failrec: failed AUTHs per client address, across connections */

#define PN_FAILREC_NAME_MAX 48      /* a record's name, NUL included */
#define PN_FAILREC_LOCKWAIT 5       /* seconds, at most, waiting for the directory's lock */
#define PN_FAILREC_EVICTMAX 256     /* records dropped by one scan at the cap, at most */
#define PN_FAILREC_SCANMAX 4194304  /* directory entries read by one scan, at most */

/* pn_failname: the records' names */

/* The name of ip's record (pure): an IPv4 address as is, in its
   canonical dotted form; an IPv4-mapped IPv6 address as its IPv4
   address; any other IPv6 address as its /64 prefix in RFC 5952 form
   followed by "_64" (2001:db8:1:2::_64); an IPv6 zone (%eth0) is
   ignored.  name has PN_FAILREC_NAME_MAX bytes.  Returns the name's
   length, or 0 if ip is not an address. */
extern size_t pn_failrec_name(char const *, char *);

/* 1 if s is a record's name, as pn_failrec_name makes them, else 0. */
extern int pn_failrec_isname(char const *);

/* pn_failrec: the records */

/* 1 if ip's record has max or more failures in the window that started
   at its first failure, 0 if not, -1 with errno on error (EINVAL: ip is
   not an address).  Takes no lock. */
extern int pn_failrec_blocked(char const *, char const *, unsigned int, unsigned int, uint64_t);

/* pn_failrec_add(dir, ip, window, records, now): counts one failure for
   ip at time now (seconds).  A new record at the cap of records first
   makes room: expired records are removed, then the oldest (earliest
   window start) are dropped, so that records / 64 new ones fit (at least
   1, at most PN_FAILREC_EVICTMAX).  1, or 0 with errno (ENOLCK: the
   directory's lock was held for PN_FAILREC_LOCKWAIT seconds). */
extern int pn_failrec_add(char const *, char const *, unsigned int, unsigned int, uint64_t);

/* pn_failrec_redis: the record in Redis (REDIS) instead of a directory */

#define PN_FAILREC_KIND "authfail"  /* keys: REDISPREFIX "authfail:" name */

/* pn_failrec_useredis(addr, prefix): from now on pn_failrec_blocked and
   pn_failrec_add keep the record in Redis at addr (REDIS), one counter
   per name under prefix (REDISPREFIX; 0: the default), made by INCR and
   EXPIRE (the window) on the first INCR as one step.  Their first
   argument then only names the record in messages; now and records are
   unused (Redis keeps the time and expires the counters).  The first
   error (unreachable, slower than PN_REDIS_TIMEOUT_MS, a bad reply) is
   returned as usual; after it the record is skipped for the rest of the
   process (blocked: 0, add: 1, no errno), so that a session logs one
   line and goes on.  addr 0: the directory again. */
extern void pn_failrec_useredis(char const *, char const *);

/* Used by pn_failrec.c: 1 after pn_failrec_useredis with an address. */
extern int pn_failrec_inredis(void);
extern int pn_failrec_redis_blocked(char const *, unsigned int);
extern int pn_failrec_redis_add(char const *, unsigned int);

#endif
