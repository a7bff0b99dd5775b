/* ISC license: see LICENSE. */

#ifndef PN_ADDR_H
#define PN_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include "pn_limits.h"


/* pn_addr: MAIL FROM and RCPT TO arguments (RFC 5321 4.1.2, RFC 6531),
   pure functions */

#define PN_PATH_MAX 256           /* a path, brackets included (RFC 5321 4.5.3.1.3) */
#define PN_LOCAL_MAX 64           /* a local part */
#define PN_DOMAIN_MAX 255         /* a domain or address literal */

#define PN_BODY_NONE 0
#define PN_BODY_7BIT 1
#define PN_BODY_8BITMIME 2

/* What pn_addr_mail and pn_addr_rcpt return */
#define PN_ADDR_OK 0
#define PN_ADDR_ESYNTAX 1         /* no FROM:/TO:, or nothing after: 501 5.5.2 */
#define PN_ADDR_EPATH 2           /* bad path: 501 5.1.7 (sender) or 5.1.3 */
#define PN_ADDR_EPARAM 3          /* bad or repeated parameter: 501 5.5.4 */
#define PN_ADDR_EUNKNOWN 4        /* unknown parameter: 555 5.5.4 */
#define PN_ADDR_EUTF8 5           /* non-ASCII path without SMTPUTF8: 553 5.6.7 */

typedef struct pn_envarg_s pn_envarg;
struct pn_envarg_s
{
  char addr[PN_PATH_MAX];   /* the mailbox, no brackets, no source route, NUL-terminated; "" for <> */
  size_t len;
  size_t at;                /* offset of the '@' before the domain; len for <postmaster> */
  uint64_t size;            /* SIZE=, when hassize */
  unsigned int body;        /* PN_BODY_* */
  unsigned int hassize : 1;
  unsigned int smtputf8 : 1;
  unsigned int auth : 1;    /* AUTH= was given (value checked, then dropped) */
  unsigned int utf8 : 1;    /* the path has non-ASCII bytes */
};

/* s: what follows "MAIL" (or "RCPT") on the command line, without CRLF.
   utf8: the transaction's MAIL had SMTPUTF8.  Return PN_ADDR_*. */
extern int pn_addr_mail(char const *, size_t, pn_envarg *);
extern int pn_addr_rcpt(char const *, size_t, int, pn_envarg *);

/* 1 if SMTPSENDERS (space-separated addresses and @domains) allows the
   sender, else 0.  The null sender is always allowed. */
extern int pn_addr_sender_ok(char const *, pn_envarg const *);

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0. */
extern size_t pn_addr_utf8len(char const *, size_t);

#endif
