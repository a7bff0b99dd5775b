#!/bin/sh
# postern-queue's pure parsers (pn_data, pn_hdr_scan, pn_addr) and its
# dates (pn_msg_date): the C unit test t/unit/queue-parsers.c, which
# prints TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/queue-parsers
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
