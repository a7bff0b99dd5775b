/* ISC license: see LICENSE. */

#ifndef PN_PAM_H
#define PN_PAM_H

#include <stddef.h>


/* pn_pam: a user and password checked through PAM (postern-checkpw -p).
   Only postern-checkpw links it, and with it -lpam. */

#define PN_PAM_USER_MAX 255      /* the user PAM settled on (PAM_USER) */
#define PN_PAM_WHY_MAX 255       /* a refusal's reason, a failure's cause */

typedef struct pn_pam_s pn_pam;
struct pn_pam_s
{
  char user[PN_PAM_USER_MAX + 1];   /* accepted: PAM_USER at the end */
  char why[PN_PAM_WHY_MAX + 1];     /* refused: a word; temporary: the cause */
};
#define PN_PAM_ZERO { .user = "", .why = "" }

/* Runs pam_authenticate, then pam_acct_mgmt, for user and password pw
   through the PAM service, with PAM_RHOST set to rhost (unless 0 or
   empty).  The transaction runs in a child process, killed with
   everything it started when it has not answered within timeout
   seconds.  Returns 1 accepted (r->user), 0 refused (r->why: password,
   unknown, maxtries, insufficient, expired, mustchange or denied), -1
   a temporary failure of the service, a module or the system (r->why
   says which). */
extern int pn_pam_check(char const *service, char const *user, char const *pw, char const *rhost, unsigned int timeout, pn_pam *r);

#endif
