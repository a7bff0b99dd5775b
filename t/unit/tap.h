/* ISC license: see LICENSE. */

/* tap.h: the TAP output the unit tests share (one .c each, so the
   functions are static here).  result() prints "ok N - desc" or
   "not ok N - desc"; n and failed count them for plan(), which prints
   "1..N" after the last test. */

#ifndef PN_T_TAP_H
#define PN_T_TAP_H

#include <string.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

static unsigned int n = 0;
static unsigned int failed = 0;

static void put(char const *s)
{
  allwrite(1, s, strlen(s));
}

static void result(int okay, char const *desc)
{
  char fmt[UINT_FMT];
  fmt[uint_fmt(fmt, ++n)] = 0;
  if (!okay) failed++;
  put(okay ? "ok " : "not ok ");
  put(fmt);
  put(" - ");
  put(desc);
  put("\n");
}

static void plan(void)
{
  char fmt[UINT_FMT];
  fmt[uint_fmt(fmt, n)] = 0;
  put("1..");
  put(fmt);
  put("\n");
}

#endif
