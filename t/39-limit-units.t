#!/bin/sh
# The sending limits: pn_limit (MSGLIMIT, RCPTLIMIT, SMTPLIMITS) and
# pn_limitdb (LIMITDIR) in a temporary directory: the C unit test
# t/unit/limit.c, which prints TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/limit
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
