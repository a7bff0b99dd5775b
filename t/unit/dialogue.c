/* ISC license: see LICENSE. */

/*
 * Unit tests of the shared dialogue's pure parts, printing TAP: the
 * reply table (every entry's line is its code, its enhanced code and a
 * text; bad commands are 500-504 and 530), the verb lookup (any
 * length, any case, the verb ends at SP), the EHLO/HELO argument and the
 * BDAT argument.  Run by t/16-dialogue-units.t.
 */

#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/pn_reply.h"
#include "lib/pn_smtp.h"
#include "tap.h"

static void test_replies(void)
{
  unsigned int i;
  int ok = 1;
  for (i = 1; i < PN_R_N; i++)
  {
    pn_rdef const *r = pn_replies + i;
    char code[UINT_FMT];
    size_t clen = uint_fmt(code, r->code);
    size_t e = clen + 1;
    int good = r->len >= clen + 3 && r->len <= PN_REPLY_MAX && !memcmp(r->line, code, clen) && r->line[clen] == ' '
      && r->line[r->len - 2] == '\r' && r->line[r->len - 1] == '\n'
      && !memchr(r->line, '\n', r->len - 1) && !memchr(r->line, '\r', r->len - 2);
    if (good && r->elen)
      good = r->line[e] == r->line[0] && r->line[e + 1] == '.' && r->line[e + r->elen] == ' ';
    if (!good)
    {
      ok = 0;
      put("# bad entry: ");
      allwrite(1, r->line, r->len);
      put("\n");
    }
  }
  result(ok, "every reply: code SP enhanced code SP text CRLF");
  result(pn_reply_isbad(500) && pn_reply_isbad(504) && pn_reply_isbad(530)
    && !pn_reply_isbad(505) && !pn_reply_isbad(535) && !pn_reply_isbad(421) && !pn_reply_isbad(250),
    "bad commands: 500 to 504 and 530, nothing else");
}

static void f(pn_smtp *s, char const *a, size_t len)
{
  (void)s; (void)a; (void)len;
}

static pn_verb const verbs[] =
{
  { .name = "AUTH", .f = &f },
  { .name = "BDAT", .f = &f },
  { .name = "DATA", .f = &f },
  { .name = "EHLO", .f = &f },
  { .name = "HELO", .f = &f },
  { .name = "QUIT", .f = &f },
  { .name = "STARTTLS", .f = &f },
  { .name = "X", .f = &f },
};
#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static char const *look(char const *s)
{
  pn_verb const *v = pn_smtp_lookup(verbs, NVERBS, s, strlen(s));
  return v ? v->name : "";
}

static void test_lookup(void)
{
  unsigned int i;
  int ok = 1;
  for (i = 0; i < NVERBS; i++) if (strcmp(look(verbs[i].name), verbs[i].name)) ok = 0;
  result(ok, "lookup: every verb of the table is found");
  result(!strcmp(look("starttls"), "STARTTLS") && !strcmp(look("StartTLS x"), "STARTTLS"), "lookup: any length, any case, arguments after SP");
  result(!strcmp(look("x"), "X") && !strcmp(look("quit"), "QUIT"), "lookup: one letter, four letters");
  result(!*look("STARTTL") && !*look("STARTTLSX") && !*look("QUITX") && !*look("QUI") && !*look("") && !*look(" QUIT"),
    "lookup: a prefix or an extension of a verb is not the verb");
  result(!*look("QU\0IT") && !*look("Y"), "lookup: absent verbs");
}

static size_t helo(char const *s)
{
  return pn_smtp_heloarg(s, strlen(s), 10);
}

static void test_helo(void)
{
  result(helo(" a") == 1 && helo(" client.example") == 0 && helo(" host.ex") == 7, "heloarg: one argument, at most max bytes");
  result(helo(" a  ") == 1, "heloarg: trailing spaces dropped");
  result(!helo(" a b") && !helo("  a") && !helo("") && !helo(" ") && !helo("a") && !helo(" a\tb") && !helo(" \x7f"),
    "heloarg: none, two, or a control character: 0");
}

static void test_bdat(void)
{
  uint64_t sz;
  int last;
  int junk;
  result(pn_smtp_bdatarg(" 10", 3, &sz, &last, &junk) && sz == 10 && !last && !junk, "bdatarg: a size");
  result(pn_smtp_bdatarg(" 0 last", 7, &sz, &last, &junk) && !sz && last && !junk, "bdatarg: LAST, any case");
  result(pn_smtp_bdatarg(" 3 junk", 7, &sz, &last, &junk) && sz == 3 && !last && junk, "bdatarg: a size and junk");
  result(pn_smtp_bdatarg(" 3 LAST x", 9, &sz, &last, &junk) && junk && !last, "bdatarg: LAST then more is junk");
  result(pn_smtp_bdatarg(" 9999999999999999999", 20, &sz, &last, &junk) && sz == 9999999999999999999ULL, "bdatarg: 19 digits");
  result(!pn_smtp_bdatarg(" 10000000000000000000", 21, &sz, &last, &junk) && !pn_smtp_bdatarg(" x1", 3, &sz, &last, &junk)
    && !pn_smtp_bdatarg("", 0, &sz, &last, &junk) && !pn_smtp_bdatarg("  4", 3, &sz, &last, &junk)
    && !pn_smtp_bdatarg(" -1", 3, &sz, &last, &junk), "bdatarg: no usable size: 0");
}

int main(void)
{
  test_replies();
  test_lookup();
  test_helo();
  test_bdat();
  plan();
  return failed ? 1 : 0;
}
