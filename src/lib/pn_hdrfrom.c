/* ISC license: see LICENSE. */

/*
 * pn_hdrfrom: the addresses of the From: and Sender: fields, and their
 * check against SMTPSENDERS.  The value is read as RFC 5322 3.4 and 4.4
 * write it, groups included (RFC 6854 allows them in From: and Sender:):
 * a lexer that drops comments (nested up to PN_HDRFROM_DEPTH_MAX) and
 * folding whitespace and returns atoms, quoted strings, domain literals
 * and specials; a parser over those tokens with one token of lookahead,
 * without recursion.  An encoded word (RFC 2047 5(3)) is made of atext,
 * so it is an atom of the display name and is never decoded.  Bytes over
 * 127 are taken as atext (RFC 6532; Latin-1 from old clients too): the
 * address then matches SMTPSENDERS byte for byte or not at all.
 */

#include <string.h>
#include <strings.h>

#include "pn_hdrfrom.h"
#include "pn_addr.h"

#define T_END 0
#define T_ATOM 1
#define T_QUOTED 2
#define T_LITERAL 3
#define T_SPECIAL 4
#define T_ERR 5

typedef struct tok_s tok;
struct tok_s
{
  int type;
  char c;                   /* T_SPECIAL: which */
  size_t start;
  size_t len;
};

typedef struct parse_s parse;
struct parse_s
{
  char const *s;
  size_t len;
  size_t i;
  tok t;
  pn_hdrfrom_cb *cb;
  void *ctx;
  pn_envarg a;
  size_t w;                 /* bytes in a.addr */
  int over;                 /* a.addr overflowed */
  int n;                    /* addresses given to cb */
};

static int isatext(unsigned char c)
{
  if (c >= 0x80) return 1;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
  return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != 0;
}

/* Folding whitespace: SP, HTAB, LF, CRLF (the field is handed over whole,
   so every line end in it is a fold).  1 if s[i] starts some, with its
   length in *n; a bare CR is no whitespace. */
static int fws(parse const *p, size_t i, size_t *n)
{
  char c = p->s[i];
  if (c == ' ' || c == '\t' || c == '\n') { *n = 1; return 1; }
  if (c == '\r' && i + 1 < p->len && p->s[i + 1] == '\n') { *n = 2; return 1; }
  return 0;
}

/* Skips whitespace and comments.  0 on an unbalanced or too deep comment,
   a bare CR or a NUL in one. */
static int cfws(parse *p)
{
  unsigned int depth = 0;
  while (p->i < p->len)
  {
    char c = p->s[p->i];
    size_t n;
    if (!depth && fws(p, p->i, &n)) { p->i += n; continue; }
    if (c == '(')
    {
      if (++depth > PN_HDRFROM_DEPTH_MAX) return 0;
    }
    else if (!depth) return 1;
    else if (c == ')') depth--;
    else if (c == '\\') { if (++p->i >= p->len) return 0; }
    else if (!c || (c == '\r' && !fws(p, p->i, &n))) return 0;
    p->i++;
  }
  return !depth;
}

/* A quoted string or a domain literal from s[i], to its closing byte:
   quoted pairs (not of NUL, CR or LF), folds; no NUL, no bare CR, no
   nested '['.  1 if closed. */
static int delimited(parse *p, char close)
{
  p->i++;
  while (p->i < p->len)
  {
    char c = p->s[p->i];
    size_t n;
    if (c == close) { p->i++; return 1; }
    /* a quoted CR or LF would vanish with the folds' line ends and leave
       its backslash to quote the next byte: refused */
    if (c == '\\')
    {
      if (p->i + 1 >= p->len || !p->s[p->i + 1] || p->s[p->i + 1] == '\r' || p->s[p->i + 1] == '\n') return 0;
      p->i += 2;
      continue;
    }
    if (!c || (close == ']' && c == '[')) return 0;
    if (c == '\r' && !fws(p, p->i, &n)) return 0;
    p->i++;
  }
  return 0;
}

/* The next token into p->t. */
static void next(parse *p)
{
  tok *t = &p->t;
  unsigned char c;
  if (!cfws(p)) { t->type = T_ERR; return; }
  t->start = p->i;
  t->len = 0;
  if (p->i >= p->len) { t->type = T_END; return; }
  c = (unsigned char)p->s[p->i];
  if (c == '"' || c == '[')
  {
    t->type = c == '"' ? T_QUOTED : T_LITERAL;
    if (!delimited(p, c == '"' ? '"' : ']')) t->type = T_ERR;
  }
  else if (isatext(c))
  {
    while (p->i < p->len && isatext((unsigned char)p->s[p->i])) p->i++;
    t->type = T_ATOM;
  }
  else if (strchr("<>:;@,.", c) && c)
  {
    t->type = T_SPECIAL;
    t->c = (char)c;
    p->i++;
  }
  else t->type = T_ERR;
  t->len = p->i - t->start;
}

static int special(parse const *p, char c)
{
  return p->t.type == T_SPECIAL && p->t.c == c;
}

/* Appends the token to the address, without the line ends of folds. */
static void append(parse *p, char const *s, size_t len)
{
  size_t i;
  for (i = 0; i < len; i++)
  {
    if (s[i] == '\r' || s[i] == '\n') continue;
    if (p->w >= PN_PATH_MAX - 1) { p->over = 1; return; }
    p->a.addr[p->w++] = s[i];
  }
}

static void append_tok(parse *p)
{
  append(p, p->s + p->t.start, p->t.len);
}

/* domain = dot-atom / domain-literal / obs-domain.  keep: append it. */
static int domain(parse *p, int keep)
{
  if (p->t.type == T_LITERAL)
  {
    if (keep) append_tok(p);
    next(p);
    return 1;
  }
  for (;;)
  {
    if (p->t.type != T_ATOM) return 0;
    if (keep) append_tok(p);
    next(p);
    if (!special(p, '.')) return 1;
    if (keep) append(p, ".", 1);
    next(p);
  }
}

/* The address is complete in a.addr: hand it over. */
static int deliver(parse *p)
{
  if (p->over || !p->w || p->n >= PN_HDRFROM_ADDRS_MAX) return -1;
  p->a.addr[p->w] = 0;
  p->a.len = p->w;
  p->n++;
  return p->cb(p->ctx, &p->a) ? 0 : -2;
}

/* After "<": [obs-route] addr-spec ">". */
static int angle(parse *p)
{
  if (special(p, '@') || special(p, ','))
  {
    while (special(p, '@') || special(p, ','))
    {
      int at = special(p, '@');
      next(p);
      if (at && !domain(p, 0)) return -1;
    }
    if (!special(p, ':')) return -1;
    next(p);
  }
  p->w = 0;
  p->over = 0;
  for (;;)
  {
    if (p->t.type != T_ATOM && p->t.type != T_QUOTED) return -1;
    append_tok(p);
    next(p);
    if (!special(p, '.')) break;
    append(p, ".", 1);
    next(p);
  }
  if (!special(p, '@')) return -1;
  p->a.at = p->w;
  append(p, "@", 1);
  next(p);
  if (!domain(p, 1) || !special(p, '>')) return -1;
  next(p);
  return deliver(p);
}

/* A mailbox, or with ingroup 0 a group too.  The words before "<", "@"
   or ":" are a display name, or the local part when they are
   word *("." word).  0, or -1 (syntax), -2 (stopped). */
static int address(parse *p, int ingroup)
{
  unsigned int words = 0;
  int localok = 1;
  int dot = 1;
  p->w = 0;
  p->over = 0;
  while (p->t.type == T_ATOM || p->t.type == T_QUOTED || special(p, '.'))
  {
    if (special(p, '.')) { if (dot) localok = 0; dot = 1; }
    else { if (!dot) localok = 0; dot = 0; words++; }
    append_tok(p);
    next(p);
  }
  if (special(p, '<')) { next(p); return angle(p); }
  if (special(p, '@'))
  {
    if (!words || !localok || dot) return -1;
    p->a.at = p->w;
    append(p, "@", 1);
    next(p);
    if (!domain(p, 1)) return -1;
    return deliver(p);
  }
  if (!special(p, ':') || ingroup || !words) return -1;
  /* group: display-name ":" [group-list] ";" */
  next(p);
  for (;;)
  {
    int r;
    if (special(p, ';')) { next(p); return 0; }
    if (special(p, ',')) { next(p); continue; }
    r = address(p, 1);
    if (r) return r;
    if (!special(p, ',') && !special(p, ';')) return -1;
  }
}

int pn_hdrfrom_list(char const *s, size_t len, pn_hdrfrom_cb *cb, void *ctx)
{
  parse p;
  unsigned int items = 0;
  memset(&p, 0, sizeof(p));
  p.s = s;
  p.len = len;
  p.cb = cb;
  p.ctx = ctx;
  next(&p);
  for (;;)
  {
    int r;
    if (p.t.type == T_END) break;
    if (special(&p, ',')) { next(&p); continue; }
    r = address(&p, 0);
    if (r) return r;
    items++;
    if (p.t.type != T_END && !special(&p, ',')) return -1;
  }
  return items ? p.n : -1;
}
