#!/bin/sh
# The sendmail -bs hand-off of conf/tcpserver/run (its commented QUEUE
# line, with -odq added so that exim only queues), into exim4: the
# messages of swaks, python3, curl and msmtp end up in exim's queue,
# byte for byte, submitted by the session's account.  Needs root (the
# chain switches accounts; exim -bp, -Mrm).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

if [ "$(id -u)" -ne 0 ] || [ ! -x /usr/sbin/exim4 ] || [ ! -x /usr/sbin/sendmail ] || ! d_have tcpserver tcprules swaks
then
  skip "sendmail -bs hand-off" "needs root, exim4 (/usr/sbin/sendmail), tcpserver and swaks"
  done_testing
fi
require_built "sendmail -bs hand-off" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup

# The test's messages, removed from exim's queue.
EIDS=
exim_rm()
{
  for e in $EIDS
  do
    exim4 -Mrm "$e" >/dev/null 2>&1
  done
  EIDS=
}
atexit exim_rm

d_tcprules
d_tcpserver tcp "DATABYTES=26214400" "DATABYTES=10000" \
  'QUEUE="$BIN/postern-queue -m /var/spool/postern/outbox"' '#QUEUE="$BIN/postern-queue -m /var/spool/postern/outbox"' \
  '#QUEUE="$BIN/postern-queue /usr/sbin/sendmail -bs"' 'QUEUE="$BIN/postern-queue /usr/sbin/sendmail -bs -odq"' \
  || bail "tcpserver did not start: $(cat "$TMP/tcp.log")"
rcpt="postern-t45-$$-$(date +%s)@example.invalid"
SW="swaks --server 127.0.0.1:$PORT --from alice@example.org --to $rcpt"

d_msg ex
d_limit $SW --auth PLAIN --auth-user alice --auth-password secret --data "@$TMP/ex.swaks" >"$TMP/sw.out" 2>&1
is "$?" "0" "swaks through postern into exim's sendmail -bs"
eid=$(sed -n 's/^<-  250 2\.0\.0 OK id=\([^ ]*\)$/\1/p' "$TMP/sw.out")
EIDS="$EIDS $eid"
like "$eid" '^[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2,4}$' "the client gets exim's queue id"
like "$(exim4 -bp 2>/dev/null)" "$rcpt" "the message is in exim's queue"
hdr=$(exim4 -Mvh "$eid" 2>/dev/null)
is "$(printf '%s\n' "$hdr" | sed -n 2p)" "$ACCT $(id -u "$ACCT") $(id -g "$ACCT")" "submitted by the session's account"
is "$(printf '%s\n' "$hdr" | sed -n 3p)" "<alice@example.org>" "with the client's envelope sender"
like "$hdr" 'Received: from [^ ]+ \(\[127\.0\.0\.1\]\)' "and postern's Received line"
exim4 -Mvb "$eid" 2>/dev/null | sed 1d >"$TMP/got.body"
sed '1,/^$/d' "$TMP/ex.msg" >"$TMP/want.body"
ok "the body, byte for byte (dots unstuffed once)" cmp "$TMP/got.body" "$TMP/want.body"
like "$(cat "$TMP/tcp.log")" "postern-queue: info: accepted id=[^ ]+ size=[0-9]+ rcpts=1 user=\"alice\" program reply=\"OK id=$eid\"" "postern logs exim's reply"

# python3: 8BITMIME passes; SMTPUTF8, which exim does not offer here, is
# refused by postern (553 5.6.7) before exim sees it.
out=$(d_limit python3 - "$PORT" "$rcpt" <<'PY' 2>&1
import email.message, smtplib, sys
port, rcpt = int(sys.argv[1]), sys.argv[2]
def message(to):
    m = email.message.EmailMessage()
    m["From"] = "alice@example.org"
    m["To"] = to
    m["Subject"] = "exim 8bit"
    m.set_content("caf\u00e9\n", cte="8bit")
    return m
with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
    s.login("alice", "secret")
    s.send_message(message(rcpt), mail_options=["BODY=8BITMIME"])
    print("8bit sent")
    try:
        s.send_message(message("\u00e9@example.invalid"))
    except smtplib.SMTPSenderRefused as e:
        print("utf8", e.smtp_code, e.smtp_error.decode())
PY
)
like "$out" '^8bit sent$' "python3 BODY=8BITMIME through exim"
like "$out" '^utf8 553 5\.6\.7 ' "SMTPUTF8 that exim does not offer: 553 5.6.7"
lastid()
{
  sed -n 's/.* program reply="OK id=\([^"]*\)".*/\1/p' "$TMP/tcp.log" | tail -n 1
}
eid=$(lastid)
EIDS="$EIDS $eid"
is "$(exim4 -Mvb "$eid" 2>/dev/null | sed 1d)" "café" "python3: the 8-bit body, as sent"

# curl and msmtp, their messages byte-checked in exim's spool:
# in_exim CLIENT NAME checks the newest message against d_msg NAME's
n=2
in_exim()
{
  eid=$(lastid)
  EIDS="$EIDS $eid"
  exim4 -Mvb "$eid" 2>/dev/null | sed 1d >"$TMP/got.body"
  sed '1,/^$/d' "$TMP/$2.msg" >"$TMP/want.body"
  ok "$1: the body in exim's spool, byte for byte" cmp "$TMP/got.body" "$TMP/want.body"
  like "$(exim4 -Mvh "$eid" 2>/dev/null)" "Message-ID: <$2\\." "$1: its header too"
  n=$((n + 1))
}
if d_have curl
then
  d_msg excurl
  d_limit curl -sS --user alice:secret --mail-from alice@example.org --mail-rcpt "$rcpt" \
    -T "$TMP/excurl.crlf" "smtp://127.0.0.1:$PORT" >"$TMP/curl.out" 2>&1
  is "$?" "0" "curl through postern into exim"
  in_exim curl excurl
else
  for i in 1 2 3; do skip "curl into exim" "curl is not installed"; done
fi
if d_have msmtp
then
  d_msg exmsmtp
  printf 'defaults\ntls off\naccount t\nhost 127.0.0.1\nport %s\nauth login\nuser alice\npassword secret\nfrom alice@example.org\n' "$PORT" >"$TMP/msmtprc"
  chmod 600 "$TMP/msmtprc"
  d_limit msmtp -C "$TMP/msmtprc" -a t "$rcpt" <"$TMP/exmsmtp.msg" >"$TMP/msmtp.out" 2>&1
  is "$?" "0" "msmtp through postern into exim"
  in_exim msmtp exmsmtp
else
  for i in 1 2 3; do skip "msmtp into exim" "msmtp is not installed"; done
fi
is "$(exim4 -bp 2>/dev/null | grep -c "$rcpt")" "$n" "all of them in exim's queue"

# Failures stay postern's: wrong password, oversize.
d_limit $SW --auth LOGIN --auth-user alice --auth-password wrong --data "@$TMP/ex.swaks" >"$TMP/sw.out" 2>&1
is "$?" "28" "wrong password: swaks exit 28"
{
  printf 'Subject: big\n\n'
  head -c 12000 /dev/zero | tr '\0' 'x' | fold -w 70
} >"$TMP/big.msg"
d_limit $SW --auth PLAIN --auth-user alice --auth-password secret --data "@$TMP/big.msg" >"$TMP/sw.out" 2>&1
is "$?" "26" "oversize, no SIZE declared: swaks exit 26"
like "$(cat "$TMP/sw.out")" '<\*\* 552 5\.3\.4 ' "552 5.3.4 after the data: exim never got its end"
is "$(exim4 -bp 2>/dev/null | grep -c "$rcpt")" "$n" "nothing more in exim's queue"

server_stop tcp
exim_rm
unlike "$(exim4 -bp 2>/dev/null)" "$rcpt" "the test's messages removed from exim's queue"
done_testing
