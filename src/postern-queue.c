/* ISC license: see LICENSE. */

/*
 * postern-queue: the session after AUTH (or, with RELAYCLIENT, a trusted
 * relay of its own): MAIL, RCPT, DATA, BDAT, RSET, NOOP, VRFY, HELP, QUIT.
 * The dialogue is pn_smtp's; the transaction's rules are here; each
 * accepted message goes to a back-end (pn_queue.h): a Maildir (-m DIR,
 * pn_qmaildir) or a program that speaks SMTP on its stdin and stdout
 * (sendmail -bs, pn_qrelay).  250 after the data means durable (Maildir)
 * or accepted by the program, never less.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/sgetopt.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "lib/pn_addr.h"
#include "lib/pn_body.h"
#include "lib/pn_conf.h"
#include "lib/pn_hdrbind.h"
#include "lib/pn_io.h"
#include "lib/pn_limits.h"
#include "lib/pn_log.h"
#include "lib/pn_msg.h"
#include "lib/pn_qmaildir.h"
#include "lib/pn_qrelay.h"
#include "lib/pn_queue.h"
#include "lib/pn_reply.h"
#include "lib/pn_sig.h"
#include "lib/pn_smtp.h"

#define USAGE "postern-queue -m maildir | postern-queue prog [ args... ]"

#define INBUF_SIZE 65536          /* client input: the body path reads it whole */
#define OUTBUF_SIZE 8192          /* replies */

static void dieusage(void) gccattr_noreturn;
static void dieusage(void)
{
  pn_log(PN_LOG_FATAL, "usage: ", USAGE);
  _exit(100);
}

static void reply(pn_q *q, unsigned int id)
{
  pn_smtp_reply(&q->smtp, id);
}

/* The client is gone, or stopped reading or writing in time. */
static void die_io(pn_q *q) gccattr_noreturn;
static void die_io(pn_q *q)
{
  pn_smtp_die_io(&q->smtp, "read");
}


/* Delivery */

/* The log line of a message refused for its content: " reason=WHY"
   (pn_q_log_done adds the user and the client's address). */
static void log_refused(pn_q const *q, char const *reason)
{
  pn_q_log_done(q, "refused", " reason=", reason);
}

/* The data was refused (st: PN_BODY_*, not OK): log, reply. */
static void deliver_refused(pn_q *q, int st)
{
  if (st == PN_BODY_EOVER) { pn_q_log_done(q, "refused", " reason=size", ""); reply(q, PN_R_TOOBIG); }
  else if (st == PN_BODY_EBARE && q->body.data.nul) { log_refused(q, "nul"); reply(q, PN_R_NULDATA); }
  else if (st == PN_BODY_EBARE) { pn_q_log_done(q, "refused", " reason=bare-cr-lf", ""); reply(q, PN_R_BARE); }
  else if (st == PN_BODY_EBIND)
  {
    char const *r = pn_hdrbind_reply(q->body.bind);
    log_refused(q, pn_hdrbind_reason(q->body.bind));
    pn_smtp_line(&q->smtp, 550, r, strlen(r));
  }
  else
  {
    pn_warn("delivery failed id=", q->tx.id, ": ", strerror(q->body.err));
    reply(q, PN_R_TEMP);
  }
}

/* After the data: the reply, and the transaction is over. */
static void deliver_end(pn_q *q)
{
  int st = pn_body_finish(&q->body);
  if (st == PN_BODY_OK) (*q->be->commit)(q);
  else
  {
    (*q->be->abort)(q);
    deliver_refused(q, st);
  }
  pn_q_clear(q);
}

/* Before the data: 1, or 0 when the reply is already given. */
static int deliver_begin(pn_q *q)
{
  pn_msg_id(q->tx.id);
  return (*q->be->begin)(q);
}


/* Commands: each gets what follows the verb (empty, or SP and more) */

static void hello(pn_q *q, char const *s, size_t len, int e)
{
  size_t n = pn_smtp_heloarg(s, len, PN_Q_HELO_MAX);
  if (!n) { reply(q, PN_R_ARGS); return; }
  pn_q_reset(q);
  memcpy(q->helo, s + 1, n);
  q->helo[n] = 0;
  q->heloed = 1;
  q->esmtp = e;
  if (e)
  {
    pn_caps caps = PN_CAPS_ZERO;
    caps.size = q->conf.databytes;
    caps.limits = q->conf.limits;
    pn_smtp_ehlo(&q->smtp, q->conf.hostname, &caps);
  }
  else pn_smtp_helo(&q->smtp, q->conf.hostname);
}

static void do_ehlo(pn_smtp *p, char const *s, size_t len)
{
  hello(p->ctx, s, len, 1);
}

static void do_helo(pn_smtp *p, char const *s, size_t len)
{
  hello(p->ctx, s, len, 0);
}

/* A path or parameter refused by pn_addr: its reply. */
static unsigned int addr_error(int r, unsigned int syntax, unsigned int path)
{
  switch (r)
  {
    case PN_ADDR_OK: return 0;
    case PN_ADDR_ESYNTAX: return syntax;
    case PN_ADDR_EPATH: return path;
    case PN_ADDR_EPARAM: return PN_R_BADPARAM;
    case PN_ADDR_EUNKNOWN: return PN_R_UNKPARAM;
    default: return PN_R_UTF8;
  }
}

static void do_mail(pn_smtp *p, char const *s, size_t len)
{
  pn_q *q = p->ctx;
  pn_qtx *tx = &q->tx;
  unsigned int no;
  if (!q->heloed) { reply(q, PN_R_NOHELO); return; }
  if (tx->state != PN_TX_NONE && tx->state != PN_TX_FAILED) { reply(q, PN_R_NESTED); return; }
  pn_qlimit_session(&q->lim, p);
  no = addr_error(pn_addr_mail(s, len, &tx->mail), PN_R_MAILSYNTAX, PN_R_BADSENDER);
  if (no) { reply(q, no); return; }
  if (tx->mail.hassize && q->conf.databytes && tx->mail.size > q->conf.databytes) { reply(q, PN_R_TOOBIG); return; }
  if (q->senders && !pn_addr_sender_ok(q->senders, &tx->mail))
  {
    char quoted[PN_LOGVAL_SIZE];
    char user[PN_LOGVAL_SIZE];
    pn_log_quote(user, q->authuser ? q->authuser : "", q->authuser ? strlen(q->authuser) : 0);
    pn_info("sender refused from=", pn_log_quote(quoted, tx->mail.addr, tx->mail.len), " user=", user, " ip=", q->ip);
    reply(q, PN_R_SENDER);
    return;
  }
  if (!pn_qlimit_mail(&q->lim, p)) return;
  (*q->be->mail)(q);
  if (tx->state != PN_TX_MAIL) pn_qlimit_end(&q->lim);
}

static void do_rcpt(pn_smtp *p, char const *s, size_t len)
{
  pn_q *q = p->ctx;
  pn_qtx *tx = &q->tx;
  pn_envarg a;
  unsigned int no;
  if (tx->state == PN_TX_NONE || tx->state == PN_TX_FAILED) { reply(q, PN_R_NOMAIL); return; }
  if (tx->state == PN_TX_BDAT) { reply(q, PN_R_INBDAT); return; }
  if (tx->state == PN_TX_BROKEN) { reply(q, PN_R_TEMP); return; }
  if (tx->nrcpt >= q->conf.maxrcpts) { tx->tried++; reply(q, PN_R_TOOMANYRCPT); return; }
  no = addr_error(pn_addr_rcpt(s, len, tx->mail.smtputf8, &a), PN_R_RCPTSYNTAX, PN_R_BADRCPT);
  if (no) { tx->tried++; reply(q, no); return; }
  if (!pn_qlimit_rcpt(&q->lim, p)) { tx->tried++; return; }
  no = tx->nrcpt;
  (*q->be->rcpt)(q, &a);
  if (tx->nrcpt == no) pn_qlimit_unrcpt(&q->lim);
}

/* What DATA and BDAT need first: 0 if the transaction can take data,
   else the reply that says why. */
static unsigned int ready(pn_q const *q)
{
  if (!(q->smtp.state & PN_SMTP_AUTHED)) return PN_R_NEEDAUTH;
  if (q->tx.state == PN_TX_NONE || q->tx.state == PN_TX_FAILED) return PN_R_NOMAIL;
  if (q->tx.state == PN_TX_BROKEN) return PN_R_TEMP;
  if (!q->tx.nrcpt) return q->tx.tried ? PN_R_NOVALID : PN_R_NORCPTYET;
  return 0;
}

static void do_data(pn_smtp *p, char const *s, size_t len)
{
  pn_q *q = p->ctx;
  unsigned int no = ready(q);
  (void)s; (void)len;
  if (!no && q->tx.state == PN_TX_BDAT) no = PN_R_INBDAT;
  if (no)
  {
    if (q->tx.state == PN_TX_BROKEN) pn_q_clear(q);
    reply(q, no);
    return;
  }
  if (!deliver_begin(q)) return;
  reply(q, PN_R_DATA);
  pn_body_start(&q->body, 1, q->conf.databytes, &q->sink);
  pn_body_bind(&q->body, q->senders);
  if (pn_body_data(&q->body, &q->smtp.io) < 0) die_io(q);
  deliver_end(q);
}

/* Reads the chunk and drops it.  why: the reply, 0 if already given.
   fail: the transaction fails (RFC 3030 section 2), and its chunks up to
   LAST get the same reply; LAST ends a failed transaction. */
static void bdat_discard(pn_q *q, uint64_t n, unsigned int why, int fail, int last)
{
  pn_qtx *tx = &q->tx;
  pn_body_start(&q->body, 0, 0, 0);
  if (pn_body_chunk(&q->body, &q->smtp.io, n) < 0) die_io(q);
  if (fail && tx->state != PN_TX_NONE && tx->state != PN_TX_FAILED)
  {
    pn_q_reset(q);
    tx->state = PN_TX_FAILED;
    tx->failed = why ? why : PN_R_TEMP;
  }
  if (last && (tx->state == PN_TX_FAILED || tx->state == PN_TX_BROKEN)) pn_q_reset(q);
  if (why) reply(q, why);
}

static void bdat_ok(pn_q *q, uint64_t n)
{
  char r[64 + UINT64_FMT];
  size_t w = 10;
  memcpy(r, "250 2.0.0 ", 10);
  w += uint64_fmt(r + w, n);
  memcpy(r + w, " octets received", 16);
  pn_smtp_line(&q->smtp, 250, r, w + 16);
}

static void do_bdat(pn_smtp *p, char const *s, size_t len)
{
  pn_q *q = p->ctx;
  pn_qtx *tx = &q->tx;
  uint64_t n;
  int last;
  int junk;
  unsigned int no;
  if (!pn_smtp_bdatarg(s, len, &n, &last, &junk)) pn_smtp_quit(p, PN_R_BDATSIZE, "bdat");
  if (tx->state == PN_TX_FAILED) { bdat_discard(q, n, tx->failed, 0, last); return; }
  no = junk ? PN_R_ARGS : ready(q);
  if (!no && q->conf.databytes && (n > q->conf.databytes || tx->bdatbytes + n > q->conf.databytes))
  {
    no = PN_R_TOOBIG;
    junk = 1;
  }
  if (no) { bdat_discard(q, n, no, junk, last); return; }
  if (tx->state == PN_TX_MAIL)
  {
    if (!deliver_begin(q))
    {
      tx->state = PN_TX_FAILED;
      tx->failed = PN_R_TEMP;
      bdat_discard(q, n, 0, 0, last);
      return;
    }
    pn_body_start(&q->body, 0, q->conf.databytes, &q->sink);
    pn_body_bind(&q->body, q->senders);
    tx->state = PN_TX_BDAT;
  }
  if (pn_body_chunk(&q->body, &q->smtp.io, n) < 0) die_io(q);
  tx->bdatbytes += n;
  if (last) deliver_end(q);
  else bdat_ok(q, n);
}

static void do_rset(pn_smtp *p, char const *s, size_t len)
{
  (void)s; (void)len;
  pn_q_reset(p->ctx);
  pn_smtp_reply(p, PN_R_OK);
}

static void do_auth(pn_smtp *p, char const *s, size_t len)
{
  (void)s; (void)len;
  pn_smtp_reply(p, PN_R_NOAUTH);
}

/* The front does STARTTLS; after AUTH (and in 220 mode) there is none,
   and it is never listed. */
static void do_starttls(pn_smtp *p, char const *s, size_t len)
{
  pn_q *q = p->ctx;
  (void)s; (void)len;
  pn_smtp_reply(p, q->conf.tls ? PN_R_TLSACTIVE : PN_R_NOSTARTTLS);
}

/* The command table, sorted by name.  MAIL, RCPT and DATA need a client
   that may relay (AUTH, or RELAYCLIENT): else 530; BDAT reads its chunk
   first. */
#define AUTHED .need = PN_SMTP_AUTHED, .deny = PN_R_NEEDAUTH
static pn_verb const verbs[] =
{
  { .name = "AUTH", .args = PN_ARGS_ANY, .f = &do_auth },
  { .name = "BDAT", .args = PN_ARGS_RAW, .f = &do_bdat },
  { .name = "DATA", .args = PN_ARGS_NONE, AUTHED, .f = &do_data },
  { .name = "EHLO", .args = PN_ARGS_RAW, .f = &do_ehlo },
  { .name = "HELO", .args = PN_ARGS_RAW, .f = &do_helo },
  { .name = "HELP", .args = PN_ARGS_ANY, .f = &pn_smtp_do_help },
  { .name = "MAIL", .args = PN_ARGS_RAW, AUTHED, .f = &do_mail },
  { .name = "NOOP", .args = PN_ARGS_ANY, .f = &pn_smtp_do_ok },
  { .name = "QUIT", .args = PN_ARGS_NONE, .f = &pn_smtp_do_quit },
  { .name = "RCPT", .args = PN_ARGS_RAW, AUTHED, .f = &do_rcpt },
  { .name = "RSET", .args = PN_ARGS_NONE, .f = &do_rset },
  { .name = "STARTTLS", .args = PN_ARGS_NONE, .f = &do_starttls },
  { .name = "VRFY", .args = PN_ARGS_SOME, .f = &pn_smtp_do_vrfy },
};
#undef AUTHED

/* The dialogue's end hook: a message under way is dropped; the program
   is told QUIT when the client said it (or hung up), else stopped.  The
   session's one end line. */
static void end(pn_smtp *p, char const *why)
{
  pn_q *q = p->ctx;
  char user[PN_LOGVAL_SIZE];
  int e = errno;
  int clean = !strcmp(why, "quit") || !strcmp(why, "eof") || !strcmp(why, "limit");
  if (q->tx.state == PN_TX_BDAT) (*q->be->abort)(q);
  pn_qlimit_end(&q->lim);
  (*q->be->stop)(q, clean);
  stralloc_free(&q->tx.rcpts);
  if ((!strcmp(why, "read") || !strcmp(why, "write")) && e != EPIPE) pn_warn("client I/O error: ", strerror(e));
  pn_log_quote(user, q->authuser ? q->authuser : "", q->authuser ? strlen(q->authuser) : 0);
  pn_info("end reason=", why, " user=", user, " ip=", q->ip);
}


/* Start */

static void start_auth(pn_q *q)
{
  char const *user = getenv("USER");
  char const *x;
  char quoted[PN_LOGVAL_SIZE];
  if (!user || !*user)
  {
    pn_warn("SMTPAUTHUSER set but USER unset: no verifier ran, refusing");
    pn_smtp_quit(&q->smtp, PN_R_NOVERIFIER, "noverifier");
  }
  pn_info("session user=", pn_log_quote(quoted, q->authuser, strlen(q->authuser)));
  x = getenv("SMTPHELO");
  if (x)
  {
    size_t n = strlen(x);
    if (n > PN_Q_HELO_MAX) n = PN_Q_HELO_MAX;
    memcpy(q->helo, x, n);
    q->helo[n] = 0;
  }
  x = getenv("SMTPPROTO");
  q->esmtp = !(x && !strcasecmp(x, "SMTP"));
  q->heloed = 1;
  reply(q, PN_R_AUTHOK);
}

static void setup(pn_q *q, char *line)
{
  q->smtp.verbs = verbs;
  q->smtp.nverbs = sizeof(verbs) / sizeof(verbs[0]);
  q->smtp.line = line;
  q->smtp.linemax = PN_CMDLINE_MAX;
  q->smtp.nbad = 0;
  q->smtp.ncmd = 0;
  q->smtp.cmdmax = 0;
  q->smtp.state = 0;
  q->smtp.nulbad = 0;
  q->smtp.end = &end;
  q->smtp.ctx = q;
  q->authuser = getenv("SMTPAUTHUSER");
  q->ip = getenv("TCPREMOTEIP");
  if (!q->ip || !*q->ip) q->ip = "none";
  q->senders = getenv("SMTPSENDERS");
  q->heloed = 0;
  q->esmtp = 1;
  q->helo[0] = 0;
  q->tx.rcpts = stralloc_zero;
  memset(&q->tx.mail, 0, sizeof(q->tx.mail));
  memset(&q->lim, 0, sizeof(q->lim));
  pn_q_clear(q);
}

static void start(pn_q *q, char *inbuf, char *outbuf)
{
  char const *bad = 0;
  int ok = pn_conf_read(&q->conf, &bad) && pn_qlimit_init(&q->lim, &q->conf, q->authuser, &bad);
  pn_io_init(&q->smtp.io, 0, ok ? q->conf.timeout : PN_TIMEOUT_DEFAULT, inbuf, INBUF_SIZE, outbuf, OUTBUF_SIZE);
  if (!ok)
  {
    pn_log(PN_LOG_FATAL, "bad value for ", bad);
    pn_smtp_quit(&q->smtp, PN_R_CONFIG, "config");
  }
  /* SMTPSESSIONTIMEOUT: the rest of the connection, from here */
  pn_io_session(&q->smtp.io, q->conf.sessiontimeout);
  if (q->authuser || q->conf.relayclient) q->smtp.state |= PN_SMTP_AUTHED;
  if (q->authuser) start_auth(q);
  else pn_smtp_greet(&q->smtp, q->conf.hostname);
}

int main(int argc, char const *const *argv)
{
  char const *maildir = 0;
  pn_q q;
  union { pn_qmaildir m; pn_qrelay r; } be;
  char inbuf[INBUF_SIZE];
  char outbuf[OUTBUF_SIZE];
  char line[PN_CMDLINE_MAX];
  PROG = "postern-queue";
  pn_log_init(PROG);
  {
    subgetopt l = SUBGETOPT_ZERO;
    for (;;)
    {
      int opt = subgetopt_r(argc, argv, "m:", &l);
      if (opt == -1) break;
      switch (opt)
      {
        case 'm': maildir = l.arg; break;
        default: dieusage();
      }
    }
    argc -= l.ind; argv += l.ind;
  }
  if (maildir ? argc > 0 || !*maildir : argc < 1) dieusage();
  if (!fd_sanitize()) _exit(111);
  pn_sig_reset(PN_SIG_PIPE_EPIPE);
  setup(&q, line);
  if (maildir) pn_qmaildir_init(&be.m, &q, maildir);
  else pn_qrelay_init(&be.r, &q, argv);
  start(&q, inbuf, outbuf);
  pn_smtp_loop(&q.smtp);
}
