/* ISC license: see LICENSE. */

/*
 * Unit tests, printing TAP, of the header From: binding and of NUL in
 * message data: pn_hdrfrom_list on the forms real clients write and on
 * hostile ones; pn_hdrbind_check on whole headers; pn_body with
 * pn_body_bind over a file as the client; pn_data's nul flag at every
 * place in a line, in BDAT, and however the input is cut.  Run by
 * t/39-hdrfrom-units.t.
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "lib/pn_addr.h"
#include "lib/pn_body.h"
#include "lib/pn_data.h"
#include "lib/pn_hdrbind.h"
#include "lib/pn_hdrfrom.h"
#include "lib/pn_io.h"
#include "lib/pn_msg.h"
#include "tap.h"

#define LIST_MAX 4096
#define BIG_MAX 200000


/* The addresses found, joined by commas. */
typedef struct list_s list;
struct list_s
{
  char s[LIST_MAX];
  size_t len;
  unsigned int stop;        /* stop after this many (0: never) */
  unsigned int seen;
};

static int collect(void *ctx, pn_envarg const *a)
{
  list *l = ctx;
  if (l->len && l->len < LIST_MAX - 1) l->s[l->len++] = ',';
  if (l->len + a->len < LIST_MAX - 1)
  {
    memcpy(l->s + l->len, a->addr, a->len);
    l->len += a->len;
  }
  l->s[l->len] = 0;
  if (a->at >= a->len || a->addr[a->at] != '@') return 0;
  return !l->stop || ++l->seen < l->stop;
}

/* 1 if the value parses to want (the addresses, comma-joined), or when
   want is 0, does not parse. */
static int parses(char const *v, char const *want)
{
  list l;
  int r;
  l.len = 0;
  l.s[0] = 0;
  l.stop = 0;
  l.seen = 0;
  r = pn_hdrfrom_list(v, strlen(v), &collect, &l);
  if (!want) return r == -1;
  return r >= 0 && !strcmp(l.s, want);
}

static void test_clients(void)
{
  result(parses(" \"Alice Example\" <alice@example.org>", "alice@example.org"), "Thunderbird: quoted name, angle address");
  result(parses(" \"Doe, John\" <john@example.org>", "john@example.org"), "a comma inside the quoted name");
  result(parses(" Alice Example <alice@example.org>", "alice@example.org"), "Apple Mail, Outlook: plain phrase");
  result(parses(" \"'alice@example.org'\" <alice@example.org>", "alice@example.org"), "Outlook: the address quoted as name");
  result(parses(" alice@example.org", "alice@example.org"), "a bare addr-spec");
  result(parses(" <alice@example.org>", "alice@example.org"), "an angle address without name");
  result(parses(" =?utf-8?Q?J=C3=B6rg_M=C3=BCller?= <jorg@example.org>", "jorg@example.org"), "an encoded word as display name");
  result(parses(" =?UTF-8?B?SsO2cmc=?= =?UTF-8?B?IE3DvGxsZXI=?= <j@example.org>", "j@example.org"), "two encoded words (base64)");
  result(parses(" \"=?utf-8?B?w4Fsdg==?=\" <a@example.org>", "a@example.org"), "an encoded word in quotes (not RFC 2047, common)");
  result(parses(" alice@example.org (Alice Example)", "alice@example.org"), "a comment after the address");
  result(parses(" (a (nested (comment))) alice@example.org (x\\)y)", "alice@example.org"), "nested comments, quoted pair in a comment");
  result(parses(" alice(c1)@(c2)example.org(c3)", "alice@example.org"), "comments around the @");
  result(parses(" a@example.org, \"B\" <b@example.net>,c@example.com", "a@example.org,b@example.net,c@example.com"), "several addresses");
  result(parses(" Team: a@example.org, \"B\" <b@example.net>;", "a@example.org,b@example.net"), "a group");
  result(parses(" undisclosed-recipients:;", ""), "an empty group");
  result(parses(" Team:(nobody);, x@example.org", "x@example.org"), "an empty group with a comment, then an address");
  result(parses(" \"Alice\r\n Example\"\r\n <alice@example.org>", "alice@example.org"), "CRLF folds");
  result(parses(" Alice\n\t<alice@\n example.org>", "alice@example.org"), "LF folds, one inside the address");
  result(parses(" John Q. Public <jqp@example.org>", "jqp@example.org"), "obs-phrase: a dot in the name");
  result(parses(" <@relay.example,@r2.example:alice@example.org>", "alice@example.org"), "obs-route dropped");
  result(parses(" a . b @ example . org", "a.b@example.org"), "obs-local-part and obs-domain: blanks dropped");
  result(parses(" a@[192.0.2.1]", "a@[192.0.2.1]"), "a domain literal");
  result(parses(" \"a b\"@example.org", "\"a b\"@example.org"), "a quoted local part, as written");
  result(parses(" \"a\\\"b\"@example.org", "\"a\\\"b\"@example.org"), "a quoted pair in the local part");
  result(parses(" , a@example.org ,, ", "a@example.org"), "obs-mbox-list: empty elements");
  result(parses(" J\xc3\xb6rg <j\xc3\xb6rg@ex\xc3\xa4mple.org>", "j\xc3\xb6rg@ex\xc3\xa4mple.org"), "UTF-8 name and address (RFC 6532)");
}

static void test_hostile(void)
{
  static char big[BIG_MAX];
  size_t i;
  result(parses("", 0), "an empty field does not parse");
  result(parses("  (only a comment) ", 0), "a comment alone does not parse");
  result(parses(" Alice", 0), "a name without address");
  result(parses(" Alice <alice@example.org", 0), "an unclosed angle bracket");
  result(parses(" Alice alice@example.org>", 0), "a stray closing bracket");
  result(parses(" \"Alice <alice@example.org>", 0), "an unbalanced quote");
  result(parses(" (Alice alice@example.org", 0), "an unbalanced comment");
  result(parses(" a@[192.0.2.1\\\n ]", 0), "a quoted LF in a domain literal (it would vanish with the fold and leave its backslash)");
  result(parses(" \"a\\\r\n b\"@example.org", 0), "a quoted CR in a quoted string");
  result(parses(" alice@example.org)", 0), "a stray closing parenthesis");
  result(parses(" a@[1.2.3.4", 0), "an unclosed domain literal");
  result(parses(" a@[1.[2].3]", 0), "a nested domain literal");
  result(parses(" a@example.org b@example.org", 0), "two addresses without comma");
  result(parses(" a@", 0), "no domain");
  result(parses(" @example.org", 0), "no local part");
  result(parses(" <>", 0), "the null path is no header address");
  result(parses(" a..b@example.org", 0), "two dots in the local part");
  result(parses(" .a@example.org", 0), "a leading dot in the local part");
  result(parses(" a@example..org", 0), "an empty domain label");
  result(parses(" g: h: a@example.org;;", 0), "nested groups");
  result(parses(" g: a@example.org", 0), "an unterminated group");
  result(parses(" a\rb@example.org", 0), "a bare CR");
  result(pn_hdrfrom_list(" a\0b@example.org", 16, &collect, &(list){ .len = 0 }) == -1, "a NUL");
  result(parses(" a@example.org\\", 0), "a stray backslash");
  result(parses(" \"a\\", 0), "a quoted pair cut by the end");
  result(parses(" ((((((((a))))))))b@example.org", "b@example.org"), "comments nested 8 deep");
  result(parses(" (((((((((a)))))))))b@example.org", 0), "comments nested 9 deep");
  /* deep nesting, as deep as the header allows: refused, no recursion */
  for (i = 0; i < 60000; i++) big[i] = '(';
  memcpy(big + i, "a@b", 4);
  result(parses(big, 0), "60000 open parentheses");
  /* an address over PN_PATH_MAX */
  big[0] = ' ';
  for (i = 1; i < 300; i++) big[i] = 'a';
  memcpy(big + i, "@example.org", 13);
  result(parses(big, 0), "a 300-byte local part");
  /* a long display name is fine */
  for (i = 1; i < 5000; i += 2) { big[i] = 'w'; big[i + 1] = ' '; }
  memcpy(big + i, "<a@example.org>", 16);
  result(parses(big, "a@example.org"), "a display name of 2500 words");
  /* PN_HDRFROM_ADDRS_MAX addresses, then one more */
  {
    size_t w = 0;
    for (i = 0; i < PN_HDRFROM_ADDRS_MAX; i++) { memcpy(big + w, " a@b,", 5); w += 5; }
    big[w - 1] = 0;
    {
      list l = { .len = 0, .stop = 0, .seen = 0 };
      result(pn_hdrfrom_list(big, w - 1, &collect, &l) == PN_HDRFROM_ADDRS_MAX, "PN_HDRFROM_ADDRS_MAX addresses");
    }
    memcpy(big + w - 1, ", a@b", 6);
    result(parses(big, 0), "one more address does not parse");
    w = 0;
    for (i = 0; i < 10000; i++) { memcpy(big + w, " a@b,", 5); w += 5; }
    big[w - 1] = 0;
    result(parses(big, 0), "10000 addresses do not parse");
  }
  {
    list l = { .len = 0, .stop = 2, .seen = 0 };
    result(pn_hdrfrom_list(" a@b, c@d, e@f", 14, &collect, &l) == -2 && !strcmp(l.s, "a@b,c@d"), "the callback stops the parse");
  }
}

static int bind(char const *senders, char const *hdr, int want)
{
  return pn_hdrbind_check(senders, hdr, strlen(hdr), 1) == want;
}

static void test_bind(void)
{
  static char const s[] = "alice@example.org @example.net";
  result(bind(s, "Subject: x\n\nFrom: mallory@evil.example\n", PN_HDRBIND_OK), "no From: passes (a From: line in the body is not looked at)");
  result(bind(s, "From: Alice <alice@example.org>\nSubject: x\n\nbody\n", PN_HDRBIND_OK), "an allowed From:");
  result(bind(s, "From: \"Alice\" <ALICE@Example.ORG>\n\n", PN_HDRBIND_OK), "compared without regard to case");
  result(bind(s, "From: bob@example.net\n\n", PN_HDRBIND_OK), "an @domain entry");
  result(bind(s, "From: bob@sub.example.net\n\n", PN_HDRBIND_EFROM), "not its subdomains");
  result(bind(s, "From: Mallory <mallory@evil.example>\n\n", PN_HDRBIND_EFROM), "a From: not allowed");
  result(bind(s, "From: alice@example.org, mallory@evil.example\n\n", PN_HDRBIND_EFROM), "every From: address must pass");
  result(bind(s, "From: alice@example.org,\n mallory@evil.example\n\n", PN_HDRBIND_EFROM), "the folded part is checked too");
  result(bind(s, "From: alice@example.org\nSender: mallory@evil.example\n\n", PN_HDRBIND_ESENDER), "a Sender: not allowed");
  result(bind(s, "From: alice@example.org\nSender: bob@example.net\n\n", PN_HDRBIND_OK), "an allowed Sender:");
  result(bind(s, "From: alice@example.org\nfrom: alice@example.org\n\n", PN_HDRBIND_ETWO), "two From: fields");
  result(bind(s, "From: Alice\n\n", PN_HDRBIND_ESYNTAX), "an unparsable From:");
  result(bind(s, "From: alice@example.org\nSender: <x\n\n", PN_HDRBIND_ESYNTAX), "an unparsable Sender:");
  result(bind(s, "FROM : mallory@evil.example\n\n", PN_HDRBIND_EFROM), "obsolete blanks before the colon");
  result(bind(s, "Resent-From: mallory@evil.example\nFrom: alice@example.org\n\n", PN_HDRBIND_OK), "Resent-From: is not checked");
  result(bind(s, "X-From: mallory@evil.example\n\n", PN_HDRBIND_OK), "other fields are not");
  result(bind(s, "From: undisclosed-recipients:;\n\n", PN_HDRBIND_OK), "an empty group passes");
  result(bind(s, "Subject: x\nnot a field\nFrom: mallory@evil.example\n\n", PN_HDRBIND_OK), "the header ends where pn_hdr_scan says");
  result(bind(s, "From: mallory@evil.example", PN_HDRBIND_EFROM), "a message that is all header, no LF");
  result(bind("", "From: mallory@evil.example\n\n", PN_HDRBIND_OK), "an empty SMTPSENDERS allows any, as for the envelope");
  result(pn_hdrbind_check(s, "From: alice@example.org\n", 24, 0) == PN_HDRBIND_ELONG, "a header over the bound");
  result(!strncmp(pn_hdrbind_reply(PN_HDRBIND_EFROM), "550 5.7.1 ", 10) && !strcmp(pn_hdrbind_reason(PN_HDRBIND_ETWO), "two-from"), "replies and reasons");
}

/* pn_body over a file as the client's input */

static char got[BIG_MAX * 2];
static size_t gotlen;
static unsigned int prefixed;

static int sput(void *ctx, char const *s, size_t len)
{
  (void)ctx;
  if (gotlen + len > sizeof(got)) return 0;
  memcpy(got + gotlen, s, len);
  gotlen += len;
  return 1;
}

static int sprefix(void *ctx, unsigned int found)
{
  (void)ctx;
  (void)found;
  prefixed++;
  return 1;
}

static pn_sink const sink = { .put = &sput, .prefix = &sprefix, .ctx = 0 };

/* Runs s through pn_body (dot: DATA, else one BDAT chunk), bound to
   senders unless 0.  Returns pn_body_finish's status; b gets the body. */
static int body(char const *s, size_t len, int dot, char const *senders, pn_body *b)
{
  static char inbuf[65536];
  static char outbuf[1024];
  char path[] = "/tmp/pn-unit-hdrfrom.XXXXXX";
  int fd = mkstemp(path);
  int null = open("/dev/null", O_WRONLY);
  pn_io io;
  int r;
  if (fd < 0 || allwrite(fd, s, len) != len || lseek(fd, 0, SEEK_SET) != 0) return -1;
  unlink(path);
  buffer_init(&io.in, &buffer_read, fd, inbuf, sizeof(inbuf));
  buffer_init(&io.out, &buffer_write, null, outbuf, sizeof(outbuf));
  tain_uint(&io.tto, 10);
  gotlen = 0;
  prefixed = 0;
  pn_body_start(b, dot, 0, &sink);
  if (senders) pn_body_bind(b, senders);
  r = dot ? pn_body_data(b, &io) : pn_body_chunk(b, &io, len);
  close(fd);
  close(null);
  return r < 0 ? -1 : pn_body_finish(b);
}

static void test_body(void)
{
  static char big[BIG_MAX];
  static char const s[] = "alice@example.org";
  pn_body b;
  char const *m = "From: alice@example.org\r\nSubject: x\r\n\r\nhello\r\n.\r\n";
  result(body(m, strlen(m), 1, s, &b) == PN_BODY_OK && prefixed == 1 && gotlen == strlen(m) - 7, "DATA: an allowed From: is delivered whole");
  m = "From: mallory@evil.example\r\nSubject: x\r\n\r\nhello\r\n.\r\n";
  result(body(m, strlen(m), 1, s, &b) == PN_BODY_EBIND && b.bind == PN_HDRBIND_EFROM && !prefixed && !gotlen, "DATA: a refused From: reaches no sink");
  result(body(m, strlen(m), 1, 0, &b) == PN_BODY_OK && gotlen, "without pn_body_bind nothing is checked");
  result(body(m, strlen(m), 1, "", &b) == PN_BODY_OK && gotlen, "nor with an empty SMTPSENDERS (any sender)");
  m = "From: mallory@evil.example\r\n\r\nx";
  result(body(m, strlen(m), 0, s, &b) == PN_BODY_EBIND && !gotlen, "BDAT: the same");
  m = "From: mallory@evil.example";
  result(body(m, strlen(m), 0, s, &b) == PN_BODY_EBIND && !gotlen, "BDAT: a message that is one header line, no line end");
  {
    /* the header ends in a later hand-over than its start: the part in
       that hand-over is checked too */
    size_t w = 0;
    size_t from;
    while (w < 50000) { memcpy(big + w, "X-Pad: 0123456789012345678901234567890123456789\r\n", 49); w += 49; }
    from = w;
    memcpy(big + w, "From: mallory@evil.example\r\n\r\n", 30); w += 30;
    while (w < 90000) { memcpy(big + w, "body body body body\r\n", 21); w += 21; }
    result(body(big, w, 0, s, &b) == PN_BODY_EBIND && b.bind == PN_HDRBIND_EFROM && !gotlen, "a From: at the end of a 50 kB header");
    memcpy(big + from + 6, "alice@example.org   ", 20);
    result(body(big, w, 0, s, &b) == PN_BODY_OK && prefixed == 1 && gotlen > 80000, "the same From: allowed");
  }
  {
    size_t w = 0;
    while (w < PN_HDR_MAX + 3000) { memcpy(big + w, "X-Pad: 0123456789012345678901234567890123456789\r\n", 49); w += 49; }
    memcpy(big + w, "\r\nbody\r\n", 8); w += 8;
    result(body(big, w, 0, s, &b) == PN_BODY_EBIND && b.bind == PN_HDRBIND_ELONG && !gotlen, "a header over PN_HDR_MAX is refused when bound");
    result(body(big, w, 0, 0, &b) == PN_BODY_OK && gotlen, "and passed on as it is when not");
  }
  m = "Subject: x\r\n\r\nhel\0lo\r\n.\r\n";
  result(body(m, 25, 1, 0, &b) == PN_BODY_EBARE && b.data.nul && !b.data.bare, "a NUL: refused as bare CR/LF are (554 5.6.0)");
  m = "From: mallory@evil.example\r\n\r\nhel\0lo\r\n.\r\n";
  result(body(m, 41, 1, s, &b) == PN_BODY_EBARE, "a NUL goes before the From: binding");
}

/* pn_data's nul flag */

static int nul_at(int dot, char const *s, size_t len, size_t step)
{
  static char out[4096];
  pn_data d;
  size_t pos = 0;
  pn_data_init(&d, dot);
  while (pos < len && !d.done)
  {
    size_t w;
    size_t k = len - pos < step ? len - pos : step;
    pos += pn_data_feed(&d, s + pos, k, out, &w);
  }
  return d.nul && !d.bare;
}

/* Every chunking of s sees the NUL (or, with want 0, none). */
static int nul_every(int dot, char const *s, size_t len, int want)
{
  size_t step;
  for (step = 1; step <= len; step++)
    if (nul_at(dot, s, len, step) != want) return 0;
  return 1;
}

static void test_nul(void)
{
  result(nul_every(1, "\0ab\r\n.\r\n", 9, 1), "DATA: NUL at the start of a line");
  result(nul_every(1, "a\0b\r\n.\r\n", 9, 1), "DATA: NUL in the middle of a line");
  result(nul_every(1, "ab\0\r\n.\r\n", 9, 1), "DATA: NUL at the end of a line, before CRLF");
  result(nul_every(1, "ab\r\n\0\r\n.\r\n", 11, 1), "DATA: a line that is a NUL");
  result(nul_every(1, "ab\r\n.\0\r\n.\r\n", 12, 1), "DATA: NUL after a stuffed dot");
  result(nul_every(1, "ab\r\n.\r\n\0", 10, 0), "DATA: a NUL after the terminator is not the message's");
  result(nul_every(1, "ab\r\ncd\r\n.\r\n", 13, 0), "DATA: no NUL, no flag");
  result(nul_every(0, "\0ab\r\n", 5, 1), "BDAT: NUL at the start");
  result(nul_every(0, "a\0b\r\n", 5, 1), "BDAT: in the middle");
  result(nul_every(0, "ab\r\n\0", 5, 1), "BDAT: at the end of the chunk");
  {
    /* two BDAT chunks, the NUL at the end of one and the start of the
       other: the flag stays once set */
    static char out[64];
    pn_data d;
    size_t w;
    pn_data_init(&d, 0);
    pn_data_feed(&d, "ab\r", 3, out, &w);
    pn_data_feed(&d, "\ncd", 3, out, &w);
    result(!d.nul, "BDAT: two clean chunks");
    pn_data_feed(&d, "e\0", 2, out, &w);
    pn_data_feed(&d, "f\r\n", 3, out, &w);
    result(d.nul && !d.bare, "BDAT: a NUL in a middle chunk stays noted");
  }
}

static void test_received(void)
{
  char rec[PN_RECEIVED_MAX];
  pn_received r =
  {
    .helo = "home-pc", .host = "dsl-1-2.example.net", .ip = "198.51.100.7", .by = "mail.example.org",
    .proto = "ESMTPSA", .id = "ID1", .date = "Sat, 5 Dec 2026 12:00:00 +0000"
  };
  pn_msg_received(rec, &r);
  result(!strcmp(rec, "Received: from home-pc (dsl-1-2.example.net [198.51.100.7])\n\tby mail.example.org (postern) with ESMTPSA id ID1;\n\tSat, 5 Dec 2026 12:00:00 +0000\n"), "Received names the client");
  r.priv = 1;
  pn_msg_received(rec, &r);
  result(!strcmp(rec, "Received: from authenticated-user\n\tby mail.example.org (postern) with ESMTPSA id ID1;\n\tSat, 5 Dec 2026 12:00:00 +0000\n"), "RECEIVEDPRIVATE: no HELO, host nor address; ESMTPSA kept");
}

int main(void)
{
  tain_now_set_stopwatch_g();
  test_clients();
  test_hostile();
  test_bind();
  test_body();
  test_nul();
  test_received();
  plan();
  return failed ? 1 : 0;
}
