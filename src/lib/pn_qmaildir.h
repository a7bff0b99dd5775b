/* ISC license: see LICENSE. */

#ifndef PN_QMAILDIR_H
#define PN_QMAILDIR_H

#include "pn_maildir.h"
#include "pn_queue.h"


/* pn_qmaildir: postern-queue's Maildir back-end (-m DIR) */

typedef struct pn_qmaildir_s pn_qmaildir;
struct pn_qmaildir_s
{
  pn_maildir md;            /* first: the sink's ctx is also a pn_maildir */
  char const *dir;
  pn_q *q;
};

/* Makes m the back-end of q, delivering into dir. */
extern void pn_qmaildir_init(pn_qmaildir *, pn_q *, char const *);

#endif
