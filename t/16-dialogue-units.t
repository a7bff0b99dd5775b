#!/bin/sh
# The shared dialogue's pure parts (pn_reply, pn_smtp_lookup, heloarg,
# bdatarg): the C unit test t/unit/dialogue.c, which
# prints TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/dialogue
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
