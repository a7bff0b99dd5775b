#!/bin/sh
# postern-smtpd: the hand-off to the checkpassword program and what the
# rest of the chain receives.
. "$(dirname "$0")/lib.sh"

ok_plain=$(printf '\0alice\0secret' | base64 -w0)
run()
{
  rm -f "$TMP/r"
  printf "EHLO helo.example\r\nAUTH PLAIN $ok_plain\r\n$1" | "$@" 2>"$TMP/err" | tr -d '\r' | sed '1,/^250 /d' | codes
}
chain()
{
  x=$1
  shift
  rm -f "$TMP/r"
  printf "EHLO helo.example\r\nAUTH PLAIN $ok_plain\r\n$x" | smtpd "$@" 2>"$TMP/err" | tr -d '\r' | sed '1,/^250 /d' | codes
}

# The verifier's exit status
is "$(chain 'QUIT\r\n' T_CHECKPW_STATUS=1)" "535 5.7.8
221 2.0.0" "verifier exits 1: 535 5.7.8, dialogue goes on"
is "$(chain 'QUIT\r\n' T_CHECKPW_STATUS=2)" "454 4.7.0
221 2.0.0" "verifier exits 2: 454 4.7.0"
is "$(chain 'QUIT\r\n' T_CHECKPW_STATUS=111)" "454 4.7.0
221 2.0.0" "verifier exits 111: 454 4.7.0"
is "$(chain 'QUIT\r\n' T_CHECKPW_STATUS=sig)" "421 4.3.0" "verifier killed by a signal: 421 4.3.0, session ends"
is "$(chain 'MAIL FROM:<a@b.example>\r\n' T_CHECKPW_STATUS=zero)" "" "verifier exits 0 without exec: no 235, nothing more from the front"
printf "EHLO x\r\nAUTH PLAIN $ok_plain\r\nQUIT\r\n" | smtpd T_CHECKPW_STATUS=zero >/dev/null 2>&1
is "$?" 0 "... and the front exits with its status"
printf "EHLO x\r\nAUTH PLAIN $ok_plain\r\n" | postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 7 >/dev/null 2>&1
is "$?" 7 "the session's exit status is the front's"
is "$(printf "EHLO x\r\nAUTH PLAIN $ok_plain\r\nQUIT\r\n" | postern-smtpd /nonexistent/verifier 2>"$TMP/err" | tr -d '\r' | sed '1,/^250 /d' | codes)" "454 4.7.0
221 2.0.0" "verifier not found: 454 4.7.0"
like "$(cat "$TMP/err")" 'warning: unable to start /nonexistent/verifier: No such file or directory' "... and the log says why"
like "$(cat "$TMP/err")" 'auth fail user="alice" mech=PLAIN ip=none reason=spawn' "... and names the failure spawn"

# The hand-off: nothing read past the AUTH line
is "$(chain 'MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\n')" "235 2.7.0" "success: the continuation, not the front, says 235"
is "$(report_stdin "$TMP/r")" "MAIL FROM:<a@b.example>
RCPT TO:<c@d.example>" "bytes pipelined after AUTH (one write) reach the continuation"
python3 - "$TMP/r" "$ok_plain" <<'PY' 2>/dev/null
import subprocess, sys, os
report, b64 = sys.argv[1], sys.argv[2]
r, w = os.pipe()
p = subprocess.Popen(["postern-smtpd", "pn-t-checkpw", "pn-t-report", report], stdin=r, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(r)
os.write(w, ("EHLO x\r\nAUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\nDATA\r\nfoo\r\n").encode())
os.close(w)
p.wait()
PY
is "$(report_stdin "$TMP/r")" "DATA
foo" "LOGIN: bytes after the password response reach the continuation"

printf "EHLO x\r\nNOOP\r\nAUTH PLAIN $ok_plain\r\nMAIL FROM:<f@file.example>\r\nQUIT\r\n" > "$TMP/in"
rm -f "$TMP/r"
smtpd < "$TMP/in" >/dev/null 2>&1
is "$(report_stdin "$TMP/r")" "MAIL FROM:<f@file.example>
QUIT" "input from a regular file: the bytes after AUTH reach the continuation"

# The environment of the chain
chain '' USER=mallory SMTPAUTHUSER=mallory SMTPHOSTNAME=mx.example >/dev/null
r=$(cat "$TMP/r")
like "$r" '^env SMTPAUTHUSER=alice$' "SMTPAUTHUSER is the authenticated name"
unlike "$r" 'SMTPAUTHUSER=mallory' "an inherited SMTPAUTHUSER is replaced"
like "$r" '^env SMTPAUTHMECH=PLAIN$' "SMTPAUTHMECH"
like "$r" '^env SMTPHELO=helo.example$' "SMTPHELO"
like "$r" '^env SMTPPROTO=ESMTP$' "SMTPPROTO"
like "$r" '^env USER=alice$' "USER comes from the verifier"
unlike "$r" 'mallory' "an inherited USER never reaches the chain"
python3 - "$TMP" <<'PY'
import os, subprocess, sys
# a verifier that records its own environment: pn-t-report as the verifier
tmp = sys.argv[1]
env = dict(os.environ, USER="mallory")
subprocess.run(["postern-smtpd", "pn-t-report", tmp + "/v"], input=b"EHLO x\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
PY
unlike "$(cat "$TMP/v")" '^env USER=' "the verifier runs with USER removed"

done_testing
