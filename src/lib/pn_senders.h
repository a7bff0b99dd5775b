/* ISC license: see LICENSE. */

#ifndef PN_SENDERS_H
#define PN_SENDERS_H

#include <stddef.h>

#include "pn_pwdb.h"


/* pn_senders: the senders database of system accounts (postern-checkpw
   -s).  Same source format and compiler as the password database
   (postern-passwd make), user:hash:account:senders; the hash field is
   not read (write "*"): the password was checked against the system
   account.  What is used: the account the session runs as, and the
   senders the user may use. */

/* Looks up user (ulen bytes) in the compiled file.  1: found, the
   record in *e (pointing into the file's map, which stays mapped until
   the program exits or execs); 0: not there; -1: error, errno set
   (EPROTO: not a postern database, or corrupt). */
extern int pn_senders_find(char const *, char const *, size_t, pn_pwent *);

#endif
