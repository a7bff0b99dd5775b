/* ISC license: see LICENSE. */

#ifndef PN_PAMTX_H
#define PN_PAMTX_H

#include "pn_pam.h"


/* pn_pamtx: pn_pam's inside, included by pn_pam.c only.  The
   transaction, as it runs in pn_pam's child: 1 accepted (r->user), 0
   refused (r->why a word), -1 temporary (r->why the step and
   pam_strerror), as pn_pam_check. */
extern int pn_pamtx_run(char const *service, char const *user, char const *pw, char const *rhost, pn_pam *r);

/* r->why = a then b, cut at PN_PAM_WHY_MAX bytes. */
extern void pn_pamtx_why(pn_pam *r, char const *a, char const *b);

#endif
