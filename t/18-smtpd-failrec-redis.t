#!/bin/sh
# postern-smtpd: the failure record in Redis (REDIS, REDISPREFIX), with a
# real redis-server on 127.0.0.1 and two postern "hosts" (two tcpserver
# instances on two ports) sharing it: failures on both add up, a blocked
# address is refused by both; Redis stopped (sessions go on, one warning
# a session) and started again (counting resumes); a Redis that never
# answers (bounded by the timeout); a unix socket; keys named and
# expiring as documented.
. "$(dirname "$0")/lib.sh"

require "failure record in Redis" "needs redis-server, redis-cli, tcpserver and tcpclient" \
  sh -c 'command -v redis-server && command -v redis-cli && command -v tcpserver && command -v tcpclient'
require_built "failure record in Redis" postern-smtpd

bad=$(printf '\0alice\0wrong' | base64 -w0)
good=$(printf '\0alice\0secret' | base64 -w0)
R=$(free_port)
A=$(free_port)
B=$(free_port)
[ "$A" != "$B" ] || B=$(free_port)


# chat PORT SRC LINES: one session from SRC (a 127.0.0.x) to a host,
# through tcpclient (fd 6 from the server, 7 to it), a line sent after
# each reply; the reply codes, the EHLO lines left out
chat()
{
  printf "EHLO x\n$3" | timeout 30 tcpclient -RHl0 -i "$2" 127.0.0.1 "$1" sh -c '
    reply()
    {
      while IFS= read -r l <&6
      do
        printf "%s\n" "$l"
        case $l in ???-*) ;; *) return 0 ;; esac
      done
      return 1
    }
    reply || exit 0
    while IFS= read -r c
    do
      printf "%s\r\n" "$c" >&7
      reply || exit 0
    done' 2>/dev/null | tr -d '\r' | grep -v '^250-' | codes
}

# rstart NAME CLI-ARGS -- SERVER-ARGS...: redis-server in the background
# in a process group of its own, as server_start does (server_stop NAME
# and the exit stop it), ready once redis-cli CLI-ARGS ping answers (at
# most 10 s; redis-cli rather than wait_port's python, which is slow on a
# loaded machine)
rstart()
{
  rn=$1 rcli=$2
  shift 3
  setsid redis-server "$@" --save '' --appendonly no --daemonize no >"$TMP/$rn.log" 2>&1 </dev/null &
  eval "PID_$rn=\$!"
  T_SERVERS="$T_SERVERS $rn"
  ri=0
  while [ $ri -lt 100 ]
  do
    # shellcheck disable=SC2086
    [ "$(redis-cli $rcli ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
    ri=$((ri + 1))
  done
  return 1
}
redis_start()
{
  rstart redis "-p $R" -- --port "$R" --bind 127.0.0.1
}
rcli()
{
  redis-cli -p "$R" "$@"
}

# host NAME PORT: postern-smtpd under tcpserver, sharing the Redis
host()
{
  server_start "$1" "$2" env AUTHFAILDELAY=0 AUTHFAILMAX=4 AUTHFAILWINDOW=900 \
    REDIS="127.0.0.1:$R" REDISPREFIX=pt: \
    tcpserver -HRl0 127.0.0.1 "$2" postern-smtpd pn-t-checkpw pn-t-report "$TMP/r"
}

warnings()
{
  grep -c 'postern-smtpd: warning: unable to read the failure record in 127.0.0.1:'"$R" "$TMP/$1.log"
}

redis_start || bail "redis-server did not start: $(cat "$TMP/redis.log")"
host hosta "$A" || bail "host a did not start: $(cat "$TMP/hosta.log")"
host hostb "$B" || bail "host b did not start: $(cat "$TMP/hostb.log")"

# Failures on both hosts add up.
two="AUTH PLAIN $bad\nAUTH PLAIN $bad\nQUIT\n"
is "$(chat "$A" 127.0.0.2 "$two" | tr '\n' ' ')" "220 250 535 5.7.8 535 5.7.8 221 2.0.0 " "host a: two failures"
is "$(rcli get pt:authfail:127.0.0.2)" 2 "counted in Redis under REDISPREFIX authfail: the address"
is "$(chat "$B" 127.0.0.2 "$two" | tr '\n' ' ')" "220 250 535 5.7.8 535 5.7.8 221 2.0.0 " "host b: two more"
is "$(rcli get pt:authfail:127.0.0.2)" 4 "the same counter: 4"
is "$(chat "$A" 127.0.0.2 "AUTH PLAIN $good\n")" "421 4.7.0" "at AUTHFAILMAX, host a refuses the address before the greeting"
is "$(chat "$B" 127.0.0.2 "AUTH PLAIN $good\n")" "421 4.7.0" "... and so does host b"
like "$(cat "$TMP/hostb.log")" 'end reason=blocked ip=127.0.0.2' "the refusal is logged"
ttl=$(rcli ttl pt:authfail:127.0.0.2)
ok "the counter expires with AUTHFAILWINDOW (ttl $ttl <= 900), set at the first failure" test "$ttl" -gt 0 -a "$ttl" -le 900
is "$(rcli --scan --pattern '*' | sort | tr '\n' ' ')" "pt:authfail:127.0.0.2 " "no key outside the prefix"
like "$(chat "$B" 127.0.0.3 "AUTH PLAIN $good\n" | tr '\n' ' ')" '^220 250 235 2.7.0' "another address is not affected"
is "$(warnings hosta)$(warnings hostb)" 00 "no warning while Redis answers"

# Redis stopped: the record is skipped, checks included; one warning a session.
server_stop redis
out=$(chat "$A" 127.0.0.4 "AUTH PLAIN $bad\nAUTH PLAIN $bad\nAUTH PLAIN $good\n" | tr '\n' ' ')
like "$out" '^220 250 535 5.7.8 535 5.7.8 235 2.7.0' "Redis down: the session goes on, failures and success answered as usual"
is "$(warnings hosta)" 1 "... with one warning for the session"
like "$(grep 'warning: unable to read the failure record' "$TMP/hosta.log")" 'Connection refused sid=[^ ]+$' "... naming Redis and the error"
like "$(chat "$B" 127.0.0.2 "AUTH PLAIN $good\n" | tr '\n' ' ')" '^220 250 235 2.7.0' "the blocked address is let in while the record is unreadable"
is "$(warnings hostb)" 1 "... one warning on host b"

# Started again (empty, as after a restart without persistence): counting resumes.
redis_start || bail "redis-server did not start again"
chat "$A" 127.0.0.5 "$two" >/dev/null
chat "$B" 127.0.0.5 "$two" >/dev/null
is "$(rcli get pt:authfail:127.0.0.5)" 4 "Redis back: failures on both hosts counted again"
is "$(chat "$B" 127.0.0.5 "QUIT\n")" "421 4.7.0" "... and the address is blocked again"
is "$(warnings hosta)$(warnings hostb)" 11 "no new warning once Redis is back"
server_stop hosta
server_stop hostb

# Direct sessions: smtpd VAR=VALUE... LINES
dsess()
{
  printf "EHLO x\r\n$1" | timeout 30 env AUTHINSECURE=1 AUTHFAILDELAY=0 AUTHFAILMAX=4 "$2" "$3" "$4" "$5" \
    postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>"$TMP/err" | tr -d '\r' | grep -v '^250-' | codes | tr '\n' ' '
}
dsess "AUTH PLAIN $bad\r\n" TCPREMOTEIP=2001:db8:1:2::5 REDIS="127.0.0.1:$R" AUTHFAILWINDOW=77 REDISPREFIX= >/dev/null
is "$(rcli get postern:authfail:2001:db8:1:2::_64)" 1 "IPv6: one counter per /64; the default prefix is postern:"
ttl=$(rcli ttl postern:authfail:2001:db8:1:2::_64)
ok "its expiry is the window (ttl $ttl <= 77)" test "$ttl" -gt 0 -a "$ttl" -le 77

# A Redis that accepts and never answers: bounded by the timeout (about
# a second), once per session.
S=$(free_port)
server_start silent "$S" tcpserver -RHl0 127.0.0.1 "$S" sleep 60 || bail "the silent server did not start"
out=$(dsess "AUTH PLAIN $bad\r\nAUTH PLAIN $good\r\n" TCPREMOTEIP=192.0.2.8 REDIS="127.0.0.1:$S" AUTHFAILWINDOW=60 X=)
is "$out" "220 250 535 5.7.8 235 2.7.0 " "a Redis that never answers: the session goes on"
is "$(grep -c warning "$TMP/err")" 1 "... one warning"
like "$(cat "$TMP/err")" "warning: unable to read the failure record in 127.0.0.1:$S: Connection timed out" "... a timeout"
server_stop silent

# A unix socket.
rstart redisu "-s $TMP/redis.sock" -- --port 0 --unixsocket "$TMP/redis.sock" || bail "redis-server on a unix socket did not start"
dsess "AUTH PLAIN $bad\r\n" TCPREMOTEIP=192.0.2.9 REDIS="$TMP/redis.sock" AUTHFAILWINDOW=60 X= >/dev/null
is "$(redis-cli -s "$TMP/redis.sock" get postern:authfail:192.0.2.9)" 1 "REDIS as a unix socket path"
is "$(grep -c warning "$TMP/err")" 0 "... no warning"
server_stop redisu

# Configuration errors.
for v in localhost:6379 ::1:6379 127.0.0.1 127.0.0.1:0 relative.sock
do
  is "$(dsess "QUIT\r\n" REDIS="$v" X= Y= Z=)" "421 4.3.0 " "REDIS=$v is a configuration error"
done
like "$(cat "$TMP/err")" 'bad value for REDIS sid=[^ ]+$' "... logged"
is "$(dsess "QUIT\r\n" REDIS="127.0.0.1:$R" REDISPREFIX="a b" Y= Z=)" "421 4.3.0 " "a REDISPREFIX with a blank is a configuration error"

done_testing
