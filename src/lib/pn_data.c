/* ISC license: see LICENSE. */

/*
 * pn_data: the body of a message as it comes from the client, as a pure
 * incremental state machine fed chunks of any size.  DATA (RFC 5321
 * 4.1.1.4, 4.5.2): dots unstuffed, the end only at CRLF.CRLF; a bare CR or
 * bare LF is noted (the message is then refused, which closes SMTP
 * smuggling) and never ends a line nor the data; so is a NUL byte
 * (nul), which no message carries without BINARYMIME, never offered
 * here.  BDAT (RFC 3030): the
 * same without stuffing nor terminator.  The size is counted as RFC 1870
 * counts it.  The output has LF line ends.
 *
 * The hot path is in MID: memchr finds the next LF, a second memchr
 * checks that the only CR before it is the one right before it, and
 * line after line is copied without going back to the state machine.
 * NULs are looked for once per call, by one memchr over the bytes the
 * call consumed (the message's, never what follows its terminator), not
 * line by line: a third memchr per line would cost more.
 */

#include <string.h>

#include "pn_data.h"

#define S_BOL 0                   /* at the start of a line */
#define S_MID 1                   /* inside a line */
#define S_CR 2                    /* after a CR inside a line */
#define S_DOT 3                   /* DATA: after a "." at the start of a line */
#define S_DOTCR 4                 /* DATA: after ".\r" at the start of a line */

void pn_data_init(pn_data *d, int dot)
{
  d->size = 0;
  d->state = S_BOL;
  d->dot = !!dot;
  d->bare = 0;
  d->done = 0;
  d->nul = 0;
}

/* In a line: copies up to the next CR or LF.  The common case, a line
   ending in CRLF with no other CR in it, is taken whole, and so are the
   lines after it, until one starts with a dot (DATA) or the input ends.
   Returns the bytes used. */
static size_t mid(pn_data *d, char const *s, size_t len, char *out, size_t *w)
{
  size_t i = 0;
  for (;;)
  {
    char const *p = s + i;
    size_t left = len - i;
    char const *lf = memchr(p, '\n', left);
    size_t n = lf ? (size_t)(lf - p) : left;
    char const *cr = memchr(p, '\r', n);
    if (cr && cr + 1 == lf)
    {
      memcpy(out + *w, p, n - 1);
      *w += n - 1;
      out[(*w)++] = '\n';
      d->size += n + 1;
      i += n + 1;
      if (i == len || (d->dot && s[i] == '.'))
      {
        d->state = S_BOL;
        return i;
      }
      continue;
    }
    if (cr)
    {
      n = (size_t)(cr - p);
      memcpy(out + *w, p, n);
      *w += n;
      d->size += n;
      d->state = S_CR;
      return i + n + 1;
    }
    if (lf)
    {
      /* bare LF: kept, but it starts no line */
      d->bare = 1;
      n++;
    }
    memcpy(out + *w, p, n);
    *w += n;
    d->size += n;
    return i + n;
  }
}

/* One byte in the states where one byte decides.  Returns the bytes
   used: 0 when the byte is to be seen again in S_MID. */
static size_t step(pn_data *d, char c, char *out, size_t *w)
{
  switch (d->state)
  {
    case S_BOL:
      if (d->dot && c == '.') { d->state = S_DOT; return 1; }
      if (c == '\r') { d->state = S_CR; return 1; }
      d->state = S_MID;
      return 0;
    case S_CR:
      if (c == '\n')
      {
        out[(*w)++] = '\n';
        d->size += 2;
        d->state = S_BOL;
        return 1;
      }
      d->bare = 1;
      d->state = S_MID;
      return 0;
    case S_DOT:
      if (c == '\r') { d->state = S_DOTCR; return 1; }
      d->state = S_MID;             /* the stuffed dot is dropped */
      return 0;
    case S_DOTCR:
      if (c == '\n') { d->done = 1; return 1; }
      d->bare = 1;
      d->state = S_MID;
      return 0;
    default:
      d->state = S_MID;
      return 0;
  }
}

size_t pn_data_feed(pn_data *d, char const *s, size_t len, char *out, size_t *outlen)
{
  size_t i = 0;
  size_t w = 0;
  while (i < len && !d->done)
  {
    if (d->state == S_MID) i += mid(d, s + i, len - i, out, &w);
    else i += step(d, s[i], out, &w);
  }
  if (!d->nul && i && memchr(s, 0, i)) d->nul = 1;
  *outlen = w;
  return i;
}

size_t pn_data_finish(pn_data *d, char *out)
{
  if (d->state == S_CR) { d->bare = 1; d->state = S_MID; }
  if (d->state == S_BOL) return 0;
  out[0] = '\n';
  d->size += 2;
  d->state = S_BOL;
  return 1;
}

size_t pn_data_stuff(int *bol, char const *s, size_t len, char *out)
{
  size_t w = 0;
  size_t i = 0;
  while (i < len)
  {
    char const *lf;
    size_t n;
    if (*bol && s[i] == '.') out[w++] = '.';
    lf = memchr(s + i, '\n', len - i);
    n = lf ? (size_t)(lf - (s + i)) : len - i;
    memcpy(out + w, s + i, n);
    w += n;
    i += n;
    if (lf)
    {
      out[w++] = '\r';
      out[w++] = '\n';
      i++;
      *bol = 1;
    }
    else *bol = 0;
  }
  return w;
}
