#!/bin/sh
# postern-tls against bad input and faults: plain SMTP, SSLv3 and TLS 1.0
# ClientHellos, garbage, a client closing or silent mid-handshake, TLS 1.2
# renegotiation, missing, unreadable and mismatched keys, bad settings,
# SNI among two key pairs, and postern-tls killed mid-message.  Each with
# its exact log line or reply; no process left behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-tls-lib.sh"

require "postern-tls faults" "needs tcpserver and openssl" d_have tcpserver openssl
require_built "postern-tls faults" postern-tls postern-smtpd postern-queue t/pn-t-checkpw t/pn-t-report
tls_certs
OUT=$TMP/outbox
maildir "$OUT"
CHAIN="$PN_BIN/postern-smtpd $PN_BIN/t/pn-t-checkpw $PN_BIN/postern-queue -m $OUT"

### key pairs and settings, postern-tls run directly: prog never starts
# run OUT ARGS...: postern-tls ARGS $TMP/ran (a prog that would leave
# $TMP/ran behind); stdout in OUT, stderr in $TMP/err, status in $st
cat >"$TMP/prog" <<'EOF'
#!/bin/sh
touch "$0.ran"
EOF
chmod 755 "$TMP/prog"
run()
{
  o=$1
  shift
  rm -f "$TMP/prog.ran"
  postern-tls "$@" "$TMP/prog" </dev/null >"$TMP/$o" 2>"$TMP/err"
  st=$?
}
K="cert=$TLS/srv.pem key=$TLS/none.key"
run out -i -c "$TLS/srv.pem" -k "$TLS/none.key"
is "$st $(nosid "$TMP/err")" "111 postern-tls: fatal: unable to read the key pair $K: failed to open key file '$TLS/none.key': No such file or directory ip=unknown" "-i, a missing key: 111 and the log line"
is "$(cat "$TMP/out")" "" "-i: nothing to the client"
ok "-i: prog never started" test ! -e "$TMP/prog.ran"
run out -c "$TLS/srv.pem" -k "$TLS/none.key"
is "$st $(cat "$TMP/out" | tr -d '\r')" "111 421 4.3.0 Server configuration error; try again later" "without -i, a missing key: 421 4.3.0 in cleartext, 111"
ok "without -i: prog never started" test ! -e "$TMP/prog.ran"
run out -c "$TLS/srv.pem" -k "$TLS/rsa.key"
is "$st $(nosid "$TMP/err")" "111 postern-tls: fatal: unable to use the key pair cert=$TLS/srv.pem key=$TLS/rsa.key: private/public key mismatch ip=unknown" "a mismatched key: 111 and the log line"
is "$(tr -d '\r' <"$TMP/out")" "421 4.3.0 Server configuration error; try again later" "without -i: 421 4.3.0"
run out -i -c "$TLS/srv.pem" -k "$TLS/srv.key" -c "$TLS/rsa.pem" -k "$TLS/srv.key"
is "$st $(nosid "$TMP/err")" "111 postern-tls: fatal: unable to use the key pair cert=$TLS/rsa.pem key=$TLS/srv.key: private/public key mismatch ip=unknown" "the mismatched pair among two is named"
printf 'not a key\n' >"$TMP/junk.pem"
run out -i -c "$TLS/srv.pem" -k "$TMP/junk.pem"
is "$st $(nosid "$TMP/err")" "111 postern-tls: fatal: unable to use the key pair cert=$TLS/srv.pem key=$TMP/junk.pem: failed to read private key ip=unknown" "a file that is no key: 111 and the log line"
if [ "$(id -u)" -eq 0 ] && d_have setpriv
then
  rm -f "$TMP/prog.ran"
  setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    "$PN_BIN/postern-tls" -c "$TLS/srv.pem" -k "$TLS/srv.key" "$TMP/prog" </dev/null >"$TMP/out" 2>"$TMP/err"
  st=$?
  is "$st $(nosid "$TMP/err")" "111 postern-tls: fatal: unable to read the key pair cert=$TLS/srv.pem key=$TLS/srv.key: failed to open key file '$TLS/srv.key': Permission denied ip=unknown" "an unreadable key (run as nobody): 111 and the log line"
  is "$(tr -d '\r' <"$TMP/out")" "421 4.3.0 Server configuration error; try again later" "without -i: 421 4.3.0"
else
  for i in 1 2; do skip "unreadable key" "not root, or no setpriv"; done
fi
SMTPTIMEOUT=soon run out -c "$TLS/srv.pem" -k "$TLS/srv.key"
is "$st $(nosid "$TMP/err") $(tr -d '\r' <"$TMP/out")" "111 postern-tls: fatal: bad value for SMTPTIMEOUT ip=unknown 421 4.3.0 Server configuration error; try again later" "a bad SMTPTIMEOUT: 421 and 111"
if [ "$(id -u)" -eq 0 ]
then
  run out -i -u root -c "$TLS/srv.pem" -k "$TLS/srv.key"
  is "$st $(nosid "$TMP/err")" "111 postern-tls: fatal: account root is root: refused ip=unknown" "-u root: refused"
  run out -i -u pn-no-such-account -c "$TLS/srv.pem" -k "$TLS/srv.key"
  is "$st $(nosid "$TMP/err")" "111 postern-tls: fatal: unknown account pn-no-such-account ip=unknown" "an unknown account: refused"
else
  for i in 1 2; do skip "-u" "not root"; done
fi
run out -i -c "$TLS/srv.pem"
is "$st" "100" "-c without -k: usage, 100"
run out -i -p tlsv1.9 -c "$TLS/srv.pem" -k "$TLS/srv.key"
is "$st $(nosid "$TMP/err")" "100 postern-tls: fatal: bad protocols: tlsv1.9" "a bad -p: 100"
run out -i -C nothing-known -c "$TLS/srv.pem" -k "$TLS/srv.key"
is "$st $(nosid "$TMP/err")" "100 postern-tls: fatal: bad protocols or ciphers: no ciphers for 'nothing-known'" "a bad -C: 100"
ok "prog never started" test ! -e "$TMP/prog.ran"

### bad input on 465 (-i, the real chain behind)
SMTPTIMEOUT=2 tls_serve bad "$PN_BIN/postern-tls" -i -c "$TLS/srv.pem" -k "$TLS/srv.key" $CHAIN \
  || bail "tcpserver: $(cat "$TMP/bad.log")"
# server_start's own probe (connect, close) is the first line
tls_logwait bad 'postern-tls: info: tls fail reason="unexpected eof while reading"'
# raw BYTES-AS-PYTHON [close]: sends the bytes, prints what came back
raw()
{
  d_limit python3 - "$PORT" "$1" "${2-}" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.sendall(eval(sys.argv[2]))
if sys.argv[3] == "close":
    s.close()
    print("closed")
    sys.exit(0)
got = b""
while True:
    try:
        b = s.recv(4096)
    except Exception as e:
        print("error", e)
        break
    if not b:
        break
    got += b
print(repr(got))
PY
}
# logline N ERE: the Nth "postern-tls:" line of the log matches
lines()
{
  grep -c 'postern-tls:' "$TMP/bad.log"
}
n=1
expect()
{
  n=$((n + 1))
  i=0
  while [ "$(lines)" -lt $n ] && [ $i -lt 100 ]
  do
    sleep 0.1
    i=$((i + 1))
  done
  is "$(grep 'postern-tls:' "$TMP/bad.log" | sed -n "${n}p" | nosid)" "$1" "$2"
}

is "$(raw 'b"EHLO client.example\r\n"')" "b''" "plain SMTP on 465: no reply, the connection closed"
expect 'postern-tls: info: tls fail reason="wrong version number" ip=127.0.0.1' "plain SMTP: logged"
sslv3='b"\x16\x03\x00\x00\x2d\x01\x00\x00\x29\x03\x00" + bytes(32) + b"\x00\x00\x02\x00\x2f\x01\x00"'
is "$(raw "$sslv3")" "b'\\x15\\x03\\x00\\x00\\x02\\x02('" "an SSLv3 ClientHello: a handshake_failure alert, closed"
expect 'postern-tls: info: tls fail reason="version too low" ip=127.0.0.1' "SSLv3: logged"
out=$(echo | d_limit openssl s_client -connect "127.0.0.1:$PORT" -tls1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1)
like "$out" 'alert protocol version' "openssl s_client -tls1: refused with protocol_version"
expect 'postern-tls: info: tls fail reason="unsupported protocol" ip=127.0.0.1' "TLS 1.0: logged"
is "$(raw 'b"\x00\xff garbage, not a ClientHello \x80\x81\r\n" * 8')" "b''" "garbage: the connection closed"
expect 'postern-tls: info: tls fail reason="wrong version number" ip=127.0.0.1' "garbage: logged"
is "$(raw 'b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(20)' close)" "closed" "a client closing mid-ClientHello"
expect 'postern-tls: info: tls fail reason="unexpected eof while reading" ip=127.0.0.1' "closed mid-handshake: logged"
is "$(raw 'b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"')" "b''" "a client silent mid-ClientHello: closed after SMTPTIMEOUT"
expect 'postern-tls: info: tls fail reason=timeout ip=127.0.0.1' "the handshake timeout: logged"
ok "no process left behind" tls_gone bad
unlike "$(cat "$TMP/bad.log")" 'postern-smtpd:' "postern-smtpd never started for any of them"

### TLS 1.2 renegotiation: refused, the session ends
# s_client in lock step: R (renegotiate) only once the EHLO reply is in
cat >"$TMP/reneg.py" <<'PY'
import subprocess, sys
p = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:" + sys.argv[1], "-tls1_2", "-crlf"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = []
def upto(prefix):
    while True:
        l = p.stdout.readline()
        if not l:
            return
        out.append(l.decode("utf-8", "replace").rstrip("\r\n"))
        if l.startswith(prefix):
            return
upto(b"220 ")
p.stdin.write(b"EHLO client.example\n"); p.stdin.flush()
upto(b"250 ")
p.stdin.write(b"R\n"); p.stdin.flush()
# the server refuses and ends the session: s_client then exits
import threading
t = threading.Timer(20, p.kill)
t.start()
out += p.stdout.read().decode("utf-8", "replace").splitlines()
t.cancel()
p.wait()
print("\n".join(out))
PY
out=$(d_limit python3 "$TMP/reneg.py" "$PORT" 2>&1)
like "$out" 'New, TLSv1\.2, Cipher is ECDHE-ECDSA-' "TLS 1.2 session"
like "$out" '250 AUTH PLAIN LOGIN' "the chain answers over TLS 1.2"
like "$(printf '%s\n' "$out" | sed -n '/^RENEGOTIATING/,$p' | tr '\n' ' ')" '^RENEGOTIATING .*(no renegotiation|alert)' "renegotiation: refused by the server"
tls_logwait bad 'tls end reason=' 
like "$(grep 'postern-tls:' "$TMP/bad.log" | tail -n 1)" '^postern-tls: info: tls end reason="[a-z0-9 ]+" ip=127\.0\.0\.1 sid=[^ ]+$' "renegotiation: the session ends, logged"
ok "no process left behind" tls_gone bad
server_stop bad

### SNI: two key pairs, the first the default
tls_serve sni "$PN_BIN/postern-tls" -i -c "$TLS/srv.pem" -k "$TLS/srv.key" -c "$TLS/rsa.pem" -k "$TLS/rsa.key" $CHAIN \
  || bail "tcpserver: $(cat "$TMP/sni.log")"
subj()
{
  echo QUIT | d_limit openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$TLS/ca.pem" "$@" 2>/dev/null \
    | sed -n 's/^subject=//p'
}
is "$(subj -servername other.test -verify_hostname other.test)" "CN = other.test" "SNI other.test: the RSA certificate of other.test"
is "$(subj -servername localhost -verify_hostname localhost)" "CN = localhost" "SNI localhost: the ECDSA certificate"
is "$(subj -noservername)" "CN = localhost" "no SNI: the first pair"
is "$(subj -servername unknown.test)" "CN = localhost" "an unknown name: the first pair"
tls_logwait sni 'sni="other\.test"'
like "$(cat "$TMP/sni.log")" 'postern-tls: info: tls start protocol=TLSv1\.3 cipher=[A-Z0-9_]+ sni="other\.test" ip=127\.0\.0\.1' "the name is logged"
server_stop sni

### postern-tls killed mid-message: no 250, nothing delivered
tls_serve kill "$PN_BIN/postern-tls" -i -c "$TLS/srv.pem" -k "$TLS/srv.key" $CHAIN \
  || bail "tcpserver: $(cat "$TMP/kill.log")"
d_limit python3 - "$PORT" "$TLS/ca.pem" "$TMP/mid" >"$TMP/kill.out" 2>&1 <<'PY' &
import smtplib, ssl, sys
port, ca, mark = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = smtplib.SMTP_SSL("localhost", port, context=ssl.create_default_context(cafile=ca), timeout=30)
s.login("alice", "secret")
s.mail("alice@example.org")
s.rcpt("bob@example.org")
print(s.docmd("DATA")[0])
s.send(b"Subject: half\r\n\r\nthe first half of a message\r\n")
open(mark, "w").close()
try:
    print("reply", s.getreply())
except smtplib.SMTPServerDisconnected:
    print("disconnected")
PY
cp=$!
i=0
while [ ! -e "$TMP/mid" ] && [ $i -lt 100 ]
do
  sleep 0.1
  i=$((i + 1))
done
tp=$(pgrep -s "$PID_kill" -f "^$PN_BIN/postern-tls" | head -n 1)
ok "a session in DATA, postern-tls found" test -n "$tp"
[ -n "$tp" ] && kill -KILL "$tp"
wait "$cp"
is "$(cat "$TMP/kill.out")" "354
disconnected" "the client gets no 250: disconnected"
ok "nothing left of the chain" tls_gone kill
is "$(ls -A "$OUT/new")$(ls -A "$OUT/tmp")" "" "nothing in new/ nor tmp/"
server_stop kill

### a client that stops reading: the blocked write ends after SMTPTIMEOUT
cat >"$TMP/flood" <<'EOF'
#!/bin/sh
exec head -c 50000000 /dev/zero
EOF
chmod 755 "$TMP/flood"
SMTPTIMEOUT=2 tls_serve flood "$PN_BIN/postern-tls" -i -c "$TLS/srv.pem" -k "$TLS/srv.key" "$TMP/flood" \
  || bail "tcpserver: $(cat "$TMP/flood.log")"
d_limit python3 - "$PORT" "$TLS/ca.pem" >"$TMP/flood.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
s = ssl.create_default_context(cafile=sys.argv[2]).wrap_socket(
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10), server_hostname="localhost")
s.recv(1)
time.sleep(15)
PY
fp=$!
ok "a client that reads nothing: the session ends" tls_logwait flood 'tls end reason=timeout'
like "$(grep 'postern-tls: info: tls end' "$TMP/flood.log")" '^postern-tls: info: tls end reason=timeout ip=127\.0\.0\.1 sid=[^ ]+$' "logged: reason=timeout"
ok "no process left behind" tls_gone flood
kill "$fp" 2>/dev/null
server_stop flood

### a large upload in records of every size: each byte reaches prog, in order
# (postern-tls reads the network in large pieces, several records and
# parts of records at once: the pieces must join up exactly)
cat >"$TMP/sum" <<'EOF'
#!/bin/sh
head -c 6000000 | sha256sum | cut -c 1-64
EOF
chmod 755 "$TMP/sum"
tls_serve sum "$PN_BIN/postern-tls" -i -c "$TLS/srv.pem" -k "$TLS/srv.key" "$TMP/sum" \
  || bail "tcpserver: $(cat "$TMP/sum.log")"
out=$(d_limit python3 - "$PORT" "$TLS/ca.pem" 2>&1 <<'PY'
import hashlib, os, random, socket, ssl, sys
s = ssl.create_default_context(cafile=sys.argv[2]).wrap_socket(
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30), server_hostname="localhost")
data = os.urandom(6000000)
rng = random.Random(7)
i = 0
while i < len(data):
    n = rng.choice((1, 2, 5, 6, 100, 1500, 16384, 16385, 40000, 70000))
    s.sendall(data[i:i + n])
    i += n
got = b""
while not got.endswith(b"\n"):
    r = s.recv(100)
    if not r:
        break
    got += r
print("same" if got.decode().strip() == hashlib.sha256(data).hexdigest() else "differ: " + got.decode())
PY
)
is "$out" "same" "6 MB in writes of 1 byte to 70000: prog reads exactly what was sent"
ok "no process left behind" tls_gone sum
server_stop sum

### what prog gets with -i: the environment, its descriptors, no key
cat >"$TMP/envprog" <<'EOF'
#!/bin/sh
env >"$0.env"
fds=$(ls -l /proc/$$/fd/ 2>&1)
printf '%s\n' "$fds" >"$0.fd"
echo "220 envprog"
EOF
chmod 755 "$TMP/envprog"
SMTPSESSIONID=test-sid SMTPTLS=0 SSLCTLFD=9 tls_serve env "$PN_BIN/postern-tls" -i -c "$TLS/srv.pem" -k "$TLS/srv.key" "$TMP/envprog" \
  || bail "tcpserver: $(cat "$TMP/env.log")"
out=$(echo | d_limit openssl s_client -quiet -connect "127.0.0.1:$PORT" -servername localhost 2>/dev/null | tr -d '\r')
is "$out" "220 envprog" "prog answers over TLS"
is "$(grep -E '^(SMTPTLS|SSL_PROTOCOL|SSL_TLS_SNI_SERVERNAME|SSLCTLFD|SSLREADFD|SSLWRITEFD)=' "$TMP/envprog.env" | sort | tr '\n' ' ')" \
  "SMTPTLS=1 SSL_PROTOCOL=TLSv1.3 SSL_TLS_SNI_SERVERNAME=localhost " "-i: SMTPTLS=1, SSL_PROTOCOL, the SNI name; no SSL*FD (the launcher's are removed)"
like "$(grep '^SSL_CIPHER=' "$TMP/envprog.env")" '^SSL_CIPHER=TLS_[A-Z0-9_]+$' "-i: SSL_CIPHER"
unlike "$(cat "$TMP/envprog.fd")" 'pem|key|socket:.*->.*TCP' "prog holds no key file"
fd0=$(sed -n 's/.* 0 -> //p' "$TMP/envprog.fd")
fd1=$(sed -n 's/.* 1 -> //p' "$TMP/envprog.fd")
like "$fd0 $fd1" '^socket:\[[0-9]+\] socket:\[[0-9]+\]$' "prog's fds 0 and 1: sockets"
is "$fd0" "$fd1" "the same one (to postern-tls), as under inetd"
tls_logwait env 'tls start'
like "$(grep 'postern-tls:' "$TMP/env.log")" 'tls start protocol=TLSv1\.3 cipher=[A-Z0-9_]+ sni="localhost" ip=127\.0\.0\.1 sid=test-sid$' "SMTPSESSIONID is in the log line"
server_stop env
done_testing
