/* ISC license: see LICENSE. */

#ifndef PN_TLSKEYS_H
#define PN_TLSKEYS_H

#include <tls.h>


/* pn_tlskeys: postern-tls's server context: the protocols and ciphers
   it allows, and its key pairs (several: libtls picks one by the
   client's SNI).  Only postern-tls includes this header and links
   libtls.  The functions log nothing: the status says what failed, and
   where libtls's text about it is. */

#define PN_TLSKEYS_OK 0
#define PN_TLSKEYS_INIT 1         /* libtls could not make a context */
#define PN_TLSKEYS_PROTOCOLS 2    /* a protocol list libtls cannot parse */
#define PN_TLSKEYS_CIPHERS 3      /* protocols or ciphers refused: tls_config_error(*cfg) */
#define PN_TLSKEYS_READ 4         /* pair *bad unreadable: tls_config_error(cfg) */
#define PN_TLSKEYS_USE 5          /* pair *bad refused: tls_error(*srv) */

/* A new configuration in *cfg with the protocols (libtls's syntax; 0:
   TLSv1.2 and TLSv1.3) and the ciphers (0: "secure").  A PN_TLSKEYS_*
   status; *cfg stays set after PN_TLSKEYS_CIPHERS, for its error. */
extern int pn_tlskeys_config(struct tls_config **, char const *, char const *);

/* The n key pairs (cert[i] with key[i]) read into cfg, and a server
   context configured with it into *srv.  The configuration's copies of
   the keys are wiped on every path; cfg is freed on success only (its
   error may be wanted).  A PN_TLSKEYS_* status; after PN_TLSKEYS_READ
   and PN_TLSKEYS_USE, *bad is the pair at fault (with several pairs,
   each is tried alone to find which one libtls refused). */
extern int pn_tlskeys_server(struct tls **, struct tls_config *, char const *const *, char const *const *, unsigned int, unsigned int *);

#endif
