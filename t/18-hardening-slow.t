#!/bin/sh
# A slow client cannot hold a process (issue 16, finding 5): SMTPTIMEOUT
# bounds each whole line (command, AUTH response, message line, 64 KiB
# of a BDAT chunk), the front allows SMTPAUTHTIMEOUT seconds and 50
# commands before AUTH, postern-queue SMTPSESSIONTIMEOUT seconds.  Each
# client trickles: it would go on far past the bound if let.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd
require_built "slow clients" postern-smtpd postern-queue t/pn-t-checkpw
SLOW="$(cd "$(dirname "$0")" && pwd)/helpers/pn-t-slow.py"
SID='sid=[0-9A-Za-z._-]+'
TIMEOUT='421 4.4.2 Timeout, closing connection
closed early
server closed
exit 0'
export TCPREMOTEIP=192.0.2.9 AUTHINSECURE=1

# front NAME SCRIPT [VAR=VALUE...]: the front (with pn-t-checkpw and
# postern-queue -m $MD) under the slow client; its log in $TMP/NAME.log
front()
{
  t_n=$1 t_s=$2
  shift 2
  : >"$TMP/$t_n.log"
  env "$@" timeout 150 python3 "$SLOW" "$TMP/$t_n.log" "$t_s" \
    postern-smtpd pn-t-checkpw postern-queue -m "$MD"
}

# queue NAME SCRIPT [VAR=VALUE...]: postern-queue after AUTH, the same way
queue()
{
  t_n=$1 t_s=$2
  shift 2
  : >"$TMP/$t_n.log"
  env SMTPAUTHUSER=alice USER=alice "$@" timeout 150 python3 "$SLOW" "$TMP/$t_n.log" "$t_s" \
    postern-queue -m "$MD"
}

# ends NAME: the end lines of its log
ends()
{
  grep ' end ' "$TMP/$1.log"
}

# A NOOP every 1.5 s, each line well within SMTPTIMEOUT=2: SMTPAUTHTIMEOUT
# ends it, while it waits.
out=$(front authto 's EHLO c\r\n ; r ; n 14 1.5 NOOP\r\n' SMTPTIMEOUT=2 SMTPAUTHTIMEOUT=5)
is "$(printf '%s\n' "$out" | tail -n 4)" "$TIMEOUT" "a NOOP every 1.5 s: SMTPAUTHTIMEOUT ends it with 421 4.4.2"
like "$(printf '%s\n' "$out" | grep -c '^250 2.0.0 OK$')" '^[1-4]$' "... after a few NOOPs"
like "$(ends authto)" "^postern-smtpd: info: end reason=timeout ip=192\\.0\\.2\\.9 $SID\$" "... logged: one end line, reason=timeout"

# One command line, a byte every 0.5 s: SMTPTIMEOUT=2 bounds the line.
out=$(front line 's EHLO c\r\n ; r ; d 0.5 NOOP this line comes slowly\r\n' SMTPTIMEOUT=2)
is "$(printf '%s\n' "$out" | tail -n 4)" "$TIMEOUT" "a command line a byte at a time: SMTPTIMEOUT bounds the whole line"
like "$(ends line)" "^postern-smtpd: info: end reason=timeout ip=192\\.0\\.2\\.9 $SID\$" "... logged"

# The same for the response to a 334.
out=$(front resp 's EHLO c\r\n ; r ; s AUTH PLAIN\r\n ; r ; d 0.5 AGFsaWNlAHNlY3JldA==\r\n' SMTPTIMEOUT=2)
is "$(printf '%s\n' "$out" | tail -n 5)" "334 
$TIMEOUT" "an AUTH response a byte at a time: cut as well"
like "$(ends resp)" "^postern-smtpd: info: end reason=timeout ip=192\\.0\\.2\\.9 $SID\$" "... logged"

# A BDAT chunk before AUTH (read and dropped) a byte at a time.
out=$(front bdat 's EHLO c\r\n ; r ; s BDAT 24 LAST\r\n ; d 0.5 abcdefghijklmnopqrstuvw\n' SMTPTIMEOUT=2)
is "$(printf '%s\n' "$out" | tail -n 4)" "$TIMEOUT" "the front: a BDAT chunk a byte at a time is cut"
like "$(ends bdat)" "^postern-smtpd: info: end reason=timeout ip=192\\.0\\.2\\.9 $SID\$" "... logged"

# 50 commands before AUTH, EHLO and AUTH counted: the 51st gets 421 4.7.0.
n48=$(i=0; while [ $i -lt 48 ]; do printf 'NOOP\\r\\n'; i=$((i + 1)); done)
out=$(front cap "s EHLO c\\r\\n ; r ; s AUTH PLAIN AGFsaWNlAHdyb25n\\r\\n ; r ; s ${n48}NOOP\\r\\n ; w 5")
is "$(printf '%s\n' "$out" | grep -c '^250 2.0.0 OK$')" "48" "50 commands (EHLO, a failed AUTH, 48 NOOPs) are answered"
is "$(printf '%s\n' "$out" | tail -n 4)" "421 4.7.0 Too many commands, closing connection
script done
server closed
exit 0" "the 51st gets 421 4.7.0 and the connection closes"
like "$(ends cap)" "^postern-smtpd: info: end reason=commands ip=192\\.0\\.2\\.9 $SID\$" "... logged: reason=commands"

# An AUTH as the 50th command (EHLO, 48 NOOPs, AUTH) still succeeds; the session after it has no cap.
out=$(front cap50 "s EHLO c\\r\\n ; r ; s ${n48}AUTH PLAIN AGFsaWNlAHNlY3JldA==\\r\\nNOOP\\r\\nNOOP\\r\\nNOOP\\r\\nQUIT\\r\\n ; w 5")
is "$(printf '%s\n' "$out" | tail -n 8)" "235 2.7.0 Authentication successful
250 2.0.0 OK
250 2.0.0 OK
250 2.0.0 OK
221 2.0.0 Bye
script done
server closed
exit 0" "AUTH as the 50th command succeeds; the session goes on past 50 commands"

# postern-queue: a NOOP every second, SMTPSESSIONTIMEOUT=4 ends it.
out=$(queue sess 'r ; n 14 1 NOOP\r\n' SMTPTIMEOUT=2 SMTPSESSIONTIMEOUT=4)
is "$(printf '%s\n' "$out" | tail -n 4)" "$TIMEOUT" "postern-queue: a NOOP every second, SMTPSESSIONTIMEOUT ends it with 421 4.4.2"
like "$(ends sess)" "^postern-queue: info: end reason=timeout user=\"alice\" ip=192\\.0\\.2\\.9 $SID\$" "... logged: one end line, reason=timeout, with user and ip"

# DATA: one line of the message a byte at a time.
TX='s MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n ; r ; r'
out=$(queue data "r ; $TX ; s DATA\\r\\n ; r ; s Subject: x\\r\\n\\r\\n ; d 0.5 a line of the body sent slowly\\r\\n" SMTPTIMEOUT=2)
is "$(printf '%s\n' "$out" | tail -n 5)" "354 End data with <CR><LF>.<CR><LF>
$TIMEOUT" "DATA: a line a byte at a time is cut by SMTPTIMEOUT"
like "$(ends data)" "^postern-queue: info: end reason=timeout user=\"alice\" ip=192\\.0\\.2\\.9 $SID\$" "... logged"
is "$(ls "$MD/new"; ls "$MD/tmp")" "" "... nothing delivered, nothing left in tmp"

# BDAT: a chunk a byte at a time.
out=$(queue chunk "r ; $TX ; s BDAT 24 LAST\\r\\n ; d 0.5 abcdefghijklmnopqrstuvw\\n" SMTPTIMEOUT=2)
is "$(printf '%s\n' "$out" | tail -n 4)" "$TIMEOUT" "BDAT: a chunk a byte at a time is cut by SMTPTIMEOUT"
like "$(ends chunk)" "^postern-queue: info: end reason=timeout user=\"alice\" ip=192\\.0\\.2\\.9 $SID\$" "... logged"
is "$(ls "$MD/new"; ls "$MD/tmp")" "" "... nothing delivered, nothing left in tmp"

# Lines that come in time are not cut: a whole body in lines, each well
# within SMTPTIMEOUT, though the message takes longer than it.
out=$(queue ok "r ; $TX ; s DATA\\r\\n ; r ; n 4 1 a line\\r\\n ; s .\\r\\n ; r ; s QUIT\\r\\n ; r" SMTPTIMEOUT=2)
like "$(printf '%s\n' "$out" | sed -n 5p)" '^250 2\.0\.0 ' "a message of lines that each come in time is taken, though it takes longer than SMTPTIMEOUT"

# The values are checked.
for v in SMTPAUTHTIMEOUT=abc SMTPAUTHTIMEOUT=0 SMTPSESSIONTIMEOUT=x SMTPSESSIONTIMEOUT=0
do
  is "$(printf 'QUIT\r\n' | env "$v" postern-smtpd pn-t-checkpw true 2>/dev/null | tr -d '\r')" \
    "421 4.3.0 Server configuration error, closing connection" "$v: 421 4.3.0 from the front"
  is "$(printf 'QUIT\r\n' | env "$v" RELAYCLIENT=1 postern-queue -m "$MD" 2>/dev/null | tr -d '\r')" \
    "421 4.3.0 Server configuration error, closing connection" "$v: 421 4.3.0 from postern-queue"
done

done_testing
