#!/bin/sh
# STARTTLS on 587: conf/tcpserver/run as it is with TLS=starttls
# (postern-tls without -i, then postern-smtpd speaking UCSPI-TLS), only
# paths, port and delays substituted, a certificate of a throw-away CA.
# Real clients (swaks --tls, openssl s_client -starttls smtp, python3
# smtplib starttls(), curl --ssl-reqd smtp://, msmtp with tls_starttls
# on) from an address postern sees as remote (192.0.2.1, a tcprules rule
# of the test's own): AUTH is offered only once TLS is on.  Each message
# is found byte for byte in the outbox with a Received line naming
# ESMTPSA, the protocol and the cipher; a wrong password and a
# certificate the client does not trust fail cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-tls-lib.sh"

require "STARTTLS" "needs tcpserver, tcprules and openssl" d_have tcpserver tcprules openssl
require_built "STARTTLS" postern-tls postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup
tls_certs
d_tcprules remote
tls_tcpserver st tcpserver "
TLS=
" "
TLS=starttls
" || bail "tcpserver did not start: $(cat "$TMP/st.log")"
t_result 0 "conf/tcpserver/run with TLS=starttls listens on 127.0.0.1:$PORT"

### swaks --tls
if d_have swaks && perl -MNet::SSLeay -e 1 2>/dev/null
then
  d_msg swaks
  n0=$(d_count)
  d_limit swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.2 --tls \
    --tls-verify --tls-ca-path "$TLS/ca.pem" --auth PLAIN --auth-user alice --auth-password secret \
    --from alice@example.org --to bob@example.org --data "@$TMP/swaks.swaks" >"$TMP/swaks.out" 2>&1
  is "$?" "0" "swaks --tls --tls-verify: STARTTLS, AUTH PLAIN and a message"
  like "$(cat "$TMP/swaks.out")" '<-  250.STARTTLS' "swaks: STARTTLS offered in cleartext"
  unlike "$(sed -n '1,/STARTTLS$/p' "$TMP/swaks.out")" 'AUTH PLAIN' "swaks: no AUTH offered to a remote client before TLS"
  like "$(cat "$TMP/swaks.out")" '<-  220 2\.0\.0 Ready to start TLS' "swaks: 220 2.0.0 Ready to start TLS"
  like "$(cat "$TMP/swaks.out")" '=== TLS started with cipher TLSv1\.3:' "swaks: TLS 1.3"
  like "$(cat "$TMP/swaks.out")" '<~  250 AUTH PLAIN LOGIN' "swaks: AUTH offered after TLS"
  unlike "$(sed -n '/TLS started/,$p' "$TMP/swaks.out")" 'STARTTLS' "swaks: no STARTTLS offered after TLS"
  tls_check_msg swaks
  d_limit swaks --server "127.0.0.1:$PORT" --local-interface 127.0.0.2 --tls \
    --tls-verify --tls-ca-path "$TLS/ca.pem" --auth PLAIN --auth-user alice --auth-password wrong \
    --from alice@example.org --to bob@example.org --data "@$TMP/swaks.swaks" >"$TMP/swaks.out" 2>&1
  is "$?" "28" "swaks, a wrong password: AUTH fails (28)"
  like "$(cat "$TMP/swaks.out")" '<~\* 535 5\.7\.8 ' "swaks: 535 5.7.8 over TLS"
  d_limit swaks --server "127.0.0.1:$PORT" --tls --tls-verify --tls-ca-path "$TLS/ca2.pem" \
    --quit-after tls >"$TMP/swaks.out" 2>&1
  is "$?" "29" "swaks, a certificate it does not trust: TLS fails (29)"
  is "$(d_count)" "$((n0 + 1))" "swaks: nothing more delivered"
else
  for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do skip "swaks --tls" "swaks or Net::SSLeay is missing"; done
fi

### python3 smtplib starttls()
d_msg py
n0=$(d_count)
cat >"$TMP/py.py" <<'PY'
import smtplib, ssl, sys
port, ca, msgfile, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
try:
    with smtplib.SMTP("localhost", port, timeout=30, source_address=("127.0.0.2", 0)) as s:
        s.ehlo("py.example")
        print("clear", "starttls" in s.esmtp_features, "auth" in s.esmtp_features)
        s.starttls(context=ctx)
        s.ehlo("py.example")
        print("tls", "starttls" in s.esmtp_features, "auth" in s.esmtp_features, s.sock.version())
        s.login("alice", pw)
        s.sendmail("alice@example.org", ["bob@example.org"], open(msgfile, "rb").read())
        print("sent")
except smtplib.SMTPAuthenticationError as e:
    print("autherror", e.smtp_code)
except ssl.SSLCertVerificationError as e:
    print("verify", e.verify_message)
PY
out=$(d_limit python3 "$TMP/py.py" "$PORT" "$TLS/ca.pem" "$TMP/py.crlf" secret 2>&1)
is "$out" "clear True False
tls False True TLSv1.3
sent" "python3 starttls(): STARTTLS and no AUTH in clear, AUTH and no STARTTLS after, login, a message"
tls_check_msg py
out=$(d_limit python3 "$TMP/py.py" "$PORT" "$TLS/ca.pem" "$TMP/py.crlf" wrong 2>&1)
is "$out" "clear True False
tls False True TLSv1.3
autherror 535" "python3, a wrong password: 535"
out=$(d_limit python3 "$TMP/py.py" "$PORT" "$TLS/ca2.pem" "$TMP/py.crlf" secret 2>&1)
is "$out" "clear True False
verify unable to get local issuer certificate" "python3, a certificate it does not trust: refused"
is "$(d_count)" "$((n0 + 1))" "python3: nothing more delivered"

### curl
tls_curl smtp "STARTTLS"

### msmtp
tls_msmtp on "STARTTLS"

### openssl s_client -starttls smtp, lock step, the whole session
d_msg sc
n0=$(d_count)
sed 's/^\.\(.\)/..\1/' "$TMP/sc.crlf" >"$TMP/sc.dot"
printf '.\r\n' >>"$TMP/sc.dot"
out=$(nogreet=1 tls_sclient "$PORT" -starttls smtp -name sc.example -CAfile "$TLS/ca.pem" \
  -verify_return_error -verify_hostname localhost <<EOF
EHLO sc.example
AUTH PLAIN $(printf 'alice\0alice\0secret' | base64)
MAIL FROM:<alice@example.org>
RCPT TO:<bob@example.org>
DATA
<<$TMP/sc.dot
QUIT
EOF
)
is "$(printf '%s\n' "$out" | codes | tr '\n' ' ')" "250 250 250 250 250 250 250 250 250 235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " "openssl s_client -starttls smtp: EHLO again, AUTH, a message, QUIT"
tls_check_msg sc '127\.0\.0\.1'
like "$(sed -n 3p "$f")" '^Received: from sc\.example ' "Received: the EHLO after TLS"
out=$(nogreet=1 tls_sclient "$PORT" -starttls smtp -CAfile "$TLS/ca.pem" -verify_return_error <<EOF
AUTH PLAIN $(printf 'alice\0alice\0wrong' | base64)
QUIT
EOF
)
is "$out" "503 5.5.1 Send EHLO or HELO first
221 2.0.0 Bye" "s_client: after TLS the dialogue starts over (AUTH needs EHLO again)"
out=$(nogreet=1 tls_sclient "$PORT" -starttls smtp -CAfile "$TLS/ca.pem" -verify_return_error <<EOF
EHLO sc.example
AUTH PLAIN $(printf 'alice\0alice\0wrong' | base64)
QUIT
EOF
)
like "$out" '535 5\.7\.8 Authentication credentials invalid
221 2\.0\.0 Bye$' "s_client, a wrong password: 535 5.7.8"
out=$(nogreet=1 tls_sclient "$PORT" -starttls smtp -CAfile "$TLS/ca2.pem" -verify_return_error <<EOF
QUIT
EOF
)
is "$out" "" "s_client, a certificate it does not trust: no session"
is "$(d_count)" "$((n0 + 1))" "s_client: nothing more delivered"

log=$(cat "$TMP/st.log")
like "$log" 'postern-tls: info: tls start protocol=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ sni="localhost" ip=192\.0\.2\.1' "postern-tls logs the handshake"
like "$log" 'postern-smtpd: info: starttls protocol=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ ip=192\.0\.2\.1' "postern-smtpd logs TLS on"
ok "no process left behind" tls_gone st
server_stop st
done_testing
