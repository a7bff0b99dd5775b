/* ISC license: see LICENSE. */

#ifndef PN_LIMITWIN_H
#define PN_LIMITWIN_H

#include <stdint.h>

#include "pn_limit.h"
#include "pn_limitdb.h"


/* pn_limitwin: a take decided on a user's record r at time now (pure).
   A window that has ended gives a fresh count, one longer than its
   limit's window (the limit was lowered) is cut to it; then msgs
   messages and rcpts recipients are counted if they fit.  Returns
   PN_LIMITDB_OK (r counted), PN_LIMITDB_EMSGS or PN_LIMITDB_ERCPTS (r
   only rolled), as pn_limitdb_take. */
extern int pn_limitwin_decide(pn_limitst *r, pn_limits const *l, uint64_t now, unsigned int msgs, unsigned int rcpts);

#endif
