/* ISC license: see LICENSE. */

/*
 * pn_qrelay: the program back-end.  The program is started at the first
 * MAIL of a session (and again after it failed); each command postern-
 * queue accepted is relayed and the program's reply passed back; a
 * program that dies or answers garbage gets 451 at the step where it
 * shows, and is stopped.
 */

#include <errno.h>
#include <string.h>

#include <skalibs/types.h>

#include "pn_qrelay.h"
#include "pn_log.h"

/* A reply of the program, passed back (see pn_relay_fmtline). */
static void rl_pass(pn_q *q, pn_reply const *rep, char const *ecode)
{
  char l[PN_RELAY_FMT_MAX + 1];
  unsigned int i;
  for (i = 0; i < rep->nlines; i++)
  {
    size_t n = pn_relay_fmtline(l, rep, i, ecode);
    if (i + 1 < rep->nlines) pn_smtp_cont(&q->smtp, l, n);
    else pn_smtp_line(&q->smtp, rep->code, l, n);
  }
}

static void rl_broken(pn_qrelay *r, char const *step)
{
  pn_warn("program failed at ", step, ": ", errno == EPROTO ? "bad reply" : strerror(errno));
  pn_relay_stop(&r->relay, 0);
}

static int rl_ensure(pn_qrelay *r)
{
  if (r->relay.pid) return 1;
  if (pn_relay_start(&r->relay, r->prog, r->q->conf.hostname, r->q->conf.timeout)) return 1;
  pn_warn("unable to start ", r->prog[0], ": ", errno == EPROTO ? "bad greeting" : strerror(errno));
  return 0;
}

/* One command to the program; its reply is checked to be one of those
   the step allows (ok: the 2xx or 3xx expected), a 421 is a failure. */
static int rl_step(pn_qrelay *r, char const *cmd, size_t len, unsigned int ok, pn_reply *rep, char const *name)
{
  if (!pn_relay_cmd(&r->relay, cmd, len, rep)) { rl_broken(r, name); return 0; }
  if (rep->code == 421 || (rep->code / 100 != 4 && rep->code / 100 != 5 && rep->code / 100 != ok / 100))
  {
    errno = EPROTO;
    rl_broken(r, name);
    return 0;
  }
  return 1;
}

/* MAIL FROM to the program, with the parameters it offers. */
static size_t rl_mailcmd(pn_qrelay const *r, pn_envarg const *m, char *cmd)
{
  size_t w = 11;
  memcpy(cmd, "MAIL FROM:<", 11);
  memcpy(cmd + w, m->addr, m->len); w += m->len;
  cmd[w++] = '>';
  if (m->hassize && r->relay.size)
  {
    memcpy(cmd + w, " SIZE=", 6); w += 6;
    w += uint64_fmt(cmd + w, m->size);
  }
  if (m->body && r->relay.eightbit)
  {
    char const *b = m->body == PN_BODY_8BITMIME ? " BODY=8BITMIME" : " BODY=7BIT";
    memcpy(cmd + w, b, strlen(b)); w += strlen(b);
  }
  if (m->smtputf8) { memcpy(cmd + w, " SMTPUTF8", 9); w += 9; }
  return w;
}

static void rl_mail(pn_q *q)
{
  pn_qrelay *r = q->bectx;
  char cmd[PN_PATH_MAX + 64];
  pn_reply rep;
  if (!rl_ensure(r)) { pn_smtp_reply(&q->smtp, PN_R_TEMP); return; }
  if (q->tx.mail.smtputf8 && !r->relay.smtputf8) { pn_smtp_reply(&q->smtp, PN_R_NOUTF8); return; }
  if (!rl_step(r, cmd, rl_mailcmd(r, &q->tx.mail, cmd), 250, &rep, "MAIL")) { pn_smtp_reply(&q->smtp, PN_R_TEMP); return; }
  if (rep.code / 100 == 2) q->tx.state = PN_TX_MAIL;
  rl_pass(q, &rep, "2.1.0");
}

static void rl_rcpt(pn_q *q, pn_envarg const *a)
{
  pn_qrelay *r = q->bectx;
  char cmd[PN_PATH_MAX + 16];
  pn_reply rep;
  memcpy(cmd, "RCPT TO:<", 9);
  memcpy(cmd + 9, a->addr, a->len);
  cmd[9 + a->len] = '>';
  if (!rl_step(r, cmd, a->len + 10, 250, &rep, "RCPT"))
  {
    q->tx.state = PN_TX_BROKEN;
    pn_smtp_reply(&q->smtp, PN_R_TEMP);
    return;
  }
  if (rep.code / 100 != 2) q->tx.tried++;
  else if (!pn_q_rcpt_add(q, a)) return;
  rl_pass(q, &rep, "2.1.5");
}

static int rl_begin(pn_q *q)
{
  pn_qrelay *r = q->bectx;
  pn_reply rep;
  if (!r->relay.pid || !rl_step(r, "DATA", 4, 354, &rep, "DATA"))
  {
    pn_smtp_reply(&q->smtp, PN_R_TEMP);
    pn_q_clear(q);
    return 0;
  }
  if (rep.code / 100 == 3 && rep.code != 354)
  {
    errno = EPROTO;
    rl_broken(r, "DATA");
    pn_smtp_reply(&q->smtp, PN_R_TEMP);
    pn_q_clear(q);
    return 0;
  }
  /* refused: the program's transaction (RSET) ends with ours */
  if (rep.code != 354) { rl_pass(q, &rep, "2.0.0"); pn_q_reset(q); return 0; }
  return 1;
}

static void rl_commit(pn_q *q)
{
  pn_qrelay *r = q->bectx;
  pn_reply rep;
  char quoted[PN_LOGVAL_SIZE];
  int ok = pn_relay_enddata(&r->relay, &rep);
  if (!ok || rep.code == 421 || rep.code / 100 == 3)
  {
    /* a reply, but not one that ends the data */
    if (ok) errno = EPROTO;
    rl_broken(r, "end of data");
    pn_smtp_reply(&q->smtp, PN_R_TEMP);
    return;
  }
  pn_log_quote(quoted, rep.text, strlen(rep.text));
  if (rep.code / 100 == 2) pn_q_accepted(q);
  pn_q_log_done(q, rep.code / 100 == 2 ? "accepted" : "refused", " program reply=", quoted);
  rl_pass(q, &rep, "2.0.0");
}

/* The program, in its DATA, cannot be told to drop the message: stop it */
static void rl_abort(pn_q *q)
{
  pn_qrelay *r = q->bectx;
  if (r->relay.pid) pn_relay_stop(&r->relay, 0);
}

static void rl_reset(pn_q *q)
{
  pn_qrelay *r = q->bectx;
  pn_reply rep;
  if (!r->relay.pid) return;
  if (rl_step(r, "RSET", 4, 250, &rep, "RSET") && rep.code != 250)
  {
    errno = EPROTO;
    rl_broken(r, "RSET");
  }
}

static void rl_stop(pn_q *q, int clean)
{
  pn_qrelay *r = q->bectx;
  if (r->relay.pid) pn_relay_stop(&r->relay, clean);
}

static pn_backend const rl_backend =
{
  .mail = &rl_mail, .rcpt = &rl_rcpt, .begin = &rl_begin, .commit = &rl_commit,
  .abort = &rl_abort, .reset = &rl_reset, .stop = &rl_stop
};

static int rl_prefix(void *ctx, unsigned int found)
{
  pn_qrelay *r = ctx;
  return pn_q_prefix(r->q, &r->q->sink, found);
}

void pn_qrelay_init(pn_qrelay *r, pn_q *q, char const *const *prog)
{
  r->relay.pid = 0;
  r->prog = prog;
  r->q = q;
  q->be = &rl_backend;
  q->bectx = r;
  q->sink.put = &pn_relay_put;
  q->sink.prefix = &rl_prefix;
  q->sink.ctx = r;
}
