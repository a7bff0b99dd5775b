/* ISC license: see LICENSE. */

/*
 * postern-queue: the session after AUTH (or, with RELAYCLIENT, a trusted
 * relay of its own): MAIL, RCPT, DATA, BDAT, RSET, NOOP, VRFY, HELP, QUIT.
 * Each accepted message goes into a Maildir (-m DIR) or through a program
 * that speaks SMTP on its stdin and stdout (sendmail -bs).  250 after the
 * data means durable (Maildir) or accepted by the program, never less.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/sgetopt.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/types.h>

#include "lib/pn_addr.h"
#include "lib/pn_body.h"
#include "lib/pn_conf.h"
#include "lib/pn_data.h"
#include "lib/pn_io.h"
#include "lib/pn_limits.h"
#include "lib/pn_log.h"
#include "lib/pn_maildir.h"
#include "lib/pn_msg.h"
#include "lib/pn_relay.h"
#include "lib/pn_reply.h"
#include "lib/pn_smtp.h"

#define USAGE "postern-queue -m maildir | postern-queue prog [ args... ]"
#define PROG "postern-queue"

#define INBUF_SIZE 65536          /* client input: the body path reads it whole */
#define OUTBUF_SIZE 8192          /* replies */
#define HELO_MAX 255              /* the EHLO/HELO argument */
#define ENVTO_WIDTH 78            /* Envelope-To is folded before this column */

#define TX_NONE 0                 /* no transaction */
#define TX_MAIL 1                 /* MAIL accepted, RCPTs coming */
#define TX_BDAT 2                 /* BDAT chunks under way */
#define TX_BROKEN 3               /* the program died: 451 until the end */
#define TX_FAILED 4               /* a BDAT chunk was refused: so are the rest */

typedef struct tx_s tx_t;
struct tx_s
{
  int state;
  pn_envarg mail;
  stralloc rcpts;                 /* each recipient NUL-terminated */
  unsigned int nrcpt;
  unsigned int tried;             /* RCPT commands that were refused */
  uint64_t bdatbytes;
  unsigned int failed;            /* TX_FAILED: the reply to the rest */
  char id[PN_ID_MAX];
};

static pn_conf conf;
static pn_smtp S;
static char inbuf[INBUF_SIZE];
static char outbuf[OUTBUF_SIZE];
static char line[PN_CMDLINE_MAX];
static char const *maildir = 0;
static char const *const *prog = 0;
static char const *authuser = 0;
static char const *senders = 0;
static char helo[HELO_MAX + 1];
static int heloed = 0;
static int esmtp = 1;
static tx_t tx = { .state = TX_NONE, .rcpts = STRALLOC_ZERO };
static pn_relay relay;
static pn_maildir md;
static pn_body body;

static int prefix_maildir(void *, unsigned int);
static int prefix_relay(void *, unsigned int);
static pn_sink const sink_maildir = { .put = &pn_maildir_put, .prefix = &prefix_maildir, .ctx = &md };
static pn_sink const sink_relay = { .put = &pn_relay_put, .prefix = &prefix_relay, .ctx = &relay };

static void dieusage(void) gccattr_noreturn;
static void dieusage(void)
{
  pn_log(PN_LOG_FATAL, "usage: ", USAGE);
  _exit(100);
}


/* Replies */

static void reply(unsigned int id)
{
  pn_smtp_reply(&S, id);
}

static void die_io(void) gccattr_noreturn;
static void die_io(void)
{
  pn_smtp_die_io(&S, "read");
}

/* A reply of the program, passed back (see pn_relay_fmtline). */
static void relay_reply(pn_reply const *rep, char const *ecode)
{
  char l[PN_RELAY_FMT_MAX + 1];
  unsigned int i;
  for (i = 0; i < rep->nlines; i++)
  {
    size_t n = pn_relay_fmtline(l, rep, i, ecode);
    if (i + 1 < rep->nlines) pn_smtp_cont(&S, l, n);
    else pn_smtp_line(&S, rep->code, l, n);
  }
}


/* The program (relay mode) */

static void relay_broken(char const *step)
{
  pn_warn("program failed at ", step, ": ", errno == EPROTO ? "bad reply" : strerror(errno));
  pn_relay_stop(&relay, 0);
}

static int relay_ensure(void)
{
  if (relay.pid) return 1;
  if (pn_relay_start(&relay, prog, conf.hostname, conf.timeout)) return 1;
  pn_warn("unable to start ", prog[0], ": ", errno == EPROTO ? "bad greeting" : strerror(errno));
  return 0;
}

/* One command to the program; its reply is checked to be one of those
   the step allows (ok: the 2xx or 3xx expected), a 421 is a failure. */
static int relay_step(char const *cmd, size_t len, unsigned int ok, pn_reply *rep, char const *step)
{
  if (!pn_relay_cmd(&relay, cmd, len, rep)) { relay_broken(step); return 0; }
  if (rep->code == 421 || (rep->code / 100 != 4 && rep->code / 100 != 5 && rep->code / 100 != ok / 100))
  {
    errno = EPROTO;
    relay_broken(step);
    return 0;
  }
  return 1;
}


/* The transaction */

static void tx_clear(void)
{
  tx.state = TX_NONE;
  tx.rcpts.len = 0;
  tx.nrcpt = 0;
  tx.tried = 0;
  tx.bdatbytes = 0;
  tx.id[0] = 0;
}

static void deliver_abort(void);

/* RSET, EHLO, HELO: the program forgets its transaction too; BDAT chunks
   under way are dropped (the program, in its DATA, is stopped). */
static void tx_reset(void)
{
  if (tx.state == TX_BDAT) deliver_abort();
  else if (relay.pid && tx.state == TX_MAIL)
  {
    pn_reply rep;
    if (relay_step("RSET", 4, 250, &rep, "RSET") && rep.code != 250)
    {
      errno = EPROTO;
      relay_broken("RSET");
    }
  }
  tx_clear();
}

static int relay_ok(void)
{
  return authuser || conf.relayclient;
}

/* Return-Path, Envelope-To (folded), then what both back-ends add. */
static int put(pn_sink const *k, char const *s)
{
  return k->put(k->ctx, s, strlen(s));
}

static int prefix_common(pn_sink const *k, unsigned int found)
{
  char rec[PN_RECEIVED_MAX];
  char date[PN_DATE_MAX];
  char const *host = getenv("TCPREMOTEHOST");
  pn_received r =
  {
    .helo = helo, .host = host, .ip = getenv("TCPREMOTEIP"), .by = conf.hostname,
    .proto = pn_msg_proto(esmtp, conf.tls, !!authuser, tx.mail.smtputf8),
    .id = tx.id, .date = date
  };
  pn_msg_date(date, time(0));
  if (!k->put(k->ctx, rec, pn_msg_received(rec, &r))) return 0;
  if (!(found & PN_HDR_DATE) && !(put(k, "Date: ") && put(k, date) && put(k, "\n"))) return 0;
  if (!(found & PN_HDR_MSGID)
    && !(put(k, "Message-ID: <") && put(k, tx.id) && put(k, "@") && put(k, conf.hostname) && put(k, ">\n")))
    return 0;
  return 1;
}

static int prefix_maildir(void *ctx, unsigned int found)
{
  pn_sink const *k = &sink_maildir;
  size_t col = 13;
  size_t i = 0;
  (void)ctx;
  if (!(put(k, "Return-Path: <") && put(k, tx.mail.addr) && put(k, ">\nEnvelope-To: "))) return 0;
  while (i < tx.rcpts.len)
  {
    char const *a = tx.rcpts.s + i;
    size_t n = strlen(a);
    if (i)
    {
      int fold = col + 2 + n + 3 > ENVTO_WIDTH;
      if (!put(k, fold ? ",\n\t" : ", ")) return 0;
      col = fold ? 8 : col + 2;
    }
    if (!(put(k, "<") && put(k, a) && put(k, ">"))) return 0;
    col += n + 2;
    i += n + 1;
  }
  return put(k, "\n") && prefix_common(k, found);
}

static int prefix_relay(void *ctx, unsigned int found)
{
  (void)ctx;
  return prefix_common(&sink_relay, found);
}


/* Delivery */

/* Before the data: 1, or 0 when the reply is already given. */
static int deliver_begin(void)
{
  pn_msg_id(tx.id);
  if (maildir)
  {
    if (!pn_maildir_open(&md, maildir))
      pn_warn("maildir ", maildir, ": unable to create in tmp/: ", strerror(errno));
    return 1;
  }
  {
    pn_reply rep;
    if (!relay.pid) { reply(PN_R_TEMP); tx_clear(); return 0; }
    if (!relay_step("DATA", 4, 354, &rep, "DATA")) { reply(PN_R_TEMP); tx_clear(); return 0; }
    if (rep.code / 100 == 3 && rep.code != 354)
    {
      errno = EPROTO;
      relay_broken("DATA");
      reply(PN_R_TEMP);
      tx_clear();
      return 0;
    }
    /* refused: the program's transaction (RSET) ends with ours */
    if (rep.code != 354) { relay_reply(&rep, "2.0.0"); tx_reset(); return 0; }
  }
  return 1;
}

static void deliver_abort(void)
{
  if (maildir) pn_maildir_abort(&md);
  else if (relay.pid) pn_relay_stop(&relay, 0);
}

static void log_done(char const *what, char const *detail, char const *more)
{
  char size[UINT64_FMT];
  char n[UINT_FMT];
  char user[PN_LOGVAL_SIZE];
  size[uint64_fmt(size, body.data.size)] = 0;
  n[uint_fmt(n, tx.nrcpt)] = 0;
  pn_log_quote(user, authuser ? authuser : "", authuser ? strlen(authuser) : 0);
  pn_info(what, " id=", tx.id, " size=", size, " rcpts=", n, " user=", user, detail, more);
}

static void deliver_commit(void)
{
  if (maildir)
  {
    char r[PN_ID_MAX + 32];
    if (!pn_maildir_commit(&md))
    {
      pn_warn("maildir ", maildir, ": delivery failed id=", tx.id, ": ", strerror(errno));
      reply(PN_R_TEMP);
      return;
    }
    log_done("accepted", " maildir=", md.name);
    memcpy(r, "250 2.0.0 OK id=", 16);
    memcpy(r + 16, tx.id, strlen(tx.id) + 1);
    pn_smtp_line(&S, 250, r, strlen(r));
    return;
  }
  {
    pn_reply rep;
    char q[PN_LOGVAL_SIZE];
    int ok = pn_relay_enddata(&relay, &rep);
    if (!ok || rep.code == 421 || rep.code / 100 == 3)
    {
      /* a reply, but not one that ends the data */
      if (ok) errno = EPROTO;
      relay_broken("end of data");
      reply(PN_R_TEMP);
      return;
    }
    pn_log_quote(q, rep.text, strlen(rep.text));
    log_done(rep.code / 100 == 2 ? "accepted" : "refused", " program reply=", q);
    relay_reply(&rep, "2.0.0");
  }
}

/* After the data: the reply, and the transaction is over. */
static void deliver_end(void)
{
  int st = pn_body_finish(&body);
  if (st != PN_BODY_OK)
  {
    deliver_abort();
    if (st == PN_BODY_EOVER) { log_done("refused", " reason=size", ""); reply(PN_R_TOOBIG); }
    else if (st == PN_BODY_EBARE) { log_done("refused", " reason=bare-cr-lf", ""); reply(PN_R_BARE); }
    else
    {
      pn_warn("delivery failed id=", tx.id, ": ", strerror(body.err));
      reply(PN_R_TEMP);
    }
  }
  else deliver_commit();
  tx_clear();
}


/* Commands */

static void do_hello(char const *s, size_t len, int e)
{
  size_t n = pn_smtp_heloarg(s, len, HELO_MAX);
  if (!n) { reply(PN_R_ARGS); return; }
  tx_reset();
  memcpy(helo, s + 1, n);
  helo[n] = 0;
  heloed = 1;
  esmtp = e;
  if (e)
  {
    pn_caps caps = PN_CAPS_ZERO;
    caps.size = conf.databytes;
    pn_smtp_ehlo(&S, conf.hostname, &caps);
  }
  else pn_smtp_helo(&S, conf.hostname);
}

static void do_ehlo(pn_smtp *p, char const *s, size_t len)
{
  (void)p;
  do_hello(s, len, 1);
}

static void do_helo(pn_smtp *p, char const *s, size_t len)
{
  (void)p;
  do_hello(s, len, 0);
}

static int mail_error(int r)
{
  switch (r)
  {
    case PN_ADDR_OK: return 0;
    case PN_ADDR_ESYNTAX: reply(PN_R_MAILSYNTAX); break;
    case PN_ADDR_EPATH: reply(PN_R_BADSENDER); break;
    case PN_ADDR_EPARAM: reply(PN_R_BADPARAM); break;
    case PN_ADDR_EUNKNOWN: reply(PN_R_UNKPARAM); break;
    default: reply(PN_R_UTF8); break;
  }
  return 1;
}

/* MAIL FROM to the program, with the parameters it offers. */
static void relay_mail(void)
{
  char cmd[PN_PATH_MAX + 64];
  size_t w = 0;
  pn_reply rep;
  if (!relay_ensure()) { reply(PN_R_TEMP); return; }
  if (tx.mail.smtputf8 && !relay.smtputf8) { reply(PN_R_NOUTF8); return; }
  memcpy(cmd, "MAIL FROM:<", 11); w = 11;
  memcpy(cmd + w, tx.mail.addr, tx.mail.len); w += tx.mail.len;
  cmd[w++] = '>';
  if (tx.mail.hassize && relay.size)
  {
    memcpy(cmd + w, " SIZE=", 6); w += 6;
    w += uint64_fmt(cmd + w, tx.mail.size);
  }
  if (tx.mail.body && relay.eightbit)
  {
    char const *b = tx.mail.body == PN_BODY_8BITMIME ? " BODY=8BITMIME" : " BODY=7BIT";
    memcpy(cmd + w, b, strlen(b)); w += strlen(b);
  }
  if (tx.mail.smtputf8) { memcpy(cmd + w, " SMTPUTF8", 9); w += 9; }
  if (!relay_step(cmd, w, 250, &rep, "MAIL")) { reply(PN_R_TEMP); return; }
  if (rep.code / 100 == 2) tx.state = TX_MAIL;
  relay_reply(&rep, "2.1.0");
}

static void do_mail(pn_smtp *p, char const *s, size_t len)
{
  (void)p;
  if (!heloed) { reply(PN_R_NOHELO); return; }
  if (tx.state != TX_NONE && tx.state != TX_FAILED) { reply(PN_R_NESTED); return; }
  if (mail_error(pn_addr_mail(s, len, &tx.mail))) return;
  if (tx.mail.hassize && conf.databytes && tx.mail.size > conf.databytes) { reply(PN_R_TOOBIG); return; }
  if (senders && !pn_addr_sender_ok(senders, &tx.mail))
  {
    char q[PN_LOGVAL_SIZE];
    pn_info("sender refused from=", pn_log_quote(q, tx.mail.addr, tx.mail.len));
    reply(PN_R_SENDER);
    return;
  }
  if (prog) { relay_mail(); return; }
  tx.state = TX_MAIL;
  reply(PN_R_SENDEROK);
}

static int rcpt_error(int r)
{
  switch (r)
  {
    case PN_ADDR_OK: return 0;
    case PN_ADDR_ESYNTAX: reply(PN_R_RCPTSYNTAX); break;
    case PN_ADDR_EPATH: reply(PN_R_BADRCPT); break;
    case PN_ADDR_EPARAM: reply(PN_R_BADPARAM); break;
    case PN_ADDR_EUNKNOWN: reply(PN_R_UNKPARAM); break;
    default: reply(PN_R_UTF8); break;
  }
  tx.tried++;
  return 1;
}

static int rcpt_add(pn_envarg const *a)
{
  if (!stralloc_catb(&tx.rcpts, a->addr, a->len + 1)) { reply(PN_R_TEMP); return 0; }
  tx.nrcpt++;
  return 1;
}

static void do_rcpt(pn_smtp *p, char const *s, size_t len)
{
  pn_envarg a;
  (void)p;
  if (tx.state == TX_NONE || tx.state == TX_FAILED) { reply(PN_R_NOMAIL); return; }
  if (tx.state == TX_BDAT) { reply(PN_R_INBDAT); return; }
  if (tx.state == TX_BROKEN) { reply(PN_R_TEMP); return; }
  if (tx.nrcpt >= conf.maxrcpts) { tx.tried++; reply(PN_R_TOOMANYRCPT); return; }
  if (rcpt_error(pn_addr_rcpt(s, len, tx.mail.smtputf8, &a))) return;
  if (prog)
  {
    char cmd[PN_PATH_MAX + 16];
    pn_reply rep;
    memcpy(cmd, "RCPT TO:<", 9);
    memcpy(cmd + 9, a.addr, a.len);
    cmd[9 + a.len] = '>';
    if (!relay_step(cmd, a.len + 10, 250, &rep, "RCPT")) { tx.state = TX_BROKEN; reply(PN_R_TEMP); return; }
    if (rep.code / 100 != 2) tx.tried++;
    else if (!rcpt_add(&a)) return;
    relay_reply(&rep, "2.1.5");
    return;
  }
  if (rcpt_add(&a)) reply(PN_R_RCPTOK);
}

/* What DATA and BDAT need first; 1 if the transaction can take data,
   else the reply that says why. */
static unsigned int ready(void)
{
  if (!relay_ok()) return PN_R_NEEDAUTH;
  if (tx.state == TX_NONE || tx.state == TX_FAILED) return PN_R_NOMAIL;
  if (tx.state == TX_BROKEN) return PN_R_TEMP;
  if (!tx.nrcpt) return tx.tried ? PN_R_NOVALID : PN_R_NORCPTYET;
  return 0;
}

static void do_data(pn_smtp *p, char const *s, size_t len)
{
  unsigned int no = ready();
  (void)p; (void)s; (void)len;
  if (!no && tx.state == TX_BDAT) no = PN_R_INBDAT;
  if (no)
  {
    if (tx.state == TX_BROKEN) tx_clear();
    reply(no);
    return;
  }
  if (!deliver_begin()) return;
  reply(PN_R_DATA);
  pn_body_start(&body, 1, conf.databytes, maildir ? &sink_maildir : &sink_relay);
  if (pn_body_data(&body, &S.io) < 0) die_io();
  deliver_end();
}

/* Reads the chunk and drops it.  why: the reply, 0 if already given.
   fail: the transaction fails (RFC 3030 section 2), and its chunks up to
   LAST get the same reply; LAST ends a failed transaction. */
static void bdat_discard(uint64_t n, unsigned int why, int fail, int last)
{
  pn_body_start(&body, 0, 0, 0);
  if (pn_body_chunk(&body, &S.io, n) < 0) die_io();
  if (fail && tx.state != TX_NONE && tx.state != TX_FAILED)
  {
    tx_reset();
    tx.state = TX_FAILED;
    tx.failed = why ? why : PN_R_TEMP;
  }
  if (last && (tx.state == TX_FAILED || tx.state == TX_BROKEN)) tx_reset();
  if (why) reply(why);
}

static void do_bdat(pn_smtp *p, char const *s, size_t len)
{
  uint64_t n;
  int last;
  int junk;
  unsigned int no;
  (void)p;
  if (!pn_smtp_bdatarg(s, len, &n, &last, &junk)) pn_smtp_quit(&S, PN_R_BDATSIZE, "bdat");
  if (tx.state == TX_FAILED) { bdat_discard(n, tx.failed, 0, last); return; }
  no = junk ? PN_R_ARGS : ready();
  if (!no && conf.databytes && (n > conf.databytes || tx.bdatbytes + n > conf.databytes))
  {
    no = PN_R_TOOBIG;
    junk = 1;
  }
  if (no) { bdat_discard(n, no, junk, last); return; }
  if (tx.state == TX_MAIL)
  {
    if (!deliver_begin())
    {
      tx.state = TX_FAILED;
      tx.failed = PN_R_TEMP;
      bdat_discard(n, 0, 0, last);
      return;
    }
    pn_body_start(&body, 0, conf.databytes, maildir ? &sink_maildir : &sink_relay);
    tx.state = TX_BDAT;
  }
  if (pn_body_chunk(&body, &S.io, n) < 0) die_io();
  tx.bdatbytes += n;
  if (last) { deliver_end(); return; }
  {
    char r[64 + UINT64_FMT];
    size_t w = 10;
    memcpy(r, "250 2.0.0 ", 10);
    w += uint64_fmt(r + w, n);
    memcpy(r + w, " octets received", 16);
    pn_smtp_line(&S, 250, r, w + 16);
  }
}

static void do_rset(pn_smtp *p, char const *s, size_t len)
{
  (void)p; (void)s; (void)len;
  tx_reset();
  reply(PN_R_OK);
}

static void do_noop(pn_smtp *p, char const *s, size_t len)
{
  (void)p; (void)s; (void)len;
  reply(PN_R_OK);
}

static void do_vrfy(pn_smtp *p, char const *s, size_t len)
{
  (void)p; (void)s; (void)len;
  reply(PN_R_VRFY);
}

static void do_help(pn_smtp *p, char const *s, size_t len)
{
  (void)p; (void)s; (void)len;
  reply(PN_R_HELP);
}

static void do_auth(pn_smtp *p, char const *s, size_t len)
{
  (void)p; (void)s; (void)len;
  reply(PN_R_NOAUTH);
}

static void do_quit(pn_smtp *p, char const *s, size_t len)
{
  (void)s; (void)len;
  pn_smtp_quit(p, PN_R_BYE, "quit");
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
  { .name = "HELP", .args = PN_ARGS_ANY, .f = &do_help },
  { .name = "MAIL", .args = PN_ARGS_RAW, AUTHED, .f = &do_mail },
  { .name = "NOOP", .args = PN_ARGS_ANY, .f = &do_noop },
  { .name = "QUIT", .args = PN_ARGS_NONE, .f = &do_quit },
  { .name = "RCPT", .args = PN_ARGS_RAW, AUTHED, .f = &do_rcpt },
  { .name = "RSET", .args = PN_ARGS_NONE, .f = &do_rset },
  { .name = "VRFY", .args = PN_ARGS_SOME, .f = &do_vrfy },
};
#undef AUTHED

/* The dialogue's end hook: a message under way is dropped; the program
   is told QUIT when the client said it (or hung up), else stopped. */
static void end(pn_smtp *p, char const *why)
{
  int e = errno;
  int clean = why && (!strcmp(why, "quit") || !strcmp(why, "eof"));
  (void)p;
  if (tx.state == TX_BDAT) deliver_abort();
  if (relay.pid) pn_relay_stop(&relay, clean);
  if (md.fd >= 0) pn_maildir_abort(&md);
  if (!why || clean || !strcmp(why, "bdat")) return;
  if (!strcmp(why, "timeout")) pn_info("timeout");
  else if (!strcmp(why, "errors")) pn_warn("too many bad commands");
  else if (e != EPIPE) pn_warn("client I/O error: ", strerror(e));
}


/* Start */

static void start_auth(void)
{
  char const *user = getenv("USER");
  char const *x;
  char q[PN_LOGVAL_SIZE];
  if (!user || !*user)
  {
    pn_warn("SMTPAUTHUSER set but USER unset: no verifier ran, refusing");
    pn_smtp_quit(&S, PN_R_NOVERIFIER, 0);
  }
  pn_info("session user=", pn_log_quote(q, authuser, strlen(authuser)));
  x = getenv("SMTPHELO");
  if (x)
  {
    size_t n = strlen(x);
    if (n > HELO_MAX) n = HELO_MAX;
    memcpy(helo, x, n);
    helo[n] = 0;
  }
  x = getenv("SMTPPROTO");
  esmtp = !(x && !strcasecmp(x, "SMTP"));
  heloed = 1;
  reply(PN_R_AUTHOK);
}

static void start(void)
{
  char const *bad = 0;
  int ok = pn_conf_read(&conf, &bad);
  S.verbs = verbs;
  S.nverbs = sizeof(verbs) / sizeof(verbs[0]);
  S.line = line;
  S.linemax = sizeof(line);
  S.nbad = 0;
  S.state = 0;
  S.nulbad = 0;
  S.end = &end;
  S.ctx = 0;
  md.fd = -1;
  pn_io_init(&S.io, 0, ok ? conf.timeout : PN_TIMEOUT_DEFAULT, inbuf, sizeof(inbuf), outbuf, sizeof(outbuf));
  if (!ok)
  {
    pn_log(PN_LOG_FATAL, "bad value for ", bad);
    pn_smtp_quit(&S, PN_R_CONFIG, 0);
  }
  authuser = getenv("SMTPAUTHUSER");
  senders = getenv("SMTPSENDERS");
  if (authuser || conf.relayclient) S.state |= PN_SMTP_AUTHED;
  if (authuser) { start_auth(); return; }
  pn_smtp_greet(&S, conf.hostname);
}

int main(int argc, char const *const *argv)
{
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
  if (!maildir) prog = argv;
  if (!fd_sanitize()) _exit(111);
  sig_altignore(SIGPIPE);
  start();
  pn_smtp_loop(&S);
}
