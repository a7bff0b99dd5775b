/* ISC license: see LICENSE. */

/*
 * pn_qmaildir: the Maildir back-end.  MAIL and RCPT are only noted; the
 * message goes to DIR/tmp from its first byte (Return-Path, Envelope-To,
 * then what every back-end adds) and into DIR/new at the end
 * (pn_maildir: fsync, link, fsync of new/), then 250 with the id.
 */

#include <errno.h>
#include <string.h>

#include "pn_qmaildir.h"
#include "pn_log.h"

#define ENVTO_WIDTH 78            /* Envelope-To is folded before this column */

static int md_put(pn_qmaildir *m, char const *s)
{
  return pn_maildir_put(&m->md, s, strlen(s));
}

/* Return-Path, Envelope-To (folded), then what both back-ends add. */
static int md_prefix(void *ctx, unsigned int found)
{
  pn_qmaildir *m = ctx;
  pn_qtx const *tx = &m->q->tx;
  size_t col = 13;
  size_t i = 0;
  if (!(md_put(m, "Return-Path: <") && md_put(m, tx->mail.addr) && md_put(m, ">\nEnvelope-To: "))) return 0;
  while (i < tx->rcpts.len)
  {
    char const *a = tx->rcpts.s + i;
    size_t n = strlen(a);
    if (i)
    {
      int fold = col + 2 + n + 3 > ENVTO_WIDTH;
      if (!md_put(m, fold ? ",\n\t" : ", ")) return 0;
      col = fold ? 8 : col + 2;
    }
    if (!(md_put(m, "<") && md_put(m, a) && md_put(m, ">"))) return 0;
    col += n + 2;
    i += n + 1;
  }
  return md_put(m, "\n") && pn_q_prefix(m->q, &m->q->sink, found);
}

static void md_mail(pn_q *q)
{
  q->tx.state = PN_TX_MAIL;
  pn_smtp_reply(&q->smtp, PN_R_SENDEROK);
}

static void md_rcpt(pn_q *q, pn_envarg const *a)
{
  if (pn_q_rcpt_add(q, a)) pn_smtp_reply(&q->smtp, PN_R_RCPTOK);
}

/* A Maildir that cannot be written to is found here; the data is then
   read and refused at its end (451), and the session goes on. */
static int md_begin(pn_q *q)
{
  pn_qmaildir *m = q->bectx;
  if (!pn_maildir_open(&m->md, m->dir))
    pn_warn("maildir ", m->dir, ": unable to create in tmp/: ", strerror(errno));
  return 1;
}

static void md_commit(pn_q *q)
{
  pn_qmaildir *m = q->bectx;
  if (!pn_maildir_commit(&m->md))
  {
    pn_warn("maildir ", m->dir, ": delivery failed id=", q->tx.id, ": ", strerror(errno));
    pn_smtp_reply(&q->smtp, PN_R_TEMP);
    return;
  }
  pn_q_accepted(q);
  pn_q_log_done(q, "accepted", " maildir=", m->md.name);
  pn_q_reply_id(q);
}

static void md_abort(pn_q *q)
{
  pn_qmaildir *m = q->bectx;
  pn_maildir_abort(&m->md);
}

static void md_reset(pn_q *q)
{
  (void)q;
}

static void md_stop(pn_q *q, int clean)
{
  pn_qmaildir *m = q->bectx;
  (void)clean;
  if (m->md.fd >= 0) pn_maildir_abort(&m->md);
}

static pn_backend const md_backend =
{
  .mail = &md_mail, .rcpt = &md_rcpt, .begin = &md_begin, .commit = &md_commit,
  .abort = &md_abort, .reset = &md_reset, .stop = &md_stop
};

void pn_qmaildir_init(pn_qmaildir *m, pn_q *q, char const *dir)
{
  m->md.fd = -1;
  m->dir = dir;
  m->q = q;
  q->be = &md_backend;
  q->bectx = m;
  q->sink.put = &pn_maildir_put;
  q->sink.prefix = &md_prefix;
  q->sink.ctx = m;
}
