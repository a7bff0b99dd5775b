#!/bin/sh
# pn_msg_date, the Date and Received dates of postern-queue: the C unit
# test t/unit/msg-date.c, which prints TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/msg-date
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
