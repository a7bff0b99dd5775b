/* ISC license: see LICENSE. */

/*
 * pn_qtx: postern-queue's transaction, and what its back-ends share: the
 * recipients, the header lines added on top of every message, the log
 * line of a delivery.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "pn_queue.h"
#include "pn_log.h"

void pn_q_clear(pn_q *q)
{
  q->tx.state = PN_TX_NONE;
  q->tx.rcpts.len = 0;
  q->tx.nrcpt = 0;
  q->tx.tried = 0;
  q->tx.bdatbytes = 0;
  q->tx.id[0] = 0;
  pn_qlimit_end(&q->lim);
}

/* BDAT chunks under way are dropped; an open transaction is reset in the
   back-end too. */
void pn_q_reset(pn_q *q)
{
  if (q->tx.state == PN_TX_BDAT) (*q->be->abort)(q);
  else if (q->tx.state == PN_TX_MAIL) (*q->be->reset)(q);
  pn_q_clear(q);
}

int pn_q_rcpt_add(pn_q *q, pn_envarg const *a)
{
  if (!stralloc_catb(&q->tx.rcpts, a->addr, a->len + 1)) { pn_smtp_reply(&q->smtp, PN_R_TEMP); return 0; }
  q->tx.nrcpt++;
  return 1;
}

static int put(pn_sink const *k, char const *s)
{
  return k->put(k->ctx, s, strlen(s));
}

int pn_q_prefix(pn_q *q, pn_sink const *k, unsigned int found)
{
  char rec[PN_RECEIVED_MAX];
  char date[PN_DATE_MAX];
  pn_received r =
  {
    .helo = q->helo, .host = getenv("TCPREMOTEHOST"), .ip = getenv("TCPREMOTEIP"), .by = q->conf.hostname,
    .proto = pn_msg_proto(q->esmtp, q->conf.tls, !!q->authuser, q->tx.mail.smtputf8),
    .id = q->tx.id, .date = date, .priv = q->lim.conf.receivedprivate && q->authuser,
    .tlsproto = getenv("SSL_PROTOCOL"), .tlscipher = getenv("SSL_CIPHER")
  };
  pn_msg_date(date, time(0));
  if (!k->put(k->ctx, rec, pn_msg_received(rec, &r))) return 0;
  if (!(found & PN_HDR_DATE) && !(put(k, "Date: ") && put(k, date) && put(k, "\n"))) return 0;
  if (!(found & PN_HDR_MSGID)
    && !(put(k, "Message-ID: <") && put(k, q->tx.id) && put(k, "@") && put(k, q->conf.hostname) && put(k, ">\n")))
    return 0;
  return 1;
}

void pn_q_log_done(pn_q const *q, char const *what, char const *detail, char const *more)
{
  char size[UINT64_FMT];
  char n[UINT_FMT];
  char user[PN_LOGVAL_SIZE];
  char const *u = q->authuser;
  size[uint64_fmt(size, q->body.data.size)] = 0;
  n[uint_fmt(n, q->tx.nrcpt)] = 0;
  pn_log_quote(user, u ? u : "", u ? strlen(u) : 0);
  pn_info(what, " id=", q->tx.id, " size=", size, " rcpts=", n, " user=", user, detail, more, " ip=", q->ip);
}

void pn_q_accepted(pn_q *q)
{
  pn_qlimit_accepted(&q->lim);
}

void pn_q_reply_id(pn_q *q)
{
  char r[PN_ID_MAX + 32];
  size_t n = strlen(q->tx.id);
  memcpy(r, "250 2.0.0 OK id=", 16);
  memcpy(r + 16, q->tx.id, n);
  pn_smtp_line(&q->smtp, 250, r, 16 + n);
}
