#!/bin/sh
# postern-smtpd's STARTTLS (RFC 3207) over the UCSPI-TLS control
# protocol: scripted (no postern-tls: the replies when the control is not
# there or fails), then behind postern-tls without -i with the test
# chain (pn-t-checkpw, pn-t-report): the exact replies, the dialogue
# starting over, AUTH only after TLS on a remote address, TLSREQUIRED,
# what the chain gets (SMTPTLS, SSL_PROTOCOL, SSL_CIPHER, no SSL*FD, the
# TLS stream on fd 0), the injection test, and clients that stop or
# close during the handshake.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-tls-lib.sh"

R=$TMP/r
ok_plain=$(printf 'alice\0alice\0secret' | base64)

### scripted: the replies without a working control
out=$(session smtpd <<'S'
EHLO c.example
STARTTLS
QUIT
S
)
unlike "$out" '^250.STARTTLS' "no SSLCTLFD: STARTTLS not listed"
is "$(printf '%s\n' "$out" | tail -n 2)" "503 5.5.1 STARTTLS not available
221 2.0.0 Bye" "no SSLCTLFD: STARTTLS gets 503 5.5.1"

out=$(session smtpd SSLCTLFD=7 SSLREADFD=8 SSLWRITEFD=9 <<S 7<&- 8<&- 9<&-
EHLO c.example
STARTTLS x
STARTTLS
NOOP
AUTH PLAIN $ok_plain
S
)
is "$(printf '%s\n' "$out" | sed -n 8,11p)" "250-CHUNKING
250-STARTTLS
250-LIMITS RCPTMAX=100 MAILMAX=100
250 AUTH PLAIN LOGIN" "SSLCTLFD set: STARTTLS listed, between CHUNKING and AUTH"
is "$(printf '%s\n' "$out" | sed -n '12,$p')" "501 5.5.4 Syntax error in arguments
454 4.7.0 TLS not available
250 2.0.0 OK
235 2.7.0 report" "a parameter 501 5.5.4; SSLCTLFD not open: 454 4.7.0, the session goes on in cleartext"
like "$(cat "$TMP/stderr")" 'postern-smtpd: warning: starttls fail reason=control ' "the control failure is logged"
is "$(report_get "$R" env | grep -E '^(SSLCTLFD|SSLREADFD|SSLWRITEFD|SMTPTLS|SSL_PROTOCOL)=')" "" "AUTH in cleartext: the chain gets no SSL*FD"

# the control's other end is closed: the Y cannot be written
cat >"$TMP/ctl.py" <<'PY'
import os, socket, subprocess, sys
a, b = socket.socketpair()
c, d = socket.socketpair()
b.close()
env = dict(os.environ, SSLCTLFD=str(a.fileno()), SSLREADFD=str(c.fileno()), SSLWRITEFD=str(c.fileno()))
p = subprocess.run(sys.argv[1:], input=b"EHLO c.example\r\nSTARTTLS\r\nNOOP\r\nQUIT\r\n",
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, pass_fds=(a.fileno(), c.fileno()))
sys.stdout.write(p.stdout.decode().replace("\r", ""))
sys.stderr.write(p.stderr.decode())
PY
out=$(python3 "$TMP/ctl.py" postern-smtpd pn-t-checkpw pn-t-report "$R" 2>"$TMP/stderr")
is "$(printf '%s\n' "$out" | tail -n 3)" "454 4.7.0 TLS not available
250 2.0.0 OK
221 2.0.0 Bye" "the Y cannot be written: 454 4.7.0 before any 220, the session goes on"

# TLS already there (stunnel, postern-tls -i): no STARTTLS, 503
out=$(session smtpd SMTPTLS=1 SSLCTLFD=9 <<'S' 9<&-
EHLO c.example
STARTTLS
QUIT
S
)
unlike "$out" '^250.STARTTLS' "TLS active: STARTTLS not listed"
is "$(printf '%s\n' "$out" | tail -n 2)" "503 5.5.1 TLS already active
221 2.0.0 Bye" "TLS active: 503 5.5.1"

# TLSREQUIRED: MAIL and AUTH before TLS 530 5.7.0, on any address
out=$(session smtpd TCPREMOTEIP=127.0.0.1 TLSREQUIRED=1 SSLCTLFD=9 <<S 9<&-
EHLO c.example
AUTH PLAIN $ok_plain
MAIL FROM:<alice@example.org>
RCPT TO:<bob@example.org>
QUIT
S
)
is "$(printf '%s\n' "$out" | sed -n 9,10p)" "250-STARTTLS
250 LIMITS RCPTMAX=100 MAILMAX=100" "TLSREQUIRED, loopback: EHLO lists STARTTLS and no AUTH"
is "$(printf '%s\n' "$out" | sed -n '11,$p')" "530 5.7.0 Must issue a STARTTLS command first
530 5.7.0 Must issue a STARTTLS command first
530 5.7.0 Must issue a STARTTLS command first
221 2.0.0 Bye" "TLSREQUIRED: AUTH, MAIL and RCPT before TLS get 530 5.7.0"
out=$(session smtpd TLSREQUIRED=1 SMTPTLS=1 <<S
EHLO c.example
AUTH PLAIN $ok_plain
S
)
is "$(printf '%s\n' "$out" | sed -n '10,$p')" "250 AUTH PLAIN LOGIN
235 2.7.0 report" "TLSREQUIRED with TLS: AUTH offered and accepted"

### behind postern-tls, the test chain
require "STARTTLS behind postern-tls" "needs tcpserver and openssl" d_have tcpserver openssl
require_built "STARTTLS behind postern-tls" postern-tls
tls_certs

# stc.py PORT CA: a lock-step client; each line of stdin is sent with
# CRLF and its reply printed; after a 220 to STARTTLS the TLS handshake
# (the name verified), then "tls VERSION"; ">FILE" sends FILE as it is;
# "!LINE" sends LINE and reads nothing; "}FILE" sends FILE and closes;
# "?" prints what comes until the end of the connection, then "eof"
cat >"$TMP/stc.py" <<'PY'
import socket, ssl, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30)
ca = sys.argv[2]
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if not l:
            print("eof"); return None
        print(l.decode("utf-8", "replace").rstrip("\r\n"))
        if len(l) < 4 or l[3:4] != b"-":
            return l
reply()
for line in sys.stdin.read().split("\n")[:-1]:
    if line.startswith("}"):
        s.sendall(open(line[1:], "rb").read())
        break
    if line.startswith("!"):
        s.sendall(line[1:].encode() + b"\r\n")
        continue
    if line == "?":
        while reply() is not None:
            pass
        break
    if line.startswith(">"):
        s.sendall(open(line[1:], "rb").read())
    else:
        s.sendall(line.encode() + b"\r\n")
    r = reply()
    if r is None:
        break
    if line.upper() == "STARTTLS" and r.startswith(b"220"):
        s = ssl.create_default_context(cafile=ca).wrap_socket(s, server_hostname="localhost")
        f = s.makefile("rb")
        print("tls", s.version())
s.close()
PY
stc()
{
  d_limit python3 "$TMP/stc.py" "$PORT" "$TLS/ca.pem"
}
serve()
{
  t_sv=$1
  shift
  tls_serve "$t_sv" env TCPREMOTEIP=192.0.2.1 "$@" "$PN_BIN/postern-tls" -c "$TLS/srv.pem" -k "$TLS/srv.key" \
    "$PN_BIN/postern-smtpd" pn-t-checkpw pn-t-report "$R" || bail "tcpserver: $(cat "$TMP/$t_sv.log")"
}

serve st
rm -f "$R"
out=$(stc <<S
EHLO before.example
AUTH PLAIN $ok_plain
STARTTLS
AUTH PLAIN $ok_plain
EHLO after.example
STARTTLS
AUTH PLAIN $ok_plain
!QUIT after auth
S
)
is "$out" "220 mx.test.example ESMTP postern
250-mx.test.example
250-PIPELINING
250-ENHANCEDSTATUSCODES
250-8BITMIME
250-SIZE 26214400
250-SMTPUTF8
250-CHUNKING
250-STARTTLS
250 LIMITS RCPTMAX=100 MAILMAX=100
538 5.7.11 Encryption required for requested authentication mechanism
220 2.0.0 Ready to start TLS
tls TLSv1.3
503 5.5.1 Send EHLO or HELO first
250-mx.test.example
250-PIPELINING
250-ENHANCEDSTATUSCODES
250-8BITMIME
250-SIZE 26214400
250-SMTPUTF8
250-CHUNKING
250-LIMITS RCPTMAX=100 MAILMAX=100
250 AUTH PLAIN LOGIN
503 5.5.1 TLS already active
235 2.7.0 report" "remote client: STARTTLS and no AUTH in clear; 220; after TLS EHLO again, AUTH, no STARTTLS"
t_i=0
while [ $t_i -lt 100 ] && ! grep -q '^QUIT after auth' "$R" 2>/dev/null; do sleep 0.1; t_i=$((t_i + 1)); done
is "$(report_get "$R" env | grep -E '^(SMTPTLS|SSL_PROTOCOL|SSL_TLS_SNI_SERVERNAME|SMTPHELO|SSLCTLFD|SSLREADFD|SSLWRITEFD)=' | sort)" "SMTPHELO=after.example
SMTPTLS=1
SSL_PROTOCOL=TLSv1.3
SSL_TLS_SNI_SERVERNAME=localhost" "the chain: SMTPTLS, SSL_PROTOCOL, the SNI, the EHLO after TLS, no SSL*FD"
like "$(report_get "$R" env | grep '^SSL_CIPHER=')" '^SSL_CIPHER=TLS_(AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256|AES_128_GCM_SHA256)$' "the chain: SSL_CIPHER"
is "$(report_stdin "$R")" "QUIT after auth" "the chain reads the TLS stream on fd 0"
tls_logwait st 'postern-smtpd: info: starttls'
like "$(cat "$TMP/st.log")" 'postern-smtpd: info: starttls protocol=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ ip=192\.0\.2\.1' "logged"
ok "no process left behind" tls_gone st

# the injection: STARTTLS pipelined with EHLO and AUTH in one write
rm -f "$R"
printf 'STARTTLS\r\nEHLO evil.example\r\nAUTH PLAIN %s\r\n' "$ok_plain" >"$TMP/inj"
out=$(stc <<S
EHLO c.example
>$TMP/inj
?
S
)
# (postern-tls may have failed the handshake, and cut the connection,
# before the 220 is out)
like "$(printf '%s\n' "$out" | sed -n '11,$p' | tr '\n' ' ')" '^(220 2\.0\.0 Ready to start TLS )?eof $' "STARTTLS pipelined with EHLO and AUTH: (220,) then the connection ends; nothing answered in cleartext"
ok "nothing injected was acted on: no verifier, no session" test ! -e "$R"
tls_logwait st 'postern-smtpd: info: starttls fail'
like "$(cat "$TMP/st.log")" 'postern-tls: info: tls fail reason="[^"]*" ip=192\.0\.2\.1' "postern-tls: the handshake failed on the injected bytes"
like "$(cat "$TMP/st.log")" 'postern-smtpd: info: starttls fail reason=(handshake|write) ip=192\.0\.2\.1' "postern-smtpd: logged"
ok "no process left behind" tls_gone st

# STARTTLS, the 220, then a few bytes of a ClientHello and the client closes
printf '\026\003\001\000\200\001\000\000' >"$TMP/half"
printf 'STARTTLS\r\n' >"$TMP/st"
n_fail=$(grep -c 'starttls fail reason=handshake' "$TMP/st.log")
out=$(stc <<S
>$TMP/st
}$TMP/half
S
)
is "$out" "220 mx.test.example ESMTP postern
220 2.0.0 Ready to start TLS" "a client that closes mid-handshake"
t_i=0
while [ $t_i -lt 100 ] && [ "$(grep -c 'starttls fail reason=handshake' "$TMP/st.log")" -le "$n_fail" ]; do sleep 0.1; t_i=$((t_i + 1)); done
ok "postern-smtpd logs the failed handshake" test "$t_i" -lt 100
spid=$(sed -n 's/^tcpserver: pid \([0-9]*\) from .*/\1/p' "$TMP/st.log" | tail -n 1)
tls_logwait st "tcpserver: end $spid status"
is "$(sed -n "s/^tcpserver: end $spid status //p" "$TMP/st.log")" "0" "the session ends with exit 0"
ok "no process left behind" tls_gone st
server_stop st

# STARTTLS, then nothing: bounded by SMTPTIMEOUT
serve slow SMTPTIMEOUT=1
printf 'STARTTLS\n' | hold=6 d_chat "$PORT" >"$TMP/chat.out" 2>&1
is "$(cat "$TMP/chat.out")" "220 mx.test.example ESMTP postern
220 2.0.0 Ready to start TLS" "STARTTLS then silence: 220"
tls_logwait slow 'postern-smtpd: info: starttls fail'
like "$(cat "$TMP/slow.log")" 'postern-tls: info: tls fail reason=timeout ip=192\.0\.2\.1' "the handshake times out (SMTPTIMEOUT)"
like "$(cat "$TMP/slow.log")" 'postern-smtpd: info: starttls fail reason=handshake ip=192\.0\.2\.1' "postern-smtpd ends too"
ok "no process left behind" tls_gone slow
server_stop slow

# inetd's way: descriptor 2 is the client's socket too; after STARTTLS
# it follows descriptor 0 into TLS (the chain's stderr is never the
# cleartext connection)
cat >"$TMP/fds.sh" <<'SH'
#!/bin/sh
# what descriptors 0, 1 and 2 are, then the usual continuation
l0=$(readlink /proc/$$/fd/0) l1=$(readlink /proc/$$/fd/1) l2=$(readlink /proc/$$/fd/2)
printf '%s %s %s \n' "$l0" "$l1" "$l2" >"$1.fds"
exec pn-t-report "$1"
SH
chmod +x "$TMP/fds.sh"
rm -f "$R" "$R.fds"
tls_serve inetd sh -c 'exec "$@" 2>&1' sh env TCPREMOTEIP=192.0.2.1 "$PN_BIN/postern-tls" -c "$TLS/srv.pem" -k "$TLS/srv.key" \
  "$PN_BIN/postern-smtpd" pn-t-checkpw "$TMP/fds.sh" "$R" || bail "tcpserver: $(cat "$TMP/inetd.log")"
out=$(stc <<S
EHLO c.example
STARTTLS
EHLO c.example
AUTH PLAIN $ok_plain
!QUIT
S
)
is "$(printf '%s\n' "$out" | tail -n 1)" "235 2.7.0 report" "fd 2 the client's socket: STARTTLS and AUTH"
t_i=0
while [ $t_i -lt 100 ] && [ ! -s "$R.fds" ]; do sleep 0.1; t_i=$((t_i + 1)); done
like "$(cat "$R.fds")" '^(socket:\[[0-9]+\]) \1 \1 $' "the chain's descriptors 0, 1 and 2: one socket"
unlike "$out" 'postern-|info:|warning:' "no log line reached the client"
server_stop inetd

# TLSREQUIRED behind postern-tls, from loopback
rm -f "$R"
tls_serve req env TLSREQUIRED=1 "$PN_BIN/postern-tls" -c "$TLS/srv.pem" -k "$TLS/srv.key" \
  "$PN_BIN/postern-smtpd" pn-t-checkpw pn-t-report "$R" || bail "tcpserver: $(cat "$TMP/req.log")"
out=$(stc <<S
EHLO c.example
MAIL FROM:<alice@example.org>
AUTH PLAIN $ok_plain
STARTTLS
EHLO c.example
AUTH PLAIN $ok_plain
!QUIT
S
)
is "$(printf '%s\n' "$out" | sed -n '9,14p;23,$p')" "250-STARTTLS
250 LIMITS RCPTMAX=100 MAILMAX=100
530 5.7.0 Must issue a STARTTLS command first
530 5.7.0 Must issue a STARTTLS command first
220 2.0.0 Ready to start TLS
tls TLSv1.3
250 AUTH PLAIN LOGIN
235 2.7.0 report" "TLSREQUIRED on loopback: no AUTH, MAIL and AUTH 530 before TLS; AUTH after"
server_stop req
done_testing
