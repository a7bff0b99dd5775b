/* ISC license: see LICENSE. */

/*
 * fuzz_queue: postern-queue's session in process: the MAIL and RCPT path
 * with its parameters, DATA and BDAT, RSET, the reply logic and the
 * delivery decisions.  src/postern-queue.c and its two back-ends
 * (src/lib/pn_qmaildir.c, src/lib/pn_qrelay.c) are compiled into the
 * harness with main renamed and what the back-ends call replaced by
 * memory stubs (pn_maildir_* and pn_relay_* are macros for fuzz_md_* and
 * fuzz_relay_*).  The first input byte picks a configuration, the rest
 * is what the client sends (fd 0 is a memory file, read to EOF).
 *
 * Oracles: ASan and UBSan; well-formed replies; no log line with CR or
 * LF; no descriptor leaked; and for deliveries:
 *  - nothing the body path hands to a back-end contains a CR (bare CR
 *    and LF refuse the message: a CR can never reach a mailbox);
 *  - the relayed body, stuffed again, has no bare CR or LF and no
 *    unstuffed dot at a line start, hence no early CRLF.CRLF (no
 *    smuggling downstream);
 *  - a message is committed only with 1 to MAXRCPTS recipients, within
 *    DATABYTES, without bare CR or LF, when the back-end took every byte;
 *  - commands passed to the program are single lines without CR, LF or
 *    NUL, of at most 512 bytes;
 *  - the session always ends with exit 0.
 * The stub program answers 250, 354 at DATA, 550 to a recipient with
 * "reject", 553 to a sender with "refuse"; an address with "x3x", "x4x"
 * or "x5x" makes it answer the next command with 355, 421 or 554.
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

#include "lib/pn_conf.h"
#include "lib/pn_data.h"
#include "lib/pn_limits.h"
#include "lib/pn_maildir.h"
#include "lib/pn_relay.h"
#include "fuzz.h"

#define FUZZ_PID 4243
#define FUZZ_FD 4000              /* the stub Maildir's "descriptor" */
#define FUZZ_FAILAT 50            /* bytes the failing sink takes */

static int fuzz_md_open(pn_maildir *, char const *);
static int fuzz_md_put(void *, char const *, size_t);
static int fuzz_md_commit(pn_maildir *);
static void fuzz_md_abort(pn_maildir *);
static int fuzz_relay_start(pn_relay *, char const *const *, char const *, unsigned int);
static int fuzz_relay_cmd(pn_relay *, char const *, size_t, pn_reply *);
static int fuzz_relay_put(void *, char const *, size_t);
static int fuzz_relay_enddata(pn_relay *, pn_reply *);
static void fuzz_relay_stop(pn_relay *, int);

#define main queue_main
#define pn_maildir_open fuzz_md_open
#define pn_maildir_put fuzz_md_put
#define pn_maildir_commit fuzz_md_commit
#define pn_maildir_abort fuzz_md_abort
#define pn_relay_start fuzz_relay_start
#define pn_relay_cmd fuzz_relay_cmd
#define pn_relay_put fuzz_relay_put
#define pn_relay_enddata fuzz_relay_enddata
#define pn_relay_stop fuzz_relay_stop
#include "../../src/postern-queue.c"
#include "../../src/lib/pn_qmaildir.c"
#include "../../src/lib/pn_qrelay.c"
#undef main

/* The configuration of a run */
static unsigned int cfg_relay;
static unsigned int cfg_failstart;
static unsigned int cfg_failput;
static unsigned int cfg_failcommit;

/* What the current message has given the back-end */
static uint64_t fuzz_put_bytes;
static int fuzz_open;

static void sink_check(char const *s, size_t len)
{
  if (memchr(s, '\r', len)) fuzz_fail("a CR reached the back-end");
  fuzz_put_bytes += len;
}

/* q: the session, found from the back-end's state (whose first member
   is the pn_maildir or the pn_relay the stubs get). */
static void commit_check(pn_q const *q)
{
  if (!fuzz_open) fuzz_fail("commit without a message");
  if (!q->tx.nrcpt || q->tx.nrcpt > q->conf.maxrcpts) fuzz_fail("commit with no recipient or too many");
  if (q->conf.databytes && q->body.data.size > q->conf.databytes) fuzz_fail("commit of a message over DATABYTES");
  if (q->body.data.bare) fuzz_fail("commit of a message with a bare CR or LF");
  if (q->tx.state == PN_TX_NONE) fuzz_fail("commit outside a transaction");
}

static int fuzz_md_open(pn_maildir *m, char const *dir)
{
  m->dir = dir;
  m->err = 0;
  m->size = 0;
  m->buflen = 0;
  memcpy(m->name, "fuzz", 5);
  fuzz_put_bytes = 0;
  if (cfg_failstart)
  {
    m->fd = -1;
    m->err = ENOSPC;
    m->name[0] = 0;
    return (errno = ENOSPC, 0);
  }
  m->fd = FUZZ_FD;
  fuzz_open = 1;
  return 1;
}

static int fuzz_md_put(void *ctx, char const *s, size_t len)
{
  pn_maildir *m = ctx;
  if (m->err) return (errno = m->err, 0);
  if (m->fd != FUZZ_FD) fuzz_fail("Maildir put without an open file");
  sink_check(s, len);
  if (cfg_failput && fuzz_put_bytes > FUZZ_FAILAT) { m->err = EIO; return (errno = EIO, 0); }
  m->size += len;
  return 1;
}

static int fuzz_md_commit(pn_maildir *m)
{
  if (m->err || cfg_failcommit)
  {
    int e = m->err ? m->err : EDQUOT;
    fuzz_md_abort(m);
    return (errno = e, 0);
  }
  commit_check(((pn_qmaildir *)m)->q);
  if (m->size != fuzz_put_bytes) fuzz_fail("Maildir size");
  m->fd = -1;
  fuzz_open = 0;
  return 1;
}

static void fuzz_md_abort(pn_maildir *m)
{
  m->fd = -1;
  m->name[0] = 0;
  fuzz_open = 0;
}

static int fuzz_relay_start(pn_relay *r, char const *const *argv, char const *helo, unsigned int timeout)
{
  (void)argv; (void)timeout;
  if (strlen(helo) > PN_HOSTNAME_MAX) fuzz_fail("relay: EHLO name too long");
  r->pid = 0;
  if (cfg_failstart) return (errno = EPROTO, 0);
  r->pid = FUZZ_PID;
  r->bol = 1;
  r->size = r->eightbit = r->smtputf8 = 1;
  return 1;
}

static void reply_set(pn_reply *rep, unsigned int code, char const *text)
{
  char const *p;
  rep->code = code;
  rep->nlines = 1;
  for (p = text; *p; p++) if (*p == '\n') rep->nlines++;
  rep->len = strlen(text);
  memcpy(rep->text, text, rep->len + 1);
}

/* An address with "x3x", "x4x" or "x5x" in it makes the program answer
   the next command with 355, 421 or 554 (a protocol error, a shutdown, a
   refusal where none is expected). */
static unsigned int fuzz_next_code = 0;

static int fuzz_relay_cmd(pn_relay *r, char const *s, size_t len, pn_reply *rep)
{
  unsigned int code = fuzz_next_code;
  if (!r->pid) return (errno = EPIPE, 0);
  if (len + 2 > PN_CMDLINE_MAX) fuzz_fail("relay: command line over 512 bytes");
  if (memchr(s, '\r', len) || memchr(s, '\n', len) || memchr(s, 0, len)) fuzz_fail("relay: CR, LF or NUL in a command");
  fuzz_next_code = memmem(s, len, "x3x", 3) ? 355 : memmem(s, len, "x4x", 3) ? 421 : memmem(s, len, "x5x", 3) ? 554 : 0;
  if (code) { reply_set(rep, code, "odd"); return 1; }
  if (len >= 4 && !strncasecmp(s, "DATA", 4)) { fuzz_put_bytes = 0; r->bol = 1; fuzz_open = 1; reply_set(rep, 354, "go ahead"); }
  else if (len >= 4 && !strncasecmp(s, "RCPT", 4) && memmem(s, len, "reject", 6)) reply_set(rep, 550, "5.1.1 no such user");
  else if (len >= 4 && !strncasecmp(s, "MAIL", 4) && memmem(s, len, "refuse", 6)) reply_set(rep, 553, "sender refused\nsecond line");
  else if (len >= 4 && !strncasecmp(s, "QUIT", 4)) reply_set(rep, 221, "bye");
  else reply_set(rep, 250, "ok");
  return 1;
}

/* The real re-stuffing, checked: CRLF line ends only, no early end. */
static int fuzz_relay_put(void *ctx, char const *s, size_t len)
{
  static char out[2 * PN_RELAY_BUF];
  pn_relay *r = ctx;
  size_t i = 0;
  if (!r->pid || !fuzz_open) fuzz_fail("relay: body without DATA");
  sink_check(s, len);
  if (cfg_failput && fuzz_put_bytes > FUZZ_FAILAT) return (errno = EPIPE, 0);
  while (i < len)
  {
    size_t n = len - i > PN_RELAY_BUF ? PN_RELAY_BUF : len - i;
    int bol = r->bol;
    size_t w = pn_data_stuff(&r->bol, s + i, n, out);
    size_t k;
    for (k = 0; k < w; k++)
    {
      if (out[k] == '\n' && (!k || out[k-1] != '\r')) fuzz_fail("relay: a bare LF downstream");
      if (out[k] == '\r' && (k + 1 >= w || out[k+1] != '\n')) fuzz_fail("relay: a bare CR downstream");
      if (out[k] == '.' && ((!k && bol) || (k && out[k-1] == '\n')) && (k + 1 >= w || out[k+1] != '.'))
        fuzz_fail("relay: an unstuffed dot at a line start");
    }
    i += n;
  }
  return 1;
}

static int fuzz_relay_enddata(pn_relay *r, pn_reply *rep)
{
  if (!r->pid) return (errno = EPIPE, 0);
  if (cfg_failcommit) return (errno = EPROTO, 0);
  commit_check(((pn_qrelay *)r)->q);
  fuzz_open = 0;
  r->bol = 1;
  reply_set(rep, 250, "2.0.0 queued");
  return 1;
}

static void fuzz_relay_stop(pn_relay *r, int quit)
{
  (void)quit;
  r->pid = 0;
  fuzz_open = 0;
}

static void fuzz_env(char const *name, int on, char const *value)
{
  if (on) setenv(name, value, 1);
  else unsetenv(name);
}

/* bit 0: relay to a program (else a Maildir); 1: RELAYCLIENT, no AUTH
   (220 mode); 2: MAXRCPTS=3; 3: DATABYTES=300; 4: SMTPSENDERS;
   5: the back-end cannot start; 6: it fails after FUZZ_FAILAT bytes;
   7: it fails at the end. */
static void fuzz_config(unsigned char c)
{
  cfg_relay = c & 1;
  fuzz_env("RELAYCLIENT", c & 2, "");
  fuzz_env("SMTPAUTHUSER", !(c & 2), "alice");
  fuzz_env("USER", !(c & 2), "alice");
  fuzz_env("MAXRCPTS", c & 4, "3");
  fuzz_env("DATABYTES", c & 8, "300");
  fuzz_env("SMTPSENDERS", c & 16, "alice@example.org @example.net");
  cfg_failstart = !!(c & 32);
  cfg_failput = !!(c & 64);
  cfg_failcommit = !!(c & 128);
}

/* The session's state is main's own (on its stack): only the
   harness's needs resetting. */
static void fuzz_reset(void)
{
  fuzz_open = 0;
  fuzz_next_code = 0;
  fuzz_put_bytes = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc; (void)argv;
  setenv("SMTPHOSTNAME", "fuzz.example", 1);
  setenv("SMTPHELO", "client.example", 1);
  setenv("TCPREMOTEIP", "192.0.2.7", 1);
  unsetenv("SMTPTLS");
  unsetenv("SSL_PROTOCOL");
  fuzz_memfd_onto(0, "", 0);
  fuzz_memfd_onto(1, "", 0);
  return 0;
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  static char const *const argv_md[] = { "postern-queue", "-m", "/nonexistent/Maildir", 0 };
  static char const *const argv_relay[] = { "postern-queue", "/nonexistent/sendmail", "-bs", 0 };
  if (!size) return 0;
  fuzz_config(data[0]);
  fuzz_reset();
  fuzz_memfd_onto(0, (char const *)data + 1, size - 1);
  fuzz_fds_begin();
  FUZZ_RUN(queue_main(3, cfg_relay ? argv_relay : argv_md));
  if (fuzz_status < 0) fuzz_fail("the session returned");
  if (fuzz_status) fuzz_fail("the session did not exit 0");
  fuzz_replies(1, 0);
  fuzz_fds_end();
  return 0;
}
