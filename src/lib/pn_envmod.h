/* ISC license: see LICENSE. */

#ifndef PN_ENVMOD_H
#define PN_ENVMOD_H

#include <stddef.h>


/* pn_envmod: the environment the front hands down the chain, as a
   skalibs modification string ("VAR=val\0VAR2\0": a bare name unsets),
   bounded, for env_mergen when the verifier starts.  Used by
   postern-smtpd only. */

#define PN_ENVMOD_MAX 2048          /* the string, every NUL included */

typedef struct pn_envmod_s pn_envmod;
struct pn_envmod_s
{
  size_t len;                       /* bytes used in s */
  size_t n;                         /* variables in s */
  char s[PN_ENVMOD_MAX];
};
#define PN_ENVMOD_ZERO { .len = 0, .n = 0 }

/* Adds key=val (vallen bytes), or, with val 0, the bare key that unsets
   it.  1, or 0 when it does not fit (nothing added). */
extern int pn_envmod_set(pn_envmod *, char const *, char const *, size_t);

/* The same with a string val (or 0). */
extern int pn_envmod_sets(pn_envmod *, char const *, char const *);

/* Where the client is.  TCPREMOTEIP as the launcher set it, cut to
   PN_IP_MAX - 1 bytes, goes into ip (PN_IP_MAX); when it is unset or
   empty, the socket on fd 0 says, and TCPREMOTEIP and TCPREMOTEPORT are
   set for the chain as tcpserver would; when fd 0 is not an IP socket,
   ip is "none" and *havepeer 0 (else 1).  TCPLOCALIP and TCPLOCALPORT
   likewise, when the launcher did not set TCPLOCALIP.  1, or 0 (the
   socket could not be read: errno; or no room). */
extern int pn_envmod_peer(pn_envmod *, char *, int *);

#endif
