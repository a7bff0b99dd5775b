#!/bin/sh
# pn_redis and the sending counts in Redis (pn_limitredis): the C unit
# test t/unit/redis.c, which prints TAP itself, against a redis-server
# started here on 127.0.0.1.
. "$(dirname "$0")/lib.sh"

u=$PN_BIN/unit/redis
if [ ! -x "$u" ] || ! command -v redis-server >/dev/null 2>&1
then
  echo "1..0 # skip needs redis-server and $u"
  exit 0
fi
P=$(free_port)
server_start redis "$P" redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  || { echo "1..0 # skip redis-server did not start: $(cat "$TMP/redis.log")"; exit 0; }
PN_T_REDIS=127.0.0.1:$P "$u"
st=$?
server_stop redis
exit $st
