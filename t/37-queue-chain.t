#!/bin/sh
# The whole chain under tcpserver with real clients:
# tcpserver -> postern-smtpd -> pn-t-checkpw (alice/secret) -> postern-queue.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

if ! command -v tcpserver >/dev/null 2>&1 || [ ! -x "$PN_BIN/postern-smtpd" ]
then
  skip "the chain under tcpserver" "needs tcpserver and postern-smtpd"
  done_testing
fi

port=$(free_port)
server_start server "$port" env SMTPTIMEOUT=60 tcpserver -HRl0 127.0.0.1 "$port" \
  postern-smtpd pn-t-checkpw postern-queue -m "$MD"
ok "tcpserver listens" wait_port "$port"

# python's smtplib: EHLO, AUTH PLAIN, two messages, one of them 8BITMIME
cat >"$TMP/client.py" <<'EOF'
import smtplib, sys
from email.message import EmailMessage

s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60)
code, _ = s.ehlo("client.example")
print("ehlo", code, "auth" if s.has_extn("auth") else "noauth",
      "chunking" if s.has_extn("chunking") else "nochunking")
print("login", s.login("alice", "secret")[0])
for i in (1, 2):
    m = EmailMessage()
    m["From"] = "alice@example.org"
    m["To"] = "bob@example.org"
    m["Subject"] = "chain %d" % i
    m.set_content(".leading dot\nline %d\n" % i)
    refused = s.send_message(m, from_addr="alice@example.org",
                             to_addrs=["bob@example.org", "carol@example.org"])
    print("sent", i, len(refused))
code, _ = s.ehlo("client.example")
print("ehlo again", code, "auth" if s.has_extn("auth") else "noauth")
print("quit", s.quit()[0])
EOF
out=$(timeout 120 python3 "$TMP/client.py" "$port" 2>&1)
is "$out" "ehlo 250 auth chunking
login 235
sent 1 0
sent 2 0
ehlo again 250 noauth
quit 221" "smtplib: AUTH PLAIN, two messages, EHLO again without AUTH"
is "$(nmsgs "$MD")" "2" "two messages in the Maildir"
f=$(grep -l 'Subject: chain 1' "$MD"/new/* | head -1)
like "$(sed -n 3p "$f")" '^Received: from client\.example \(\[127\.0\.0\.1\]\)$' "Received: the HELO and the address from the chain"
like "$(sed -n 4p "$f")" 'by mx\.test\.example \(postern\) with ESMTPA id ' "ESMTPA"
is "$(sed -n 2p "$f")" "Envelope-To: <bob@example.org>, <carol@example.org>" "both recipients"
like "$(cat "$f")" '
\.leading dot
line 1' "the body, unstuffed"
like "$(cat "$TMP/server.log")" 'postern-queue: info: accepted id=[^ ]+ size=[0-9]+ rcpts=2 user="alice"' "the log has the accepted messages"

# swaks: AUTH LOGIN, pipelining, BDAT off
if command -v swaks >/dev/null 2>&1
then
  rm -f "$MD"/new/*
  out=$(timeout 120 swaks --server 127.0.0.1 --port "$port" --helo swaks.example \
    --auth LOGIN --auth-user alice --auth-password secret --pipeline \
    --from alice@example.org --to bob@example.org \
    --header 'Subject: swaks' --body 'hello from swaks' 2>&1)
  like "$out" '<- +250 2\.0\.0 OK id=' "swaks: accepted (pipelined)"
  is "$(nmsgs "$MD")" "1" "delivered"
  out=$(timeout 120 swaks --server 127.0.0.1 --port "$port" --helo swaks.example \
    --auth PLAIN --auth-user alice --auth-password wrong \
    --from alice@example.org --to bob@example.org 2>&1)
  like "$out" '535 5\.7\.8' "a wrong password: 535 5.7.8 from the front"
  is "$(nmsgs "$MD")" "1" "nothing delivered"
else
  skip "swaks" "not installed"
  skip "swaks delivered" "not installed"
  skip "swaks wrong password" "not installed"
  skip "swaks nothing delivered" "not installed"
fi

# a 20 MB message through the chain, with BDAT from a raw client
cat >"$TMP/bdat.py" <<'EOF'
import base64, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline()
        lines.append(l)
        if len(l) < 4 or l[3:4] != b"-":
            return lines[-1].decode().strip()
out = [reply()]
def cmd(c):
    s.sendall(c + b"\r\n")
    out.append(reply())
cmd(b"EHLO raw.example")
cmd(b"AUTH PLAIN " + base64.b64encode(b"\0alice\0secret"))
cmd(b"MAIL FROM:<alice@example.org> SIZE=21000000")
cmd(b"RCPT TO:<bob@example.org>")
body = b"Subject: big\r\n\r\n" + (b"z" * 98 + b"\r\n") * 200000
for i in range(0, len(body), 1 << 20):
    part = body[i:i + (1 << 20)]
    last = b" LAST" if i + (1 << 20) >= len(body) else b""
    s.sendall(b"BDAT %d%s\r\n" % (len(part), last) + part)
    out.append(reply())
cmd(b"QUIT")
print(out[0][:3], out[1][:3], out[2][:9], out[3][:9], out[4][:9])
print(len([x for x in out[5:-1] if x.startswith("250 2.0.0")]), len(out[5:-1]))
print(out[-1][:9])
EOF
rm -f "$MD"/new/*
out=$(timeout 300 python3 "$TMP/bdat.py" "$port" 2>&1)
is "$out" "220 250 235 2.7.0 250 2.1.0 250 2.1.5
20 20
221 2.0.0" "a 20 MB message in 20 BDAT chunks through the chain"
f=$MD/new/$(msgs "$MD")
is "$(grep -c '^z\{98\}$' "$f")" "200000" "delivered whole"

server_stop server
done_testing
