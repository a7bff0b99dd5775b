#!/bin/sh
# postern-tls without -i: the UCSPI-TLS protocol (SSLCTLFD, SSLREADFD,
# SSLWRITEFD; "Y", then the answer) with the test program pn-t-ucspitls
# behind it, real STARTTLS clients in front; bytes pipelined after
# STARTTLS never reach the program (CVE-2011-0411); a handshake that
# fails after "Y" ends everything; no key, no session: 421 4.3.0.  Then
# conf/tcpserver/run with TLS=starttls and today's front.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-tls-lib.sh"

require "UCSPI-TLS" "needs tcpserver and openssl" d_have tcpserver openssl
require_built "UCSPI-TLS" postern-tls t/pn-t-ucspitls
tls_certs
R=$TMP/rep
U="$PN_BIN/t/pn-t-ucspitls $R"

# A launcher's SMTPTLS and SSL_PROTOCOL must not reach prog before TLS.
SMTPTLS=1 SSL_PROTOCOL=TLSv1.3 tls_serve u "$PN_BIN/postern-tls" -c "$TLS/srv.pem" -k "$TLS/srv.key" $U \
  || bail "tcpserver: $(cat "$TMP/u.log")"
tls_logwait u 'postern-tls|tcpserver: end' >/dev/null
out=$(nogreet=1 tls_sclient "$PORT" -starttls smtp -CAfile "$TLS/ca.pem" -verify_return_error \
  -servername localhost -verify_hostname localhost <<IN
hello over tls
QUIT
IN
)
is "$out" "250 tls
221 bye" "openssl s_client -starttls smtp: the program answers over TLS"
is "$(sed 's/^env SSLCTLFD=[0-9][0-9]*$/env SSLCTLFD=N/; s/^answer SSL_CIPHER=.*/answer SSL_CIPHER=C/' "$R")" "env SSLCTLFD=N
env SMTPTLS=(unset)
env SSL_PROTOCOL=(unset)
clear EHLO mail.example.com
clear STARTTLS
answer SSL_PROTOCOL=TLSv1.3
answer SSL_CIPHER=C
answer SSL_TLS_SNI_SERVERNAME=localhost
tls hello over tls
tls QUIT" "the program: SSL*FD set, no TLS variables before; the answer; then TLS"
like "$(grep '^answer SSL_CIPHER=' "$R")" '^answer SSL_CIPHER=TLS_(AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256|AES_128_GCM_SHA256)$' "the cipher, as OpenSSL names it"
tls_logwait u 'tls start' 
like "$(cat "$TMP/u.log")" 'postern-tls: info: tls start protocol=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ sni="localhost" ip=127\.0\.0\.1' "logged"

# python3's ssl after a hand-made STARTTLS, verifying the certificate
cat >"$TMP/st.py" <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
out = [f.readline()]
s.sendall(b"EHLO py.example\r\n"); out.append(f.readline())
s.sendall(b"STARTTLS\r\n"); out.append(f.readline())
t = ssl.create_default_context(cafile=sys.argv[2]).wrap_socket(s, server_hostname="localhost")
g = t.makefile("rb")
t.sendall(b"NOOP\r\n"); out.append(g.readline())
t.sendall(b"QUIT\r\n"); out.append(g.readline())
print(" ".join(l.decode().strip() for l in out), t.version())
PY
is "$(d_limit python3 "$TMP/st.py" "$PORT" "$TLS/ca.pem" 2>&1)" "220 ucspitls ready 250 clear 220 go ahead 250 tls 221 bye TLSv1.3" "python3 ssl after STARTTLS"

# The injection: STARTTLS and commands in one write.
cat >"$TMP/inj.py" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO evil.example\r\nSTARTTLS\r\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\r\n" + eval(sys.argv[2]))
print(repr(f.read()))
PY
# (postern-tls may cut the connection before the program's 220 is out)
like "$(d_limit python3 "$TMP/inj.py" "$PORT" 'b""' 2>&1)" "^b'250 clear\\\\r\\\\n(220 go ahead\\\\r\\\\n)?'\$" "STARTTLS pipelined with commands: the connection ends"
tls_logwait u 'wrong version number'
is "$(cat "$R")" "env SSLCTLFD=$(sed -n 's/^env SSLCTLFD=//p' "$R")
env SMTPTLS=(unset)
env SSL_PROTOCOL=(unset)
clear EHLO evil.example
clear STARTTLS
ctl eof" "nothing after STARTTLS reached the program; the control ended without an answer"
is "$(grep 'postern-tls:' "$TMP/u.log" | tail -n 1 | nosid)" 'postern-tls: info: tls fail reason="wrong version number" ip=127.0.0.1' "the handshake failed on the injected bytes: logged"
# the same followed by a genuine ClientHello in the same stream
hello='open("'"$TMP"'/hello.bin", "rb").read()'
printf '\026\003\001\000\005\001\000\000\001\000' >"$TMP/hello.bin"
like "$(d_limit python3 "$TMP/inj.py" "$PORT" "$hello" 2>&1)" "^b'250 clear\\\\r\\\\n(220 go ahead\\\\r\\\\n)?'\$" "injected commands before a ClientHello: the connection ends"
unlike "$(cat "$R")" 'MAIL|RCPT|^tls ' "nothing injected reached the program"
ok "no process left behind" tls_gone u

# STARTTLS, then a client that closes; then one that stays silent
printf 'EHLO quiet.example\nSTARTTLS\n' | d_chat "$PORT" >"$TMP/chat.out" 2>&1
is "$(cat "$TMP/chat.out")" "220 ucspitls ready
250 clear
220 go ahead" "STARTTLS, then the client closes"
tls_logwait u 'unexpected eof'
is "$(tail -n 1 "$R")" "ctl eof" "the program: the control ended without an answer"
ok "no process left behind" tls_gone u
server_stop u

SMTPTIMEOUT=1 tls_serve slow "$PN_BIN/postern-tls" -c "$TLS/srv.pem" -k "$TLS/srv.key" $U \
  || bail "tcpserver: $(cat "$TMP/slow.log")"
printf 'STARTTLS\n' | hold=4 d_chat "$PORT" >"$TMP/chat.out" 2>&1
tls_logwait slow 'reason=timeout'
like "$(grep 'postern-tls:' "$TMP/slow.log" | tail -n 1)" '^postern-tls: info: tls fail reason=timeout ip=127\.0\.0\.1 sid=[^ ]+$' "STARTTLS then silence: the handshake times out (SMTPTIMEOUT)"
is "$(tail -n 1 "$R")" "ctl eof" "the program: no answer"
ok "no process left behind" tls_gone slow
server_stop slow

# -p: TLS 1.2 only
tls_serve p12 "$PN_BIN/postern-tls" -p tlsv1.2 -c "$TLS/srv.pem" -k "$TLS/srv.key" $U \
  || bail "tcpserver: $(cat "$TMP/p12.log")"
out=$(nogreet=1 tls_sclient "$PORT" -starttls smtp -CAfile "$TLS/ca.pem" <<IN
QUIT
IN
)
is "$out" "221 bye" "-p tlsv1.2: a session"
is "$(grep '^answer SSL_PROTOCOL' "$R")" "answer SSL_PROTOCOL=TLSv1.2" "-p tlsv1.2: TLS 1.2 negotiated and told"
server_stop p12

# No key: the client gets 421 4.3.0 in cleartext, the program never starts.
rm -f "$R"
tls_serve nokey "$PN_BIN/postern-tls" -c "$TLS/srv.pem" -k "$TLS/gone.key" $U \
  || bail "tcpserver: $(cat "$TMP/nokey.log")"
printf 'EHLO x\n' | d_chat "$PORT" >"$TMP/chat.out" 2>&1
is "$(cat "$TMP/chat.out")" "421 4.3.0 Server configuration error; try again later" "a missing key: 421 4.3.0, never a session without TLS"
ok "the program never started" test ! -e "$R"
like "$(cat "$TMP/nokey.log")" "postern-tls: fatal: unable to read the key pair cert=$TLS/srv.pem key=$TLS/gone.key: failed to open key file '$TLS/gone.key': No such file or directory ip=127\.0\.0\.1" "logged"
server_stop nokey

# conf/tcpserver/run with TLS=starttls, today's front behind: a session
# as before for a client that does not ask for TLS (t/76: STARTTLS).
if d_have tcprules swaks && [ -x "$PN_BIN/postern-smtpd" ] && [ -x "$PN_BIN/postern-passwd" ]
then
  d_setup
  d_tcprules
  tls_tcpserver st tcpserver "
TLS=
" "
TLS=starttls
" || bail "tcpserver: $(cat "$TMP/st.log")"
  d_msg st
  d_limit swaks --server "127.0.0.1:$PORT" --auth PLAIN --auth-user alice --auth-password secret \
    --from alice@example.org --to bob@example.org --data "@$TMP/st.swaks" >"$TMP/swaks.out" 2>&1
  is "$?" "0" "conf/tcpserver/run, TLS=starttls: a session through postern-tls"
  is "$(d_count)" "1" "delivered"
  tp=
  printf 'NOOP\n' | hold=3 d_chat "$PORT" >/dev/null 2>&1 &
  i=0
  while [ $i -lt 50 ] && [ -z "$tp" ]
  do
    tp=$(pgrep -s "$PID_st" -f "^$PN_BIN/postern-tls -u nobody -c $TLS/srv.pem -k $TLS/srv.key $PN_BIN/postern-smtpd" | head -n 1)
    sleep 0.1
    i=$((i + 1))
  done
  ok "postern-tls is first in the chain" test -n "$tp"
  server_stop st
else
  for i in 1 2 3; do skip "conf/tcpserver/run, TLS=starttls" "needs tcprules, swaks and the chain"; done
fi
done_testing
