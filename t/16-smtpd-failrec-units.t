#!/bin/sh
# The failure record's library (pn_failrec): record names, counts with
# chosen times, the cap: the C unit test t/unit/failrec.c, which prints
# TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/failrec
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
