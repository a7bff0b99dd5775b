/* ISC license: see LICENSE. */

#ifndef PN_LIMIT_H
#define PN_LIMIT_H

#include <stddef.h>
#include <stdint.h>


/* pn_limit: per-user sending limits, N per WINDOW (MSGLIMIT, RCPTLIMIT,
   SMTPLIMITS), pure parsers */

#define PN_LIMIT_MAX 10000000             /* N, at most */
#define PN_LIMIT_WINDOW_MAX (366 * 86400) /* a window, seconds, at most */
#define PN_LIMIT_SET_MAX 256              /* an SMTPLIMITS value, bytes */
#define PN_LIMIT_FMT 32                   /* room for pn_limit_fmt, NUL included */

/* A limit: at most max per window seconds.  window 0: no limit.  max 0
   with a window: nothing is allowed (an account frozen by its entry). */
typedef struct pn_limit_s pn_limit;
struct pn_limit_s
{
  uint32_t max;
  uint32_t window;
};
#define PN_LIMIT_ZERO { .max = 0, .window = 0 }

typedef struct pn_limits_s pn_limits;
struct pn_limits_s
{
  pn_limit msgs;            /* messages per window */
  pn_limit rcpts;           /* recipients per window */
};
#define PN_LIMITS_ZERO { .msgs = PN_LIMIT_ZERO, .rcpts = PN_LIMIT_ZERO }

/* "N/WINDOW" (MSGLIMIT, RCPTLIMIT): N decimal, 0 to PN_LIMIT_MAX; WINDOW
   a decimal number and a unit, s, m, h or d, 1 s to PN_LIMIT_WINDOW_MAX.
   No blanks.  1, or 0 with errno EINVAL (*l untouched). */
extern int pn_limit_scan(char const *, size_t, pn_limit *);

/* SMTPLIMITS: "msgs=N/WINDOW rcpts=N/WINDOW", either or both, in any
   order, separated by blanks.  Each key given replaces that limit in *l
   (the others stay: MSGLIMIT/RCPTLIMIT defaults).  An empty value, an
   unknown or repeated key, a malformed limit: 0 with errno EINVAL, *l
   untouched.  1 on success. */
extern int pn_limit_scanset(char const *, pn_limits *);

/* "200/1h" (the largest unit that divides the window) into s, NUL
   included, PN_LIMIT_FMT bytes; "none" for no limit.  Returns the length. */
extern size_t pn_limit_fmt(char *, pn_limit const *);

#define PN_LIMIT_REPLY_MAX 128            /* pn_limit_reply's room, NUL included */
#define PN_LIMIT_MSGS 1
#define PN_LIMIT_RCPTS 2

/* The reply to a refusal by a limit, no CRLF: which is PN_LIMIT_MSGS or
   PN_LIMIT_RCPTS, rcpt 1 at RCPT (452 4.5.3), 0 at MAIL (451 4.7.1);
   frees: when it frees (seconds, 0: never), now: the time.  E.g.
   "451 4.7.1 Sending limit reached: 200 messages per 1h; try again in
   754 seconds".  s has PN_LIMIT_REPLY_MAX bytes; returns the length. */
extern size_t pn_limit_reply(char *, int, int, pn_limit const *, uint64_t, uint64_t);

#define PN_MAXMSGS_DEFAULT 100
#define PN_MAXMSGS_MAX 10000
#define PN_LIMIT_EHLO_MAX 64              /* pn_limit_ehlo's room, NUL included */

/* postern-queue's settings for limits and identity (DESIGN.md "Limits
   and identity"), read from the environment once. */
typedef struct pn_limitconf_s pn_limitconf;
struct pn_limitconf_s
{
  char const *dir;          /* LIMITDIR; 0: no per-user limits */
  pn_limits limits;         /* MSGLIMIT, RCPTLIMIT, then SMTPLIMITS key by key */
  unsigned int maxmsgs;     /* MAXMSGS */
  unsigned int receivedprivate : 1;   /* RECEIVEDPRIVATE set */
};

/* Reads LIMITDIR, MSGLIMIT, RCPTLIMIT, SMTPLIMITS, MAXMSGS and
   RECEIVEDPRIVATE.  An empty LIMITDIR, MSGLIMIT or RCPTLIMIT is unset.
   1, or 0 with *bad naming the variable whose value is malformed (a
   configuration error: 421 4.3.0). */
extern int pn_limitconf_read(pn_limitconf *, char const **);

/* The EHLO keyword of RFC 9422: "LIMITS RCPTMAX=n MAILMAX=m" into s
   (PN_LIMIT_EHLO_MAX bytes).  Returns its length. */
extern size_t pn_limit_ehlo(char *, unsigned int, unsigned int);

#endif
