/* ISC license: see LICENSE. */

#ifndef PN_QUEUE_H
#define PN_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/stralloc.h>
#include "pn_addr.h"
#include "pn_body.h"
#include "pn_conf.h"
#include "pn_msg.h"
#include "pn_qlimit.h"
#include "pn_smtp.h"


/* pn_queue: postern-queue's session, its transaction, and the interface
   its delivery back-ends implement (mailfront's back-end plugins are the
   model).  The dialogue and the transaction's rules are postern-queue's;
   what a MAIL, a RCPT, the data and its end mean for the mail is the
   back-end's: pn_qmaildir (-m DIR) or pn_qrelay (a program speaking
   SMTP).  A third one (LMTP, qmail-queue) is one more file that fills a
   pn_backend and sets q->be, q->bectx and q->sink. */

#define PN_Q_HELO_MAX 255         /* the EHLO/HELO argument */

#define PN_TX_NONE 0              /* no transaction */
#define PN_TX_MAIL 1              /* MAIL accepted, RCPTs coming */
#define PN_TX_BDAT 2              /* BDAT chunks under way */
#define PN_TX_BROKEN 3            /* the back-end failed: 451 until the end */
#define PN_TX_FAILED 4            /* a BDAT chunk was refused: so are the rest */

typedef struct pn_qtx_s pn_qtx;
struct pn_qtx_s
{
  int state;                      /* PN_TX_* */
  pn_envarg mail;
  stralloc rcpts;                 /* each recipient NUL-terminated */
  unsigned int nrcpt;
  unsigned int tried;             /* RCPT commands that were refused */
  uint64_t bdatbytes;
  unsigned int failed;            /* PN_TX_FAILED: the reply to the rest */
  char id[PN_ID_MAX];
};

typedef struct pn_q_s pn_q;
typedef struct pn_backend_s pn_backend;

/* Each operation replies to the client itself (pn_smtp_reply on
   q->smtp), except abort and stop. */
struct pn_backend_s
{
  /* MAIL passed postern-queue's checks: open the transaction
     (tx.state = PN_TX_MAIL) or refuse it. */
  void (*mail)(pn_q *);
  /* A recipient passed: take it (pn_q_rcpt_add) or refuse it. */
  void (*rcpt)(pn_q *, pn_envarg const *);
  /* Before the data (tx.id is set): 1, or 0 when the reply is given and
     the transaction is over. */
  int (*begin)(pn_q *);
  /* The data is complete and good: deliver, reply. */
  void (*commit)(pn_q *);
  /* The message under way is dropped (no reply). */
  void (*abort)(pn_q *);
  /* The client's RSET, EHLO or HELO ends an open transaction (no reply). */
  void (*reset)(pn_q *);
  /* The session ends; 1: cleanly (QUIT or EOF), 0: on an error. */
  void (*stop)(pn_q *, int);
};

struct pn_q_s
{
  pn_smtp smtp;
  pn_conf conf;
  pn_backend const *be;
  void *bectx;                    /* the back-end's state */
  pn_sink sink;                   /* the back-end's body sink (ctx: bectx) */
  char const *authuser;           /* SMTPAUTHUSER */
  char const *ip;                 /* TCPREMOTEIP, or "none": for the log */
  char const *senders;            /* SMTPSENDERS */
  int heloed;
  int esmtp;
  pn_qtx tx;
  pn_body body;
  pn_qlimit lim;                  /* sending limits (pn_qlimit) */
  char helo[PN_Q_HELO_MAX + 1];
};

/* pn_qtx.c: what the back-ends share */

/* The transaction is over, whatever its state. */
extern void pn_q_clear(pn_q *);
/* RSET, EHLO, HELO: the back-end forgets its transaction too. */
extern void pn_q_reset(pn_q *);
/* A recipient into the transaction: 1, or 0 after 451. */
extern int pn_q_rcpt_add(pn_q *, pn_envarg const *);
/* The header lines both back-ends add (Received, then Date and
   Message-ID when absent from found), through the sink k. */
extern int pn_q_prefix(pn_q *, pn_sink const *, unsigned int);
/* The log line of a message accepted or refused. */
extern void pn_q_log_done(pn_q const *, char const *, char const *, char const *);
/* The back-end accepted the message (before its log line and reply):
   its counts stay (pn_qlimit). */
extern void pn_q_accepted(pn_q *);
/* The 250 that says a message is delivered, with its id. */
extern void pn_q_reply_id(pn_q *);

#endif
