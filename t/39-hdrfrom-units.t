#!/bin/sh
# The From: binding (pn_hdrfrom, pn_hdrbind, pn_body_bind) and NUL in
# message data (pn_data): the C unit test t/unit/hdrfrom.c, which prints
# TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/hdrfrom
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
