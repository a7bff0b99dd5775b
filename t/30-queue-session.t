#!/bin/sh
# postern-queue: starting modes, the commands around the transaction,
# bad-command counting, timeouts, exit codes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

# 235 mode: the session after a successful AUTH
out=$(qa -m "$MD" <<'S'
NOOP
EHLO client.example
HELO client.example
RSET
VRFY alice
VRFY
HELP
AUTH PLAIN
STARTTLS
DATA x
RSET x
QUIT
S
)
is "$(printf '%s\n' "$out" | codes)" "235 2.7.0
250 2.0.0
250
250
250
250
250
250
250
250
250
250 2.0.0
252 2.5.0
501 5.5.4
214 2.0.0
503 5.5.1
503 5.5.1
501 5.5.4
501 5.5.4
221 2.0.0" "235 mode: every command gets its reply"
is "$(printf '%s\n' "$out" | sed -n 3,11p)" "250-mx.test.example
250-PIPELINING
250-ENHANCEDSTATUSCODES
250-8BITMIME
250-SIZE 26214400
250-SMTPUTF8
250-CHUNKING
250 LIMITS RCPTMAX=100 MAILMAX=100
250 mx.test.example" "EHLO again: the extensions, no AUTH; HELO answers plainly"
is "$(printf '%s\n' "$out" | grep -c '^235')" "1" "one 235 only, never a second"
like "$(cat "$TMP/stderr")" 'info: session user="alice"' "the session is logged with its user"

# 235 mode without USER: no verifier ran
out=$(printf 'MAIL FROM:<a@example.org>\r\n' | SMTPAUTHUSER=alice timeout 60 postern-queue -m "$MD" 2>"$TMP/stderr" | tr -d '\r')
is "$out" "421 4.3.5 Authentication was not verified, closing connection" "SMTPAUTHUSER without USER: 421 4.3.5, never 235"
out=$(printf 'QUIT\r\n' | SMTPAUTHUSER=alice USER= timeout 60 postern-queue -m "$MD" 2>/dev/null | codes)
is "$out" "421 4.3.5" "an empty USER is no USER"
printf 'QUIT\r\n' | SMTPAUTHUSER=alice timeout 60 postern-queue -m "$MD" >/dev/null 2>&1
is "$?" "0" "and exits 0"

# 220 mode
out=$(printf 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nQUIT\r\n' | timeout 60 postern-queue -m "$MD" 2>/dev/null | tr -d '\r')
is "$(printf '%s\n' "$out" | codes)" "220
250
250
250
250
250
250
250
250
530 5.7.0
530 5.7.0
530 5.7.0
221 2.0.0" "220 mode without RELAYCLIENT: MAIL, RCPT, DATA get 530 5.7.0"
is "$(printf '%s\n' "$out" | sed -n 1p)" "220 mx.test.example ESMTP postern" "its own greeting"
out=$(qr -m "$MD" <<'S'
MAIL FROM:<a@example.org>
HELO c
MAIL FROM:<a@example.org>
AUTH LOGIN
QUIT
S
)
is "$(printf '%s\n' "$out" | codes)" "220
503 5.5.1
250
250 2.1.0
503 5.5.1
221 2.0.0" "220 mode with RELAYCLIENT: EHLO or HELO first, then MAIL; AUTH 503"

# EHLO resets the transaction
out=$(qa -m "$MD" <<'S'
MAIL FROM:<a@example.org>
RCPT TO:<b@example.org>
EHLO again.example
DATA
RCPT TO:<b@example.org>
MAIL FROM:<a@example.org>
RSET
RCPT TO:<b@example.org>
QUIT
S
)
is "$(printf '%s\n' "$out" | codes | grep -v '^250$')" "235 2.7.0
250 2.1.0
250 2.1.5
503 5.5.1
503 5.5.1
250 2.1.0
250 2.0.0
503 5.5.1
221 2.0.0" "EHLO and RSET end the transaction"

# many messages in one session
script=$TMP/many
: >"$script"
i=0
while [ $i -lt 25 ]
do
  printf 'MAIL FROM:<a@example.org>\nRCPT TO:<b%s@example.org>\nDATA\nSubject: %s\n\nbody %s\n.\n' $i $i $i >>"$script"
  i=$((i + 1))
done
echo QUIT >>"$script"
rm -f "$MD"/new/*
out=$(qa -m "$MD" <"$script")
is "$(printf '%s\n' "$out" | grep -c '^250 2.0.0 OK id=')" "25" "25 messages in one session: 25 times 250"
is "$(nmsgs "$MD")" "25" "and 25 files in new/"
is "$(ls "$MD/tmp" | wc -l | tr -d ' ')" "0" "nothing left in tmp/"
ids=$(printf '%s\n' "$out" | sed -n 's/^250 2.0.0 OK id=//p' | sort -u | wc -l | tr -d ' ')
is "$ids" "25" "each message has its own id"

# a line too long: 500 5.5.6, discarded whole, never split
long=$(head -c 600 /dev/zero | tr '\0' 'x')
out=$(printf 'NOOP %s RSET\r\nNOOP\r\nQUIT\r\n' "$long" | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
500 5.5.6
250 2.0.0
221 2.0.0" "a 600-byte line: 500 5.5.6, nothing of it executed"
line510=$(head -c 500 /dev/zero | tr '\0' 'x')
out=$(printf 'NOOP %s\r\nQUIT\r\n' "$line510" | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
250 2.0.0
221 2.0.0" "a 507-byte line is a line"

# bad commands: the 20th is followed by 421 4.7.0
script=$TMP/bad
: >"$script"
i=0
while [ $i -lt 19 ]; do echo "BOGUS $i" >>"$script"; i=$((i + 1)); done
echo NOOP >>"$script"
echo "RCPT TO:<x@example.org>" >>"$script"
echo NOOP >>"$script"
out=$(qa -m "$MD" <"$script")
is "$(printf '%s\n' "$out" | codes | tail -4)" "500 5.5.1
250 2.0.0
503 5.5.1
421 4.7.0" "after the 20th bad reply: 421 4.7.0 and the end"
is "$(printf '%s\n' "$out" | grep -c '^5')" "20" "exactly 20 bad replies"

# configuration errors
out=$(printf 'QUIT\r\n' | DATABYTES=lots qraw -m "$MD" | codes)
is "$out" "421 4.3.0" "a bad DATABYTES: 421 4.3.0"
like "$(cat "$TMP/stderr")" 'DATABYTES' "and the log names it"
out=$(printf 'QUIT\r\n' | MAXRCPTS=0 RELAYCLIENT=1 timeout 60 postern-queue -m "$MD" 2>/dev/null | codes)
is "$out" "421 4.3.0" "a bad MAXRCPTS: 421 4.3.0, no greeting"

# usage
for args in "" "-m" "-m $MD prog" "-x $MD" "-m ''"
do
  eval "timeout 60 postern-queue $args" </dev/null >"$TMP/out" 2>&1
  is "$?" "100" "usage: postern-queue $args exits 100"
done
is "$(grep -c . "$TMP/out" || true)" "1" "usage errors say one line on stderr"

# timeout: 421 4.4.2, exit 0
(printf 'NOOP\r\n'; sleep 4) | SMTPTIMEOUT=1 qauth -m "$MD" >"$TMP/out" 2>"$TMP/stderr"
st=$?
is "$(tr -d '\r' <"$TMP/out" | codes)" "235 2.7.0
250 2.0.0
421 4.4.2" "SMTPTIMEOUT: 421 4.4.2"
is "$st" "0" "and exit 0"
(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\npartial'; sleep 4) | SMTPTIMEOUT=1 qauth -m "$MD" >"$TMP/out" 2>/dev/null
is "$(tr -d '\r' <"$TMP/out" | codes | tail -1)" "421 4.4.2" "SMTPTIMEOUT applies inside DATA too"
n=$(ls "$MD/tmp" | wc -l | tr -d ' ')
is "$n" "0" "and the partial message left nothing in tmp/"

# end of input without QUIT, between commands: exit 0
out=$(printf 'NOOP\r\nMAIL FROM:<a@example.org>\r\n' | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
250 2.0.0
250 2.1.0" "EOF between commands: every reply sent"
printf 'NOOP\r\n' | qauth -m "$MD" >/dev/null 2>&1
is "$?" "0" "and exit 0"

# end of input without QUIT: exit 0, nothing delivered from a partial DATA
rm -f "$MD"/new/*
printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\npartial\r\n' | qauth -m "$MD" >/dev/null 2>&1
is "$?" "0" "EOF inside DATA: exit 0"
is "$(nmsgs "$MD")" "0" "and nothing delivered"

done_testing
