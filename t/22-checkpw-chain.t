#!/bin/sh
# The chain postern-smtpd -> postern-checkpw -> a continuation, and
# postern-checkpw behind another front end, the way qmail-popup runs it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

F=$TMP/passwd
DB=$F.cdb
mkout
session_account
addpw "$F" alice 'pass word' -s 'alice@example.org' || bail "postern-passwd add"
addpw "$F" bob pw-bob -m sha512crypt || bail "postern-passwd add"
addpw "$F" 'carol@example.org' pw-carol -m bcrypt -a "$A" || bail "postern-passwd add"

b64()
{
  printf "$1" | base64 | tr -d '\n'
}

# The continuation as the verifier's program; the front's replies
# without the EHLO lines.
front()
{
  rm -f "$OUT/r"
  session postern-smtpd postern-checkpw -f "$1" -a "$A" pn-t-report "$OUT/r" | codes | grep -v '^250'
}

# postern-smtpd -> postern-checkpw -> pn-t-report
if [ ! -x "$PN_BIN/postern-smtpd" ]
then
  skip "the chain through postern-smtpd" "$PN_BIN/postern-smtpd is not built"
else
  out=$(front "$DB" <<EOF
EHLO client.example
AUTH PLAIN $(b64 '\0alice\0pass word')
MAIL FROM:<alice@example.org>
QUIT
EOF
)
  is "$out" "220
235 2.7.0" "AUTH PLAIN with the right password: the continuation answers"
  env=$(report_get "$OUT/r" env)
  like "$env" '^USER=alice$' "the continuation has USER"
  like "$env" '^SMTPAUTHUSER=alice$' "and the front's SMTPAUTHUSER"
  like "$env" '^SMTPSENDERS=alice@example.org$' "and SMTPSENDERS from the database"
  like "$env" "^HOME=$AHOME\$" "and HOME"
  is "$(report_get "$OUT/r" cwd)" "$AHOME" "it runs in HOME"
  like "$(report_stdin "$OUT/r")" 'MAIL FROM:<alice@example.org>' "the rest of the session reaches it on fd 0"
  if isroot
  then
    is "$(report_ids "$OUT/r")" "$AUID $AUID $AGID $AGID" "as root: the session runs as the account"
    is "$(report_get "$OUT/r" groups | numsort)" "$(id -G "$A" | numsort)" "as root: with the account's groups"
  else
    is "$(report_get "$OUT/r" uid)" "$(id -u)" "not root: the session keeps our uid"
    skip "groups after the privilege drop" "the test does not run as root"
  fi

  out=$(front "$DB" <<EOF
EHLO client.example
AUTH LOGIN $(b64 'carol@example.org')
$(b64 'pw-carol')
QUIT
EOF
)
  is "$out" "220
334
235 2.7.0" "AUTH LOGIN with the right password"
  like "$(report_get "$OUT/r" env)" '^USER=carol@example.org$' "an address as the user name"

  out=$(front "$DB" <<EOF
EHLO client.example
AUTH PLAIN $(b64 '\0alice\0wrong')
AUTH PLAIN $(b64 '\0nosuchuser\0pass word')
AUTH PLAIN $(b64 '\0bob\0pw-bob')
QUIT
EOF
)
  is "$out" "220
535 5.7.8
535 5.7.8
235 2.7.0" "wrong password and unknown user: 535, the dialogue goes on"
  like "$(report_get "$OUT/r" env)" '^USER=bob$' "the third try ran the session"
  unlike "$(cat "$TMP/stderr")" 'pass word|pw-bob' "no password in the log"

  cp "$DB" "$TMP/trunc.cdb"
  head -c 2100 "$DB" >"$TMP/trunc.cdb"
  out=$(front "$TMP/trunc.cdb" <<EOF
EHLO client.example
AUTH PLAIN $(b64 '\0alice\0pass word')
QUIT
EOF
)
  is "$out" "220
454 4.7.0
221 2.0.0" "a corrupt database: 454, not 535"
  ok "no session ran" test ! -e "$OUT/r"
  if isroot
  then
    rm -f "$OUT/r"
    out=$(session postern-smtpd postern-checkpw -f "$DB" pn-t-report "$OUT/r" <<EOF | codes | grep -v '^250'
EHLO client.example
AUTH PLAIN $(b64 '\0alice\0pass word')
QUIT
EOF
)
    is "$out" "220
454 4.7.0
221 2.0.0" "as root with no account for the user: 454, no session as root"
    ok "no session ran" test ! -e "$OUT/r"
  else
    skip "no session as root" "the test does not run as root"
    skip "no session as root" "the test does not run as root"
  fi
fi

# The qmail-popup way: fd 3 a pipe with user, password and the greeting's
# timestamp; fds 0 and 1 the client's connection.
rm -f "$OUT/r"
printf 'STAT\r\nQUIT\r\n' >"$TMP/client"
creds bob pw-bob '<4711.1700000000@pop.example>' |
  postern-checkpw -f "$DB" -a "$A" pn-t-report "$OUT/r" 3<&0 <"$TMP/client" >"$TMP/toclient" 2>"$TMP/err"
is "$?" 0 "behind qmail-popup: the right password runs the program"
is "$(report_stdin "$OUT/r")" "STAT
QUIT" "it reads the client's commands on fd 0"
is "$(tr -d '\r' <"$TMP/toclient")" "235 2.7.0 report" "and answers on fd 1"
like "$(report_get "$OUT/r" env)" '^USER=bob$' "with USER set"
creds bob wrong '<4711.1700000000@pop.example>' |
  postern-checkpw -f "$DB" -a "$A" pn-t-report "$OUT/r" 3<&0 <"$TMP/client" >/dev/null 2>"$TMP/err"
is "$?" 1 "behind qmail-popup: a wrong password exits 1"

done_testing
