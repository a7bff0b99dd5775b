#!/bin/sh
# Under inetd or xinetd the client's socket is also fd 2: the programs
# then log to syslog (facility mail) through /dev/log, and nothing but
# SMTP reaches the client.  The test runs the chain in a private mount
# namespace whose /dev is a directory holding only null and a datagram
# socket "log" that the test reads.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1
then
  skip "syslog" "needs root, unshare (util-linux) and python3"
  done_testing
fi
if ! unshare -m true 2>/dev/null
then
  skip "syslog" "no mount namespace here"
  done_testing
fi

MD=$TMP/md
mkdir -p "$MD/tmp" "$MD/new" "$MD/cur"
mkdir "$TMP/dev"
: >"$TMP/dev/null"
cat >"$TMP/run.py" <<'PY'
import os, socket, subprocess, sys
tmp, md = sys.argv[1], sys.argv[2]
log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
log.bind(tmp + "/dev/log")
log.settimeout(10)
subprocess.run(["mount", "--bind", "/dev/null", tmp + "/dev/null"], check=True)
subprocess.run(["mount", "--bind", tmp + "/dev", "/dev"], check=True)
ours, theirs = socket.socketpair()
env = dict(os.environ, AUTHMAXFAIL="5")
p = subprocess.Popen(["postern-smtpd", "pn-t-checkpw", "postern-queue", "-m", md],
                     stdin=theirs, stdout=theirs, stderr=theirs, env=env)
theirs.close()
ours.sendall(b"EHLO client.example\r\nAUTH PLAIN AGFsaWNlAHdyb25n\r\n")
ours.sendall(b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n")
ours.sendall(b"MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n")
ours.sendall(b"Subject: t\r\n\r\nhello\r\n.\r\nQUIT\r\n")
ours.shutdown(socket.SHUT_WR)
ours.settimeout(30)
got = b""
while True:
    b = ours.recv(65536)
    if not b:
        break
    got += b
p.wait()
with open(tmp + "/replies", "wb") as f:
    f.write(got)
log.settimeout(1)
with open(tmp + "/syslog", "wb") as f:
    try:
        while True:
            f.write(log.recv(4096) + b"\n")
    except socket.timeout:
        pass
PY
unshare -m --propagation private python3 "$TMP/run.py" "$TMP" "$MD" 2>"$TMP/err"
is "$?" 0 "the session ran in the namespace"
R=$(tr -d '\r' <"$TMP/replies")
S=$(cat "$TMP/syslog")
is "$(printf '%s\n' "$R" | cut -c1-3 | uniq | tr '\n' ' ')" "220 250 535 235 250 354 250 221 " "the client gets SMTP: the greeting, EHLO, 535, 235, the message, QUIT"
unlike "$R" 'info:|warning:|postern-' "no log line reaches the client"
is "$(cat "$TMP/err")" "" "nothing on the launcher's stderr"
like "$S" '^<22>postern-smtpd\[[0-9]+\]: info: connect ' "the connection: facility mail, severity info, program and pid"
like "$S" '^<22>postern-smtpd\[[0-9]+\]: info: auth fail user="alice" mech=PLAIN' "the failed AUTH"
like "$S" '^<22>postern-queue\[[0-9]+\]: info: session user="alice"' "the session, logged by postern-queue"
like "$S" '^<22>postern-queue\[[0-9]+\]: info: accepted id=' "the message accepted, logged by postern-queue"
unlike "$S" 'wrong|secret' "no password in the log"
is "$(printf '%s\n' "$S" | grep -Evc ' sid=[0-9A-Za-z._-]+$')" "0" "syslog: every line ends with sid="
is "$(printf '%s\n' "$S" | sed -E 's/.* sid=//' | sort -u | wc -l | tr -d ' ')" "1" "syslog: one connection, one sid, in the lines of every program"
like "$S" '^<22>postern-queue\[[0-9]+\]: info: end reason=quit user="alice" ip=none sid=' "syslog: the connection's end line"
is "$(ls "$MD/new" | wc -l | tr -d ' ')" 1 "the message is delivered"
done_testing
