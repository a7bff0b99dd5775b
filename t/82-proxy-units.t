#!/bin/sh
# The PROXY protocol parser (pn_proxy) and the trusted ranges (pn_cidr):
# the C unit test t/unit/proxy-parser.c, which prints TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/proxy-parser
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
