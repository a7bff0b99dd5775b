#!/bin/sh
# The sending limits through the whole chain under tcpserver
# (conf/tcpserver/run: postern-smtpd, postern-checkpw -f with the
# password file's limits field, postern-queue): per-user limits written
# by postern-passwd -l against the defaults of the run script
# (MSGLIMIT, RCPTLIMIT), each at its boundary; then 20 sessions of one
# user at once, never passing the limit together, for messages and for
# recipients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
unset LIMITDIR MSGLIMIT RCPTLIMIT SMTPLIMITS MAXMSGS RECEIVEDPRIVATE || true

require "limits chain" "needs tcpserver and tcprules (ucspi-tcp)" d_have tcpserver tcprules
require_built "limits chain" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup
for u in 'carol:msgs=7/1h rcpts=100/1h' 'dave:rcpts=10/1h' 'erin:msgs=2/1h' 'frank:msgs=0/1d' 'greg:msgs=100/1h rcpts=10/1h' 'hank:msgs=50/1h'
do
  addpw "$TMP/passwd" "${u%%:*}" secret -m sha512crypt -l "${u#*:}" >/dev/null 2>&1 || bail "postern-passwd add -l"
done
L=$TMP/lim
mkdir "$L"
[ "$(id -u)" -eq 0 ] && chown "$ACCT:" "$L"
chmod 700 "$L"

d_tcprules
d_tcpserver lim "LIMITDIR=" "LIMITDIR=$L" "MSGLIMIT=" "MSGLIMIT=4/1h" "RCPTLIMIT=" "RCPTLIMIT=6/1h" \
  "AUTHINSECURE=" "AUTHINSECURE=1" "MAXCONN=40" "MAXCONN=60" || bail "tcpserver did not start: $(cat "$TMP/lim.log")"

# client.py PORT USER SESSIONS MSGS RCPTS: SESSIONS sessions of USER at
# once (they wait for each other after AUTH), each sending MSGS messages
# of RCPTS recipients; prints per session the codes of MAIL, RCPT, DATA
# (or "-" when not sent), sessions in order
cat >"$TMP/client.py" <<'EOF'
import smtplib, sys, threading
port, user, n, msgs, rcpts = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
barrier = threading.Barrier(n, timeout=60)
out = [None] * n

def session(k):
    res = []
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=60)
        s.ehlo("client.example")
        s.login(user, "secret")
        barrier.wait()
        for m in range(msgs):
            code = s.mail(user + "@example.org")[0]
            res.append(str(code))
            if code != 250:
                continue
            ok = 0
            for r in range(rcpts):
                c = s.rcpt("<r%d-%d-%d@example.org>" % (k, m, r))[0]
                res.append(str(c))
                ok += c == 250
            if ok:
                res.append(str(s.data(b"Subject: t\r\n\r\nbody\r\n")[0]))
            else:
                s.rset()
        s.quit()
    except Exception as e:
        res.append("error:" + type(e).__name__)
    out[k] = " ".join(res)

ts = [threading.Thread(target=session, args=(k,)) for k in range(n)]
for t in ts: t.start()
for t in ts: t.join()
print("\n".join(out))
EOF
client()
{
  timeout 300 python3 "$TMP/client.py" "$PORT" "$@" 2>&1
}
# rcptsto USER: the recipients delivered for USER's sessions (Envelope-To)
delivered_rcpts()
{
  cat "$OUTBOX"/new/* 2>/dev/null | grep -o '<r[0-9]*-[0-9]*-[0-9]*@example.org>' | wc -l | tr -d ' '
}
fresh()
{
  rm -f "$OUTBOX"/new/*
}

# --- per-user limits (postern-passwd -l) and the run script's defaults
out=$(client erin 1 3 1)
is "$out" "250 250 250 250 250 250 451" "erin (msgs=2/1h from the password file): two messages, the third MAIL 451"
out=$(client alice 1 5 1)
is "$out" "250 250 250 250 250 250 250 250 250 250 250 250 451" "alice (no limits field): MSGLIMIT=4/1h of the run script: four, the fifth 451"
out=$(client frank 1 1 1)
is "$out" "451" "frank (msgs=0/1d): frozen"
out=$(client dave 1 2 4)
is "$out" "250 250 250 250 250 250 250 250 250 250 250 250" "dave (rcpts=10/1h; MSGLIMIT=4/1h still): 8 recipients in two messages"
out=$(client dave 1 1 4)
is "$out" "250 250 250 452 452 250" "... two more, the 11th and 12th RCPT 452 4.5.3, the message goes"
like "$(cat "$TMP/lim.log")" 'postern-queue: info: limit refused user="erin" limit=msgs max=2/1h ip=127.0.0.1 frees=[0-9]+' "the log has erin's refusal at her own limit"
like "$(cat "$TMP/lim.log")" 'limit refused user="alice" limit=msgs max=4/1h ip=127.0.0.1 frees=[0-9]+' "... alice's at the default"
like "$(cat "$TMP/lim.log")" 'limit refused user="dave" limit=rcpts max=10/1h ip=127.0.0.1 frees=[0-9]+' "... dave's at his recipient limit"

out=$(client hank 1 1 7)
is "$out" "250 250 250 250 250 250 250 452 250" "hank (msgs=50/1h only): RCPTLIMIT=6/1h of the run script still applies, key by key"

# --- 20 sessions of one user at once
fresh
out=$(client carol 20 1 1)
is "$(printf '%s\n' "$out" | LC_ALL=C sort | uniq -c | sed 's/^ *//')" "7 250 250 250
13 451" "20 sessions of carol (msgs=7/1h) at once: exactly 7 messages pass, 13 MAIL get 451"
is "$(ls "$OUTBOX/new" | wc -l | tr -d ' ')" 7 "... 7 delivered"
fresh
out=$(client greg 20 1 3)
n250=$(printf '%s\n' "$out" | awk '{ for (i = 2; i <= NF; i++) if ($i == 250 && i < NF) n++ } END { print n + 0 }')
is "$n250" 10 "20 sessions of greg (rcpts=10/1h) at once, 3 recipients each: exactly 10 RCPT accepted in all"
is "$(delivered_rcpts)" 10 "... and 10 recipients delivered"
unlike "$out" 'error' "... no session failed"
is "$(ls "$L" | wc -l | tr -d ' ')" 7 "one record per user who sent: alice, carol, dave, erin, frank, greg, hank"

done_testing
