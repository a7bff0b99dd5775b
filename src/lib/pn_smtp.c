/* ISC license: see LICENSE. */

/*
 * pn_smtp: the dialogue.  A command line goes: pn_smtp_getline (bounded
 * line, deadline, pipelined replies flushed before a read may block),
 * pn_smtp_dispatch (NUL, length, verb, arguments, state), then the
 * program's handler, which answers with pn_smtp_reply and an id of
 * pn_reply's table.
 */

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <skalibs/buffer.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include <skalibs/unix-timed.h>

#include "pn_smtp.h"
#include "pn_limits.h"

#define PN_CAPS_MAX 12            /* lines in the EHLO reply */
#define PN_CAP_MAX 264            /* one line: the host name (255) and its frame */

pn_verb const *pn_smtp_lookup(pn_verb const *v, unsigned int n, char const *s, size_t len)
{
  size_t vlen = 0;
  unsigned int lo = 0;
  unsigned int hi = n;
  while (vlen < len && s[vlen] != ' ')
    if (!s[vlen++]) return 0;             /* a NUL in a verb: no verb */
  if (!vlen) return 0;
  while (lo < hi)
  {
    unsigned int mid = lo + (hi - lo) / 2;
    char const *name = v[mid].name;
    /* s has no NUL in its vlen bytes: equal means name has them too */
    int c = strncasecmp(s, name, vlen);
    if (!c) c = name[vlen] ? -1 : 0;
    if (!c) return v + mid;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return 0;
}

size_t pn_smtp_heloarg(char const *s, size_t len, size_t max)
{
  size_t i;
  if (len < 2 || s[0] != ' ') return 0;
  s++; len--;
  while (len && s[len-1] == ' ') len--;
  if (!len || len > max) return 0;
  for (i = 0; i < len; i++)
    if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126) return 0;
  return len;
}

void pn_smtp_quit(pn_smtp *s, unsigned int id, char const *why)
{
  /* the last reply gets its SMTPTIMEOUT, even past the session's end */
  pn_io_nosession(&s->io);
  if (s->end) (*s->end)(s, why ? why : "unknown");
  if (id && pn_io_put(&s->io, pn_replies[id].line, pn_replies[id].len)) pn_io_flush(&s->io);
  _exit(0);
}

void pn_smtp_die_io(pn_smtp *s, char const *why)
{
  if (errno == ETIMEDOUT)
    pn_smtp_quit(s, buffer_isempty(&s->io.out) ? PN_R_TIMEOUT : PN_R_NONE, "timeout");
  pn_smtp_quit(s, PN_R_NONE, why);
}

void pn_smtp_cont(pn_smtp *s, char const *line, size_t len)
{
  if (!pn_io_put(&s->io, line, len) || !pn_io_put(&s->io, "\r\n", 2)) pn_smtp_die_io(s, "write");
}

void pn_smtp_line(pn_smtp *s, unsigned int code, char const *line, size_t len)
{
  pn_smtp_cont(s, line, len);
  if (!pn_reply_isbad(code)) return;
  if (++s->nbad >= PN_BADCMD_MAX) pn_smtp_quit(s, PN_R_TOOMANYBAD, "errors");
}

void pn_smtp_send(pn_smtp *s, unsigned int id)
{
  if (!pn_io_put(&s->io, pn_replies[id].line, pn_replies[id].len)) pn_smtp_die_io(s, "write");
}

void pn_smtp_reply(pn_smtp *s, unsigned int id)
{
  pn_smtp_send(s, id);
  if (!pn_reply_isbad(pn_replies[id].code)) return;
  if (++s->nbad >= PN_BADCMD_MAX) pn_smtp_quit(s, PN_R_TOOMANYBAD, "errors");
}

void pn_smtp_flush(pn_smtp *s)
{
  if (!pn_io_flush(&s->io)) pn_smtp_die_io(s, "write");
}

/* One line of the EHLO reply into b at *w: "250-" or "250 ", a, b2. */
static void caps_line(char *b, size_t *w, int last, char const *a, char const *a2)
{
  size_t n = strlen(a);
  memcpy(b + *w, last ? "250 " : "250-", 4);
  memcpy(b + *w + 4, a, n);
  *w += 4 + n;
  if (a2)
  {
    n = strlen(a2);
    b[(*w)++] = ' ';
    memcpy(b + *w, a2, n);
    *w += n;
  }
  b[(*w)++] = '\r';
  b[(*w)++] = '\n';
}

void pn_smtp_ehlo(pn_smtp *s, char const *host, pn_caps const *caps)
{
  char const *c[PN_CAPS_MAX];
  char const *arg[PN_CAPS_MAX] = { 0 };
  char b[PN_CAPS_MAX * PN_CAP_MAX];
  char size[6 + UINT64_FMT] = "SIZE ";
  size_t n = 0;
  size_t w = 0;
  size_t i;
  size[5 + uint64_fmt(size + 5, caps->size)] = 0;
  c[n++] = host;
  c[n++] = "PIPELINING";
  c[n++] = "ENHANCEDSTATUSCODES";
  c[n++] = "8BITMIME";
  c[n++] = size;
  c[n++] = "SMTPUTF8";
  c[n++] = "CHUNKING";
  if (caps->starttls) c[n++] = caps->starttls;
  if (caps->limits) c[n++] = caps->limits;
  if (caps->auth) { arg[n] = caps->auth; c[n++] = "AUTH"; }
  for (i = 0; i < n; i++) caps_line(b, &w, i + 1 == n, c[i], arg[i]);
  if (!pn_io_put(&s->io, b, w)) pn_smtp_die_io(s, "write");
}

void pn_smtp_greet(pn_smtp *s, char const *host)
{
  if (!pn_io_put(&s->io, "220 ", 4) || !pn_io_puts(&s->io, host) || !pn_io_put(&s->io, " ESMTP postern\r\n", 16))
    pn_smtp_die_io(s, "write");
}

void pn_smtp_helo(pn_smtp *s, char const *host)
{
  if (!pn_io_put(&s->io, "250 ", 4) || !pn_io_puts(&s->io, host) || !pn_io_put(&s->io, "\r\n", 2))
    pn_smtp_die_io(s, "write");
}

int pn_smtp_getline(pn_smtp *s, size_t *len)
{
  int r = pn_io_getline(&s->io, s->line, s->linemax, len);
  if (r > 0) return 1;
  if (!r) pn_smtp_quit(s, PN_R_NONE, "eof");
  if (errno == ERANGE) return 0;
  pn_smtp_die_io(s, "read");
}

void pn_smtp_skip(pn_smtp *s, uint64_t n)
{
  while (n)
  {
    size_t avail = buffer_len(&s->io.in);
    if (!avail)
    {
      ssize_t r = pn_io_fill(&s->io);
      if (!r) pn_smtp_quit(s, PN_R_NONE, "eof");
      if (r < 0) pn_smtp_die_io(s, "read");
      continue;
    }
    if (avail > n) avail = (size_t)n;
    buffer_rseek(&s->io.in, avail);
    n -= avail;
    pn_io_taken(&s->io, avail, !n);
  }
}

/* The octets the line took on the wire, its line end included
   (s->line[len] is the CR of a CRLF, or the bare LF). */
static size_t received(pn_smtp const *s, size_t len)
{
  return len + (s->line[len] == '\r' ? 2 : 1);
}

static int args_ok(unsigned int rule, char const *a, size_t len)
{
  switch (rule)
  {
    case PN_ARGS_NONE: return !len;
    case PN_ARGS_SOME: return len > 1 && a[0] == ' ';
    default: return 1;
  }
}

void pn_smtp_dispatch(pn_smtp *s, size_t len)
{
  pn_verb const *v;
  size_t vlen;
  if (s->nulbad && memchr(s->line, 0, len)) { pn_smtp_reply(s, PN_R_NUL); return; }
  v = pn_smtp_lookup(s->verbs, s->nverbs, s->line, len);
  if (received(s, len) > PN_CMDLINE_MAX && !(v && v->flags & PN_VERB_LONG))
  {
    pn_smtp_reply(s, PN_R_TOOLONG);
    return;
  }
  s->line[len] = 0;
  if (!v) { pn_smtp_reply(s, PN_R_UNKNOWN); return; }
  vlen = strlen(v->name);
  if (!args_ok(v->args, s->line + vlen, len - vlen)) { pn_smtp_reply(s, PN_R_ARGS); return; }
  if (v->need & ~s->state) { pn_smtp_reply(s, v->deny); return; }
  (*v->f)(s, s->line + vlen, len - vlen);
}

void pn_smtp_do_ok(pn_smtp *s, char const *arg, size_t len)
{
  (void)arg; (void)len;
  pn_smtp_reply(s, PN_R_OK);
}

void pn_smtp_do_help(pn_smtp *s, char const *arg, size_t len)
{
  (void)arg; (void)len;
  pn_smtp_reply(s, PN_R_HELP);
}

void pn_smtp_do_vrfy(pn_smtp *s, char const *arg, size_t len)
{
  (void)arg; (void)len;
  pn_smtp_reply(s, PN_R_VRFY);
}

void pn_smtp_do_quit(pn_smtp *s, char const *arg, size_t len)
{
  (void)arg; (void)len;
  pn_smtp_quit(s, PN_R_BYE, "quit");
}

void pn_smtp_loop(pn_smtp *s)
{
  for (;;)
  {
    size_t len;
    int r = pn_smtp_getline(s, &len);
    /* every command line counts, overlong ones too */
    if (s->cmdmax && ++s->ncmd > s->cmdmax) pn_smtp_quit(s, PN_R_TOOMANYCMDS, "commands");
    if (!r) pn_smtp_reply(s, PN_R_TOOLONG);
    else pn_smtp_dispatch(s, len);
  }
}

int pn_smtp_bdatarg(char const *s, size_t len, uint64_t *n, int *last, int *junk)
{
  size_t i = 1;
  *n = 0;
  *last = 0;
  *junk = 0;
  if (len < 2 || s[0] != ' ') return 0;
  for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
  {
    if (i > PN_SIZE_DIGITS_MAX) return 0;
    *n = *n * 10 + (uint64_t)(s[i] - '0');
  }
  if (i == 1) return 0;
  if (i == len) return 1;
  if (len - i == 5 && !strncasecmp(s + i, " LAST", 5)) *last = 1;
  else *junk = 1;
  return 1;
}
