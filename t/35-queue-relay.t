#!/bin/sh
# postern-queue prog...: the transaction relayed into a program that
# speaks SMTP on stdin and stdout.  A scripted downstream (pn-t-q-smtp),
# postern-queue itself, and exim4's sendmail -bs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd
L=$TMP/log

MSG='MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: m\r\n\r\nbody\r\n.\r\n'

# an ordinary session through the scripted downstream
rm -f "$L"
out=$(printf 'NOOP\r\nMAIL FROM:<alice@example.org> SIZE=100 BODY=8BITMIME AUTH=<>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<reject-me@example.org>\r\nDATA\r\nSubject: m\r\n\r\n..dot\r\nline\r\n.\r\nQUIT\r\n' \
  | TCPREMOTEIP=192.0.2.9 TCPLOCALIP=192.0.2.1 PROTO=TCP SMTPSENDERS=alice@example.org SSL_PROTOCOL=TLSv1.3 SMTPHELO=c.example \
    RELAYCLIENT=1 DATABYTES=5000 FOO=bar qraw pn-t-q-smtp "$L" reject=reject-me | tr -d '\r')
is "$out" "235 2.7.0 Authentication successful
250 2.0.0 OK
250 2.1.0 ok
250 2.1.5 recipient ok
550 5.1.1 no such user
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 queued as FAKE1
221 2.0.0 Bye" "replies passed back, enhanced codes kept or added"
is "$(grep '^cmd' "$L")" "cmd EHLO mx.test.example
cmd MAIL FROM:<alice@example.org> SIZE=100 BODY=8BITMIME
cmd RCPT TO:<bob@example.org>
cmd RCPT TO:<reject-me@example.org>
cmd DATA
cmd QUIT" "the program gets EHLO with SMTPHOSTNAME, the checked commands, SIZE and BODY; never AUTH="
is "$(sed -n '/^data$/,/^end$/p' "$L" | sed -n '2,4p;$p')" "Received: from c.example ([192.0.2.9])
	by mx.test.example (postern) with ESMTPSA (TLSv1.3) id $(sed -n 's/.* id \(.*\);$/\1/p' "$L");
	$(sed -n '/^data$/,/^end$/p' "$L" | sed -n 4p | cut -c2-)
end" "the program gets the Received line first (SSL_PROTOCOL: the protocol named)"
is "$(sed -n '/^Subject: m$/,/^end$/p' "$L")" "Subject: m

..dot
line
end" "the body re-dot-stuffed"
like "$(grep -c '^Date: \|^Message-ID: <' "$L")" '^2$' "Date and Message-ID added"
envs=$(sed -n 's/^env \([^=]*\)=.*/\1/p' "$L" | sort | tr '\n' ' ')
unlike "$envs" '(^| )(PROTO|RELAYCLIENT|TCP[A-Z]*|SMTP[A-Z]*|SSL_[A-Z]*) ' "no PROTO, RELAYCLIENT, TCP*, SMTP*, SSL_* in its environment"
like "$envs" '(^| )USER ' "USER is passed"
like "$envs" '(^| )FOO ' "other variables are passed"
like "$envs" 'DATABYTES' "DATABYTES is passed"
is "$(grep -c '^cmd EHLO' "$L")" "1" "one program for the session"

# started at the first MAIL, not before; once for many messages
rm -f "$L"
printf 'NOOP\r\nRSET\r\nQUIT\r\n' | qraw pn-t-q-smtp "$L" >/dev/null
ok "no MAIL: no program" test ! -e "$L"
printf "${MSG}${MSG}${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" >"$TMP/out"
is "$(grep -c '^250 2.0.0 queued' "$TMP/out")" "3" "three messages"
is "$(grep -c '^cmd EHLO' "$L")" "1" "one program started for the three"
is "$(grep -c '^cmd RSET' "$L")" "0" "no RSET needed between them"

# the client's RSET and EHLO reach the program when a transaction is open
rm -f "$L"
printf 'MAIL FROM:<a@example.org>\r\nRSET\r\nMAIL FROM:<a@example.org>\r\nEHLO again\r\nQUIT\r\n' | qraw pn-t-q-smtp "$L" >/dev/null
is "$(grep '^cmd' "$L" | cut -c5-8 | tr '\n' ' ')" "EHLO MAIL RSET MAIL RSET QUIT " "RSET and EHLO reset the program's transaction"

# argv is exec'd as given, never through a shell
mkdir -p "$TMP/cwd"
out=$(cd "$TMP/cwd" && printf "${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp 'log;touch pwned' '$(touch pwned2)' 2>&1 | codes | sed -n 2p)
is "$out" "451 4.3.0" "a bad argument is the program's business (here: unknown knob, exit 100)"
ok "arguments reach no shell" test ! -e "$TMP/cwd/pwned" -a ! -e "$TMP/cwd/pwned2"
ok "the argument is taken literally" test -e "$TMP/cwd/log;touch pwned"

# a program that dies or misbehaves: 451 4.3.0 for that transaction,
# a fresh program for the next
fails()
{
  knob=$1
  want=$2
  rm -f "$L"
  out=$(printf "${MSG}${MSG}"'QUIT\r\n' | SMTPTIMEOUT=3 qraw pn-t-q-smtp "$L" "$knob" | codes | sed '1d;$d' | tr '\n' ' ')
  is "$out" "$want" "$knob"
}
fails die=MAIL "451 4.3.0 503 5.5.1 503 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 451 4.3.0 503 5.5.1 503 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 "
rm -f "$L"
out=$(printf "${MSG}"'RSET\r\n'"${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" die=MAIL | codes | tr '\n' ' ')
like "$out" '^235 2.7.0 451 4.3.0 503 5.5.1 503 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 250 2.0.0 451 4.3.0 ' "died at MAIL: 451 4.3.0, and again with the next program"
is "$(grep -c '^cmd EHLO' "$L")" "2" "a fresh program for the next transaction"
rm -f "$L"
out=$(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nRSET\r\n'"${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" die=RCPT | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 451 4.3.0 451 4.3.0 451 4.3.0 250 2.0.0 250 2.1.0 451 4.3.0 451 4.3.0 500 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 221 2.0.0 " "died at RCPT: 451 4.3.0 to the end of the transaction"
rm -f "$L"
out=$(printf "${MSG}${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" die=DOT | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 250 2.1.0 250 2.1.5 354 451 4.3.0 221 2.0.0 " "died after the data: 451 4.3.0, each time"
is "$(grep -c '^cmd EHLO' "$L")" "2" "with a fresh program each time"
rm -f "$L"
out=$(printf "${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" die=DATA | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 451 4.3.0 500 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 221 2.0.0 " "died at DATA: 451 4.3.0, the body is not read as data"
for k in garbage long many r421
do
  rm -f "$L"
  out=$(printf "${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" $k=RCPT | codes | sed -n 3p)
  is "$out" "451 4.3.0" "$k reply to RCPT: 451 4.3.0"
  rm -f "$L"
  out=$(printf "${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" $k=DOT | codes | sed -n 5p)
  is "$out" "451 4.3.0" "$k reply at the end of data: 451 4.3.0"
done
out=$(printf "${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" garbage=EHLO | codes | sed -n 2p)
is "$out" "451 4.3.0" "garbage to EHLO: 451 4.3.0 at MAIL"
out=$(printf "${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" nogreet | codes | sed -n 2p)
is "$out" "451 4.3.0" "no greeting: 451 4.3.0 at MAIL"
out=$(printf "${MSG}"'QUIT\r\n' | qraw /nonexistent/program | codes | sed -n 2p)
is "$out" "451 4.3.0" "a program that cannot be run: 451 4.3.0 at MAIL"
out=$(printf "${MSG}"'QUIT\r\n' | SMTPTIMEOUT=2 qraw pn-t-q-smtp "$L" silent=RCPT | codes | sed -n 3,4p)
is "$out" "451 4.3.0
451 4.3.0" "a silent program: 451 4.3.0 after SMTPTIMEOUT"

# refused messages never reach the program's queue: it is stopped
# before the end of data
rm -f "$L"
out=$(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\nbare\nLF\r\n.\r\n'"${MSG}"'QUIT\r\n' | qraw pn-t-q-smtp "$L" | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 354 554 5.6.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " "bare LF: 554 5.6.0, the next message goes through"
is "$(grep -c '^end$' "$L")" "1" "the refused message never got its end of data"
rm -f "$L"
out=$( { printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\n'; head -c 3000 /dev/zero | tr '\0' 'y'; printf '\r\n.\r\nQUIT\r\n'; } | DATABYTES=1000 qraw pn-t-q-smtp "$L" | codes | sed -n 5p)
is "$out" "552 5.3.4" "over DATABYTES: 552 5.3.4"
is "$(grep -c '^end$' "$L")" "0" "and the program never got an end of data"

# a refused DATA or BDAT ends the program's transaction too (RSET)
rm -f "$L"
out=$(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 3\r\nabcBDAT 1 LAST\r\nxMAIL FROM:<a@example.org>\r\nQUIT\r\n' | qraw pn-t-q-smtp "$L" r421=DATA | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 451 4.3.0 250 2.1.0 250 2.1.5 451 4.3.0 451 4.3.0 250 2.1.0 221 2.0.0 " "DATA and BDAT refused by the program: 451, the rest of the chunks too"
cat >"$TMP/refuse.sh" <<'EOF'
#!/bin/sh
# a downstream that refuses DATA with 554, then behaves
printf '220 x\r\n'
open=
while read -r l
do
  case $l in
    EHLO*) printf '250 x\r\n' ;;
    DATA*) printf '554 5.5.1 no thanks\r\n' ;;
    MAIL*) if [ -n "$open" ]; then printf '503 nested\r\n'; else open=1; printf '250 ok\r\n'; fi ;;
    RSET*) open=; printf '250 ok\r\n' ;;
    QUIT*) printf '221 bye\r\n'; exit 0 ;;
    *) printf '250 ok\r\n' ;;
  esac
done
EOF
chmod +x "$TMP/refuse.sh"
out=$(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n' | qraw "$TMP/refuse.sh" | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 554 5.5.1 250 2.1.0 221 2.0.0 " "a DATA refused by the program: its reply, and the program is RSET before the next MAIL"

# BDAT is relayed as DATA
rm -f "$L"
out=$(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 16\r\nSubject: b\r\n\r\n.xBDAT 3 LAST\r\ny\r\nQUIT\r\n' | qraw pn-t-q-smtp "$L" | codes | sed -n 4,5p)
is "$out" "250 2.0.0
250 2.0.0" "BDAT chunks: 250 each"
is "$(sed -n '/^Subject: b$/,/^end$/p' "$L")" "Subject: b

..xy
end" "sent to the program as DATA, dot-stuffed"

# the session ends between BDAT chunks: the message is dropped at once
for ending in 'QUIT\r\n' ''
do
  rm -f "$L"
  start=$(date +%s)
  out=$(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 5\r\nabcde'"$ending" | qraw pn-t-q-smtp "$L" | codes | sed -n 4p)
  took=$(( $(date +%s) - start ))
  is "$out" "250 2.0.0" "a chunk, then ${ending:-EOF}"
  ok "${ending:-EOF} between chunks: done at once (${took}s)" test "$took" -lt 20
  is "$(grep -c '^end$' "$L")" "0" "${ending:-EOF} between chunks: the program never got an end of data"
done

# SMTPUTF8
rm -f "$L"
out=$(printf 'MAIL FROM:<\303\251@example.org> SMTPUTF8\r\nQUIT\r\n' | qraw pn-t-q-smtp "$L" | codes | sed -n 2p)
is "$out" "250 2.1.0" "SMTPUTF8 relayed when offered"
like "$(grep '^cmd MAIL' "$L")" 'SMTPUTF8$' "with its parameter"
out=$(printf 'MAIL FROM:<a@example.org> SMTPUTF8\r\nQUIT\r\n' | qraw pn-t-q-smtp "$L" noutf8 | codes | sed -n 2p)
is "$out" "553 5.6.7" "not offered: 553 5.6.7"

# postern-queue itself as the downstream
newmd "$TMP/down"
out=$(printf 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: chain\r\n\r\n..dot\r\n.\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<carol@example.org>\r\nBDAT 20 LAST\r\nSubject: two\r\n\r\n.x\r\nQUIT\r\n' \
  | SMTPHELO=c.example TCPREMOTEIP=192.0.2.9 qraw env RELAYCLIENT=1 postern-queue -m "$TMP/down")
is "$(printf '%s\n' "$out" | codes | tr '\n' ' ')" "235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 250 2.1.0 250 2.1.5 250 2.0.0 221 2.0.0 " "postern-queue downstream: both messages accepted"
is "$(nmsgs "$TMP/down")" "2" "both in its Maildir"
f=$(grep -l 'Subject: chain' "$TMP/down"/new/*)
like "$(sed -n 3p "$f")" '^Received: from mx\.test\.example$' "its Received: our EHLO, 220 mode"
like "$(sed -n 6p "$f")" '^Received: from c\.example \(\[192\.0\.2\.9\]\)$' "then ours, with the client"
like "$(sed -n 7p "$f")" 'with ESMTPA id ' "ESMTPA"
is "$(sed -n '/^Subject: chain$/,$p' "$f")" "Subject: chain

.dot" "the body arrives unstuffed once"
id=$(printf '%s\n' "$out" | sed -n 5p | sed -n 's/^250 2.0.0 OK id=//p')
like "$id" '.' "the downstream's 250 is passed back with its id"

# exim4's sendmail -bs
if [ -x /usr/sbin/exim4 ] && [ "$(id -u)" -eq 0 ]
then
  rcpt="postern-test-$$-$(date +%s)@example.invalid"
  out=$(printf 'MAIL FROM:<alice@example.org> SIZE=200 BODY=8BITMIME\r\nRCPT TO:<%s>\r\nDATA\r\nSubject: exim\r\n\r\n..dotted\r\nend\r\n.\r\nQUIT\r\n' "$rcpt" \
    | SMTPHELO=c.example TCPREMOTEIP=192.0.2.9 qraw /usr/sbin/sendmail -bs -odq)
  is "$(printf '%s\n' "$out" | codes | tr '\n' ' ')" "235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " "exim sendmail -bs: accepted"
  eid=$(printf '%s\n' "$out" | sed -n 's/^250 2.0.0 OK id=\(.*\)$/\1/p')
  like "$eid" '^[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2,4}$' "the exim id is passed back"
  like "$(exim4 -bp 2>/dev/null)" "$rcpt" "the message is in exim's queue"
  hdr=$(exim4 -Mvh "$eid" 2>/dev/null)
  like "$hdr" 'Received: from c\.example \(\[192\.0\.2\.9\]\)' "with our Received line"
  like "$hdr" 'helo=mx\.test\.example' "exim saw our EHLO"
  is "$(exim4 -Mvb "$eid" 2>/dev/null | sed 1d)" ".dotted
end" "and the body, unstuffed by exim"
  exim4 -Mrm "$eid" >/dev/null 2>&1
  out=$(printf 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<bad@@x>\r\nRCPT TO:<%s>\r\nDATA\r\nSubject: 1\r\n\r\n1\r\n.\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<%s>\r\nBDAT 14 LAST\r\nSubject: 2\r\n\r\nQUIT\r\n' "$rcpt" "$rcpt" | qraw /usr/sbin/sendmail -bs -odq)
  is "$(printf '%s\n' "$out" | codes | tr '\n' ' ')" "235 2.7.0 250 2.1.0 501 5.1.3 250 2.1.5 354 250 2.0.0 250 2.1.0 250 2.1.5 250 2.0.0 221 2.0.0 " "exim: two messages, DATA and BDAT, one session"
  for eid in $(printf '%s\n' "$out" | sed -n 's/^250 2.0.0 OK id=\(.*\)$/\1/p')
  do
    exim4 -Mrm "$eid" >/dev/null 2>&1
  done
  unlike "$(exim4 -bp 2>/dev/null)" "$rcpt" "the test's messages removed from exim's queue"
else
  for i in 1 2 3 4 5 6 7 8; do skip "exim4 sendmail -bs" "needs exim4 and root"; done
fi

done_testing
