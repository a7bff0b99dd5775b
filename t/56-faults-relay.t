#!/bin/sh
# Faults of the downstream program (sendmail -bs): killed in the middle
# of the body, exiting after 354, answering garbage at the end of data;
# and the client vanishing mid-DATA in relay mode.  The step where the
# fault shows gets 451 4.3.0, the program never gets an end of data for a
# message that was not whole, the next transaction starts a fresh
# program, and no process is left behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

L=$TMP/down.log
ENV='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n'
SMALL="${ENV}"'DATA\r\nSubject: small\r\n\r\nhi\r\n.\r\n'
q()
{
  SMTPAUTHUSER=alice USER=alice feed "$@" 2>"$TMP/stderr" | tr -d '\r' | codes | tr '\n' ' '
}
gone()
{
  sleep 0.5
  is "$(pgrep -x -f "$1" | wc -l | tr -d ' ')" 0 "$2: no program left running"
}

# the program is killed with SIGKILL while the body comes in
rm -f "$L" "$TMP/gate"
printf "${ENV}"'DATA\r\nSubject: killed\r\n\r\nfirst half\r\n' > "$TMP/part1"
{ cat "$TMP/part1"; i=0; while [ $i -lt 2000 ]; do printf 'second half %d\r\n' $i; i=$((i + 1)); done; printf '.\r\n'"${SMALL}"'QUIT\r\n'; } > "$TMP/in"
on "$TMP/gate" 'grep -q "^data$" "$L" 2>/dev/null' 'pkill -KILL -x -f "pn-t-q-smtp $L"'
out=$(q --chunk "$(size "$TMP/part1")" --gate "$TMP/gate" -- postern-queue pn-t-q-smtp "$L")
wait
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " \
  "program killed mid-body: 451 4.3.0 at the end of data; the next message goes through"
is "$(grep -c '^cmd EHLO' "$L")" 2 "... with a fresh program"
is "$(grep -c '^end$' "$L")" 1 "... only the second message was ended"
like "$(cat "$TMP/stderr")" 'program failed' "... and the log says so"
gone "pn-t-q-smtp $L" "killed"

# the program exits right after its 354
cat > "$TMP/quit354.py" <<'EOF'
import sys
w = sys.stdout.buffer
w.write(b"220 x ESMTP\r\n"); w.flush()
for line in sys.stdin.buffer:
    if line.startswith(b"DATA"):
        w.write(b"354 go\r\n"); w.flush()
        sys.exit(0)
    w.write(b"250 ok\r\n"); w.flush()
EOF
{ printf "${ENV}"'DATA\r\nSubject: x\r\n\r\n'; i=0; while [ $i -lt 5000 ]; do printf 'body line %d\r\n' $i; i=$((i + 1)); done; printf '.\r\nQUIT\r\n'; } > "$TMP/in"
is "$(q -- postern-queue "$PY" "$TMP/quit354.py")" "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 221 2.0.0 " \
  "program exits after 354: 451 4.3.0 at the end of data"

# garbage or a wrong code at the end of data, garbage to DATA
for k in garbage=DOT long=DOT many=DOT r421=DOT
do
  rm -f "$L"
  printf "${SMALL}${SMALL}"'QUIT\r\n' > "$TMP/in"
  is "$(q -- postern-queue pn-t-q-smtp "$L" "$k")" "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 250 2.1.0 250 2.1.5 354 451 4.3.0 221 2.0.0 " \
    "$k: 451 4.3.0 at the end of data, each time, never 250"
done
rm -f "$L"
printf "${SMALL}"'QUIT\r\n' > "$TMP/in"
is "$(q -- postern-queue pn-t-q-smtp "$L" garbage=DATA)" "235 2.7.0 250 2.1.0 250 2.1.5 451 4.3.0 500 5.5.1 500 5.5.1 500 5.5.1 500 5.5.1 221 2.0.0 " \
  "garbage to DATA: 451 4.3.0, the body is not taken as data"
is "$(grep -c '^data$' "$L")" 0 "... and never reaches the program"

# the client vanishes mid-DATA: the program is stopped without an end
rm -f "$L"
printf "${ENV}"'DATA\r\nSubject: cut\r\n\r\nhalf a message\r\n' > "$TMP/in"
printf 'the rest\r\n.\r\n' >> "$TMP/in"
is "$(q --sock --chunk 74 --cut --stats "$TMP/st" -- postern-queue pn-t-q-smtp "$L")" "235 2.7.0 250 2.1.0 250 2.1.5 354 " \
  "client gone mid-DATA: no reply"
is "$(report_get "$TMP/st" status)" 0 "... exit 0"
is "$(grep -c '^end$' "$L")" 0 "... the program never got an end of data"
gone "pn-t-q-smtp $L" "client gone"

# the same with exim's sendmail -bs, when it is there: nothing queued
if [ -x /usr/sbin/exim4 ] && [ "$(id -u)" -eq 0 ]
then
  # a subject of this run's own: other tests may queue mail in exim at
  # the same time, so the queue's length proves nothing
  tag="cut-$$-$(date +%s)"
  printf "${ENV}"'DATA\r\nSubject: %s\r\n\r\nhalf a message\r\n' "$tag" > "$TMP/in"
  q --sock --cut -- postern-queue /usr/sbin/exim4 -bs >/dev/null
  sleep 1
  is "$(cat /var/spool/exim4/input/*-H 2>/dev/null | grep -c "$tag")" 0 "exim -bs: a message cut by the client is not queued"
else
  skip "exim -bs: nothing queued" "needs exim4 and root"
fi

done_testing
