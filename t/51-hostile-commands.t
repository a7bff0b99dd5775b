#!/bin/sh
# Hostile input in commands: NUL bytes, bare CR and bare LF, commands
# cut into many tiny writes, floods of pipelined commands.  Exact replies,
# and nothing executed that the client did not send as a command line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

MD=$TMP/md
maildir "$MD"
ok_plain=$(b64 '\0alice\0secret')

front()
{
  feed "$@" -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>"$TMP/stderr" | tr -d '\r' | codes
}
queue()
{
  SMTPAUTHUSER=alice USER=alice feed "$@" -- postern-queue -m "$MD" 2>"$TMP/stderr" | tr -d '\r' | codes
}

# NUL bytes
printf 'NO\0OP\r\nEHLO a\0b\r\n\0\r\nAUTH PLAIN AGFs\0aWNl\r\nEHLO c\r\nAUTH LOGIN\r\nYWxp\0Y2U=\r\nQUIT\r\n' > "$TMP/in"
rm -f "$TMP/fd3"
is "$(T_FD3=$TMP/fd3 front | grep -v '^250$')" "220
500 5.5.2
500 5.5.2
500 5.5.2
500 5.5.2
334
501 5.5.2
221 2.0.0" "smtpd: a NUL in a command or an AUTH response: 500 5.5.2 / 501 5.5.2"
ok "smtpd: the verifier was never called" test ! -e "$TMP/fd3"

printf 'NOOP\0\r\nMAIL FROM:<a\0b@example.org>\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@exa\0mple.org>\r\nEHLO a\0b\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: nul\r\n\r\nx\0y\r\n.\r\nQUIT\r\n' > "$TMP/in"
is "$(queue)" "235 2.7.0
500 5.5.1
501 5.1.7
250 2.1.0
501 5.1.3
501 5.5.4
250 2.1.5
354
554 5.6.0
221 2.0.0" "queue: NUL in a verb, an address, a HELO name: refused; in the body: 554 5.6.0 after the end (t/39, t/32 too)"
is "$(ls "$MD/new" | wc -l | tr -d ' ')" 0 "queue: the message with a NUL is not delivered"
rm -f "$MD"/new/*

# bare CR and bare LF in commands
printf 'EHLO c\rAUTH PLAIN %s\r\nNOOP\rQUIT\r\nNOOP\nRSET\nQUIT\n' "$ok_plain" > "$TMP/in"
rm -f "$TMP/fd3"
is "$(T_FD3=$TMP/fd3 front)" "220
501 5.5.4
500 5.5.1
250 2.0.0
250 2.0.0
221 2.0.0" "smtpd: a bare CR never ends a command; a bare LF does"
ok "smtpd: no AUTH smuggled behind a bare CR" test ! -e "$TMP/fd3"

printf 'NOOP\rQUIT\r\nRSET\rMAIL FROM:<a@example.org>\r\nMAIL FROM:<a@example.org>\rRCPT TO:<b@example.org>\r\nDATA\r\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.org>\nDATA\nSubject: lf\r\n\r\nok\r\n.\r\nQUIT\r\n' > "$TMP/in"
is "$(queue)" "235 2.7.0
500 5.5.1
500 5.5.1
501 5.1.7
503 5.5.1
250 2.1.0
250 2.1.5
354
250 2.0.0
221 2.0.0" "queue: a bare CR never ends a command (no QUIT, MAIL, RCPT smuggled); a bare LF does"
is "$(nfiles "$MD/new")" 1 "queue: only the message sent with real commands"
rm -f "$MD"/new/*

# Line length: both programs count the octets received, the line end
# included, whether it is CRLF or a bare LF: 512 at most (510 + CRLF,
# 511 + LF), an AUTH line or response 12288.
pad()
{
  head -c "$1" /dev/zero | tr '\0' x
}
{
  printf 'NOOP %s\r\n' "$(pad 505)"
  printf 'NOOP %s\r\n' "$(pad 506)"
  printf 'NOOP %s\n' "$(pad 506)"
  printf 'NOOP %s\n' "$(pad 507)"
  printf 'QUIT\r\n'
} > "$TMP/in"
want="250 2.0.0
500 5.5.6
250 2.0.0
500 5.5.6
221 2.0.0"
is "$(front | grep -v '^220$')" "$want" "smtpd: 510 + CRLF and 511 + LF taken, 511 + CRLF and 512 + LF 500 5.5.6"
is "$(front --sock | grep -v '^220$')" "$want" "smtpd on a socket: the same"
is "$(RELAYCLIENT=1 feed -- env -u SMTPAUTHUSER postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | grep -v '^220$')" \
  "$want" "queue (RELAYCLIENT): the same"
{
  printf 'HELO c\r\n'
  printf 'MAIL FROM:<a@example.org> AUTH=%s\n' "$(pad 480)"
  printf 'RSET\r\n'
  printf 'MAIL FROM:<a@example.org> AUTH=%s\n' "$(pad 481)"
  printf 'QUIT\r\n'
} > "$TMP/in"
is "$(RELAYCLIENT=1 feed -- env -u SMTPAUTHUSER postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | grep -v '^2[25]0$' | tr '\n' ' ')" \
  "250 2.1.0 250 2.0.0 500 5.5.6 221 2.0.0 " "queue: a MAIL line of 511 + LF is a command, of 512 + LF too long"
{
  printf 'EHLO c\r\n'
  printf 'AUTH PLAIN %s\r\n' "$(pad 12275)"
  printf 'AUTH PLAIN %s\r\n' "$(pad 12276)"
  printf 'AUTH PLAIN %s\n' "$(pad 12276)"
  printf 'AUTH PLAIN %s\n' "$(pad 12277)"
  printf 'AUTH LOGIN\r\n%s\r\n' "$(pad 12286)"
  printf 'AUTH LOGIN\r\n%s\r\n' "$(pad 12287)"
  printf 'AUTH LOGIN\r\n%s\n' "$(pad 12287)"
  printf 'AUTH LOGIN\r\n%s\n' "$(pad 12288)"
  printf 'QUIT\r\n'
} > "$TMP/in"
rm -f "$TMP/fd3"
is "$(AUTHMAXFAIL=10 AUTHFAILDELAY=0 T_FD3=$TMP/fd3 front --sock | grep -v '^2[25]0$' | tr '\n' ' ')" \
  "501 5.5.2 500 5.5.6 501 5.5.2 500 5.5.6 334 501 5.5.2 334 500 5.5.6 334 501 5.5.2 334 500 5.5.6 221 2.0.0 " \
  "smtpd: AUTH lines and responses of 12288 octets (CRLF or LF) read, of 12289 500 5.5.6"
ok "smtpd: the verifier was never called" test ! -e "$TMP/fd3"

# the whole chain, one byte per write
cat > "$TMP/script" <<EOF
EHLO tiny.example
AUTH PLAIN $ok_plain
MAIL FROM:<alice@example.org>
RCPT TO:<bob@example.org>
DATA
Subject: tiny

..leading dot
.
MAIL FROM:<alice@example.org>
RCPT TO:<carol@example.org>
BDAT 3
abcBDAT 4 LAST
de
QUIT
EOF
sed 's/$/\r/' "$TMP/script" > "$TMP/in"
out=$(SMTPTIMEOUT=60 feed --sock --chunk 1 --delay 0.002 -- postern-smtpd pn-t-checkpw postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$')
is "$out" "220
235 2.7.0
250 2.1.0
250 2.1.5
354
250 2.0.0
250 2.1.0
250 2.1.5
250 2.0.0
250 2.0.0
221 2.0.0" "chain: a session written one byte at a time"
f=$(grep -l 'Subject: tiny' "$MD"/new/* 2>/dev/null | head -1)
is "$(sed -n '/^Subject: tiny$/,$p' "$f" 2>/dev/null)" "Subject: tiny

.leading dot" "chain: the message arrives whole, unstuffed"
f=$(grep -l '^Envelope-To: <carol@example.org>$' "$MD"/new/* 2>/dev/null | head -1)
is "$(sed -n '$p' "$f" 2>/dev/null)" "abcde" "chain: the BDAT message too"
rm -f "$MD"/new/*

# floods of pipelined commands, in one write
n=20000
{ i=0; while [ $i -lt $n ]; do printf 'NOOP\r\n'; i=$((i + 1)); done; printf 'QUIT\r\n'; } > "$TMP/noops"
cp "$TMP/noops" "$TMP/in"
out=$(queue --stats "$TMP/st")
is "$(printf '%s\n' "$out" | grep -c '^250 2.0.0$')" "$n" "queue: $n pipelined NOOPs, $n replies"
is "$(printf '%s\n' "$out" | tail -1)" "221 2.0.0" "queue: then QUIT, in order"
{ printf 'EHLO c\r\n'; cat "$TMP/noops"; } > "$TMP/in"
out=$(front --sock)
# the front reads 50 command lines before AUTH (EHLO included): 49 NOOPs
is "$(printf '%s\n' "$out" | grep -c '^250 2.0.0$')" "49" "smtpd: $n pipelined NOOPs before AUTH: 49 replies (50 commands with EHLO)"
is "$(printf '%s\n' "$out" | tail -1)" "421 4.7.0" "smtpd: then 421 4.7.0 for the 51st, and the connection closes"

{ i=0; while [ $i -lt 2000 ]; do printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRSET\r\n'; i=$((i + 1)); done; printf 'QUIT\r\n'; } > "$TMP/in"
out=$(queue | uniq -c | sed 's/^ *//' | sort | uniq -c | sed 's/^ *//')
is "$out" "1 1 221 2.0.0
1 1 235 2.7.0
2000 1 250 2.0.0
2000 1 250 2.1.0
2000 1 250 2.1.5" "queue: 2000 pipelined transactions answered in order"

{ i=0; while [ $i -lt 1000 ]; do printf 'XYZZY\r\n'; i=$((i + 1)); done; printf 'QUIT\r\n'; } > "$TMP/in"
is "$(queue | uniq -c | sed 's/^ *//')" "1 235 2.7.0
20 500 5.5.1
1 421 4.7.0" "queue: a flood of bad commands: 421 4.7.0 after the 20th"
is "$(front | uniq -c | sed 's/^ *//')" "1 220
20 500 5.5.1
1 421 4.7.0" "smtpd: the same"

{ printf 'EHLO c\r\nAUTH PLAIN %s\r\n' "$ok_plain"; sed 5000q "$TMP/noops"; printf 'QUIT\r\n'; } > "$TMP/in"
out=$(feed --sock -- postern-smtpd pn-t-checkpw postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$' | uniq -c | sed 's/^ *//')
is "$out" "1 220
1 235 2.7.0
5000 250 2.0.0
1 221 2.0.0" "chain: 5000 commands pipelined behind AUTH reach the session"

done_testing
