/* ISC license: see LICENSE. */

/*
 * Unit test of pn_msg_date, printing TAP: RFC 5322 dates in UTC computed
 * without the C library's time zones, against dates known by other means,
 * across leap days, centuries and the ends of the range.  Run by
 * t/39-msg-units.t.
 */

#include <string.h>
#include <time.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/postern.h"

static unsigned int n = 0;
static unsigned int failed = 0;

static void put(char const *s)
{
  allwrite(1, s, strlen(s));
}

static void date(int64_t t, char const *want)
{
  char got[PN_DATE_MAX];
  char fmt[UINT_FMT];
  size_t len = pn_msg_date(got, (time_t)t);
  int okay = len == strlen(want) && !strcmp(got, want);
  fmt[uint_fmt(fmt, ++n)] = 0;
  if (!okay) failed++;
  put(okay ? "ok " : "not ok ");
  put(fmt);
  put(" - ");
  put(want);
  if (!okay) { put(" # got: "); put(got); }
  put("\n");
}

int main(void)
{
  char fmt[UINT_FMT];
  date(0, "Thu, 1 Jan 1970 00:00:00 +0000");
  date(-1, "Wed, 31 Dec 1969 23:59:59 +0000");
  date(951782400, "Tue, 29 Feb 2000 00:00:00 +0000");
  date(951868799, "Tue, 29 Feb 2000 23:59:59 +0000");
  date(951868800, "Wed, 1 Mar 2000 00:00:00 +0000");
  date(1709164800, "Thu, 29 Feb 2024 00:00:00 +0000");
  date(1795596705, "Wed, 25 Nov 2026 08:51:45 +0000");
  date(4107542399LL, "Sun, 28 Feb 2100 23:59:59 +0000");
  date(4107542400LL, "Mon, 1 Mar 2100 00:00:00 +0000");
  date(253402300799LL, "Fri, 31 Dec 9999 23:59:59 +0000");
  date(253402300800LL, "Thu, 1 Jan 1970 00:00:00 +0000");
  fmt[uint_fmt(fmt, n)] = 0;
  put("1..");
  put(fmt);
  put("\n");
  return failed ? 1 : 0;
}
