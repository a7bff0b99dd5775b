#!/bin/sh
# Real clients against postern under tcpserver (conf/tcpserver/run, with
# the paths, the port, the failure delay and DATABYTES=10000
# substituted): swaks (PLAIN, LOGIN, pipelining on and off), python3's
# smtplib (login, send_message with 8BITMIME and with SMTPUTF8), curl
# (smtp:// with --user and --mail-rcpt) and msmtp.  Each message is
# found, byte for byte, in the outbox; a wrong password, a remote
# address without TLS and an oversize message fail cleanly in each.
#
# The remote address: a rule of the test's own makes tcpserver show a
# client connecting from 127.0.0.2 to postern as 192.0.2.1 (TCPREMOTEIP).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require "interoperability" "needs tcpserver and tcprules (ucspi-tcp)" d_have tcpserver tcprules
require_built "interoperability" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup

d_tcprules remote
d_tcpserver tcp "DATABYTES=26214400" "DATABYTES=10000" || bail "tcpserver did not start: $(cat "$TMP/tcp.log")"

# An oversize message: 12000 bytes of body.
{
  printf 'From: alice@example.org\nSubject: big\n\n'
  i=0
  while [ $i -lt 150 ]
  do
    echo "0123456789012345678901234567890123456789012345678901234567890123456789012345678"
    i=$((i + 1))
  done
} >"$TMP/big.msg"
sed 's/$/\r/' "$TMP/big.msg" >"$TMP/big.crlf"

# Checks the newest message against the file sent.
delivered()
{
  name=$1
  want=$2
  is "$(d_count)" "$((n0 + 1))" "$name: one message in the outbox"
  f=$(d_last)
  d_body "$f" >"$TMP/got"
  ok "$name: the message, byte for byte" cmp "$TMP/got" "$want"
}

nothing()
{
  is "$(d_count)" "$n0" "$1: nothing delivered"
}

### swaks
if d_have swaks
then
  SW="swaks --server 127.0.0.1:$PORT --from alice@example.org --to bob@example.org"
  d_msg swplain
  n0=$(d_count)
  d_limit $SW --auth PLAIN --auth-user alice --auth-password secret --data "@$TMP/swplain.swaks" >"$TMP/sw.out" 2>&1
  is "$?" "0" "swaks AUTH PLAIN, no pipelining"
  is "$(grep -A1 -e '-> MAIL FROM' "$TMP/sw.out" | sed -n 2p | cut -c1-3)" "<- " "(MAIL and its reply in lock-step)"
  delivered "swaks PLAIN" "$TMP/swplain.msg"

  d_msg swlogin
  n0=$(d_count)
  d_limit $SW --pipeline --auth LOGIN --auth-user 'bob@example.org' --auth-password "$(printf 'p\303\244ss w\303\266rd')" \
    --data "@$TMP/swlogin.swaks" >"$TMP/sw.out" 2>&1
  is "$?" "0" "swaks AUTH LOGIN with --pipeline, a UTF-8 password with a space"
  is "$(grep -A2 -e '-> MAIL FROM' "$TMP/sw.out" | awk '{ print $1, $2 }' | tr '\n' '|')" "-> MAIL|-> RCPT|-> DATA|" "(MAIL, RCPT, DATA pipelined)"
  delivered "swaks LOGIN pipelined" "$TMP/swlogin.msg"
  like "$(sed -n 1p "$(d_last)")" '^Return-Path: <alice@example\.org>$' "swaks: the sender in Return-Path"

  n0=$(d_count)
  d_limit $SW --auth PLAIN --auth-user alice --auth-password wrong --data "@$TMP/swplain.swaks" >"$TMP/sw.out" 2>&1
  is "$?" "28" "swaks, wrong password: exit 28 (authentication failed)"
  like "$(cat "$TMP/sw.out")" '<~?\*\* +535 5\.7\.8 Authentication credentials invalid' "swaks shows 535 5.7.8"
  nothing "swaks, wrong password"

  d_limit $SW -li 127.0.0.2 --auth PLAIN --auth-user alice --auth-password secret --data "@$TMP/swplain.swaks" >"$TMP/sw.out" 2>&1
  is "$?" "28" "swaks from a remote address without TLS: exit 28"
  like "$(cat "$TMP/sw.out")" 'Host did not advertise authentication' "no AUTH advertised"
  nothing "swaks, remote without TLS"

  d_limit $SW --auth PLAIN --auth-user alice --auth-password secret --data "@$TMP/big.msg" >"$TMP/sw.out" 2>&1
  is "$?" "26" "swaks, oversize: exit 26 (data refused)"
  like "$(cat "$TMP/sw.out")" '<\*\* 552 5\.3\.4 ' "swaks shows 552 5.3.4 after the data"
  like "$(cat "$TMP/sw.out")" '<-  221 2\.0\.0' "and the session ends normally"
  nothing "swaks, oversize"
else
  for i in $(seq 1 20); do skip "swaks" "swaks is not installed"; done
fi

### python3 smtplib
cat >"$TMP/py.py" <<'PY'
import email.message, smtplib, sys
port, case, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sent = []
class S(smtplib.SMTP):
    def sendmail(self, f, t, msg, mo=(), ro=()):
        sent.append((msg, tuple(mo)))
        return super().sendmail(f, t, msg, mo, ro)
def message(to, body):
    m = email.message.EmailMessage()
    m["From"] = "Alice <alice@example.org>"
    m["To"] = to
    m["Subject"] = "postern test python " + case
    m["Date"] = "Tue, 24 Nov 2026 10:00:00 +0000"
    m["Message-ID"] = "<py-%s@example.org>" % case
    m.set_content(body, cte="8bit")
    return m
def save():
    with open(out, "wb") as f:
        f.write(sent[-1][0].replace(b"\r\n", b"\n"))
    print("options", " ".join(sent[-1][1]))
src = ("127.0.0.2", 0) if case == "remote" else None
try:
    with S("127.0.0.1", port, source_address=src, timeout=30) as s:
        s.ehlo("py.example")
        if case == "8bitmime":
            s.login("alice", "secret")
            s.send_message(message("bob@example.org", "Gr\u00fc\u00dfe, caf\u00e9 cr\u00e8me.\n.dot line\n"), mail_options=["BODY=8BITMIME"])
            save()
        elif case == "smtputf8":
            s.login("alice", "secret")
            s.send_message(message("\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae@\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.example", "\u041f\u0440\u0438\u0432\u0435\u0442\n"))
            save()
        elif case == "wrong":
            s.login("alice", "wrong")
        elif case == "remote":
            print("auth offered", s.has_extn("auth"))
            try:
                s.login("alice", "secret")
            except smtplib.SMTPNotSupportedError as e:
                print("login:", e)
            print("AUTH:", *s.docmd("AUTH", "PLAIN AGFsaWNlAHNlY3JldA=="))
            print("MAIL:", *s.docmd("MAIL", "FROM:<alice@example.org>"))
        elif case == "big":
            s.login("alice", "secret")
            s.sendmail("alice@example.org", ["bob@example.org"], open(sys.argv[4], "rb").read())
        elif case == "barelf":
            s.login("alice", "secret")
            try:
                s.sendmail("alice@example.org", ["bob@example.org"], b"Subject: bare\n\nLF only\n")
            except smtplib.SMTPDataError as e:
                print("data:", e.smtp_code, e.smtp_error.decode())
            s.sendmail("alice@example.org", ["bob@example.org"], open(sys.argv[4], "rb").read())
            print("then sent")
except smtplib.SMTPException as e:
    print(type(e).__name__, getattr(e, "smtp_code", ""), e)
PY
py()
{
  d_limit python3 "$TMP/py.py" "$PORT" "$@" 2>&1
}

n0=$(d_count)
out=$(py 8bitmime "$TMP/py8.msg")
is "$out" "options BODY=8BITMIME" "python3 send_message, BODY=8BITMIME"
delivered "python3 8BITMIME" "$TMP/py8.msg"
like "$(cat "$TMP/got")" 'Grüße, café crème\.' "python3: 8-bit text kept"

n0=$(d_count)
out=$(py smtputf8 "$TMP/pyu.msg")
is "$out" "options SMTPUTF8 BODY=8BITMIME" "python3 send_message to a UTF-8 address: SMTPUTF8"
is "$(d_count)" "$((n0 + 1))" "python3 SMTPUTF8: delivered"
f=$(d_last)
is "$(sed -n 2p "$f")" "Envelope-To: <δοκιμή@παράδειγμα.example>" "the UTF-8 recipient in Envelope-To"
like "$(sed -n 4p "$f")" ' with UTF8SMTPA id ' "Received: UTF8SMTPA"
d_body "$f" >"$TMP/got"
ok "python3 SMTPUTF8: the message, byte for byte" cmp "$TMP/got" "$TMP/pyu.msg"

n0=$(d_count)
out=$(py wrong x)
like "$out" '^SMTPAuthenticationError 535 \(535, b.5\.7\.8 Authentication credentials invalid.\)$' "python3, wrong password: SMTPAuthenticationError 535"
nothing "python3, wrong password"

out=$(py remote x)
is "$out" "auth offered False
login: SMTP AUTH extension not supported by server.
AUTH: 538 b'5.7.11 Encryption required for requested authentication mechanism'
MAIL: 530 b'5.7.0 Authentication required'" "python3 from a remote address without TLS: no AUTH; AUTH by hand 538 5.7.11, MAIL 530 5.7.0"
nothing "python3, remote without TLS"

out=$(py big x "$TMP/big.crlf")
like "$out" '^SMTPSenderRefused 552 \(552, b.5\.3\.4 ' "python3, oversize: refused at MAIL (SIZE=), 552 5.3.4"
nothing "python3, oversize"

d_msg pylf
n0=$(d_count)
out=$(py barelf x "$TMP/pylf.crlf")
is "$out" "data: 554 5.6.0 Message refused: bare CR or bare LF in the data (lines must end in CRLF)
then sent" "python3 sendmail with bare LF bytes: 554 5.6.0, and the session goes on"
delivered "python3 after a refusal" "$TMP/pylf.msg"

# A client that pipelines everything, AUTH included, in one write.
d_msg pipe
n0=$(d_count)
out=$(d_limit python3 - "$PORT" "$TMP/pipe.crlf" <<'PY' 2>&1
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 30)
body = open(sys.argv[2], "rb").read().replace(b"\r\n.", b"\r\n..")
s.sendall(b"EHLO pipe.example\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nMAIL FROM:<alice@example.org>\r\n"
          b"RCPT TO:<bob@example.org>\r\nDATA\r\n" + body + b".\r\nQUIT\r\n")
data = b""
while True:
    x = s.recv(65536)
    if not x:
        break
    data += x
print(" ".join(l[:3].decode() for l in data.split(b"\r\n") if l[:3].isdigit() and l[3:4] == b" "))
PY
)
is "$out" "220 250 235 250 250 354 250 221" "one write, EHLO to QUIT: every reply in order"
delivered "all pipelined" "$TMP/pipe.msg"

### curl
if d_have curl
then
  CU="curl -sS --mail-from alice@example.org --mail-rcpt bob@example.org smtp://127.0.0.1:$PORT"
  d_msg curl
  n0=$(d_count)
  d_limit $CU --user alice:secret -T "$TMP/curl.crlf" >"$TMP/curl.out" 2>&1
  is "$?" "0" "curl smtp:// --user --mail-rcpt -T"
  delivered "curl" "$TMP/curl.msg"

  d_msg curl2
  n0=$(d_count)
  d_limit $CU --mail-rcpt carol@example.org --user alice:secret --login-options AUTH=LOGIN -T "$TMP/curl2.crlf" >"$TMP/curl.out" 2>&1
  is "$?" "0" "curl, AUTH=LOGIN, two --mail-rcpt"
  is "$(d_count)" "$((n0 + 1))" "curl, two recipients: one message"
  f=$(d_last)
  is "$(sed -n 2p "$f")" "Envelope-To: <bob@example.org>, <carol@example.org>" "both in Envelope-To"
  sed '1,5d' "$f" >"$TMP/got"
  ok "curl, two recipients: the message, byte for byte" cmp "$TMP/got" "$TMP/curl2.msg"

  n0=$(d_count)
  d_limit $CU --user alice:wrong -T "$TMP/curl.crlf" >"$TMP/curl.out" 2>&1
  is "$?" "67" "curl, wrong password: exit 67 (login denied)"
  nothing "curl, wrong password"

  d_limit $CU --interface 127.0.0.2 --user alice:secret -T "$TMP/curl.crlf" >"$TMP/curl.out" 2>&1
  is "$?" "55" "curl from a remote address without TLS: exit 55"
  like "$(cat "$TMP/curl.out")" 'MAIL failed: 530' "no AUTH offered, so curl went on: MAIL 530"
  nothing "curl, remote without TLS"

  d_limit $CU --user alice:secret -T "$TMP/big.crlf" >"$TMP/curl.out" 2>&1
  is "$?" "55" "curl, oversize: exit 55"
  like "$(cat "$TMP/curl.out")" 'MAIL failed: 552' "refused at MAIL (SIZE=): 552"
  nothing "curl, oversize"
else
  for i in $(seq 1 16); do skip "curl" "curl is not installed"; done
fi

### msmtp
if d_have msmtp
then
  mrc()
  {
    cat >"$TMP/msmtprc" <<RC
defaults
tls off
account test
host 127.0.0.1
port $PORT
auth $1
user alice
password $2
from alice@example.org
RC
    chmod 600 "$TMP/msmtprc"
  }
  MS="msmtp -C $TMP/msmtprc -a test"
  d_msg msmtp
  mrc plain secret
  n0=$(d_count)
  d_limit $MS bob@example.org <"$TMP/msmtp.msg" >"$TMP/msmtp.out" 2>&1
  is "$?" "0" "msmtp, auth plain"
  delivered "msmtp PLAIN" "$TMP/msmtp.msg"

  d_msg msmtp2
  mrc login secret
  n0=$(d_count)
  d_limit $MS bob@example.org <"$TMP/msmtp2.msg" >"$TMP/msmtp.out" 2>&1
  is "$?" "0" "msmtp, auth login"
  delivered "msmtp LOGIN" "$TMP/msmtp2.msg"

  mrc plain wrong
  n0=$(d_count)
  d_limit $MS bob@example.org <"$TMP/msmtp.msg" >"$TMP/msmtp.out" 2>&1
  is "$?" "77" "msmtp, wrong password: exit 77 (EX_NOPERM)"
  like "$(cat "$TMP/msmtp.out")" 'server message: 535 5\.7\.8 ' "msmtp shows 535 5.7.8"
  nothing "msmtp, wrong password"

  mrc plain secret
  d_limit $MS --source-ip=127.0.0.2 bob@example.org <"$TMP/msmtp.msg" >"$TMP/msmtp.out" 2>&1
  is "$?" "69" "msmtp from a remote address without TLS: exit 69"
  like "$(cat "$TMP/msmtp.out")" 'the server does not support authentication' "msmtp: no AUTH offered"
  nothing "msmtp, remote without TLS"

  d_limit $MS bob@example.org <"$TMP/big.msg" >"$TMP/msmtp.out" 2>&1
  is "$?" "69" "msmtp, oversize: exit 69"
  like "$(cat "$TMP/msmtp.out")" 'server message: 552 5\.3\.4 ' "msmtp shows 552 5.3.4"
  nothing "msmtp, oversize"
else
  for i in $(seq 1 15); do skip "msmtp" "msmtp is not installed"; done
fi

# The log: one line per event, the right ones.
log=$(cat "$TMP/tcp.log")
like "$log" 'postern-smtpd: info: auth fail user="alice" mech=PLAIN ip=127\.0\.0\.1 reason=password' "log: a wrong password"
like "$log" 'postern-smtpd: info: auth fail user="" mech=PLAIN ip=192\.0\.2\.1 reason=encryption' "log: AUTH without TLS from a remote address"
like "$log" 'postern-queue: info: refused id=[^ ]+ size=[0-9]+ rcpts=1 user="alice" reason=size' "log: an oversize message"
like "$log" 'postern-queue: info: refused id=[^ ]+ size=[0-9]+ rcpts=1 user="alice" reason=bare-cr-lf' "log: a bare LF"
unlike "$log" "secret|$(printf 'p\303\244ss')" "log: no password"

server_stop tcp
done_testing
