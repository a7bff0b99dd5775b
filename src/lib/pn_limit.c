/* ISC license: see LICENSE. */

/*
 * pn_limit: the sending limits as the environment and the password file
 * give them.  A malformed value is a configuration error for the caller
 * (421 4.3.0 at the start), never a silent default, so the parsers accept
 * one exact form and nothing around it.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <skalibs/types.h>

#include "pn_limit.h"

static int unit(char c, uint32_t *mul)
{
  switch (c)
  {
    case 's': *mul = 1; return 1;
    case 'm': *mul = 60; return 1;
    case 'h': *mul = 3600; return 1;
    case 'd': *mul = 86400; return 1;
    default: return 0;
  }
}

/* Decimal digits from s[*i], at most cap; 0 if none or over cap. */
static int number(char const *s, size_t len, size_t *i, uint64_t cap, uint64_t *n)
{
  size_t start = *i;
  *n = 0;
  while (*i < len && s[*i] >= '0' && s[*i] <= '9')
  {
    *n = *n * 10 + (uint64_t)(s[*i] - '0');
    if (*n > cap) return 0;
    (*i)++;
  }
  return *i > start;
}

int pn_limit_scan(char const *s, size_t len, pn_limit *l)
{
  size_t i = 0;
  uint64_t max;
  uint64_t w;
  uint32_t mul;
  if (!number(s, len, &i, PN_LIMIT_MAX, &max) || i >= len || s[i++] != '/') return (errno = EINVAL, 0);
  if (!number(s, len, &i, PN_LIMIT_WINDOW_MAX, &w) || i + 1 != len || !unit(s[i], &mul)) return (errno = EINVAL, 0);
  w *= mul;
  if (!w || w > PN_LIMIT_WINDOW_MAX) return (errno = EINVAL, 0);
  l->max = (uint32_t)max;
  l->window = (uint32_t)w;
  return 1;
}

int pn_limit_scanset(char const *s, pn_limits *l)
{
  pn_limits new = *l;
  size_t len = strlen(s);
  size_t i = 0;
  unsigned int seen = 0;
  if (len > PN_LIMIT_SET_MAX) return (errno = EINVAL, 0);
  for (;;)
  {
    size_t n;
    unsigned int key;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i >= len) break;
    for (n = 0; i + n < len && s[i + n] != ' ' && s[i + n] != '\t'; n++);
    if (n > 5 && !memcmp(s + i, "msgs=", 5)) key = 1;
    else if (n > 6 && !memcmp(s + i, "rcpts=", 6)) key = 2;
    else return (errno = EINVAL, 0);
    if (seen & key) return (errno = EINVAL, 0);
    seen |= key;
    if (key == 1 && !pn_limit_scan(s + i + 5, n - 5, &new.msgs)) return 0;
    if (key == 2 && !pn_limit_scan(s + i + 6, n - 6, &new.rcpts)) return 0;
    i += n;
  }
  if (!seen) return (errno = EINVAL, 0);
  *l = new;
  return 1;
}

size_t pn_limit_fmt(char *s, pn_limit const *l)
{
  static char const units[4] = { 'd', 'h', 'm', 's' };
  static uint32_t const secs[4] = { 86400, 3600, 60, 1 };
  size_t w;
  unsigned int u = 0;
  if (!l->window)
  {
    memcpy(s, "none", 5);
    return 4;
  }
  while (l->window % secs[u]) u++;
  w = uint32_fmt(s, l->max);
  s[w++] = '/';
  w += uint32_fmt(s + w, l->window / secs[u]);
  s[w++] = units[u];
  s[w] = 0;
  return w;
}

static size_t cat(char *s, size_t w, char const *t)
{
  size_t n = strlen(t);
  memcpy(s + w, t, n + 1);
  return w + n;
}

size_t pn_limit_reply(char *s, int which, int rcpt, pn_limit const *l, uint64_t frees, uint64_t now)
{
  char f[PN_LIMIT_FMT];
  char *slash;
  size_t w = cat(s, 0, rcpt ? "452 4.5.3 " : "451 4.7.1 ");
  pn_limit_fmt(f, l);
  slash = strchr(f, '/');
  if (slash) *slash = 0;
  w = cat(s, w, "Sending limit reached: ");
  w = cat(s, w, f);
  w = cat(s, w, which == PN_LIMIT_RCPTS ? " recipients per " : " messages per ");
  w = cat(s, w, slash ? slash + 1 : "window");
  if (frees > now)
  {
    w = cat(s, w, "; try again in ");
    w += uint64_fmt(s + w, frees - now);
    w = cat(s, w, " seconds");
  }
  return w;
}

/* An environment limit: unset or empty leaves *l alone. */
static int envlimit(char const *var, pn_limit *l)
{
  char const *v = getenv(var);
  if (!v || !*v) return 1;
  return pn_limit_scan(v, strlen(v), l);
}

int pn_limitconf_read(pn_limitconf *c, char const **bad)
{
  pn_limits z = PN_LIMITS_ZERO;
  char const *x;
  c->dir = getenv("LIMITDIR");
  if (c->dir && !*c->dir) c->dir = 0;
  c->limits = z;
  c->maxmsgs = PN_MAXMSGS_DEFAULT;
  c->receivedprivate = !!getenv("RECEIVEDPRIVATE");
  if (!envlimit("MSGLIMIT", &c->limits.msgs)) return (*bad = "MSGLIMIT", 0);
  if (!envlimit("RCPTLIMIT", &c->limits.rcpts)) return (*bad = "RCPTLIMIT", 0);
  x = getenv("SMTPLIMITS");
  if (x && !pn_limit_scanset(x, &c->limits)) return (*bad = "SMTPLIMITS", 0);
  x = getenv("MAXMSGS");
  if (x && *x && (!uint0_scan(x, &c->maxmsgs) || !c->maxmsgs || c->maxmsgs > PN_MAXMSGS_MAX))
    return (*bad = "MAXMSGS", 0);
  return 1;
}

size_t pn_limit_ehlo(char *s, unsigned int maxrcpts, unsigned int maxmsgs)
{
  size_t w = cat(s, 0, "LIMITS RCPTMAX=");
  w += uint_fmt(s + w, maxrcpts);
  w = cat(s, w, " MAILMAX=");
  w += uint_fmt(s + w, maxmsgs);
  s[w] = 0;
  return w;
}
