#!/bin/sh
# postern-smtpd over real TCP sockets: under tcpserver, and started by an
# inetd-like launcher that sets no TCP* variables and gives it the socket
# as fds 0, 1 and 2.
. "$(dirname "$0")/lib.sh"

require "tcpserver tests" "tcpserver not installed" command -v tcpserver

port=$(free_port)
server_start tcpserver "$port" tcpserver -q -R -H -l 0 127.0.0.1 "$port" postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" || echo "# tcpserver did not start"
sleep 0.3
rm -f "$TMP/r"

cat > "$TMP/client.py" <<'PY'
import socket, sys, time
port, script = int(sys.argv[1]), sys.argv[2].encode().decode('unicode_escape').encode('latin-1')
s = socket.create_connection(("127.0.0.1", port), 10)
s.settimeout(10)
greeting = s.recv(4096)
s.sendall(script)          # one write, pipelined
s.shutdown(socket.SHUT_WR)
data = greeting
while True:
    try:
        b = s.recv(65536)
    except socket.timeout:
        break
    if not b:
        break
    data += b
sys.stdout.write(data.decode('latin-1').replace('\r', ''))
PY

b=$(printf '\0alice\0secret' | base64 -w0)
out=$(python3 "$TMP/client.py" "$port" "EHLO c.example\r\nAUTH PLAIN $b\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n")
like "$out" '^250 AUTH PLAIN LOGIN' "loopback under tcpserver: AUTH offered"
like "$out" '^235 2.7.0' "AUTH PLAIN over TCP: 235 from the continuation"
i=0; while [ $i -lt 50 ] && ! grep -q '^stdin:' "$TMP/r" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
sleep 0.2
is "$(report_stdin "$TMP/r")" "MAIL FROM:<a@b.example>
RCPT TO:<c@d.example>" "the MAIL and RCPT lines sent in the same write as AUTH reach the continuation"
like "$(cat "$TMP/r")" '^env TCPREMOTEIP=127.0.0.1$' "tcpserver's TCPREMOTEIP is passed on"

out=$(python3 "$TMP/client.py" "$port" "EHLO c.example\r\nAUTH PLAIN $(printf '\0alice\0bad' | base64 -w0)\r\nQUIT\r\n")
like "$out" '^535 5.7.8' "wrong password over TCP: 535"
like "$out" '^221 2.0.0' "then the dialogue goes on"

# inetd style: the socket on fds 0, 1 and 2; no TCP* variables.
cat > "$TMP/inetd.py" <<'PY'
import os, socket, subprocess, sys
tmp, script = sys.argv[1], sys.argv[2].encode().decode('unicode_escape').encode('latin-1')
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname(), 10)
a, _ = l.accept()
env = {k: v for k, v in os.environ.items() if not k.startswith("TCP")}
p = subprocess.Popen(["postern-smtpd", "pn-t-checkpw", "pn-t-report", tmp + "/r2"],
                     stdin=a.fileno(), stdout=a.fileno(), stderr=a.fileno(), env=env)
a.close()
c.sendall(script); c.shutdown(socket.SHUT_WR)
c.settimeout(10)
data = b""
while True:
    b = c.recv(65536)
    if not b: break
    data += b
p.wait()
sys.stdout.write(data.decode('latin-1').replace('\r', ''))
PY
out=$(python3 "$TMP/inetd.py" "$TMP" "EHLO c\r\nAUTH PLAIN $(printf '\0alice\0bad' | base64 -w0)\r\nAUTH PLAIN $b\r\nMAIL FROM:<x@y.example>\r\n")
like "$out" '^250 AUTH PLAIN LOGIN' "no launcher: getpeername finds loopback, AUTH offered"
like "$out" '^535 5.7.8' "a failure is answered"
like "$out" '^235 2.7.0' "then a success"
unlike "$out" 'info:|warning:|auth fail|connect ip' "with stderr on the client's socket, no log line reaches the client"
is "$(printf '%s\n' "$out" | grep -Evc '^[0-9]{3}[ -]')" 0 "every line the client got is a reply"
r2=$(cat "$TMP/r2")
like "$r2" '^env TCPREMOTEIP=127.0.0.1$' "TCPREMOTEIP from getpeername"
like "$r2" '^env TCPREMOTEPORT=[0-9]+$' "TCPREMOTEPORT from getpeername"
like "$r2" '^env TCPLOCALIP=127.0.0.1$' "TCPLOCALIP from getsockname"
like "$r2" '^env TCPLOCALPORT=[0-9]+$' "TCPLOCALPORT from getsockname"
like "$r2" 'MAIL FROM:<x@y.example>' "pipelined bytes reach the continuation"

done_testing
