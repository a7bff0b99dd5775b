#!/bin/sh
# postern-queue: PIPELINING (RFC 2920).  Commands written in one go get
# their replies in order; replies are flushed before each wait; input is
# read in large chunks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

ONEGO='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<bad>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nSubject: 1\r\n\r\none\r\n.\r\nNOOP\r\nMAIL FROM:<a@example.org>\r\nRSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<d@example.org>\r\nBDAT 14\r\nSubject: 2\r\n\r\nBDAT 5 LAST\r\ntwo\r\nMAIL FROM:<bad\r\nVRFY x\r\nRCPT TO:<e@example.org>\r\nDATA\r\nQUIT\r\n'
WANT="235 2.7.0
250 2.1.0
250 2.1.5
501 5.1.3
250 2.1.5
354
250 2.0.0
250 2.0.0
250 2.1.0
250 2.0.0
250 2.1.0
250 2.1.5
250 2.0.0
250 2.0.0
501 5.1.7
252 2.5.0
503 5.5.1
503 5.5.1
221 2.0.0"

rm -f "$MD"/new/*
out=$(printf "$ONEGO" | qraw -m "$MD" | codes)
is "$out" "$WANT" "Maildir: everything in one write, every reply in order"
is "$(nmsgs "$MD")" "2" "two messages delivered"
out=$(printf "$ONEGO" | qraw pn-t-q-smtp "$TMP/log" | codes)
is "$out" "$WANT" "relay: the same, the same replies"
is "$(grep -c '^end$' "$TMP/log")" "2" "two messages relayed"

# an interactive client: each reply must come before the next command is
# sent, so replies must be flushed before every wait
cat >"$TMP/client.py" <<'EOF'
import os, select, subprocess, sys, time

p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL)
buf = b""

def reply(limit=20.0):
    global buf
    end = time.time() + limit
    while True:
        lines = buf.split(b"\r\n")
        for i, l in enumerate(lines[:-1]):
            if len(l) >= 4 and l[3:4] == b" " or len(l) == 3:
                buf = b"\r\n".join(lines[i + 1:])
                return l.decode()
        left = end - time.time()
        if left <= 0:
            return "TIMEOUT"
        r, _, _ = select.select([p.stdout], [], [], left)
        if not r:
            return "TIMEOUT"
        d = os.read(p.stdout.fileno(), 65536)
        if not d:
            return "EOF"
        buf += d

def send(s):
    p.stdin.write(s)
    p.stdin.flush()

out = [reply()]
for cmd in [b"MAIL FROM:<a@example.org>", b"RCPT TO:<b@example.org>", b"DATA"]:
    send(cmd + b"\r\n")
    out.append(reply())
send(b"Subject: i\r\n\r\nline\r\n")
time.sleep(0.5)
send(b".\r\n")
out.append(reply())
send(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 5\r\n")
out += [reply(), reply()]
send(b"ab\r\n")
time.sleep(0.3)
send(b"c")
out.append(reply())
send(b"BDAT 0 LAST\r\n")
out.append(reply())
send(b"QUIT\r\n")
out.append(reply())
print("\n".join(l[:9] for l in out))
p.stdin.close()
p.wait(timeout=30)
EOF
want="235 2.7.0
250 2.1.0
250 2.1.5
354 End d
250 2.0.0
250 2.1.0
250 2.1.5
250 2.0.0
250 2.0.0
221 2.0.0"
out=$(SMTPAUTHUSER=alice USER=alice python3 "$TMP/client.py" postern-queue -m "$MD")
is "$out" "$want" "Maildir: each reply arrives before the next command is sent"
out=$(SMTPAUTHUSER=alice USER=alice python3 "$TMP/client.py" postern-queue pn-t-q-smtp "$TMP/log")
is "$out" "$want" "relay: the same"

# large reads: a 4 MB message is read in few system calls, and written
# to the Maildir in few
if command -v strace >/dev/null 2>&1 && [ -z "${PN_ASAN:-}" ]
then
  python3 -c '
import sys
w = sys.stdout.buffer
w.write(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: big\r\n\r\n")
w.write((b"x" * 78 + b"\r\n") * 50000)
w.write(b".\r\nQUIT\r\n")
' >"$TMP/big"
  rm -f "$MD"/new/*
  SMTPAUTHUSER=alice USER=alice strace -o "$TMP/trace" -e trace=read,readv,write,writev postern-queue -m "$MD" <"$TMP/big" >/dev/null 2>&1
  reads=$(grep -cE '^readv?\(0,' "$TMP/trace")
  writes=$(grep -cE '^writev?\(3,' "$TMP/trace")
  ok "4 MB read in at most 400 reads (got $reads)" test "$reads" -le 400
  ok "written in at most 200 writes (got $writes)" test "$writes" -le 200
  is "$(nmsgs "$MD")" "1" "and delivered"
else
  skip "few reads" "needs strace, no ASan"
  skip "few writes" "needs strace, no ASan"
  skip "delivered" "needs strace, no ASan"
fi

done_testing
