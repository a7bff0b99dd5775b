/* ISC license: see LICENSE. */

#ifndef PN_QRELAY_H
#define PN_QRELAY_H

#include "pn_queue.h"
#include "pn_relay.h"


/* pn_qrelay: postern-queue's program back-end (sendmail -bs) */

typedef struct pn_qrelay_s pn_qrelay;
struct pn_qrelay_s
{
  pn_relay relay;           /* first: the sink's ctx is also a pn_relay */
  char const *const *prog;
  pn_q *q;
};

/* Makes r the back-end of q, relaying through the program argv. */
extern void pn_qrelay_init(pn_qrelay *, pn_q *, char const *const *);

#endif
