/* ISC license: see LICENSE. */

/*
 * pn_limitwin: the sending limits' windows, decided on a user's counts
 * without any storage: what pn_limitdb does under a record's lock (and
 * what a store kept elsewhere must do the same way).  Pure; t/39
 * exercises it through pn_limitdb_take.
 */

#include "pn_limitwin.h"

/* A window that has ended gives a fresh count; one longer than its
   limit's window now (the limit was lowered) is cut to it. */
static void roll(uint64_t *end, uint32_t *count, pn_limit const *l, uint64_t now)
{
  if (now >= *end) { *end = 0; *count = 0; }
  else if (*end - now > l->window) *end = now + l->window;
}

static int fits(uint32_t count, unsigned int n, pn_limit const *l)
{
  return (uint64_t)count + n <= l->max;
}

int pn_limitwin_decide(pn_limitst *r, pn_limits const *l, uint64_t now, unsigned int msgs, unsigned int rcpts)
{
  pn_limitst t = *r;
  if (l->msgs.window) roll(&t.mend, &t.mcount, &l->msgs, now);
  if (l->rcpts.window) roll(&t.rend, &t.rcount, &l->rcpts, now);
  if (l->msgs.window && msgs && !fits(t.mcount, msgs, &l->msgs))
  {
    if (!l->msgs.max) t.mend = 0;
    *r = t;
    return PN_LIMITDB_EMSGS;
  }
  if (l->rcpts.window && (msgs || rcpts) && !fits(t.rcount, rcpts ? rcpts : 1, &l->rcpts))
  {
    if (!l->rcpts.max) t.rend = 0;
    *r = t;
    return PN_LIMITDB_ERCPTS;
  }
  if (l->msgs.window && msgs)
  {
    if (!t.mend) t.mend = now + l->msgs.window;
    t.mcount += msgs;
  }
  if (l->rcpts.window && rcpts)
  {
    if (!t.rend) t.rend = now + l->rcpts.window;
    t.rcount += rcpts;
  }
  *r = t;
  return PN_LIMITDB_OK;
}
