#!/bin/sh
# postern-queue's sending limits end to end (DESIGN.md "Limits and
# identity"): each limit exactly at its boundary (N accepted, N+1
# refused), the counts given back by transactions that end without a
# message, windows that end (records with an old window written into
# LIMITDIR by hand: no clock to fake), a limit of 0, unusable state,
# malformed settings, MAXMSGS and the LIMITS keyword of both EHLO
# replies, and no limits without SMTPAUTHUSER.  Concurrent sessions and
# per-user limits from the password file: t/91.  (The store alone:
# t/39-limit-units.t.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
unset LIMITDIR MSGLIMIT RCPTLIMIT SMTPLIMITS MAXMSGS RECEIVEDPRIVATE SMTPSESSIONID || true
newmd
L=$TMP/lim
mkdir "$L"
TCPREMOTEIP=192.0.2.9
export TCPREMOTEIP

# rec USER: the record's file for USER
rec()
{
  echo "$L/u$(printf '%s' "$1" | sha256sum | cut -c1-64)"
}
hexu()
{
  printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}
fresh()
{
  rm -f "$L"/u* "$MD"/new/*
}

# --- LIMITS in both EHLO replies, MAXMSGS and MAXRCPTS configured
out=$(printf 'EHLO x\nQUIT\n' | lq MAXRCPTS=7 MAXMSGS=3)
like "$out" '
250 LIMITS RCPTMAX=7 MAILMAX=3
221' "postern-queue's EHLO: LIMITS RCPTMAX=MAXRCPTS MAILMAX=MAXMSGS (RFC 9422)"
out=$(printf 'EHLO x\nQUIT\n' | lq)
like "$out" '
250 LIMITS RCPTMAX=100 MAILMAX=100
221' "... the defaults: 100 and 100"
out=$(session smtpd MAXRCPTS=7 MAXMSGS=3 AUTHINSECURE=1 <<'S'
EHLO x
QUIT
S
)
like "$out" '
250-CHUNKING
250-LIMITS RCPTMAX=7 MAILMAX=3
250 AUTH PLAIN LOGIN
221' "the front's EHLO lists it too, before AUTH"
for bad in MAXMSGS=0 MAXMSGS=10001 MAXMSGS=x
do
  out=$(printf 'EHLO x\n' | session smtpd "$bad" | codes)
  is "$out" "421 4.3.0" "front: $bad is a configuration error"
done

# --- MAXMSGS: N messages accepted, MAIL N+1 gets 421 4.7.0 and the end
out=$( { msg; msg; msg; printf 'MAIL FROM:<alice@example.org>\nNOOP\n'; } | lq MAXMSGS=3 SMTPSESSIONID=t90a | codes)
is "$out" "235 2.7.0
$(okmsg; okmsg; okmsg)
421 4.7.0" "MAXMSGS=3: three messages, the fourth MAIL gets 421 4.7.0 and the session ends"
is "$(nmsgs "$MD")" 3 "... three delivered"
like "$(cat "$TMP/stderr")" 'postern-queue: info: limit refused user="alice" limit=session max=3 ip=192.0.2.9 sid=t90a$' "... the log line: limit=session max=3, the address and the session id"
fresh
out=$( { printf 'MAIL FROM:<a@example.org>\nRSET\nMAIL FROM:<a@example.org>\nRCPT TO:<b@example.org>\nRSET\n'; msg; printf 'MAIL FROM:<a@example.org>\n'; } | lq MAXMSGS=1 | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.0.0
250 2.1.0
250 2.1.5
250 2.0.0
$(okmsg)
421 4.7.0" "MAXMSGS counts messages accepted, not transactions"
out=$(printf 'MAIL FROM:<a@example.org>\n' | lq MAXMSGS=1 | codes)
is "$out" "235 2.7.0
250 2.1.0" "MAXMSGS=1: the first MAIL passes"
fresh
out=$( { i=0; while [ $i -lt 100 ]; do msg; i=$((i + 1)); done; printf 'MAIL FROM:<a@example.org>\n'; } | lq | codes | LC_ALL=C sort | uniq -c | sed 's/^ *//')
is "$out" "1 235 2.7.0
100 250 2.0.0
100 250 2.1.0
100 250 2.1.5
100 354
1 421 4.7.0" "the default MAXMSGS: 100 messages, the 101st MAIL gets 421 4.7.0"
is "$(nmsgs "$MD")" 100 "... 100 delivered"
fresh
out=$( { echo 'EHLO x'; msg; msg; } | RELAYCLIENT=1 MAXMSGS=1 session timeout "$T_LIMIT" postern-queue -m "$MD" | codes | grep -v '^250$')
is "$out" "220
$(okmsg; okmsg)" "without SMTPAUTHUSER (RELAYCLIENT) no cap applies"

# --- MSGLIMIT: 3 per hour across sessions; the fourth MAIL: 451 4.7.1
fresh
out=$( { msg; msg; } | lq LIMITDIR="$L" MSGLIMIT=3/1h | codes)
is "$out" "235 2.7.0
$(okmsg; okmsg)" "MSGLIMIT=3/1h: two messages in a first session"
out=$( { msg; printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<x@example.org>\nNOOP\n'; } | lq LIMITDIR="$L" MSGLIMIT=3/1h SMTPSESSIONID=t90b)
like "$(printf '%s\n' "$out" | codes | tr '\n' ' ')" '^235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 451 4.7.1 503 5.5.1 250 2.0.0 $' "... the third passes, the fourth MAIL gets 451 4.7.1 (no transaction: RCPT 503), the session goes on"
like "$out" '
451 4.7.1 Sending limit reached: 3 messages per 1h; try again in 3[56][0-9][0-9] seconds
' "... the text says which limit and when it frees"
like "$(cat "$TMP/stderr")" 'postern-queue: info: limit refused user="alice" limit=msgs max=3/1h ip=192.0.2.9 frees=[0-9]+ sid=t90b$' "... one log line: user, limit, address, when it frees, session id"
is "$(grep -c 'limit refused' "$TMP/stderr")" 1 "... exactly one"
frees=$(sed -n 's/.*limit=msgs.* frees=\([0-9]*\).*/\1/p' "$TMP/stderr")
like "$(cat "$(rec alice)")" "^pnlimit1 $(hexu alice) $frees 3 0 0\$" "the record: 3 messages in the window that ends when the log line says"
is "$(nmsgs "$MD")" 3 "three delivered"

# --- RCPTLIMIT: 5 recipients per day; RCPT 6 gets 452 4.5.3, the message goes
fresh
out=$( { msg 6; printf 'MAIL FROM:<alice@example.org>\n'; } | lq LIMITDIR="$L" RCPTLIMIT=5/1d)
is "$(printf '%s\n' "$out" | codes)" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.1.5
250 2.1.5
250 2.1.5
250 2.1.5
452 4.5.3
354
250 2.0.0
451 4.7.1" "RCPTLIMIT=5/1d: five recipients, the sixth RCPT gets 452 4.5.3, the message with five is delivered; MAIL then 451 4.7.1"
like "$out" '
452 4.5.3 Sending limit reached: 5 recipients per 1d; try again in 8[0-9][0-9][0-9][0-9] seconds
' "... RCPT: the recipient limit and when it frees"
like "$out" '
451 4.7.1 Sending limit reached: 5 recipients per 1d; try again in' "... MAIL too, naming the recipients"
like "$(cat "$TMP/stderr")" 'limit refused user="alice" limit=rcpts max=5/1d ip=192.0.2.9 frees=[0-9]+
.*limit refused user="alice" limit=rcpts max=5/1d ip=192.0.2.9 frees=[0-9]+$' "... two log lines, limit=rcpts"
is "$(grep -c 'r4@example.org' "$MD"/new/*)" 1 "... the message went to the five"

# --- what a transaction took comes back when it ends without a message
fresh
out=$( { printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<a@example.org>\nRCPT TO:<b@example.org>\nRSET\n'
  printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<a@example.org>\nEHLO again\n'
  printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<a@example.org>\nRCPT TO:<b@example.org>\nDATA\nn\0ul\n.\n'
  printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<a@example.org>\nBDAT 10000 LAST\n'
  head -c 10000 /dev/zero | tr '\0' x
  msg 2; printf 'MAIL FROM:<alice@example.org>\n'; } | lq LIMITDIR="$L" MSGLIMIT=1/1h RCPTLIMIT=2/1h DATABYTES=5000 | codes | grep -v '^250$')
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.1.5
250 2.0.0
250 2.1.0
250 2.1.5
250 2.1.0
250 2.1.5
250 2.1.5
354
554 5.6.0
250 2.1.0
250 2.1.5
552 5.3.4
$(okmsg 2)
451 4.7.1" "MSGLIMIT=1/1h RCPTLIMIT=2/1h: RSET, EHLO, a refused DATA, a refused BDAT give back; the message after them is the one counted"
is "$(nmsgs "$MD")" 1 "... one delivered"
like "$(cat "$(rec alice)")" "^pnlimit1 $(hexu alice) [0-9]+ 1 [0-9]+ 2\$" "... the record holds its message and two recipients"
# a session that ends in a transaction gives back too
fresh
printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<a@example.org>\n' | lq LIMITDIR="$L" MSGLIMIT=1/1h RCPTLIMIT=1/1h >/dev/null
like "$(cat "$(rec alice)")" " [0-9]+ 0 [0-9]+ 0\$" "the end of the session (EOF) in a transaction gives back"
out=$(msg | lq LIMITDIR="$L" MSGLIMIT=1/1h RCPTLIMIT=1/1h | codes)
is "$out" "235 2.7.0
$(okmsg)" "... so the next session sends its one message"
# a recipient the relay program refuses comes back
fresh
out=$(printf 'MAIL FROM:<alice@example.org>\nRCPT TO:<bad@example.org>\nRCPT TO:<a@example.org>\nRCPT TO:<b@example.org>\nRCPT TO:<c@example.org>\nQUIT\n' \
  | ( export LIMITDIR="$L" RCPTLIMIT=2/1h; qa pn-t-q-smtp "$TMP/relay.log" reject=bad ) | codes)
is "$out" "235 2.7.0
250 2.1.0
550 5.1.1
250 2.1.5
250 2.1.5
452 4.5.3
221 2.0.0" "relay: a RCPT the program refuses gives its recipient back (two more pass, the fourth is over)"

# --- windows that end: records written by hand
now=$(date +%s)
fresh
printf 'pnlimit1 %s %s 3 %s 5\n' "$(hexu alice)" $((now - 1)) $((now - 1)) >"$(rec alice)"
out=$(msg | lq LIMITDIR="$L" MSGLIMIT=3/1h RCPTLIMIT=5/1d | codes)
is "$out" "235 2.7.0
$(okmsg)" "a window that ended: the counts start again"
r=$(cat "$(rec alice)")
m=$(echo "$r" | cut -d' ' -f3)
like "$r" "^pnlimit1 $(hexu alice) [0-9]+ 1 [0-9]+ 1\$" "... one message, one recipient in the new windows"
ok "... the new message window ends an hour on" test "$m" -ge $((now + 3600)) -a "$m" -le $((now + 3700))
fresh
printf 'pnlimit1 %s %s 3 0 0\n' "$(hexu alice)" $((now + 100)) >"$(rec alice)"
out=$(msg | lq LIMITDIR="$L" MSGLIMIT=3/1h)
like "$out" '^235 2.7.0
451 4.7.1 Sending limit reached: 3 messages per 1h; try again in (9[0-9]|100) seconds
' "a window that has not ended: refused, freeing when its record says"
like "$(cat "$TMP/stderr")" "limit=msgs max=3/1h ip=192.0.2.9 frees=$((now + 100)) sid=[^ ]+$" "... the log line's frees= is the window's end"
fresh
printf 'pnlimit1 %s %s 3 0 0\n' "$(hexu alice)" $((now + 86400)) >"$(rec alice)"
out=$(msg | lq LIMITDIR="$L" MSGLIMIT=3/1h | codes | head -2)
is "$out" "235 2.7.0
451 4.7.1" "a window longer than the limit's (the limit was lowered): its count stays"
f=$(sed -n 's/.*limit=msgs.* frees=\([0-9]*\).*/\1/p' "$TMP/stderr")
ok "... but it frees within the new window" test "$f" -le $((now + 3700))
fresh
printf 'pnlimit1 %s %s 2 0 0\n' "$(hexu alice)" $((now + 86400)) >"$(rec alice)"
out=$(msg | lq LIMITDIR="$L" MSGLIMIT=3/1h | codes)
is "$out" "235 2.7.0
$(okmsg)" "... 2 of 3 counted: one more passes"
m=$(cut -d' ' -f3 "$(rec alice)")
ok "... and the window is cut to an hour" test "$m" -le $((now + 3700))

# --- a limit of 0: nothing, no time named
fresh
out=$(msg | lq LIMITDIR="$L" MSGLIMIT=0/1d SMTPSESSIONID=t90z)
like "$out" '^235 2.7.0
451 4.7.1 Sending limit reached: 0 messages per 1d
' "MSGLIMIT=0/1d: MAIL refused, no time to wait"
like "$(cat "$TMP/stderr")" 'limit refused user="alice" limit=msgs max=0/1d ip=192.0.2.9 frees=0 sid=t90z$' "... frees=0"
out=$(msg | lq LIMITDIR="$L" RCPTLIMIT=0/1d | codes | head -2)
is "$out" "235 2.7.0
451 4.7.1" "RCPTLIMIT=0/1d: MAIL refused too"

# --- unusable state: 451 4.3.0, a warning, never an open gate
fresh
echo garbage >"$(rec alice)"
out=$(msg | lq LIMITDIR="$L" MSGLIMIT=3/1h)
like "$out" '^235 2.7.0
451 4.3.0 Sending limits cannot be checked, try again later
' "a corrupt record: MAIL gets 451 4.3.0"
like "$(cat "$TMP/stderr")" "postern-queue: warning: limit state error user=\"alice\" ip=192.0.2.9 dir=$L: Protocol error" "... and the warning names the user, the address, the directory, the error"
is "$(cat "$(rec alice)")" garbage "... the record is left as it is"
is "$(nmsgs "$MD")" 0 "... nothing delivered"
out=$(msg | lq LIMITDIR="$TMP/md/new/nodir" MSGLIMIT=3/1h | codes | head -2)
is "$out" "235 2.7.0
451 4.3.0" "a missing LIMITDIR: 451 4.3.0"
: >"$TMP/afile"
out=$(msg | lq LIMITDIR="$TMP/afile" RCPTLIMIT=3/1h | codes | head -2)
is "$out" "235 2.7.0
451 4.3.0" "LIMITDIR a file: 451 4.3.0"
like "$(cat "$TMP/stderr")" 'limit state error .*: Not a directory' "... Not a directory"
fresh
: >"$(rec alice)"
flock -x "$(rec alice)" sleep 8 &
lockpid=$!
sleep 1
out=$(msg | lq LIMITDIR="$L" MSGLIMIT=3/1h | codes | head -2)
is "$out" "235 2.7.0
451 4.3.0" "a record locked by another process past the lock wait: 451 4.3.0"
like "$(cat "$TMP/stderr")" 'limit state error .*: Connection timed out' "... the wait timed out"
kill "$lockpid" 2>/dev/null; wait "$lockpid" 2>/dev/null

# --- malformed settings: 421 4.3.0 at the start
for bad in MSGLIMIT=5 MSGLIMIT=5/1w RCPTLIMIT=-1/1h RCPTLIMIT=1/0s SMTPLIMITS=msgs=1 'SMTPLIMITS=msgs=1/1h msgs=2/1h' MAXMSGS=0 MAXMSGS=10001
do
  out=$(printf 'NOOP\n' | lq LIMITDIR="$L" "$bad")
  is "$out" "421 4.3.0 Server configuration error, closing connection" "$bad: 421 4.3.0"
  like "$(cat "$TMP/stderr")" "postern-queue: fatal: bad value for ${bad%%=*}" "... fatal: bad value for ${bad%%=*}"
done

# --- SMTPLIMITS replaces the defaults key by key
fresh
out=$( { msg; msg; msg; } | lq LIMITDIR="$L" MSGLIMIT=1/1h RCPTLIMIT=5/1h SMTPLIMITS=msgs=2/1h | codes | grep -c '^451 4.7.1')
is "$out $(nmsgs "$MD")" "1 2" "SMTPLIMITS=msgs=2/1h over MSGLIMIT=1/1h: two messages, the third refused"
like "$(cat "$TMP/stderr")" 'limit=msgs max=2/1h' "... at the user's limit"
fresh
out=$( { msg 3; msg 3; } | lq LIMITDIR="$L" MSGLIMIT=5/1h RCPTLIMIT=5/1h SMTPLIMITS=msgs=9/1h | codes | grep -c '^452')
is "$out" 1 "... RCPTLIMIT still applies (5 recipients: the sixth refused)"

# --- no limits without SMTPAUTHUSER, or without LIMITDIR
fresh
out=$( { echo 'EHLO x'; msg; } | RELAYCLIENT=1 LIMITDIR="$L" MSGLIMIT=0/1d RCPTLIMIT=0/1d session timeout "$T_LIMIT" postern-queue -m "$MD" | codes | grep -v '^250$')
is "$out" "220
$(okmsg)" "RELAYCLIENT without SMTPAUTHUSER: no limits"
is "$(ls "$L" | wc -l | tr -d ' ')" 0 "... and no record"
out=$(msg | lq MSGLIMIT=0/1d | codes)
is "$out" "235 2.7.0
$(okmsg)" "MSGLIMIT without LIMITDIR: no limits"

# --- old records are expired now and then: at most 1 in 64 sessions looks
fresh
printf 'pnlimit1 %s %s 3 0 0\n' "$(hexu bob)" $((now - 10)) >"$(rec bob)"
i=0
while [ $i -lt 400 ] && [ -e "$(rec bob)" ]
do
  printf 'QUIT\n' | lq LIMITDIR="$L" MSGLIMIT=3/1h >/dev/null
  i=$((i + 1))
done
ok "an ended record is removed by a later session (after $i)" test ! -e "$(rec bob)"

done_testing
