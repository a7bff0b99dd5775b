#!/bin/sh
# The sending counts in Redis (REDIS) through postern-queue: the same
# limits as in LIMITDIR, shared by two "hosts" (two postern-queue
# configurations on one Redis), each limit at its boundary, the keys
# Redis holds, and an unreachable or silent Redis: 451 4.3.0 at MAIL,
# never an unlimited user.  (The store alone: t/19-redis-units.t.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
unset LIMITDIR MSGLIMIT RCPTLIMIT SMTPLIMITS MAXMSGS RECEIVEDPRIVATE SMTPSESSIONID REDIS REDISPREFIX || true
require "limits in Redis" "needs redis-server and redis-cli" sh -c 'command -v redis-server && command -v redis-cli'
newmd
TCPREMOTEIP=192.0.2.9
export TCPREMOTEIP
P=$(free_port)
server_start redis "$P" redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  || bail "redis-server did not start: $(cat "$TMP/redis.log")"
rcli()
{
  redis-cli -p "$P" "$@"
}


# messages: two "hosts" (prefixes equal, LIMITDIR of their own, unused)
out=$( { msg; msg; } | lq REDIS=127.0.0.1:$P MSGLIMIT=3/1h LIMITDIR="$TMP/nowhere" | codes)
is "$out" "235 2.7.0
$(okmsg; okmsg)" "REDIS, MSGLIMIT=3/1h: two messages on one host"
out=$( { msg; printf 'MAIL FROM:<alice@example.org>\n'; } | lq REDIS=127.0.0.1:$P MSGLIMIT=3/1h SMTPSESSIONID=t93)
like "$(printf '%s\n' "$out" | codes | tr '\n' ' ')" '^235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 451 4.7.1 $' "... the third on the other, the fourth MAIL 451 4.7.1"
like "$out" '451 4.7.1 Sending limit reached: 3 messages per 1h; try again in 3[56][0-9][0-9] seconds' "... with the time it frees"
like "$(cat "$TMP/stderr")" 'limit refused user="alice" limit=msgs max=3/1h ip=192.0.2.9 frees=[0-9]+ sid=t93$' "... and the log line"
is "$(rcli hget postern:msgs:616c696365 c)" 3 "the count is in Redis: postern:msgs:<user in hex>"
ttl=$(rcli ttl postern:msgs:616c696365)
ok "... expiring with the window ($ttl s)" test "$ttl" -gt 3500 -a "$ttl" -le 3600

# recipients, given back, REDISPREFIX
out=$( { msg 3; printf 'MAIL FROM:<alice@example.org>\n'; } | lq REDIS=127.0.0.1:$P REDISPREFIX=h2: RCPTLIMIT=3/1d | codes)
is "$out" "235 2.7.0
$(okmsg 3)
451 4.7.1" "RCPTLIMIT=3/1d under another prefix: three recipients, then MAIL 451 4.7.1"
is "$(rcli hget h2:rcpts:616c696365 c)" 3 "... the count under REDISPREFIX"
rcli del h2:rcpts:616c696365 >/dev/null
out=$( { printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<a@example.org>\nRCPT TO:<b@example.org>\nRSET\n'; msg 3; printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<x@example.org>\n'; } \
  | lq REDIS=127.0.0.1:$P REDISPREFIX=h2: RCPTLIMIT=3/1d | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.1.5
250 2.0.0
$(okmsg 3)
451 4.7.1
503 5.5.1" "RSET gives the recipients back in Redis too"

# Redis gone: 451 4.3.0, a warning, never unlimited
server_stop redis
out=$(msg | lq REDIS=127.0.0.1:$P MSGLIMIT=300/1h)
like "$out" '^235 2.7.0
451 4.3.0 Sending limits cannot be checked, try again later
' "Redis stopped: MAIL gets 451 4.3.0"
like "$(cat "$TMP/stderr")" "postern-queue: warning: limit state error user=\"alice\" ip=192.0.2.9 redis=127.0.0.1:$P: Connection refused" "... the warning names Redis and the error"
# a Redis that accepts and never answers
python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); time.sleep(60)' "$P" &
sil=$!
sleep 1
out=$(msg | lq REDIS=127.0.0.1:$P MSGLIMIT=300/1h | codes | head -2)
is "$out" "235 2.7.0
451 4.3.0" "a silent Redis: 451 4.3.0 after the bounded wait"
like "$(cat "$TMP/stderr")" 'limit state error .* redis=127.0.0.1:[0-9]+: ' "... logged"
kill "$sil" 2>/dev/null; wait "$sil" 2>/dev/null
out=$(printf 'NOOP\n' | lq REDIS=nonsense MSGLIMIT=3/1h)
is "$out" "421 4.3.0 Server configuration error, closing connection" "a malformed REDIS: 421 4.3.0 at the start"
out=$(msg | lq REDIS=127.0.0.1:$P | codes)
is "$out" "235 2.7.0
$(okmsg)" "REDIS without a limit: nothing counted, Redis not asked (it is down)"

done_testing
