#!/bin/sh
# Privileges.  A deployment with no root at all: tcpserver, postern-smtpd,
# postern-checkpw -f (virtual users) and postern-queue -m all run as one
# unprivileged account, end to end over TCP.  And as root,
# postern-checkpw never runs a session with privileges: it refuses (111)
# when it cannot drop them, and no account, -a or -u makes a session run
# as root or with root's group.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

mkout
cd "$TMP" || exit 1

# The account: a fresh one when we are root (run everything through
# setpriv), else ourselves.
if isroot
then
  if ! command -v setpriv >/dev/null 2>&1
  then
    skip "no-root deployment" "needs setpriv"
    done_testing
  fi
  U=pnt$$n
  mkuser "$U" "$TMP/hu" || bail "cannot create the test account"
  AS="setpriv --reuid=$U --regid=$(id -g "$U") --init-groups"
  HU=$TMP/hu
else
  U=$(id -un)
  AS=
  HU=$(getent passwd "$(id -u)" | cut -d: -f6)
fi
UID_U=$(id -u "$U")
SVC=$TMP/svc
mkdir -p "$SVC"
maildir "$SVC/Maildir"
addpw "$SVC/passwd" alice secret -m sha512crypt >/dev/null 2>&1 || bail "postern-passwd"
# the record names root as the account: without privileges it must not matter
addpw "$SVC/passwd" bob other -m sha512crypt -a root >/dev/null 2>&1 || bail "postern-passwd"
chown -R "$U" "$SVC"
chmod 700 "$SVC"

require "no-root deployment over TCP" "needs tcpserver" command -v tcpserver
port=$(free_port)
# shellcheck disable=SC2086
server_start server "$port" $AS tcpserver -HRl0 127.0.0.1 "$port" \
  postern-smtpd postern-checkpw -f "$SVC/passwd.cdb" postern-queue -m "$SVC/Maildir" \
  || echo "# tcpserver did not start"
ok "tcpserver runs as $U" test "$(ps -o uid= -p "$PID_server" 2>/dev/null | tr -d ' ')" = "$UID_U"

cat > "$TMP/client.py" <<'EOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60)
s.ehlo("client.example")
try:
    s.login(sys.argv[2], sys.argv[3])
    print("login ok")
except smtplib.SMTPAuthenticationError as e:
    print("login", e.smtp_code)
    s.quit()
    sys.exit(0)
r = s.sendmail("alice@example.org", ["bob@example.org"], "Subject: noroot\r\n\r\nhello\r\n")
print("sent", len(r))
print("quit", s.quit()[0])
EOF
is "$(timeout 120 "$PY" "$TMP/client.py" "$port" alice secret 2>&1)" "login ok
sent 0
quit 221" "no root anywhere: AUTH, MAIL, RCPT, DATA through the whole chain"
f=$(ls "$SVC/Maildir/new" 2>/dev/null | head -1)
ok "the message is in the Maildir" test -n "$f"
is "$(stat -c %u "$SVC/Maildir/new/$f" 2>/dev/null)" "$UID_U" "... written by the account"
like "$(cat "$SVC/Maildir/new/$f" 2>/dev/null)" 'Subject: noroot' "... the message"
like "$(cat "$TMP/server.log")" "auth ok user=\"alice\" account=$U uid=$UID_U" "postern-checkpw kept the account's uid"
is "$(timeout 120 "$PY" "$TMP/client.py" "$port" alice wrong 2>&1)" "login 535" "a wrong password: 535"
is "$(timeout 120 "$PY" "$TMP/client.py" "$port" bob other 2>&1)" "login ok
sent 0
quit 221" "a record naming root as its account: the session still runs as $U"
like "$(cat "$TMP/server.log")" "auth ok user=\"bob\" account=$U uid=$UID_U" "... not as root"
is "$(ls "$SVC/Maildir/new" | wc -l | tr -d ' ')" 2 "two messages"
server_stop server

# the same chain under setpriv, through pipes: the session's ids
if isroot
then
  printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(b64 '\0alice\0secret')" > "$TMP/in"
  rm -f "$OUT/r"
  out=$(feed -- $AS postern-smtpd postern-checkpw -f "$SVC/passwd.cdb" pn-t-report "$OUT/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' ')
  is "$out" "220 235 2.7.0 " "as $U through pipes: 235"
  is "$(report_get "$OUT/r" uid) $(report_get "$OUT/r" euid)" "$UID_U $UID_U" "... the session runs as $U"
  is "$(report_get "$OUT/r" cwd)" "$HU" "... in its home"
fi

# As root: a postern-checkpw that cannot drop its privileges refuses
if isroot
then
  A=pnt$$m
  mkuser "$A" "$TMP/ha" || bail "cannot create the test account"
  addpw "$TMP/rootpw" alice secret -m sha512crypt >/dev/null 2>&1
  printf 'alice\0secret\0\0' > "$TMP/cred"
  for drop in -setuid -setgid -setuid,-setgid
  do
    rm -f "$OUT/r"
    setpriv --bounding-set="$drop" postern-checkpw -f "$TMP/rootpw.cdb" -a "$A" pn-t-report "$OUT/r" 3<"$TMP/cred" </dev/null >/dev/null 2>"$TMP/err"
    is "$?" 111 "root without CAP_${drop#-}: postern-checkpw exits 111"
    ok "... and runs nothing" test ! -e "$OUT/r"
    like "$(cat "$TMP/err")" 'unable to switch to account' "... saying why"
  done
  rm -f "$OUT/r"
  printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(b64 '\0alice\0secret')" > "$TMP/in"
  out=$(feed -- setpriv --bounding-set=-setuid,-setgid postern-smtpd postern-checkpw -f "$TMP/rootpw.cdb" -a "$A" pn-t-report "$OUT/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' ')
  is "$out" "220 454 4.7.0 221 2.0.0 " "through the front: 454 4.7.0, no session"
  ok "... none" test ! -e "$OUT/r"

  # no option or record makes a session run as root
  for opts in "-a root" "-u 0 -a root" "-u 0 -a $A"
  do
    rm -f "$OUT/r"
    uid_a=$(id -u "${opts##* }")
    # shellcheck disable=SC2086
    postern-checkpw -f "$TMP/rootpw.cdb" $opts pn-t-report "$OUT/r" 3<"$TMP/cred" </dev/null >/dev/null 2>"$TMP/err"
    st=$?
    if [ "$uid_a" -eq 0 ]
    then
      ok "root with $opts: no session as root (exit $st)" test ! -e "$OUT/r" -o "$(report_get "$OUT/r" euid 2>/dev/null)" != 0
    else
      is "$st $(report_get "$OUT/r" euid)" "0 $uid_a" "root with $opts: the session runs as the account"
    fi
  done

  # nor with the group of root: "no uid or gid 0 left" (doc/security.md)
  G0=pnt$$z
  if pnt_retry useradd -M -d "$TMP/hg" -s /bin/sh -g 0 "$G0"
  then
    PNT_USERS="$PNT_USERS $G0"
    mkdir -p "$TMP/hg" && chown "$G0" "$TMP/hg"
    rm -f "$OUT/r"
    postern-checkpw -f "$TMP/rootpw.cdb" -a "$G0" pn-t-report "$OUT/r" 3<"$TMP/cred" </dev/null >/dev/null 2>"$TMP/err"
    st=$?
    ok "root, an account whose group is root's: no session with gid 0 (exit $st)" \
      test ! -e "$OUT/r" -o "$(report_get "$OUT/r" gid 2>/dev/null) $(report_get "$OUT/r" egid 2>/dev/null)" != "0 0"
  else
    skip "an account with gid 0" "useradd failed"
  fi
else
  skip "privilege drop refused" "the test does not run as root"
fi

done_testing
