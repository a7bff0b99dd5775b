/* ISC license: see LICENSE. */

#ifndef PN_LOG_H
#define PN_LOG_H

#include <stddef.h>


/* pn_log: one line per event, on stderr or syslog */

#define PN_LOG_INFO 0
#define PN_LOG_WARN 1
#define PN_LOG_FATAL 2

#define PN_LOGVAL_MAX 64                          /* client bytes shown in a value */
#define PN_LOGVAL_SIZE (PN_LOGVAL_MAX * 4 + 8)    /* room for the quoted form */

#define PN_SID_MAX 64                             /* a session id (SMTPSESSIONID) */

/* Picks stderr, or syslog (facility mail) when fd 2 is the client socket.
   Takes the connection's id from SMTPSESSIONID, or makes one and sets
   SMTPSESSIONID for the programs that follow: every line ends with
   " sid=ID". */
extern void pn_log_init(char const *);
/* The id: 1 to PN_SID_MAX of [A-Za-z0-9._-]; 1 if s is one. */
extern int pn_log_sid_ok(char const *);
/* The id of this connection ("" before pn_log_init). */
extern char const *pn_log_sid(void);
extern void pn_logv(int, char const *const *, unsigned int);
#define pn_log(level, ...) do \
{ \
  char const *pn_log_v_[] = { __VA_ARGS__ }; \
  pn_logv((level), pn_log_v_, sizeof(pn_log_v_) / sizeof(char const *)); \
} while (0)
#define pn_info(...) pn_log(PN_LOG_INFO, __VA_ARGS__)
#define pn_warn(...) pn_log(PN_LOG_WARN, __VA_ARGS__)

/* Quotes client bytes for a log line: "..." with \xHH escapes, at most
   PN_LOGVAL_MAX source bytes, then "...".  dst has PN_LOGVAL_SIZE bytes.
   Returns dst. */
extern char *pn_log_quote(char *, char const *, size_t);

#endif
