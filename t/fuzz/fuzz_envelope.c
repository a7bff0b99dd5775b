/* ISC license: see LICENSE. */

/*
 * fuzz_envelope: the MAIL and RCPT argument parser (pn_addr_mail,
 * pn_addr_rcpt) and the SMTPSENDERS match.  The input is what follows
 * "MAIL" or "RCPT" on a command line; after a first LF, the rest is an
 * SMTPSENDERS value.  The argument is copied to an exact-size heap
 * buffer so that ASan sees a read one byte too far.
 *
 * Invariants of an accepted path: the mailbox is NUL-terminated, shorter
 * than PN_PATH_MAX, without control characters, and without SP, angle
 * brackets, brackets or quotes outside a quoted local part; an address
 * literal is IPv4 or IPv6, never general ("[tag:dcontent]"); its '@' is
 * where the parser says; "<mailbox>" parses again to the same mailbox
 * (the parser is idempotent on its own output); the sender list that
 * names it exactly (or its domain) allows it.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/pn_addr.h"
#include "fuzz.h"

#define LINE_MAX_ 1024

static void mailbox_check(pn_envarg const *a, int mail, int utf8)
{
  char line[PN_PATH_MAX + 32];
  pn_envarg b;
  size_t i;
  size_t w;
  int quoted = a->len && a->addr[0] == '"';
  if (a->len + 2 > PN_PATH_MAX) fuzz_fail("mailbox over PN_PATH_MAX");
  if (a->addr[a->len] || strlen(a->addr) != a->len) fuzz_fail("mailbox length or terminator");
  if (!a->len) { if (!mail) fuzz_fail("<> as a recipient"); return; }
  if (a->at > a->len) fuzz_fail("@ offset past the end");
  if (a->at < a->len && a->addr[a->at] != '@') fuzz_fail("@ offset not on an @");
  if (a->at == a->len && (mail || strcasecmp(a->addr, "postmaster"))) fuzz_fail("no domain, not <postmaster>");
  for (i = 0; i < a->len; i++)
  {
    unsigned char c = a->addr[i];
    if (c < 32 || c == 127) fuzz_fail("control character in a mailbox");
    if (quoted && i < a->at)
    {
      if (c == '\\') i++;
      continue;
    }
    /* an address literal: IPv4, or "IPv6:" and an IPv6 address; no
       General-address-literal, so no dcontent ('<', '>', '"') */
    if (i == a->at + 1 && c == '[')
    {
      char const *ok = "0123456789.";
      if (a->addr[a->len - 1] != ']') fuzz_fail("an address literal not closed");
      i++;
      if (a->len - 1 - i > 5 && !strncasecmp(a->addr + i, "IPv6:", 5))
      {
        ok = "0123456789abcdefABCDEF:.";
        i += 5;
      }
      for (; i < a->len - 1; i++)
        if (!a->addr[i] || !strchr(ok, a->addr[i])) fuzz_fail("an address literal neither IPv4 nor IPv6");
      break;
    }
    if (c == ' ' || c == '<' || c == '>' || c == '\\' || c == '"' || c == '[' || c == ']') fuzz_fail("a special outside quotes");
  }
  if (a->utf8 && !(mail ? a->smtputf8 : utf8)) fuzz_fail("UTF-8 accepted without SMTPUTF8");
  /* parsed again */
  memcpy(line, mail ? " FROM:<" : " TO:<", w = mail ? 7 : 5);
  memcpy(line + w, a->addr, a->len); w += a->len;
  line[w++] = '>';
  if (mail && a->utf8) { memcpy(line + w, " SMTPUTF8", 9); w += 9; }
  if ((mail ? pn_addr_mail(line, w, &b) : pn_addr_rcpt(line, w, utf8, &b)) != PN_ADDR_OK)
    fuzz_fail("a mailbox does not parse again");
  if (b.len != a->len || memcmp(b.addr, a->addr, a->len) || b.at != a->at)
    fuzz_fail("a mailbox parses again to something else");
  /* utf8 says the path as sent had non-ASCII bytes: a dropped source
     route may have had them, the mailbox alone not */
  if (b.utf8 > a->utf8) fuzz_fail("a mailbox is UTF-8 only when parsed again");
  for (i = 0; i < a->len; i++)
    if ((unsigned char)a->addr[i] >= 0x80 && !b.utf8) fuzz_fail("a non-ASCII mailbox not flagged UTF-8");
  if (mail && !memchr(a->addr, ' ', a->len))
  {
    char senders[PN_PATH_MAX + 8];
    memcpy(senders, "x@y ", 4);
    memcpy(senders + 4, a->addr, a->len + 1);
    if (!pn_addr_sender_ok(senders, a)) fuzz_fail("SMTPSENDERS naming the sender refuses it");
    if (a->at < a->len)
    {
      memcpy(senders, a->addr + a->at, a->len - a->at + 1);
      if (!pn_addr_sender_ok(senders, a)) fuzz_fail("SMTPSENDERS naming the domain refuses it");
    }
  }
}

static void params_check(char const *s, size_t len, pn_envarg const *a)
{
  (void)s; (void)len;
  if (a->body > PN_BODY_8BITMIME) fuzz_fail("BODY value");
  if (a->hassize && a->size >= 10000000000000000000ULL) fuzz_fail("SIZE over 19 digits");
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  char const *nl = memchr(data, '\n', size);
  size_t len = nl ? (size_t)(nl - (char const *)data) : size;
  char *arg;
  pn_envarg a;
  int r;
  int utf8;
  if (len > LINE_MAX_) return 0;
  arg = malloc(len ? len : 1);
  if (!arg) fuzz_fail("malloc");
  memcpy(arg, data, len);

  r = pn_addr_mail(arg, len, &a);
  if (r < PN_ADDR_OK || r > PN_ADDR_EUTF8) fuzz_fail("pn_addr_mail: unknown result");
  if (r == PN_ADDR_OK) { mailbox_check(&a, 1, 0); params_check(arg, len, &a); }
  for (utf8 = 0; utf8 < 2; utf8++)
  {
    r = pn_addr_rcpt(arg, len, utf8, &a);
    if (r < PN_ADDR_OK || r > PN_ADDR_EUTF8) fuzz_fail("pn_addr_rcpt: unknown result");
    if (r == PN_ADDR_OK) mailbox_check(&a, 0, utf8);
    if (r == PN_ADDR_EUTF8 && utf8) fuzz_fail("EUTF8 with SMTPUTF8");
  }

  /* the rest as SMTPSENDERS, against the sender if there is one */
  if (nl)
  {
    size_t slen = size - len - 1;
    char *senders = malloc(slen + 1);
    if (!senders) fuzz_fail("malloc");
    memcpy(senders, nl + 1, slen);
    senders[slen] = 0;
    if (pn_addr_mail(arg, len, &a) == PN_ADDR_OK)
    {
      int ok = pn_addr_sender_ok(senders, &a);
      if (!a.len && !ok) fuzz_fail("the null sender refused");
    }
    free(senders);
  }

  /* UTF-8 lengths along the input */
  {
    size_t i = 0;
    while (i < len)
    {
      size_t n = pn_addr_utf8len(arg + i, len - i);
      if (n > 4 || n > len - i) fuzz_fail("pn_addr_utf8len past the end");
      if (n == 1 && (unsigned char)arg[i] >= 0x80) fuzz_fail("a non-ASCII byte of length 1");
      i += n ? n : 1;
    }
  }
  free(arg);
  return 0;
}
