#!/bin/sh
# A real HAProxy in front of postern on loopback: the shipped
# conf/haproxy/haproxy.cfg (send-proxy-v2, SMTP health checks) with its
# addresses and ports replaced, plus the test's own frontends: one whose
# server gets send-proxy (v1), and two that make the client look remote
# (tcp-request connection set-src 192.0.2.7: the PROXY header carries a
# documentation address, while every packet stays on 127.0.0.1).  Behind
# it, the shipped conf/tcpserver/run with postern-proxy put first in the
# chain.  The client's own address must show in Received, in the log and
# in the plaintext-AUTH rule.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-haproxy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require "HAProxy in front of postern" "needs haproxy, tcpserver, tcprules (ucspi-tcp) and swaks" \
  d_have haproxy tcpserver tcprules swaks
require_built "HAProxy in front of postern" postern-proxy postern-smtpd postern-checkpw postern-queue

d_setup
d_tcprules
# postern-proxy first, trusting the balancer's address; -T 3 for the
# last test
d_tcpserver tcp 'PROXY=
' 'PROXY=127.0.0.0/8
' 'PROXYTIMEOUT=
' 'PROXYTIMEOUT=3
' \
  || bail "the run script did not start tcpserver: $(cat "$TMP/tcp.log")"
: >"$TMP/tcp.log"     # wait_port's probe

HPORT=$(free_port)
V1PORT=$(free_port)
R2PORT=$(free_port)
R1PORT=$(free_port)
cp "$CONF/haproxy/haproxy.cfg" "$TMP/haproxy.cfg"
d_subst "$TMP/haproxy.cfg" \
  "log /dev/log local0" "log stdout format raw local0
    stats socket $TMP/haproxy.sock level admin" \
  "bind :587" "bind 127.0.0.1:$HPORT" \
  "server postern1 10.0.0.11:587" "server postern1 127.0.0.1:$PORT" \
  "    server postern2 10.0.0.12:587
" "" \
  "inter 10s" "inter 1s" \
  "timeout connect 5s" "timeout connect 5s
    timeout check 10s"
cat >>"$TMP/haproxy.cfg" <<EOF

# the test's own: PROXY v1 (send-proxy), and clients made remote
frontend v1
    bind 127.0.0.1:$V1PORT
    default_backend v1

backend v1
    option smtpchk HELO balancer.example.org
    server v1 127.0.0.1:$PORT send-proxy check inter 1s

frontend remote2
    bind 127.0.0.1:$R2PORT
    tcp-request connection set-src ipv4(192.0.2.7)
    default_backend postern

frontend remote1
    bind 127.0.0.1:$R1PORT
    tcp-request connection set-src ipv4(192.0.2.8)
    default_backend v1
EOF
hap_start
hap_up 2 >"$TMP/hap.up"
is "$(cat "$TMP/hap.up")" "postern1 UP L7OK
v1 UP L7OK" "health checks through postern-proxy: both servers up, SMTP checks passed (L7OK)"
log=$(cat "$TMP/tcp.log")
like "$log" '^postern-proxy: info: accept local proxy=127\.0\.0\.1 version=2 sid=[^ ]+$' "send-proxy-v2's check: a LOCAL header, the connection's own addresses kept"
like "$log" '^postern-proxy: info: accept ip=127\.0\.0\.1 port=[0-9]+ proxy=127\.0\.0\.1 version=1 sid=[^ ]+$' "send-proxy's check: a v1 header with the check's own addresses"

# A proxied loopback client (127.0.0.5 and .6, not the balancer's
# 127.0.0.1): AUTH PLAIN without TLS, a message.
d_msg hap
for v in 2 1
do
  if [ $v -eq 2 ]; then port=$HPORT src=127.0.0.5; else port=$V1PORT src=127.0.0.6; fi
  n0=$(d_count)
  d_limit swaks --server "127.0.0.1:$port" --local-interface "$src" --auth PLAIN --auth-user alice --auth-password secret \
    --from alice@example.org --to bob@example.org --data "@$TMP/hap.swaks" >"$TMP/swaks.out" 2>&1
  is "$?" 0 "v$v: a proxied loopback client ($src): AUTH PLAIN without TLS and a message"
  is "$(d_count)" "$((n0 + 1))" "v$v: one message in the outbox"
  f=$(d_last)
  like "$(sed -n 3,4p "$f" | tr '\n\t' '  ')" "^Received: from [^ ]+ \\(\\[${src%.*}\\.${src##*.}\\]\\)  by mail\\.example\\.org \\(postern\\) with ESMTPA id " \
    "v$v: Received names the client's own address, not the balancer's"
  ok "v$v: the message, byte for byte" sh -c "d() { sed '1,5d' \"\$1\"; }; d '$f' | cmp - '$TMP/hap.msg'"
  log=$(cat "$TMP/tcp.log")
  like "$log" "^postern-proxy: info: accept ip=${src%.*}\\.${src##*.} port=[0-9]+ proxy=127\\.0\\.0\\.1 version=$v sid=[^ ]+\$" "v$v: postern-proxy logs the client and the balancer"
  like "$log" "^postern-smtpd: info: connect ip=${src%.*}\\.${src##*.} sid=[^ ]+\$" "v$v: postern-smtpd logs the client's address"
done

# A proxied remote client (192.0.2.7 and .8 in the header): no
# plaintext AUTH without TLS.
for v in 2 1
do
  if [ $v -eq 2 ]; then port=$R2PORT ip=192.0.2.7; else port=$R1PORT ip=192.0.2.8; fi
  out=$(d_chat "$port" <<EOS
EHLO remote.example
AUTH PLAIN AGFsaWNlAHNlY3JldA==
MAIL FROM:<alice@example.org>
QUIT
EOS
)
  unlike "$out" '^250[ -]AUTH' "v$v: a proxied remote client ($ip) without TLS: EHLO offers no AUTH"
  is "$(printf '%s\n' "$out" | codes | tail -n 3 | tr '\n' ' ')" "538 5.7.11 530 5.7.0 221 2.0.0 " "v$v: AUTH PLAIN: 538 5.7.11, MAIL: 530 5.7.0"
  log=$(cat "$TMP/tcp.log")
  like "$log" "^postern-proxy: info: accept ip=${ip%.*}\\.${ip##*.} port=[0-9]+ proxy=127\\.0\\.0\\.1 version=$v sid=[^ ]+\$" "v$v: postern-proxy logs the remote client"
  like "$log" "^postern-smtpd: info: auth fail user=\"\" mech=PLAIN ip=${ip%.*}\\.${ip##*.} reason=encryption sid=[^ ]+\$" "v$v: the refusal is logged with the client's address"
done

# Straight to postern, not through the balancer: an SMTP client waits
# for a greeting, postern-proxy for a header, until -T.
server_stop haproxy
: >"$TMP/tcp.log"
out=$(printf 'QUIT\n' | d_chat "$PORT" 2>&1)
is "$out" "" "a client straight to postern, without a header: closed after -T, no greeting"
i=0
while [ $i -lt 50 ] && ! grep -q 'refused' "$TMP/tcp.log"
do
  sleep 0.1
  i=$((i + 1))
done
like "$(cat "$TMP/tcp.log")" '^postern-proxy: info: refused reason=timeout ip=127\.0\.0\.1 sid=[^ ]+$' "... and logged"

server_stop tcp
done_testing
