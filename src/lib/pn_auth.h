/* ISC license: see LICENSE. */

#ifndef PN_AUTH_H
#define PN_AUTH_H

#include <stddef.h>

#include "pn_limits.h"


/* pn_auth: the AUTH PLAIN and LOGIN responses, decoded and checked as
   DESIGN.md's "The front's dialogue" says, to the checkpassword record
   for fd 3 (user\0password\0\0).  Pure: no I/O, no globals, no exit;
   everything is written into buffers the caller owns (and wipes: they
   hold the credentials), nothing is kept. */

/* The size of a decoded AUTH response: a response line is at most
   PN_AUTHLINE_MAX bytes, CRLF included, so its base64 decodes to less. */
#define PN_AUTH_DECODED_MAX (PN_AUTHLINE_MAX / 4 * 3)

/* What an AUTH exchange ends in: PN_AUTH_OK, or the failure, whose reply
   (pn_auth_reply) and log word (pn_auth_why) are fixed. */
enum pn_auth_e
{
  PN_AUTH_OK = 0,
  PN_AUTH_CANCEL,       /* "*": 501 5.7.0 */
  PN_AUTH_BASE64,       /* not canonical base64: 501 5.5.2 */
  PN_AUTH_SYNTAX,       /* decoded, but not the mechanism's form: 501 5.5.2 */
  PN_AUTH_AUTHZID,      /* PLAIN: an authzid other than the authcid: 535 5.7.8 */
  PN_AUTH_TOOLONG,      /* the fd 3 record would pass PN_FD3_MAX: 535 5.7.8 */
  PN_AUTH_N
};

/* The credentials: pointers into the caller's decoded buffer(s). */
typedef struct pn_authcred_s pn_authcred;
struct pn_authcred_s
{
  char const *user;     /* the authcid (PLAIN) or user name (LOGIN) */
  size_t ulen;
  char const *pw;
  size_t pwlen;
};
#define PN_AUTHCRED_ZERO { .user = "", .ulen = 0, .pw = "", .pwlen = 0 }

/* The reply id (pn_reply.h) for a status; PN_R_NONE for PN_AUTH_OK. */
extern unsigned int pn_auth_reply(unsigned int);

/* The word the front logs as reason= for a status ("cancel", "base64",
   "syntax", "authzid", "toolong"; "ok" for PN_AUTH_OK). */
extern char const *pn_auth_why(unsigned int);

/* One client response s (len bytes, CRLF removed): "*" cancels, "=" is
   empty, anything else strict base64, decoded into dst (room for max
   bytes; PN_AUTH_DECODED_MAX is enough for any response line).  Returns
   PN_AUTH_OK with the decoded length in *n, PN_AUTH_CANCEL or
   PN_AUTH_BASE64. */
extern unsigned int pn_auth_response(char *dst, size_t max, size_t *n, char const *s, size_t len);

/* RFC 4616: a decoded PLAIN message [authzid] NUL authcid NUL passwd,
   exactly two NULs, authcid and passwd not empty, authzid empty or equal
   to authcid.  Returns PN_AUTH_OK with c pointing into msg,
   PN_AUTH_SYNTAX, or PN_AUTH_AUTHZID (c->user is then the authcid, for
   the log line). */
extern unsigned int pn_auth_plain_split(char const *msg, size_t len, pn_authcred *c);

/* LOGIN: a decoded user name or password must be non-empty and hold no
   NUL (it would shift the fd 3 fields).  PN_AUTH_OK or PN_AUTH_SYNTAX. */
extern unsigned int pn_auth_login_field(char const *s, size_t len);

/* The fd 3 record user\0password\0\0 into rec (room for PN_FD3_MAX
   bytes): PN_AUTH_OK with its length in *reclen, or PN_AUTH_TOOLONG
   (nothing written). */
extern unsigned int pn_auth_record(char *rec, size_t *reclen, pn_authcred const *c);

/* The whole of PLAIN: a response (base64, "=" or "*") to the record.
   dec (room for max bytes) receives the decoded message, c points into
   it; rec as pn_auth_record.  Returns the first failure, in the order
   the front meets them: cancel, base64, syntax, authzid, toolong. */
extern unsigned int pn_auth_plain(char *rec, size_t *reclen, char *dec, size_t max, pn_authcred *c, char const *s, size_t len);

/* LOGIN, the user name's response (base64, "=" or "*"), decoded into
   dec (room for max bytes): PN_AUTH_OK with c->user pointing to it, or
   the failure (c untouched). */
extern unsigned int pn_auth_login_user(char *dec, size_t max, pn_authcred *c, char const *s, size_t len);

/* LOGIN, the password's response, decoded into dec, then the record
   (rec as pn_auth_record) of c->user, which pn_auth_login_user set.
   PN_AUTH_OK, or the first failure: cancel, base64, syntax, toolong. */
extern unsigned int pn_auth_login_pass(char *rec, size_t *reclen, char *dec, size_t max, pn_authcred *c, char const *s, size_t len);

/* The whole of LOGIN: the two steps above, the user name's response
   (us, ulen) into udec, the password's (ps, plen) into pdec (room for
   max bytes each).  The front sends its 334 between the two. */
extern unsigned int pn_auth_login(char *rec, size_t *reclen, char *udec, char *pdec, size_t max, pn_authcred *c,
  char const *us, size_t ulen, char const *ps, size_t plen);

#endif
