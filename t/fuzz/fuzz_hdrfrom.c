/* ISC license: see LICENSE. */

/*
 * fuzz_hdrfrom: the From:/Sender: address-list parser (pn_hdrfrom_list)
 * and the binding check (pn_hdrbind_check).  The input is a field value
 * (copied to an exact-size heap buffer, so that ASan sees a read one byte
 * too far); it is also checked as the header "From:<input>\n\n" and, as it
 * is, as a whole header.
 *
 * Invariants:
 *  - the result is -1 or the number of addresses handed over, at most
 *    PN_HDRFROM_ADDRS_MAX; a callback that stops at the first address
 *    gives -2;
 *  - each address is NUL-terminated, shorter than PN_PATH_MAX, has no
 *    CR, LF or NUL, a non-empty local part and domain around the '@' at
 *    a->at;
 *  - the addresses, written again as " <a1>, <a2>...", parse to the same
 *    addresses (the parser is idempotent on its own output);
 *  - when the value is a well-formed field (every LF folds), the check of
 *    "From:" + value against SMTPSENDERS naming every address found
 *    passes, and against one naming none refuses (From not allowed);
 *    when it does not parse, the check says so;
 *  - the check of any header returns a known status.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/pn_addr.h"
#include "lib/pn_hdrbind.h"
#include "lib/pn_hdrfrom.h"
#include "fuzz.h"

#define LIST_MAX 32768

typedef struct list_s list;
struct list_s
{
  char s[LIST_MAX];         /* the addresses, each NUL-terminated */
  size_t len;
  unsigned int n;
  unsigned int stop;        /* 1: stop at the first */
  int spaces;               /* an address holds a blank */
};

static int collect(void *ctx, pn_envarg const *a)
{
  list *l = ctx;
  size_t i;
  if (a->len >= PN_PATH_MAX || a->addr[a->len] || strlen(a->addr) != a->len) fuzz_fail("address length or terminator");
  if (a->at == 0 || a->at >= a->len - 1 || a->addr[a->at] != '@') fuzz_fail("no local part, domain or @");
  for (i = 0; i < a->len; i++)
  {
    if (a->addr[i] == '\r' || a->addr[i] == '\n') fuzz_fail("CR or LF in an address");
    if (a->addr[i] == ' ' || a->addr[i] == '\t') l->spaces = 1;
  }
  if (l->len + a->len + 1 > LIST_MAX) fuzz_fail("more addresses than fit");
  memcpy(l->s + l->len, a->addr, a->len + 1);
  l->len += a->len + 1;
  l->n++;
  return !l->stop;
}

static int run(char const *s, size_t len, list *l, unsigned int stop)
{
  int r;
  l->len = 0;
  l->n = 0;
  l->stop = stop;
  l->spaces = 0;
  r = pn_hdrfrom_list(s, len, &collect, l);
  if (r == -2 && (!stop || l->n != 1)) fuzz_fail("stopped without being asked");
  if (r >= 0 && ((unsigned int)r != l->n || r > PN_HDRFROM_ADDRS_MAX)) fuzz_fail("count");
  if (r < -2) fuzz_fail("unknown result");
  return r;
}

/* The addresses as " <a1>, <a2>" (in the second half of l->s's room). */
static size_t rewrite(list const *l, char *out, size_t max)
{
  size_t w = 0;
  size_t i = 0;
  while (i < l->len)
  {
    size_t k = strlen(l->s + i);
    if (w + k + 4 > max) fuzz_fail("rewrite room");
    if (w) out[w++] = ',';
    out[w++] = ' ';
    out[w++] = '<';
    memcpy(out + w, l->s + i, k);
    w += k;
    out[w++] = '>';
    i += k + 1;
  }
  return w;
}

static int folded(char const *s, size_t len)
{
  size_t i;
  for (i = 0; i < len; i++)
    if (s[i] == '\n' && (i + 1 >= len || (s[i + 1] != ' ' && s[i + 1] != '\t'))) return 0;
  return !len || (s[len - 1] != '\r' && s[len - 1] != '\n');
}

static void check_bind(char const *v, size_t len, list const *l, int r)
{
  static char hdr[LIST_MAX * 2];
  static char senders[LIST_MAX];
  size_t i;
  int b;
  if (len + 8 > sizeof(hdr) || memchr(v, 0, len)) return;
  memcpy(hdr, "From:", 5);
  memcpy(hdr + 5, v, len);
  memcpy(hdr + 5 + len, "\n\n", 2);
  if (!folded(v, len)) return;
  b = pn_hdrbind_check("nobody@invalid.invalid", hdr, len + 7, 1);
  if (r < 0 && b != PN_HDRBIND_ESYNTAX) fuzz_fail("an unparsable From: not refused as such");
  if (r > 0 && b != PN_HDRBIND_EFROM)
  {
    for (i = 0; i < l->len; i += strlen(l->s + i) + 1)
      if (!strcasecmp(l->s + i, "nobody@invalid.invalid")) return;
    fuzz_fail("a From: naming others passes");
  }
  if (r < 0 || l->spaces) return;
  memcpy(senders, l->s, l->len);
  for (i = 0; i + 1 < l->len; i++) if (!senders[i]) senders[i] = ' ';
  senders[l->len ? l->len - 1 : 0] = 0;
  if (pn_hdrbind_check(senders, hdr, len + 7, 1) != PN_HDRBIND_OK) fuzz_fail("a From: naming only allowed addresses refused");
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  static list l;
  static list l2;
  static char again[LIST_MAX * 2];
  char *v = malloc(size ? size : 1);
  int r;
  int b;
  if (!v) fuzz_fail("malloc");
  memcpy(v, data, size);
  r = run(v, size, &l, 0);
  if (r > 0 && run(v, size, &l2, 1) != -2) fuzz_fail("the callback could not stop the parse");
  if (r > 0)
  {
    size_t w = rewrite(&l, again, sizeof(again));
    if (run(again, w, &l2, 0) != r || l2.len != l.len || memcmp(l2.s, l.s, l.len))
      fuzz_fail("the addresses written again parse to others");
  }
  check_bind(v, size, &l, r);
  b = pn_hdrbind_check("a@b @c", v, size, 1);
  if (b < PN_HDRBIND_OK || b >= PN_HDRBIND_N) fuzz_fail("unknown check status");
  if (pn_hdrbind_check("a@b", v, size, 0) != PN_HDRBIND_ELONG) fuzz_fail("an incomplete header passes");
  free(v);
  return 0;
}
