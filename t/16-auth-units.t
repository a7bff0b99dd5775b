#!/bin/sh
# pn_auth, AUTH PLAIN and LOGIN responses to the fd 3 record: the C unit
# test t/unit/auth.c, which prints TAP itself.
set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
u=$PN_BIN/unit/auth
if [ ! -x "$u" ]
then
  echo "1..0 # skip $u not built"
  exit 0
fi
exec "$u"
