/* ISC license: see LICENSE. */

/*
 * pn_addr: the arguments of MAIL and RCPT, parsed strictly after RFC 5321
 * section 4.1.2 (paths, quoted local parts, IPv4 and IPv6 address
 * literals, the null path, source routes accepted and dropped) and RFC
 * 6531 (UTF-8 in local parts and domains, only with SMTPUTF8).  Pure: no
 * I/O, no globals.
 */

#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "pn_addr.h"

#define LABEL_MAX 63              /* RFC 1035 */
#define LITERAL_MAX 64            /* text of an address literal */
#define KEYWORD_MAX 32            /* an esmtp-keyword */

typedef struct cursor_s cursor;
struct cursor_s
{
  char const *s;
  size_t len;
  size_t i;
};

static int isalnum_(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext */
static int isatext(unsigned char c)
{
  return isalnum_(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

size_t pn_addr_utf8len(char const *s, size_t len)
{
  unsigned char c = s[0];
  size_t n;
  size_t i;
  uint32_t cp;
  if (!len) return 0;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
  else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
  else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (len < n) return 0;
  for (i = 1; i < n; i++)
  {
    unsigned char d = s[i];
    if ((d & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  return n;
}

/* One non-ASCII character at the cursor: advances, sets *utf8; 0 if bad. */
static int take_utf8(cursor *c, int *utf8)
{
  size_t n = pn_addr_utf8len(c->s + c->i, c->len - c->i);
  if (n < 2) return 0;
  c->i += n;
  *utf8 = 1;
  return 1;
}

/* Dot-string (RFC 5321 4.1.2, RFC 6531 3.3 UTF8-non-ascii in atext) */
static int dotstring(cursor *c, int *utf8)
{
  int atom = 0;
  while (c->i < c->len)
  {
    unsigned char ch = c->s[c->i];
    if (isatext(ch)) { c->i++; atom = 1; }
    else if (ch >= 0x80) { if (!take_utf8(c, utf8)) return 0; atom = 1; }
    else if (ch == '.') { if (!atom) return 0; atom = 0; c->i++; }
    else break;
  }
  return atom;
}

/* Quoted-string: qtextSMTP is %d32-33 / %d35-91 / %d93-126,
   quoted-pairSMTP is "\" %d32-126. */
static int quotedstring(cursor *c, int *utf8)
{
  c->i++;
  while (c->i < c->len)
  {
    unsigned char ch = c->s[c->i];
    if (ch == '"') { c->i++; return 1; }
    if (ch == '\\')
    {
      if (c->i + 1 >= c->len) return 0;
      ch = c->s[c->i + 1];
      if (ch < 32 || ch > 126) return 0;
      c->i += 2;
    }
    else if (ch >= 0x80) { if (!take_utf8(c, utf8)) return 0; }
    else if (ch < 32 || ch == 127) return 0;
    else c->i++;
  }
  return 0;
}

/* Domain: sub-domains of Let-dig [Ldh-str], or U-labels (RFC 6531). */
static int domain(cursor *c, int *utf8)
{
  size_t start = c->i;
  for (;;)
  {
    size_t lstart = c->i;
    int lasthyphen = 0;
    while (c->i < c->len)
    {
      unsigned char ch = c->s[c->i];
      if (isalnum_(ch)) { c->i++; lasthyphen = 0; }
      else if (ch == '-' && c->i > lstart) { c->i++; lasthyphen = 1; }
      else if (ch >= 0x80) { if (!take_utf8(c, utf8)) return 0; lasthyphen = 0; }
      else break;
    }
    if (c->i == lstart || lasthyphen || c->i - lstart > LABEL_MAX) return 0;
    if (c->i < c->len && c->s[c->i] == '.') { c->i++; continue; }
    break;
  }
  return c->i - start <= PN_DOMAIN_MAX;
}

static int ipv4(char const *s, size_t len)
{
  unsigned int parts = 0;
  size_t i = 0;
  while (parts < 4)
  {
    unsigned int n = 0;
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4)
    {
      n = n * 10 + (unsigned int)(s[i++] - '0');
      digits++;
    }
    if (!digits || digits > 3 || n > 255) return 0;
    parts++;
    if (parts < 4) { if (i >= len || s[i] != '.') return 0; i++; }
  }
  return i == len;
}

/* address-literal (RFC 5321 4.1.3): an IPv4 address, or "IPv6:" and an
   IPv6 address.  A General-address-literal needs a Standardized-tag
   registered with IANA, and IPv6 is the only one: any other tag is
   refused, so that no dcontent ('<', '>', '"' among it) reaches a path
   that a downstream parser will read. */
static int literal(cursor *c)
{
  char tmp[LITERAL_MAX + 1];
  char buf[16];
  size_t start = ++c->i;
  size_t n;
  while (c->i < c->len && c->s[c->i] != ']')
  {
    unsigned char ch = c->s[c->i];
    if (ch < 33 || ch > 126 || ch == '[' || ch == '\\') return 0;
    c->i++;
  }
  if (c->i >= c->len) return 0;
  n = c->i - start;
  c->i++;
  if (!n || n > LITERAL_MAX) return 0;
  memcpy(tmp, c->s + start, n);
  tmp[n] = 0;
  if (ipv4(tmp, n)) return 1;
  return n > 5 && !strncasecmp(tmp, "IPv6:", 5) && inet_pton(AF_INET6, tmp + 5, buf) == 1;
}

/* A-d-l: "@" Domain *( "," "@" Domain ) ":", dropped (RFC 5321 4.1.2) */
static int sourceroute(cursor *c, int *utf8)
{
  for (;;)
  {
    if (c->i >= c->len || c->s[c->i] != '@') return 0;
    c->i++;
    if (!domain(c, utf8)) return 0;
    if (c->i < c->len && c->s[c->i] == ',') { c->i++; continue; }
    if (c->i < c->len && c->s[c->i] == ':') { c->i++; return 1; }
    return 0;
  }
}

/* "<" [ A-d-l ":" ] Mailbox ">", or "<>" when nullok, or "<postmaster>"
   when pmok.  The mailbox goes to out. */
static int path(cursor *c, int nullok, int pmok, pn_envarg *out)
{
  size_t start;
  size_t at;
  int utf8 = 0;
  if (c->i >= c->len || c->s[c->i] != '<') return 0;
  c->i++;
  if (c->i < c->len && c->s[c->i] == '>')
  {
    c->i++;
    out->addr[0] = 0; out->len = 0; out->at = 0;
    return nullok;
  }
  if (c->i < c->len && c->s[c->i] == '@' && !sourceroute(c, &utf8)) return 0;
  start = c->i;
  if (c->i < c->len && c->s[c->i] == '"') { if (!quotedstring(c, &utf8)) return 0; }
  else if (!dotstring(c, &utf8)) return 0;
  at = c->i;
  if (at - start > PN_LOCAL_MAX) return 0;
  if (c->i < c->len && c->s[c->i] == '@')
  {
    c->i++;
    if (c->i < c->len && c->s[c->i] == '[') { if (!literal(c)) return 0; }
    else if (!domain(c, &utf8)) return 0;
  }
  else if (!pmok || at - start != 10 || strncasecmp(c->s + start, "postmaster", 10)) return 0;
  if (c->i >= c->len || c->s[c->i] != '>') return 0;
  if (c->i - start + 2 > PN_PATH_MAX) return 0;
  out->len = c->i - start;
  memcpy(out->addr, c->s + start, out->len);
  out->addr[out->len] = 0;
  out->at = at - start;
  out->utf8 = utf8;
  c->i++;
  return 1;
}

/* xtext (RFC 3461 4): xchar is %d33-126 but "+" and "=", hexchar "+" HEX HEX */
static int xtext(char const *s, size_t len)
{
  static char const hex[] = "0123456789ABCDEF";
  size_t i;
  for (i = 0; i < len; i++)
  {
    unsigned char ch = s[i];
    if (ch == '+')
    {
      if (i + 2 >= len) return 0;
      if (!memchr(hex, s[i+1], 16) || !memchr(hex, s[i+2], 16)) return 0;
      i += 2;
    }
    else if (ch < 33 || ch > 126 || ch == '=') return 0;
  }
  return 1;
}

static int size_scan(char const *s, size_t len, uint64_t *n)
{
  size_t i;
  if (!len || len > PN_SIZE_DIGITS_MAX) return 0;
  *n = 0;
  for (i = 0; i < len; i++)
  {
    if (s[i] < '0' || s[i] > '9') return 0;
    *n = *n * 10 + (uint64_t)(s[i] - '0');
  }
  return 1;
}

/* One MAIL parameter: keyword [ "=" value ].  Returns PN_ADDR_*. */
static int mailparam(char const *k, size_t klen, char const *v, size_t vlen, int hasv, pn_envarg *out)
{
  if (klen == 4 && !strncasecmp(k, "SIZE", 4))
  {
    if (out->hassize || !hasv || !size_scan(v, vlen, &out->size)) return PN_ADDR_EPARAM;
    out->hassize = 1;
  }
  else if (klen == 4 && !strncasecmp(k, "BODY", 4))
  {
    if (out->body || !hasv) return PN_ADDR_EPARAM;
    if (vlen == 4 && !strncasecmp(v, "7BIT", 4)) out->body = PN_BODY_7BIT;
    else if (vlen == 8 && !strncasecmp(v, "8BITMIME", 8)) out->body = PN_BODY_8BITMIME;
    else return PN_ADDR_EPARAM;
  }
  else if (klen == 8 && !strncasecmp(k, "SMTPUTF8", 8))
  {
    if (out->smtputf8 || hasv) return PN_ADDR_EPARAM;
    out->smtputf8 = 1;
  }
  else if (klen == 4 && !strncasecmp(k, "AUTH", 4))
  {
    if (out->auth || !hasv || !xtext(v, vlen)) return PN_ADDR_EPARAM;
    out->auth = 1;
  }
  else return PN_ADDR_EUNKNOWN;
  return PN_ADDR_OK;
}

/* The parameters after the path: SP-separated esmtp-param (RFC 5321
   4.1.2); more than one SP and trailing SP are tolerated.  mail: 0 for
   RCPT, whose every parameter is unknown. */
static int params(cursor *c, int mail, pn_envarg *out)
{
  int unknown = 0;
  if (c->i < c->len && c->s[c->i] != ' ') return PN_ADDR_ESYNTAX;
  for (;;)
  {
    size_t k;
    size_t klen;
    size_t v = 0;
    size_t vlen = 0;
    int hasv = 0;
    int r;
    while (c->i < c->len && c->s[c->i] == ' ') c->i++;
    if (c->i >= c->len) break;
    k = c->i;
    while (c->i < c->len && (isalnum_(c->s[c->i]) || (c->s[c->i] == '-' && c->i > k))) c->i++;
    klen = c->i - k;
    if (!klen || klen > KEYWORD_MAX) return PN_ADDR_EPARAM;
    if (c->i < c->len && c->s[c->i] == '=')
    {
      v = ++c->i;
      hasv = 1;
      while (c->i < c->len)
      {
        unsigned char ch = c->s[c->i];
        if (ch == ' ') break;
        if (ch >= 0x80) { int u = 0; if (!take_utf8(c, &u)) return PN_ADDR_EPARAM; continue; }
        if (ch < 33 || ch > 126 || ch == '=') return PN_ADDR_EPARAM;
        c->i++;
      }
      vlen = c->i - v;
      if (!vlen) return PN_ADDR_EPARAM;
    }
    if (c->i < c->len && c->s[c->i] != ' ') return PN_ADDR_EPARAM;
    if (!mail) { unknown = 1; continue; }
    r = mailparam(c->s + k, klen, c->s + v, vlen, hasv, out);
    if (r == PN_ADDR_EUNKNOWN) unknown = 1;
    else if (r) return r;
  }
  return unknown ? PN_ADDR_EUNKNOWN : PN_ADDR_OK;
}

/* "FROM:" or "TO:", then optional spaces (tolerated, RFC 5321 says
   none), then the path and the parameters. */
static int envarg(char const *s, size_t len, char const *word, int mail, int utf8, pn_envarg *out)
{
  cursor c = { .s = s, .len = len, .i = 0 };
  size_t wlen = strlen(word);
  int r;
  memset(out, 0, sizeof(*out));
  if (len < 1 + wlen || s[0] != ' ' || strncasecmp(s + 1, word, wlen)) return PN_ADDR_ESYNTAX;
  c.i = 1 + wlen;
  while (c.i < len && c.s[c.i] == ' ') c.i++;
  if (c.i >= len) return PN_ADDR_ESYNTAX;
  if (memchr(s, 0, len)) return PN_ADDR_EPATH;
  if (!path(&c, mail, !mail, out)) return PN_ADDR_EPATH;
  r = params(&c, mail, out);
  if (r) return r == PN_ADDR_ESYNTAX ? PN_ADDR_EPATH : r;
  if (out->utf8 && !(mail ? out->smtputf8 : utf8)) return PN_ADDR_EUTF8;
  return PN_ADDR_OK;
}

int pn_addr_mail(char const *s, size_t len, pn_envarg *out)
{
  return envarg(s, len, "FROM:", 1, 0, out);
}

int pn_addr_rcpt(char const *s, size_t len, int utf8, pn_envarg *out)
{
  return envarg(s, len, "TO:", 0, utf8, out);
}

/* An entry of SMTPSENDERS against the sender: the whole address, or
   "@domain" against its domain only (not subdomains); no case. */
static int sender_match(char const *e, size_t elen, pn_envarg const *a)
{
  if (elen > 1 && e[0] == '@')
  {
    size_t dlen = a->len - a->at - 1;
    if (a->at >= a->len) return 0;
    return elen - 1 == dlen && !strncasecmp(e + 1, a->addr + a->at + 1, dlen);
  }
  return elen == a->len && !strncasecmp(e, a->addr, elen);
}

int pn_addr_sender_ok(char const *senders, pn_envarg const *a)
{
  char const *s = senders;
  int any = 0;
  if (!a->len) return 1;
  for (;;)
  {
    size_t n;
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) break;
    for (n = 0; s[n] && s[n] != ' ' && s[n] != '\t'; n++);
    any = 1;
    if (sender_match(s, n, a)) return 1;
    s += n;
  }
  return !any;
}
