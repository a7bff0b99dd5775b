#!/bin/sh
# Signals a launcher leaves behind: a program of the chain started with
# SIGCHLD ignored (swaks --pipe, perl's $SIG{CHLD} = "IGNORE") or with
# signals blocked still waits for its children, and hands the next
# program a clean state (nothing blocked, SIGCHLD not ignored).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require "signals" "needs perl" d_have perl
require_built "signals" postern-smtpd postern-checkpw postern-queue postern-passwd

# ign CMD...: CMD with SIGCHLD ignored; blk CMD...: with SIGCHLD, SIGTERM
# and SIGPIPE blocked.  Programs, so that one can start the other.
cat >"$TMP/ign" <<'PL'
#!/usr/bin/perl
$SIG{CHLD} = "IGNORE";
exec @ARGV or die "exec: $!";
PL
cat >"$TMP/blk" <<'PL'
#!/usr/bin/perl
use POSIX;
sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGCHLD, SIGTERM, SIGPIPE)) or die;
exec @ARGV or die "exec: $!";
PL
chmod 755 "$TMP/ign" "$TMP/blk"
ign() { "$TMP/ign" "$@"; }
blk() { "$TMP/blk" "$@"; }
# pn-t-sigstate: writes to $SIGOUT the signals it was started with
# blocked and ignored, then goes on as the rest (pn-t-report).
SIGOUT=$TMP/sig
ST="pn-t-sigstate $SIGOUT"
# blocked: the blocked signals; chld: "ignored" when SIGCHLD is
blocked() { [ -s "$SIGOUT" ] || { echo none; return; }; sed -n 's/^blocked//p' "$SIGOUT"; }
chld()
{
  [ -s "$SIGOUT" ] || { echo none; return; }
  if grep -Eq "^ignored.* $(kill -l CHLD 2>/dev/null || echo 17)( |\$)" "$SIGOUT"
  then
    echo ignored
  else
    echo default
  fi
}

AUTHOK='EHLO x
AUTH PLAIN AGFsaWNlAHNlY3JldA==
QUIT'
AUTHBAD='EHLO x
AUTH PLAIN AGFsaWNlAHdyb25n
QUIT'

# The front, SIGCHLD ignored: the verifier's status is read.
out=$(printf '%s\n' "$AUTHBAD" | session ign postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" | codes | tail -n 2 | tr '\n' ' ')
is "$out" "535 5.7.8 221 2.0.0 " "SIGCHLD ignored: a wrong password gets 535 5.7.8"
unlike "$(cat "$TMP/stderr")" 'reason=wait' "and no end reason=wait"
rm -f "$SIGOUT"
out=$(printf '%s\n' "$AUTHOK" | session ign postern-smtpd pn-t-checkpw $ST pn-t-report "$TMP/r" | codes | tail -n 1)
is "$out" "235 2.7.0" "SIGCHLD ignored: the right one gets on"
is "$(chld)" "default" "and the session starts with SIGCHLD at its default"

# The front, signals blocked.
rm -f "$SIGOUT"
out=$(printf '%s\n' "$AUTHBAD" | session blk postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" | codes | tail -n 2 | tr '\n' ' ')
is "$out" "535 5.7.8 221 2.0.0 " "signals blocked: 535 5.7.8"
out=$(printf '%s\n' "$AUTHOK" | session blk "$TMP/ign" postern-smtpd pn-t-checkpw $ST pn-t-report "$TMP/r" | codes | tail -n 1)
is "$out" "235 2.7.0" "signals blocked and SIGCHLD ignored: 235"
is "$(blocked)" "" "the session starts with no signal blocked"
is "$(chld)" "default" "and SIGCHLD at its default"

# The verifier alone, started by another front with both.
addpw "$TMP/passwd" alice secret -m sha512crypt >/dev/null 2>&1
if [ "$(id -u)" -eq 0 ]
then
  A=pnfh-sig$$
  mkdir -p "$TMP/h"
  d_mkuser "$A" "$TMP/h" || bail "cannot create the test account"
  chown "$A:" "$TMP/h"
  set -- -a "$A"
  : >"$SIGOUT"
  chmod 666 "$SIGOUT"
else
  set --
fi
rm -f "$SIGOUT.r"
[ "$(id -u)" -eq 0 ] || rm -f "$SIGOUT"
printf 'alice\0secret\0\0' >"$TMP/cred"
blk "$TMP/ign" postern-checkpw -f "$TMP/passwd.cdb" "$@" $ST true 3<"$TMP/cred" >/dev/null 2>"$TMP/stderr"
is "$?" "0" "postern-checkpw with signals blocked and SIGCHLD ignored: accepted"
is "$(blocked)" "" "it hands on no blocked signal"
is "$(chld)" "default" "and SIGCHLD at its default"

# postern-queue's relay: the program it starts gets a clean state, and
# the session ends cleanly.
rm -f "$SIGOUT"
printf 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: s\r\n\r\nbody\r\n.\r\nQUIT\r\n' |
  RELAYCLIENT=1 blk "$TMP/ign" postern-queue $ST pn-t-q-smtp "$TMP/q" 2>"$TMP/stderr" | tr -d "\r" | grep -v "^250-" | codes >"$TMP/qout"
is "$(tr '\n' ' ' <"$TMP/qout")" "220 250 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " "postern-queue, SIGCHLD ignored and signals blocked: relayed"
is "$(blocked)" "" "the relay program starts with no blocked signal"
is "$(chld)" "default" "and SIGCHLD at its default"
done_testing
