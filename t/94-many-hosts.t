#!/bin/sh
# The many-hosts picture of doc/scaling.md, for real on loopback: one
# redis-server; two postern hosts, each the shipped conf/tcpserver/run
# (postern-proxy -> postern-smtpd -> postern-checkpw -> postern-queue to
# a Maildir of its own) with the same settings but its own name (NAME,
# in the greeting and Received) and both REDIS and MSGLIMIT=3/1h set;
# one HAProxy in front of both, the shipped conf/haproxy/haproxy.cfg
# (send-proxy-v2, leastconn, SMTP checks) with its addresses replaced,
# plus a frontend of the test's own for each host, so that a session can
# be sent to one.  Clients come from 127.0.0.2 and up, the balancer from
# 127.0.0.1, the only address the hosts trust for a PROXY header.
#
# A user at the limit on one host is refused on the other; twenty
# concurrent sessions across both never pass the limit; failed logins
# on both add up; Redis stopped (failure record skipped, one warning a
# session; limits 451 4.3.0) and started again; the client's own
# address in Received and in the log of both hosts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-haproxy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require "two postern hosts behind HAProxy, sharing Redis" "needs haproxy, redis-server, redis-cli, tcpserver and tcprules (ucspi-tcp)" \
  d_have haproxy redis-server redis-cli tcpserver tcprules
require_built "two postern hosts behind HAProxy, sharing Redis" postern-proxy postern-smtpd postern-checkpw postern-queue

good=$(printf '\0alice\0secret' | base64 -w0)
bad=$(printf '\0alice\0wrong' | base64 -w0)
MKEY=postern:msgs:616c696365       # REDISPREFIX, msgs:, "alice" in hex

# ---- Redis ----
R=$(free_port)
# rstart: redis-server on 127.0.0.1:$R in a process group of its own, as
# server_start does (server_stop redis and the exit stop it), ready once
# redis-cli ping answers (at most 10 s)
rstart()
{
  setsid redis-server --port "$R" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    >"$TMP/redis.log" 2>&1 </dev/null &
  # shellcheck disable=SC2034  # server_stop reads it
  PID_redis=$!
  T_SERVERS="$T_SERVERS redis"
  ri=0
  while [ $ri -lt 100 ]
  do
    [ "$(redis-cli -p "$R" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
    ri=$((ri + 1))
  done
  return 1
}
rcli()
{
  redis-cli -p "$R" "$@"
}
rstart || bail "redis-server did not start: $(cat "$TMP/redis.log")"

# ---- two hosts ----
d_setup
d_tcprules
OUTA=$OUTBOX
OUTB=$TMP/outboxb
maildir "$OUTB"
[ "$(id -u)" -ne 0 ] || chown -R "$ACCT:" "$OUTB"
chmod 700 "$OUTB"
# host NAME OUTBOX: the run script with the shared settings; $PORT
host()
{
  OUTBOX=$2
  d_tcpserver "$1" \
    'NAME=mail.example.org' "NAME=$1.example.org" \
    'PROXY=
' 'PROXY=127.0.0.1
' \
    'AUTHFAILMAX=10' 'AUTHFAILMAX=4' \
    'MSGLIMIT=
' 'MSGLIMIT=3/1h
' \
    'REDIS=
' "REDIS=127.0.0.1:$R
"
}
host hosta "$OUTA" || bail "host a did not start: $(cat "$TMP/hosta.log")"
A=$PORT
host hostb "$OUTB" || bail "host b did not start: $(cat "$TMP/hostb.log")"
B=$PORT
OUTBOX=$OUTA

# ---- HAProxy ----
# three ports nothing listens on yet: three different ones
HPORT=$(free_port)
PA=$(free_port)
PB=$(free_port)
while [ "$PA" = "$HPORT" ]; do PA=$(free_port); done
while [ "$PB" = "$HPORT" ] || [ "$PB" = "$PA" ]; do PB=$(free_port); done
cp "$CONF/haproxy/haproxy.cfg" "$TMP/haproxy.cfg"
d_subst "$TMP/haproxy.cfg" \
  "log /dev/log local0" "log stdout format raw local0
    stats socket $TMP/haproxy.sock level admin" \
  "bind :587" "bind 127.0.0.1:$HPORT" \
  "server postern1 10.0.0.11:587" "server postern1 127.0.0.1:$A" \
  "server postern2 10.0.0.12:587" "server postern2 127.0.0.1:$B" \
  "inter 10s" "inter 1s" \
  "timeout connect 5s" "timeout connect 5s
    timeout check 10s"
cat >>"$TMP/haproxy.cfg" <<EOF

# the test's own: one host each, to send a session to a given host
frontend hosta
    bind 127.0.0.1:$PA
    default_backend hosta

backend hosta
    server hosta 127.0.0.1:$A send-proxy-v2

frontend hostb
    bind 127.0.0.1:$PB
    default_backend hostb

backend hostb
    server hostb 127.0.0.1:$B send-proxy-v2
EOF
hap_start
hap_up 2 postern >"$TMP/hap.up"
is "$(cat "$TMP/hap.up")" "postern1 UP L7OK
postern2 UP L7OK" "the shipped haproxy.cfg, both hosts behind it: health checks through postern-proxy passed (L7OK)"

# ---- the client ----
# smtp PORT SRC <<EOF: one session to 127.0.0.1:PORT from SRC: reads
# the greeting, then sends each line of stdin with CRLF and reads its
# reply; after a 354, the lines up to "." go without waiting.  A MAIL,
# RCPT or DATA refused (4xx, 5xx) ends it with QUIT.  The line WAIT
# creates the file $READY, then waits for the file $GO (at most 60 s).
# Prints the replies without CR.
cat >"$TMP/smtp.py" <<'PY'
import os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30, (sys.argv[2], 0))
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if not l:
            return None
        sys.stdout.write(l.decode("utf-8", "replace").rstrip("\r\n") + "\n")
        sys.stdout.flush()
        if len(l) < 4 or l[3:4] != b"-":
            return l[:3].decode("ascii", "replace")
def send(l):
    try:
        s.sendall(l.encode() + b"\r\n")
        return True
    except OSError:
        return False
lines = sys.stdin.read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
i = 0
r = reply()
while r is not None and i < len(lines):
    l = lines[i]
    i += 1
    if l == "WAIT":
        open(os.environ["READY"], "w").close()
        t = time.time()
        while not os.path.exists(os.environ["GO"]) and time.time() - t < 60:
            time.sleep(0.01)
        continue
    if not send(l):
        break
    if r == "354":
        while l != "." and i < len(lines):
            l = lines[i]
            i += 1
            send(l)
    try:
        r = reply()
    except OSError:
        break
    if r is not None and r[0] in "45" and l.split(" ")[0].upper() in ("MAIL", "RCPT", "DATA"):
        send("QUIT")
        reply()
        break
s.close()
PY
smtp()
{
  timeout 90 python3 "$TMP/smtp.py" "$@" 2>"$TMP/smtp.err"
}
# replies: the codes, the EHLO reply's continuation lines left out
replies()
{
  grep -v '^250-' | codes | tr '\n' ' '
}
# msg N [LINE]: a session of alice sending one message, its Subject N;
# LINE after AUTH
msg()
{
  printf 'EHLO client.example\nAUTH PLAIN %s\n' "$good"
  [ -z "${2-}" ] || printf '%s\n' "$2"
  printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<bob@example.org>\nDATA\n'
  printf 'From: alice@example.org\nTo: bob@example.org\nSubject: %s\nDate: Sat, 5 Dec 2026 10:00:00 +0000\nMessage-ID: <%s.%s@example.org>\n\nbody %s\n.\nQUIT\n' "$1" "$1" "$$" "$1"
}
sent="220 250 235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 "
refused="220 250 235 2.7.0 451 4.7.1 221 2.0.0 "
nmsg()
{
  ls "$1/new" | wc -l | tr -d ' '
}
# sid HOST IP: the session id of the (last) session from IP on HOST
sid()
{
  sed -n "s/^postern-smtpd: info: connect ip=$(echo "$2" | sed 's/\./\\./g') sid=\\([^ ]*\\)\$/\\1/p" "$TMP/$1.log" | tail -n 1
}

# ---- the client's own address, on both hosts ----
for h in a b
do
  if [ $h = a ]; then port=$PA src=127.0.0.2 md=$OUTA; else port=$PB src=127.0.0.3 md=$OUTB; fi
  out=$(msg "first-$h" | smtp "$port" "$src")
  like "$out" "^220 host$h\\.example\\.org " "host $h: its own frontend reaches it (its name in the greeting)"
  is "$(printf '%s\n' "$out" | replies)" "$sent" "host $h: AUTH PLAIN and a message"
  f=$(ls "$md/new")
  is "$(echo "$f" | wc -l | tr -d ' ')" 1 "host $h: the message in its own Maildir"
  like "$(sed -n 3,4p "$md/new/${f:-none}" 2>/dev/null | tr '\n\t' '  ')" "^Received: from client\\.example \\(\\[${src%.*}\\.${src##*.}\\]\\)  by host$h\\.example\\.org \\(postern\\) with ESMTPA id " \
    "host $h: Received names the client's own address ($src), not the balancer's"
  log=$(cat "$TMP/host$h.log")
  like "$log" "^postern-proxy: info: accept ip=${src%.*}\\.${src##*.} port=[0-9]+ proxy=127\\.0\\.0\\.1 version=2 sid=[^ ]+\$" "host $h: postern-proxy logs the client and the balancer"
  like "$log" "^postern-smtpd: info: connect ip=${src%.*}\\.${src##*.} sid=[^ ]+\$" "host $h: postern-smtpd logs the client's address"
done
is "$(rcli hget "$MKEY" c)" 2 "one count in Redis for alice's messages on both hosts"

# ---- a user at the limit on host a is refused on host b ----
is "$(msg third | smtp "$PA" 127.0.0.2 | replies)" "$sent" "host a: alice's third message (MSGLIMIT=3/1h)"
out=$(msg fourth | smtp "$PB" 127.0.0.3)
is "$(printf '%s\n' "$out" | replies)" "$refused" "host b: her fourth, MAIL 451 4.7.1"
like "$out" '^451 4\.7\.1 Sending limit reached: 3 messages per 1h; try again in [0-9]+ seconds$' "... the reply names the limit and the time it frees"
s=$(sid hostb 127.0.0.3)
like "$(grep "^postern-queue: info: limit refused " "$TMP/hostb.log")" "^postern-queue: info: limit refused user=\"alice\" limit=msgs max=3/1h ip=127\\.0\\.0\\.3 frees=[0-9]+ sid=$s\$" \
  "... logged by host b with the client's address"
is "$(nmsg "$OUTA") $(nmsg "$OUTB")" "2 1" "the Maildirs: two messages on host a, one on host b"

# ---- twenty concurrent sessions across both hosts ----
# through the shipped frontend (leastconn over both hosts): each session
# authenticates, waits until all have, then all send MAIL at once
rcli del "$MKEY" >/dev/null
msg conc WAIT >"$TMP/conc.in"
pids=
i=1
while [ $i -le 20 ]
do
  READY=$TMP/ready.$i GO=$TMP/go smtp "$HPORT" "127.0.1.$i" <"$TMP/conc.in" >"$TMP/conc.$i" &
  pids="$pids $!"
  i=$((i + 1))
done
i=0
# nready: the sessions that have authenticated
nready()
{
  set -- "$TMP"/ready.*
  if [ -e "$1" ]; then echo $#; else echo 0; fi
}
while [ $i -lt 600 ] && [ "$(nready)" -lt 20 ]
do
  sleep 0.1
  i=$((i + 1))
done
is "$(nready)" 20 "twenty sessions through the balancer, all authenticated at once"
: >"$TMP/go"
# shellcheck disable=SC2086
wait $pids
nsent=0 nref=0 nother=0 na=0 nb=0
i=1
while [ $i -le 20 ]
do
  case $(replies <"$TMP/conc.$i") in
    "$sent") nsent=$((nsent + 1)) ;;
    "$refused") grep -Eq '^451 4\.7\.1 Sending limit reached: 3 messages per 1h; try again in [0-9]+ seconds$' "$TMP/conc.$i" \
      && nref=$((nref + 1)) || nother=$((nother + 1)) ;;
    *) nother=$((nother + 1)); sed 's/^/# conc.'$i': /' "$TMP/conc.$i" ;;
  esac
  case $(head -n 1 "$TMP/conc.$i") in
    "220 hosta.example.org "*) na=$((na + 1)) ;;
    "220 hostb.example.org "*) nb=$((nb + 1)) ;;
  esac
  i=$((i + 1))
done
is "$nsent $nref $nother" "3 17 0" "exactly three messages accepted, seventeen MAILs refused with 451 4.7.1"
is "$((na + nb))" 20 "every session greeted by one of the hosts"
ok "... both hosts served some ($na on host a, $nb on host b)" test "$na" -gt 0 -a "$nb" -gt 0
is "$(($(nmsg "$OUTA") + $(nmsg "$OUTB")))" 6 "the Maildirs hold three more messages in all"
is "$(rcli hget "$MKEY" c)" 3 "the count in Redis: 3"
is "$(grep -c '^postern-queue: info: limit refused user="alice" limit=msgs max=3/1h ip=127\.0\.1\.[0-9]* frees=[0-9]* sid=[^ ]*$' "$TMP/hosta.log" "$TMP/hostb.log" | awk -F: '{ s += $2 } END { print s }')" 17 \
  "the seventeen refusals logged by the hosts with each client's address"

# ---- failed logins on both hosts add up ----
two="EHLO client.example\nAUTH PLAIN $bad\nAUTH PLAIN $bad\nQUIT\n"
is "$(printf '%b' "$two" | smtp "$PA" 127.0.0.4 | replies)" "220 250 535 5.7.8 535 5.7.8 221 2.0.0 " "host a: two failed logins from 127.0.0.4"
is "$(printf '%b' "$two" | smtp "$PB" 127.0.0.4 | replies)" "220 250 535 5.7.8 535 5.7.8 221 2.0.0 " "host b: two more"
is "$(rcli get postern:authfail:127.0.0.4)" 4 "counted in one key in Redis: 4 (AUTHFAILMAX)"
blocked="421 4.7.0 Too many failed authentications from your address, try again later"
is "$(printf 'EHLO client.example\nAUTH PLAIN %s\n' "$good" | smtp "$PB" 127.0.0.4)" "$blocked" "host b refuses the address before the greeting"
like "$(cat "$TMP/hostb.log")" "^postern-smtpd: info: end reason=blocked ip=127\\.0\\.0\\.4 sid=$(sid hostb 127.0.0.4)\$" "... and logs it"
is "$(printf 'EHLO client.example\n' | smtp "$PA" 127.0.0.4)" "$blocked" "so does host a"
like "$(printf 'EHLO client.example\nAUTH PLAIN %s\nQUIT\n' "$good" | smtp "$PA" 127.0.0.5 | replies)" '^220 250 235 2\.7\.0 ' "another client is let in"
warn="warning: unable to read the failure record in 127.0.0.1:$R"
is "$(cat "$TMP/hosta.log" "$TMP/hostb.log" | grep -c "$warn")" 0 "no warning while Redis answers"

# ---- Redis stopped ----
server_stop redis
out=$(printf 'EHLO client.example\nAUTH PLAIN %s\nAUTH PLAIN %s\nMAIL FROM:<alice@example.org>\n' "$bad" "$good" | smtp "$PA" 127.0.0.6)
is "$(printf '%s\n' "$out" | replies)" "220 250 535 5.7.8 235 2.7.0 451 4.3.0 221 2.0.0 " "Redis stopped, host a: the session goes on; MAIL 451 4.3.0"
like "$out" '^451 4\.3\.0 Sending limits cannot be checked, try again later$' "... the exact reply"
s=$(sid hosta 127.0.0.6)
is "$(grep -c "^postern-smtpd: $warn: Connection refused sid=$s\$" "$TMP/hosta.log")" 1 "... the failure record skipped: one warning for the session"
is "$(grep -c "^postern-queue: warning: limit state error user=\"alice\" ip=127\\.0\\.0\\.6 redis=127\\.0\\.0\\.1:$R: Connection refused sid=$s\$" "$TMP/hosta.log")" 1 \
  "... the limits: one warning, with the client's address"
out=$(printf 'EHLO client.example\nAUTH PLAIN %s\nMAIL FROM:<alice@example.org>\n' "$good" | smtp "$PB" 127.0.0.4)
is "$(printf '%s\n' "$out" | replies)" "220 250 235 2.7.0 451 4.3.0 221 2.0.0 " "host b: the blocked address is let in while Redis is away, but cannot send"
is "$(grep -c "^postern-smtpd: $warn: Connection refused sid=$(sid hostb 127.0.0.4)\$" "$TMP/hostb.log")" 1 "... one warning for the session"
n0=$(($(nmsg "$OUTA") + $(nmsg "$OUTB")))

# ---- Redis started again (empty: no persistence) ----
rstart || bail "redis-server did not start again: $(cat "$TMP/redis.log")"
is "$(msg back | smtp "$PB" 127.0.0.7 | replies)" "$sent" "Redis back: host b sends alice's message"
is "$(rcli hget "$MKEY" c)" 1 "... counted in Redis again"
is "$(($(nmsg "$OUTA") + $(nmsg "$OUTB")))" "$((n0 + 1))" "... and stored"
is "$(printf '%b' "$two" | smtp "$PB" 127.0.0.8 | replies)" "220 250 535 5.7.8 535 5.7.8 221 2.0.0 " "host b: two failed logins from 127.0.0.8"
is "$(printf '%b' "$two" | smtp "$PA" 127.0.0.8 | replies)" "220 250 535 5.7.8 535 5.7.8 221 2.0.0 " "host a: two more"
is "$(printf 'EHLO client.example\n' | smtp "$PA" 127.0.0.8)" "$blocked" "... added up in Redis again: refused"
is "$(grep "$warn" "$TMP/hosta.log" "$TMP/hostb.log" | grep -c -e "sid=$(sid hostb 127.0.0.7)\$" -e "sid=$(sid hostb 127.0.0.8)\$" -e "sid=$(sid hosta 127.0.0.8)\$")" 0 \
  "no warning in these sessions once Redis is back"

server_stop haproxy
server_stop hosta
server_stop hostb
done_testing
