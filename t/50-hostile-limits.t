#!/bin/sh
# Hostile input against the limits: overlong lines in every phase,
# megabytes without a newline, clients that stop reading or stop
# sending, a downstream program that stops reading.  Each gets its exact
# reply, a long line is never split into commands, the program's memory
# stays bounded (peak resident size below maxrss_limit, whatever the
# input's size) and so does its time: SMTPTIMEOUT bounds every write as
# well as every read.  The time bound asserted is generous (the machine
# may be busy); a program stuck for good would be killed only at --limit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

MB32=33554432
MD=$TMP/md
maildir "$MD"
bigfile "$TMP/big" $MB32
LIMIT=$(maxrss_limit)

bounded()
{
  rss=$(report_get "$TMP/st" maxrss)
  if [ "${rss:-999999999}" -lt "$LIMIT" ]
  then
    t_result 0 "$1: memory bounded"
  else
    t_result 1 "$1: memory bounded"
    echo "#   peak resident size ${rss} KB, limit $LIMIT KB"
  fi
}

# postern-smtpd, command phase: 32 MB then CRLF; the socket lets the
# front read more than a byte at a time, as it does under tcpserver.
{ printf 'EHLO c.example\r\nNOOP '; cat "$TMP/big"; printf '\r\nNOOP\r\nQUIT\r\n'; } > "$TMP/in"
out=$(feed --sock --stats "$TMP/st" -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$')
is "$out" "220
500 5.5.6
250 2.0.0
221 2.0.0" "smtpd: 32 MB command line: one 500 5.5.6, the session goes on"
bounded "smtpd command line"
is "$(report_get "$TMP/st" status)" 0 "smtpd: exit 0"

# the long line is discarded whole: what follows its 512th byte is no command
{ printf 'NOOP '; head -c 600 "$TMP/big"; printf 'QUIT\r\nNOOP\r\n'; head -c 5000 "$TMP/big"; printf '\r\nQUIT\r\n'; } > "$TMP/in"
out=$(feed -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes)
is "$out" "220
500 5.5.6
250 2.0.0
500 5.5.6
221 2.0.0" "smtpd: a 605-byte line ending in QUIT is one bad line, not a QUIT"

# AUTH phase: a response of 32 MB
{ printf 'EHLO c.example\r\nAUTH LOGIN\r\n'; cat "$TMP/big"; printf '\r\nNOOP\r\nQUIT\r\n'; } > "$TMP/in"
rm -f "$TMP/fd3"
out=$(T_FD3=$TMP/fd3 feed --sock --stats "$TMP/st" -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$')
is "$out" "220
334
500 5.5.6
250 2.0.0
221 2.0.0" "smtpd: 32 MB AUTH response: 500 5.5.6, the session goes on"
bounded "smtpd AUTH response"
ok "smtpd: the verifier was not called" test ! -e "$TMP/fd3"

# an initial response of 32 MB on the AUTH line itself
{ printf 'EHLO c.example\r\nAUTH PLAIN '; head -c 1048576 "$TMP/big"; printf '\r\nQUIT\r\n'; } > "$TMP/in"
out=$(T_FD3=$TMP/fd3 feed --sock -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$')
is "$out" "220
500 5.5.6
221 2.0.0" "smtpd: 1 MB AUTH line: 500 5.5.6"
ok "smtpd: the verifier was not called" test ! -e "$TMP/fd3"

# no newline at all, then the client goes away
{ printf 'EHLO c.example\r\n'; cat "$TMP/big"; } > "$TMP/in"
out=$(feed --sock --stats "$TMP/st" -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$')
is "$out" "220" "smtpd: 32 MB and EOF: no reply to a line that never ended"
bounded "smtpd unterminated line"
is "$(report_get "$TMP/st" status)" 0 "smtpd: exit 0 at EOF"

# postern-queue, command phase
{ printf 'NOOP '; cat "$TMP/big"; printf '\r\nNOOP\r\nQUIT\r\n'; } > "$TMP/in"
out=$(SMTPAUTHUSER=alice USER=alice feed --stats "$TMP/st" -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes)
is "$out" "235 2.7.0
500 5.5.6
250 2.0.0
221 2.0.0" "queue: 32 MB command line: one 500 5.5.6"
bounded "queue command line"

{ printf 'MAIL FROM:<a@example.org> '; head -c 600 "$TMP/big"; printf 'RCPT TO:<b@example.org>\r\nQUIT\r\n'; } > "$TMP/in"
out=$(SMTPAUTHUSER=alice USER=alice feed -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes)
is "$out" "235 2.7.0
500 5.5.6
221 2.0.0" "queue: a long MAIL line ending in RCPT is one bad line"

# DATA: one line of 32 MB over DATABYTES, then a good message
MSG='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n'
{ printf "$MSG"; printf 'Subject: big\r\n\r\n'; cat "$TMP/big"; printf '\r\n.\r\n'"$MSG"'Subject: small\r\n\r\nhi\r\n.\r\nQUIT\r\n'; } > "$TMP/in"
out=$(DATABYTES=1000 SMTPAUTHUSER=alice USER=alice feed --stats "$TMP/st" -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
354
552 5.3.4
250 2.1.0
250 2.1.5
354
250 2.0.0
221 2.0.0" "queue: a 32 MB DATA line over DATABYTES: 552 5.3.4, the next message passes"
bounded "queue DATA line"
is "$(nfiles "$MD/new")" 1 "queue: only the small message delivered"
like "$(cat "$MD"/new/*)" 'Subject: small' "... it is the small one"
is "$(nfiles "$MD/tmp")" 0 "queue: nothing left in tmp/"
rm -f "$MD"/new/*

# DATA without its terminator, then EOF: nothing delivered
{ printf "$MSG"; printf 'Subject: cut\r\n\r\n'; cat "$TMP/big"; } > "$TMP/in"
out=$(SMTPAUTHUSER=alice USER=alice feed --stats "$TMP/st" -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
354" "queue: DATA cut by EOF: no reply after 354"
is "$(report_get "$TMP/st" status)" 0 "queue: exit 0"
is "$(nfiles "$MD/new")$(nfiles "$MD/tmp")" "00" "queue: nothing in new/ nor tmp/"
bounded "queue DATA to EOF"

# BDAT: a 32 MB chunk without a newline, over DATABYTES
{ printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT %d LAST\r\n' $MB32; cat "$TMP/big"; printf 'QUIT\r\n'; } > "$TMP/in"
out=$(DATABYTES=1000 SMTPAUTHUSER=alice USER=alice feed --stats "$TMP/st" -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
552 5.3.4
221 2.0.0" "queue: a 32 MB BDAT chunk over DATABYTES: read, 552 5.3.4"
bounded "queue BDAT chunk"
is "$(nfiles "$MD/new")$(nfiles "$MD/tmp")" "00" "queue: nothing delivered"

# ... and within DATABYTES: delivered whole, memory still bounded
{ printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT %d LAST\r\n' $MB32; cat "$TMP/big"; printf 'QUIT\r\n'; } > "$TMP/in"
out=$(DATABYTES=0 SMTPAUTHUSER=alice USER=alice feed --stats "$TMP/st" -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.0.0
221 2.0.0" "queue: a 32 MB line in BDAT without a size limit is delivered"
bounded "queue 32 MB delivery"
f=$(ls "$MD/new" | head -1)
is "$(tail -c 2 "$MD/new/$f" | od -An -c | tr -d ' ')" 'x\n' "... whole, with a line end added"
rm -f "$MD"/new/*

# the downstream program's reply phase: a reply line without end
cat > "$TMP/down.py" <<'EOF'
import sys
w = sys.stdout.buffer
w.write(b"220 down ESMTP\r\n"); w.flush()
for line in sys.stdin.buffer:
    if line.startswith(b"EHLO"):
        w.write(b"250 down\r\n")
    elif line.startswith(b"MAIL"):
        # in pieces: the program's own peak size counts in the
        # measure (postern-queue waits for it), and must stay small
        w.write(b"250 ")
        for i in range(128):
            w.write(b"y" * 65536)
        w.flush()
        sys.stdin.buffer.read()
        break
    else:
        w.write(b"250 ok\r\n")
    w.flush()
EOF
printf "${MSG}"'QUIT\r\n' > "$TMP/in"
out=$(SMTPAUTHUSER=alice USER=alice feed --stats "$TMP/st" -- postern-queue "$PY" "$TMP/down.py" 2>/dev/null | tr -d '\r' | codes)
is "$out" "235 2.7.0
451 4.3.0
503 5.5.1
503 5.5.1
221 2.0.0" "queue: an 8 MB reply line from the program: 451 4.3.0 at MAIL"
bounded "queue program reply"


BOUND=60

quick()
{
  e=$(report_get "$TMP/st" elapsed)
  if [ -n "$e" ] && [ "${e%.*}" -lt "$BOUND" ]
  then
    t_result 0 "$1: ended in ${e} s"
  else
    t_result 1 "$1: ended in ${e:-?} s (bound $BOUND s)"
  fi
  is "$(report_get "$TMP/st" status)" 0 "$1: exit 0"
}

# a client that sends many commands and never reads a reply
{ printf 'EHLO c\r\n'; i=0; while [ $i -lt 100000 ]; do printf 'HELP\r\n'; i=$((i + 1)); done; } > "$TMP/in"
SMTPTIMEOUT=2 feed --noread --limit 300 --stats "$TMP/st" -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>"$TMP/stderr" >/dev/null
quick "smtpd, client not reading"
# (before AUTH the cap of 50 command lines usually ends it first)
like "$(cat "$TMP/stderr")" 'end reason=(write|timeout|commands)' "smtpd: the log says why"
SMTPTIMEOUT=2 SMTPAUTHUSER=alice USER=alice feed --noread --limit 300 --stats "$TMP/st" -- postern-queue -m "$MD" 2>"$TMP/stderr" >/dev/null
quick "queue, client not reading"
SMTPTIMEOUT=2 feed --sock --noread --limit 300 --stats "$TMP/st" -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null >/dev/null
quick "smtpd on a socket, client not reading"

# ... through the whole chain, after AUTH
{ printf 'EHLO c\r\nAUTH PLAIN %s\r\n' "$(b64 '\0alice\0secret')"; i=0; while [ $i -lt 100000 ]; do printf 'HELP\r\n'; i=$((i + 1)); done; } > "$TMP/in"
SMTPTIMEOUT=2 feed --sock --noread --limit 300 --stats "$TMP/st" -- postern-smtpd pn-t-checkpw postern-queue -m "$MD" 2>/dev/null >/dev/null
quick "chain, client not reading"

# a client that stops sending: 421 4.4.2 after SMTPTIMEOUT, in each phase
printf 'EHLO c\r\nNOO' > "$TMP/in"
out=$(SMTPTIMEOUT=2 feed --sock --hold 200 --limit 300 --stats "$TMP/st" -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' ')
is "$out" "220 421 4.4.2 " "smtpd, a command not finished: 421 4.4.2"
quick "smtpd, client silent"
printf 'EHLO c\r\nAUTH LOGIN\r\n' > "$TMP/in"
out=$(SMTPTIMEOUT=2 feed --sock --hold 200 --limit 300 --stats "$TMP/st" -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' ')
is "$out" "220 334 421 4.4.2 " "smtpd, silent in an AUTH exchange: 421 4.4.2"
quick "smtpd, silent in AUTH"
printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\nhalf a mess' > "$TMP/in"
out=$(SMTPTIMEOUT=2 SMTPAUTHUSER=alice USER=alice feed --hold 200 --limit 300 --stats "$TMP/st" -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 354 421 4.4.2 " "queue, silent in DATA: 421 4.4.2"
quick "queue, silent in DATA"
is "$(nfiles "$MD/new")$(nfiles "$MD/tmp")" "00" "queue, silent in DATA: nothing delivered, nothing left"
printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 100 LAST\r\nabc' > "$TMP/in"
out=$(SMTPTIMEOUT=2 SMTPAUTHUSER=alice USER=alice feed --hold 200 --limit 300 --stats "$TMP/st" -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 421 4.4.2 " "queue, silent in a BDAT chunk: 421 4.4.2"
is "$(nfiles "$MD/new")$(nfiles "$MD/tmp")" "00" "queue, silent in BDAT: nothing delivered, nothing left"

# a downstream program that stops reading in the middle of the body
cat > "$TMP/stuck.py" <<'EOF'
import sys, time
w = sys.stdout.buffer
r = sys.stdin.buffer
w.write(b"220 stuck ESMTP\r\n"); w.flush()
while True:
    line = r.readline()
    if not line:
        break
    if line.startswith(b"DATA"):
        w.write(b"354 go\r\n"); w.flush()
        time.sleep(600)
    w.write(b"250 ok\r\n"); w.flush()
EOF
{ printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\n'
  i=0; while [ $i -lt 20000 ]; do printf 'a line of text that the program will never read, number %d\r\n' $i; i=$((i + 1)); done
  printf '.\r\nQUIT\r\n'; } > "$TMP/in"
out=$(SMTPTIMEOUT=2 SMTPAUTHUSER=alice USER=alice feed --limit 300 --stats "$TMP/st" -- postern-queue "$PY" "$TMP/stuck.py" 2>/dev/null | tr -d '\r' | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 221 2.0.0 " "program stops reading the body: 451 4.3.0 at the end, the session goes on"
quick "queue, program not reading"
sleep 1
is "$(pgrep -f "$TMP/stuck.py" | wc -l | tr -d ' ')" 0 "the stuck program is gone"

done_testing
