#!/bin/sh
# Logs an administrator can use (issue 17): under tcpserver, where log
# lines carry no pid, every line of one connection, from every program
# of the chain, carries the same sid=; each connection ends with one
# "end" line, however it ends (a client that only gets 530 and quits
# too); a refusal after AUTH names user= and ip=.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require "session ids" "needs tcpserver and tcprules (ucspi-tcp)" d_have tcpserver tcprules
require_built "session ids" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup
addpw "$TMP/passwd" carol pw3 -m sha512crypt -s carol@example.org >/dev/null 2>&1 || bail "postern-passwd add carol"
d_tcprules || bail "tcprules"
d_tcpserver tcp || bail "the run script did not start tcpserver: $(cat "$TMP/tcp.log")"

# Three connections: A authenticates and holds; B, while A is open,
# authenticates as carol and is refused a sender; C gets 530 and quits;
# then A sends a message and quits.
cat >"$TMP/clients.py" <<'PY'
import socket, sys
port = int(sys.argv[1])
def conn():
    s = socket.create_connection(("127.0.0.1", port), 30)
    f = s.makefile("rb")
    c = (s, f)
    reply(c)
    return c
def reply(c):
    out = []
    while True:
        l = c[1].readline()
        if not l:
            break
        out.append(l.decode().rstrip("\r\n")[:9])
        if l[3:4] != b"-":
            break
    return out[-1] if out else "eof"
def cmd(c, line):
    c[0].sendall(line.encode() + b"\r\n")
    return reply(c)
a = conn()
r = [cmd(a, "EHLO a.example"), cmd(a, "AUTH PLAIN AGFsaWNlAHNlY3JldA==")]
b = conn()
r += [cmd(b, "EHLO b.example"), cmd(b, "AUTH PLAIN AGNhcm9sAHB3Mw=="),
      cmd(b, "MAIL FROM:<ceo@example.org>"), cmd(b, "QUIT")]
c = conn()
r += [cmd(c, "EHLO c.example"), cmd(c, "MAIL FROM:<x@example.org>"), cmd(c, "QUIT")]
r += [cmd(a, "MAIL FROM:<alice@example.org>"), cmd(a, "RCPT TO:<bob@example.org>"),
      cmd(a, "DATA"), cmd(a, "Subject: sid\r\n\r\nhello\r\n."), cmd(a, "QUIT")]
print(" ".join(x[:3] for x in r))
PY
is "$(timeout 60 python3 "$TMP/clients.py" "$PORT")" "250 235 250 235 553 221 250 530 221 250 250 354 250 221" \
  "A authenticates; B, meanwhile, is refused a sender; C gets 530 and quits; A sends and quits"
# the last end line is written as A's session exits: wait for it
i=0
while [ $i -lt 50 ] && [ "$(grep -c ' end ' "$TMP/tcp.log")" -lt 3 ]
do
  sleep 0.1
  i=$((i + 1))
done
server_stop tcp

LOG=$(grep '^postern-' "$TMP/tcp.log")
SID='[0-9A-Za-z._-]+'
is "$(printf '%s\n' "$LOG" | grep -Evc " sid=$SID\$")" "0" "every line of postern's programs ends with sid="
sids=$(printf '%s\n' "$LOG" | sed -E 's/.* sid=//' | awk '!seen[$0]++')
is "$(printf '%s\n' "$sids" | wc -l | tr -d ' ')" "4" "four connections (wait_port's probe, A, B, C), four session ids"

# by SID: the lines of one connection, in order
by() { printf '%s\n' "$LOG" | grep " sid=$1\$" | sed -E 's/ sid=[^ ]+$//'; }
# which: the id of the connection whose lines match ERE
which() { printf '%s\n' "$LOG" | grep -E "$1" | sed -E 's/.* sid=//' | head -n 1; }
A=$(which 'auth ok user="alice"')
B=$(which 'auth ok user="carol"')
C=$(which 'smtpd: info: end reason=quit')
P=$(printf '%s\n' "$sids" | sed -n 1p)
# (the probe closes without reading the greeting: the kernel may answer
# with a reset, which the front reads as an error, not an end of file)
like "$(by "$P" | tr '\n' '|')" '^postern-smtpd: info: connect ip=127\.0\.0\.1\|postern-smtpd: info: end reason=(eof|read) ip=127\.0\.0\.1\|$' "wait_port's probe: connected, closed at once: one end line, eof or read"
is "$(by "$A" | sed -E 's/: .*//' | awk '!seen[$0]++' | tr '\n' ' ')" "postern-smtpd postern-checkpw postern-queue " \
  "A: one sid in the lines of the front, the verifier and postern-queue"
like "$(by "$A")" '^postern-queue: info: accepted id=[^ ]+ size=[0-9]+ rcpts=1 user="alice"' "A: the message accepted, under A's id"
like "$(by "$B")" '^postern-queue: info: sender refused from="ceo@example\.org" user="carol" ip=127\.0\.0\.1$' \
  "B: the sender refused after AUTH names user= and ip="
like "$(by "$B")" '^postern-checkpw: info: auth ok user="carol"' "B: the verifier's line under B's id"
is "$(by "$C")" 'postern-smtpd: info: connect ip=127.0.0.1
postern-smtpd: info: end reason=quit ip=127.0.0.1' "C: 530 then QUIT: the connection and its end line"
for s in A B C
do
  eval "x=\$$s"
  is "$(by "$x" | grep -c ' end ')" "1" "$s: exactly one end line"
  like "$(by "$x" | tail -n 1)" '^postern-(smtpd|queue): info: end reason=quit ' "$s: the end line is the connection's last"
done
like "$(by "$A" | tail -n 1)" '^postern-queue: info: end reason=quit user="alice" ip=127\.0\.0\.1$' "A: the end line names the user and the address"

# An id that does not look like one is not passed on: the front makes its own.
out=$(printf 'QUIT\r\n' | SMTPSESSIONID='bad id
x' postern-smtpd pn-t-checkpw true 2>&1 >/dev/null)
like "$out" "^postern-smtpd: info: connect ip=none sid=$SID\$" "an unusable inherited SMTPSESSIONID is replaced"
unlike "$out" 'bad id' "... and never logged"
# A good one (set by postern-tls or postern-proxy before the front) is kept.
out=$(printf 'QUIT\r\n' | SMTPSESSIONID=1a2b.3c4d-e5 postern-smtpd pn-t-checkpw true 2>&1 >/dev/null)
is "$out" "postern-smtpd: info: connect ip=none sid=1a2b.3c4d-e5
postern-smtpd: info: end reason=quit ip=none sid=1a2b.3c4d-e5" "a valid inherited SMTPSESSIONID is kept"
# Two fronts started at once make different ids.
a=$(printf 'QUIT\r\n' | postern-smtpd pn-t-checkpw true 2>&1 >/dev/null | sed -n '1s/.* sid=//p')
b=$(printf 'QUIT\r\n' | postern-smtpd pn-t-checkpw true 2>&1 >/dev/null | sed -n '1s/.* sid=//p')
ok "two connections, two ids" test -n "$a" -a "$a" != "$b"

done_testing
