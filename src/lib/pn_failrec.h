/* ISC license: see LICENSE. */

#ifndef PN_FAILREC_H
#define PN_FAILREC_H

#include <stddef.h>
#include <stdint.h>


/* pn_failrec: failed AUTHs per client address, across connections */

#define PN_FAILREC_SLOTS 4096   /* files in the directory, at most */

/* 1 if ip has max or more failures in the window that started at its
   first failure, 0 if not, -1 with errno on error. */
extern int pn_failrec_blocked(char const *, char const *, unsigned int, unsigned int, uint64_t);

/* Counts one failure for ip at time now (seconds).  1, or 0 with errno. */
extern int pn_failrec_add(char const *, char const *, unsigned int, uint64_t);

#endif
