#!/bin/sh
# pn_ucspitls, the front's side of the UCSPI-TLS control: the C unit test
# t/unit/ucspitls.c, which prints TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/ucspitls
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
