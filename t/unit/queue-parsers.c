/* ISC license: see LICENSE. */

/*
 * Unit tests of postern-queue's pure parsers, printing TAP: pn_data
 * (DATA and BDAT bodies) and pn_hdr_scan give the same result however
 * their input is cut into chunks; pn_data_stuff undoes pn_data_feed;
 * pn_addr on a few paths; pn_msg_date, in UTC without the C library's
 * time zones, against dates known by other means.  Run by
 * t/38-queue-units.t.
 */

#include <string.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/pn_addr.h"
#include "lib/pn_data.h"
#include "lib/pn_msg.h"
#include "tap.h"

#define BUF_MAX 4096


typedef struct run_s run;
struct run_s
{
  char out[BUF_MAX];
  size_t outlen;
  size_t used;
  uint64_t size;
  unsigned int bare : 1;
  unsigned int done : 1;
};

/* Feeds s in chunks of at most step bytes (0: the cuts i and j). */
static void feed(int dot, char const *s, size_t len, size_t step, size_t i, size_t j, run *r)
{
  pn_data d;
  size_t pos = 0;
  pn_data_init(&d, dot);
  r->outlen = 0;
  while (pos < len && !d.done)
  {
    size_t k = step ? step : pos < i ? i - pos : pos < j ? j - pos : len - pos;
    size_t w;
    if (k > len - pos) k = len - pos;
    pos += pn_data_feed(&d, s + pos, k, r->out + r->outlen, &w);
    r->outlen += w;
  }
  if (!dot) r->outlen += pn_data_finish(&d, r->out + r->outlen);
  r->used = pos;
  r->size = d.size;
  r->bare = d.bare;
  r->done = d.done;
}

static int same(run const *a, run const *b)
{
  return a->outlen == b->outlen && !memcmp(a->out, b->out, a->outlen) && a->used == b->used
    && a->size == b->size && a->bare == b->bare && a->done == b->done;
}

/* Every way to cut the input in three gives the result of one piece. */
static int split_invariant(int dot, char const *s)
{
  size_t len = strlen(s);
  size_t i;
  size_t j;
  run whole;
  run r;
  feed(dot, s, len, len ? len : 1, 0, 0, &whole);
  feed(dot, s, len, 1, 0, 0, &r);
  if (!same(&whole, &r)) return 0;
  for (i = 0; i <= len; i++)
    for (j = i; j <= len; j++)
    {
      feed(dot, s, len, 0, i, j, &r);
      if (!same(&whole, &r)) return 0;
    }
  return 1;
}

static int data_is(char const *in, char const *want, uint64_t size, int bare, size_t used)
{
  run r;
  feed(1, in, strlen(in), strlen(in), 0, 0, &r);
  return r.outlen == strlen(want) && !memcmp(r.out, want, r.outlen) && r.size == size
    && r.bare == bare && r.done && r.used == used;
}

static void test_data(void)
{
  static char const *const inputs[] =
  {
    "Subject: x\r\n\r\nbody\r\n.\r\n",
    "..a\r\n...\r\n.\r\n\r\n.\r\nrest",
    "a\n.\nb\r\n.\rc\r\n.\r\n",
    "\r\n.\r\n",
    ".\r\n",
    "x\r\r\n\r\n.\r\n",
    "a\r\n.\r",
    "..\r\n.x\r\n.\r\n",
    0
  };
  unsigned int i;
  for (i = 0; inputs[i]; i++) result(split_invariant(1, inputs[i]), "DATA: every chunking gives the same result");
  for (i = 0; inputs[i]; i++) result(split_invariant(0, inputs[i]), "BDAT: every chunking gives the same result");
  result(data_is("Subject: x\r\n\r\nbody\r\n.\r\nNOOP\r\n", "Subject: x\n\nbody\n", 20, 0, 23), "DATA: LF ends, size with CRLF, stops at the end");
  result(data_is("..a\r\n.\r\n", ".a\n", 4, 0, 8), "dot unstuffed, not counted");
  result(data_is(".\r\n", "", 0, 0, 3), "the empty message");
  result(data_is("a\n.\nb\r\n.\r\n", "a\n.\nb\n", 7, 1, 10), "LF.LF is no end; bare LF noted");
  result(data_is("a\r.\rb\r\n.\r\n", "a.b\n", 5, 1, 10), "CR.CR is no end; bare CR noted");
  {
    run r;
    feed(0, "ab", 2, 2, 0, 0, &r);
    result(r.outlen == 3 && !memcmp(r.out, "ab\n", 3) && r.size == 4 && !r.bare, "BDAT: a final line end added");
    feed(0, "ab\r", 3, 3, 0, 0, &r);
    result(r.bare, "BDAT: a final CR is bare");
    feed(0, ".x\r\n", 4, 4, 0, 0, &r);
    result(r.outlen == 3 && !memcmp(r.out, ".x\n", 3), "BDAT: dots are data");
  }
}

static int stuff_roundtrip(char const *lf)
{
  char crlf[BUF_MAX];
  char back[BUF_MAX];
  size_t len = strlen(lf);
  size_t w = 0;
  size_t i;
  size_t outlen;
  int bol = 1;
  pn_data d;
  for (i = 0; i < len; i++) w += pn_data_stuff(&bol, lf + i, 1, crlf + w);
  memcpy(crlf + w, ".\r\n", 3);
  w += 3;
  pn_data_init(&d, 1);
  i = pn_data_feed(&d, crlf, w, back, &outlen);
  return i == w && d.done && !d.bare && outlen == len && !memcmp(back, lf, len);
}

static void test_stuff(void)
{
  result(stuff_roundtrip("a\n.b\n..\n.\n\nend\n"), "stuffing undone by unstuffing");
  result(stuff_roundtrip(""), "the empty message");
  {
    char out[64];
    int bol = 1;
    size_t w = pn_data_stuff(&bol, ".a\n.\nb", 6, out);
    result(w == 10 && !memcmp(out, "..a\r\n..\r\nb", 10) && !bol, "dots doubled at line starts, CRLF");
  }
}

static unsigned int scan(char const *s, size_t step)
{
  pn_hdrscan h = PN_HDRSCAN_ZERO;
  size_t len = strlen(s);
  size_t pos = 0;
  while (pos < len && !(h.found & PN_HDR_END))
  {
    size_t k = len - pos < step ? len - pos : step;
    pos += pn_hdr_scan(&h, s + pos, k);
  }
  return h.found;
}

static void test_hdr(void)
{
  static char const *const inputs[] =
  {
    "Subject: x\nDate: y\nMessage-ID: <z>\n\nbody\n",
    "subject: x\n message-id: folded\n\nDate: body\n",
    "DATE : x\nMESSAGE-ID\t: y\n\n",
    "no header line\nDate: x\n\n",
    "\nDate: x\n",
    "X-Very-Long-Field-Name-Here: 1\nDate:x\n",
    0
  };
  static unsigned int const want[] =
  {
    PN_HDR_DATE | PN_HDR_MSGID | PN_HDR_END,
    PN_HDR_END,
    PN_HDR_DATE | PN_HDR_MSGID | PN_HDR_END,
    PN_HDR_END,
    PN_HDR_END,
    PN_HDR_DATE
  };
  unsigned int i;
  for (i = 0; inputs[i]; i++)
  {
    size_t step;
    int good = 1;
    for (step = 1; step <= strlen(inputs[i]); step++)
      if (scan(inputs[i], step) != want[i]) good = 0;
    result(good, "header scan: the same fields found for every chunking");
  }
}

static void test_addr(void)
{
  pn_envarg a;
  result(pn_addr_mail(" FROM:<a@b.example> SIZE=5", 26, &a) == PN_ADDR_OK && a.len == 11 && a.at == 1
    && a.hassize && a.size == 5, "MAIL: address, @, SIZE");
  result(pn_addr_mail(" FROM:<@x.example:a@b.example>", 30, &a) == PN_ADDR_OK && !strcmp(a.addr, "a@b.example"),
    "source route dropped");
  result(pn_addr_rcpt(" TO:<postmaster>", 16, 0, &a) == PN_ADDR_OK && a.at == a.len, "<postmaster>");
  result(pn_addr_mail(" FROM:<a\0b@c>", 13, &a) == PN_ADDR_EPATH, "NUL refused");
  result(pn_addr_mail(" FROM:<a@[127.0.0.1]>", 21, &a) == PN_ADDR_OK && !strcmp(a.addr, "a@[127.0.0.1]"),
    "IPv4 address literal");
  result(pn_addr_rcpt(" TO:<a@[IPv6:::1]>", 18, 0, &a) == PN_ADDR_OK && !strcmp(a.addr, "a@[IPv6:::1]"),
    "IPv6 address literal");
  result(pn_addr_mail(" FROM:<a@[tag:foo]>", 19, &a) == PN_ADDR_EPATH, "general address literal refused (MAIL)");
  result(pn_addr_rcpt(" TO:<a@[tag:foo]>", 17, 0, &a) == PN_ADDR_EPATH, "general address literal refused (RCPT)");
  result(pn_addr_rcpt(" TO:<a@[x-tag:a<b>\"c]>", 22, 0, &a) == PN_ADDR_EPATH, "general literal with < > \" refused");
  result(pn_addr_rcpt(" TO:<a@[IPv6:1.2.3.4]>", 22, 0, &a) == PN_ADDR_EPATH, "IPv6: tag with an IPv4 address refused");
  a.len = 11; a.at = 1; memcpy(a.addr, "a@B.example", 12);
  result(pn_addr_sender_ok("x@y @b.EXAMPLE", &a), "senders: @domain, no case");
  result(!pn_addr_sender_ok("a@b.example.org @example", &a), "senders: no prefix, no suffix match");
  result(pn_addr_sender_ok("  ", &a), "senders: blank means any");
  result(pn_addr_utf8len("\xed\xa0\x80", 3) == 0, "UTF-8: no surrogates");
  result(pn_addr_utf8len("\xf4\x8f\xbf\xbf", 4) == 4, "UTF-8: U+10FFFF");
}

static void date(int64_t t, char const *want)
{
  char got[PN_DATE_MAX];
  size_t len = pn_msg_date(got, (time_t)t);
  int okay = len == strlen(want) && !strcmp(got, want);
  result(okay, want);
  if (!okay) { put("# got: "); put(got); put("\n"); }
}

static void test_date(void)
{
  date(0, "Thu, 1 Jan 1970 00:00:00 +0000");
  date(-1, "Wed, 31 Dec 1969 23:59:59 +0000");
  date(951782400, "Tue, 29 Feb 2000 00:00:00 +0000");
  date(951868799, "Tue, 29 Feb 2000 23:59:59 +0000");
  date(951868800, "Wed, 1 Mar 2000 00:00:00 +0000");
  date(1709164800, "Thu, 29 Feb 2024 00:00:00 +0000");
  date(1795596705, "Wed, 25 Nov 2026 08:51:45 +0000");
  date(4107542399LL, "Sun, 28 Feb 2100 23:59:59 +0000");
  date(4107542400LL, "Mon, 1 Mar 2100 00:00:00 +0000");
  date(253402300799LL, "Fri, 31 Dec 9999 23:59:59 +0000");
  date(253402300800LL, "Thu, 1 Jan 1970 00:00:00 +0000");
}

int main(void)
{
  test_data();
  test_stuff();
  test_hdr();
  test_addr();
  test_date();
  plan();
  return failed ? 1 : 0;
}
