#!/bin/sh
# postern-tls -i (TLS on connect, port 465) in front of the real chain:
# conf/tcpserver-465/run as it is, only paths, port and delays
# substituted, with a certificate of a throw-away CA.  Real clients
# (swaks, python3 smtplib.SMTP_SSL, curl smtps://, msmtp, openssl
# s_client) from an address postern sees as remote (192.0.2.1, a tcprules
# rule of the test's own): AUTH is offered because TLS is on.  Each
# message is found byte for byte in the outbox; a wrong password and a
# certificate the client does not trust fail cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-tls-lib.sh"

C=$CONF/tcpserver-465
ok "tcpserver-465/run is valid sh" sh -n "$C/run"
ok "tcpserver-465/log/run is valid sh" sh -n "$C/log/run"
ok "tcpserver-465/run is executable" test -x "$C/run"
like "$(grep -E '^(PORT|TLS|CERT|KEY)=' "$C/run")" '^PORT=465
TLS=implicit
CERT=/etc/letsencrypt/live/mail\.example\.org/fullchain\.pem
KEY=/etc/letsencrypt/live/mail\.example\.org/privkey\.pem$' "port 465, TLS on connect, certbot's paths"
# The two run scripts are one script with two settings changed: every
# fix of the 587 one must reach the 465 one.
is "$(diff "$CONF/tcpserver/run" "$C/run" | grep '^[<>] [A-Z]')" "< PORT=587
> PORT=465
< TLS=
> TLS=implicit" "tcpserver-465/run is tcpserver/run with PORT and TLS changed"

require "TLS on connect" "needs tcpserver, tcprules and openssl" d_have tcpserver tcprules openssl
require_built "TLS on connect" postern-tls postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup
tls_certs
d_tcprules remote
tls_tcpserver tls tcpserver-465 || bail "tcpserver did not start: $(cat "$TMP/tls.log")"
t_result 0 "conf/tcpserver-465/run listens on 127.0.0.1:$PORT"

### swaks
if d_have swaks && perl -MNet::SSLeay -e 1 2>/dev/null
then
  d_msg swaks
  n0=$(d_count)
  d_limit swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.2 --tls-on-connect \
    --tls-verify --tls-ca-path "$TLS/ca.pem" --auth PLAIN --auth-user alice --auth-password secret \
    --from alice@example.org --to bob@example.org --data "@$TMP/swaks.swaks" >"$TMP/swaks.out" 2>&1
  is "$?" "0" "swaks --tls-on-connect --tls-verify: AUTH PLAIN and a message"
  like "$(cat "$TMP/swaks.out")" '=== TLS started with cipher TLSv1\.3:' "swaks: TLS 1.3"
  like "$(cat "$TMP/swaks.out")" '<~  250 AUTH PLAIN LOGIN' "swaks: AUTH offered to a remote client inside TLS"
  tls_check_msg swaks
  d_limit swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.2 --tls-on-connect \
    --tls-verify --tls-ca-path "$TLS/ca.pem" --auth PLAIN --auth-user alice --auth-password wrong \
    --from alice@example.org --to bob@example.org --data "@$TMP/swaks.swaks" >"$TMP/swaks.out" 2>&1
  is "$?" "28" "swaks, a wrong password: AUTH fails (28)"
  like "$(cat "$TMP/swaks.out")" '<~\* 535 5\.7\.8 ' "swaks: 535 5.7.8 over TLS"
  d_limit swaks --server "127.0.0.1:$PORT" --tls-on-connect --tls-verify --tls-ca-path "$TLS/ca2.pem" \
    --quit-after connect >"$TMP/swaks.out" 2>&1
  is "$?" "29" "swaks, a certificate it does not trust: TLS fails (29)"
  is "$(d_count)" "$((n0 + 1))" "swaks: nothing more delivered"
else
  for i in 1 2 3 4 5 6 7 8 9 10 11; do skip "swaks over TLS" "swaks or Net::SSLeay is missing"; done
fi

### python3 smtplib.SMTP_SSL
d_msg py
n0=$(d_count)
cat >"$TMP/py.py" <<'PY'
import smtplib, ssl, sys
port, ca, msgfile, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
try:
    with smtplib.SMTP_SSL("127.0.0.1", port, context=ctx, timeout=30,
                          source_address=("127.0.0.2", 0)) as s:
        s.ehlo("py.example")
        print("auth", "auth" in s.esmtp_features, s.sock.version())
        s.login("alice", pw)
        s.sendmail("alice@example.org", ["bob@example.org"], open(msgfile, "rb").read())
        print("sent")
except smtplib.SMTPAuthenticationError as e:
    print("autherror", e.smtp_code)
except ssl.SSLCertVerificationError as e:
    print("verify", e.verify_message)
PY
out=$(d_limit python3 "$TMP/py.py" "$PORT" "$TLS/ca.pem" "$TMP/py.crlf" secret 2>&1)
is "$out" "auth True TLSv1.3
sent" "python3 SMTP_SSL: TLS 1.3, AUTH offered, login, a message"
tls_check_msg py
out=$(d_limit python3 "$TMP/py.py" "$PORT" "$TLS/ca.pem" "$TMP/py.crlf" wrong 2>&1)
is "$out" "auth True TLSv1.3
autherror 535" "python3, a wrong password: 535"
out=$(d_limit python3 "$TMP/py.py" "$PORT" "$TLS/ca2.pem" "$TMP/py.crlf" secret 2>&1)
is "$out" "verify unable to get local issuer certificate" "python3, a certificate it does not trust: refused"
is "$(d_count)" "$((n0 + 1))" "python3: nothing more delivered"

### curl
tls_curl smtps "TLS on connect"

### msmtp
tls_msmtp off "TLS on connect"

### openssl s_client, lock step
d_msg sc
n0=$(d_count)
sed 's/^\.\(.\)/..\1/' "$TMP/sc.crlf" >"$TMP/sc.dot"
printf '.\r\n' >>"$TMP/sc.dot"
out=$(tls_sclient "$PORT" -CAfile "$TLS/ca.pem" -verify_return_error -verify_hostname localhost <<EOF
EHLO sc.example
AUTH PLAIN $(printf 'alice\0alice\0secret' | base64)
MAIL FROM:<alice@example.org>
RCPT TO:<bob@example.org>
DATA
<<$TMP/sc.dot
QUIT
EOF
)
is "$(printf '%s\n' "$out" | codes | tr '\n' ' ')" "220 250 250 250 250 250 250 250 250 250 235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " "openssl s_client: the whole session over TLS"
tls_check_msg sc '127\.0\.0\.1'

### what runs where: postern-tls as nobody, with no new privileges
# A session held open over TLS: once its greeting has come, the
# handshake is done and postern-tls has dropped to its relay state (a
# process seen before that may still be root, reading its key).
{ sleep 5; } | openssl s_client -connect "127.0.0.1:$PORT" -quiet -no_ign_eof \
  -CAfile "$TLS/ca.pem" >"$TMP/hold.out" 2>/dev/null &
i=0
tp=
while [ $i -lt 50 ] && [ -z "$tp" ]
do
  grep -q '^220 ' "$TMP/hold.out" &&
    tp=$(pgrep -s "$PID_tls" -f "^$PN_BIN/postern-tls" | head -n 1)
  [ -n "$tp" ] || sleep 0.1
  i=$((i + 1))
done
if [ -n "$tp" ] && [ "$(id -u)" -eq 0 ]
then
  is "$(ps -o user= -p "$tp" | tr -d ' ')" "nobody" "postern-tls runs as nobody"
  is "$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/$tp/status")" "1" "postern-tls has no new privileges"
  is "$(sed -n 's/^Groups:[[:space:]]*//p' "/proc/$tp/status" | tr -d ' ')" "$(id -g nobody)" "postern-tls has only nobody's group"
else
  for i in 1 2 3; do skip "postern-tls as nobody" "not root, or no session seen"; done
fi

log=$(cat "$TMP/tls.log")
like "$log" 'postern-tls: info: tls start protocol=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ sni="localhost" ip=192\.0\.2\.1' "the log names protocol, cipher, SNI and the client"
like "$log" 'postern-queue: info: accepted id=' "the chain logs as before"
server_stop tls
done_testing
