#!/bin/sh
# System accounts (Cyrus SASL's "pwcheck_method: shadow") with the
# shipped conf/tcpserver/run: PASSWD empty, MINUID, SENDERS; and PAM.  Real
# system accounts with passwords in /etc/shadow, created and removed
# here: who may submit, the senders each may use, and the account the
# sessions run as (the outbox's owner, which the users cannot write).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require "system accounts" "needs root" test "$(id -u)" -eq 0
require "system accounts" "needs tcpserver, tcprules, useradd, chpasswd" d_have tcpserver tcprules useradd chpasswd
require_built "system accounts" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup
d_tcprules

# u_make NAME [useradd options...]: an account with the password "pw NAME"
u_make()
{
  n=$1
  shift
  i=0
  while [ $i -lt 30 ] && ! useradd -M -d "$TMP/home" -s /bin/sh "$@" "$n" >/dev/null 2>"$TMP/useradd.err"
  do
    sleep 1
    i=$((i + 1))
  done
  getent passwd "$n" >/dev/null || bail "useradd $n: $(cat "$TMP/useradd.err")"
  D_USERS="$D_USERS $n"
  printf '%s:pw %s\n' "$n" "$n" | chpasswd || bail "chpasswd $n"
}
A=pnfh-a$$      # listed in the senders database
B=pnfh-b$$      # a user with a password, not listed
L=pnfh-l$$      # listed, but a system account below MINUID
u_make "$A"
u_make "$B"
u_make "$L" -r
ok "the users have uids from 1000, the system one below" \
  test "$(id -u "$A")" -ge 1000 -a "$(id -u "$L")" -lt 1000

cat >"$TMP/senders" <<EOS
# login:*:account:senders (the hash field is not used: write *)
$A:*::$A@example.org @example.com
$L:*::$L@example.org
EOS
postern-passwd -f "$TMP/senders" make >"$TMP/make.out" 2>&1
is "$?" "0" "postern-passwd make compiles the senders file"
like "$(postern-passwd -f "$TMP/senders" list)" "^$A:" "and lists it"

# The run script: system accounts, the senders database, the outbox.
svc()
{
  d_tcpserver "$@" "PASSWD=/etc/postern/passwd.cdb" "PASSWD=/etc/postern/passwd.cdb
PASSWD=" "SENDERS=
" "SENDERS=$TMP/senders.cdb
" "PAM=
" "PAM=$PAMSVC
"
}
# The PAM service of the PAM part below (empty: none, here).
PAMSVC=
pam_cleanup()
{
  [ -z "$PAMSVC" ] || rm -f "/etc/pam.d/$PAMSVC"
}
atexit pam_cleanup
svc sys || bail "the run script did not start tcpserver: $(cat "$TMP/sys.log")"

plain() { printf '\0%s\0%s' "$1" "$2" | base64 -w0; }
# msg USER FROM: swaks sends one message from FROM; the server's replies
msg()
{
  d_limit swaks --server "127.0.0.1:$PORT" --auth PLAIN --auth-user "$1" --auth-password "pw $1" \
    --from "$2" --to friend@example.net --h-Subject "system account" 2>&1 |
    sed -n 's/^<[-~*]* *\([0-9][0-9][0-9]\) \([0-9.]*\).*/\1 \2/p' | sed 's/ $//'
}
# authcode USER PASSWORD: the reply to AUTH
authcode()
{
  printf 'EHLO client.example\nAUTH PLAIN %s\nQUIT\n' "$(plain "$1" "$2")" | d_chat "$PORT" | grep -v '^250' | codes | sed -n 2p
}

# accounts WHAT LOG: the sessions of the listed user A, of B (not in
# the senders database) and of L (below MINUID) through the server
# running, whose log is LOG; WHAT begins each test's name
accounts()
{
  n0=$(d_count)
  out=$(msg "$A" "$A@example.org" | tail -n 6 | tr '\n' ' ')
  is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " "$1a listed user with the system password sends as its address"
  is "$(d_count)" "$((n0 + 1))" "$1into the outbox"
  is "$(stat -c %U "$(d_last)")" "$ACCT" "$1written as the ACCOUNT setting's account, not the user's"
  like "$(cat "$2")" "^postern-checkpw: info: auth ok user=\"$A\" account=$ACCT " "$1logged with the user and the account"
  out=$(msg "$A" "ceo@example.org" | grep -A1 '^235' | sed -n 2p)
  is "$out" "553 5.7.1" "$1a sender not in the user's list: 553 5.7.1"
  out=$(authcode "$B" "pw $B")
  is "$out" "535 5.7.8" "$1the right password of a user not in the senders database: 535 5.7.8"
  like "$(cat "$2")" "^postern-checkpw: info: auth fail user=\"$B\" reason=senders sid=[^ ]+\$" "$1logged: reason=senders"
  out=$(authcode "$L" "pw $L")
  is "$out" "535 5.7.8" "$1a listed system account below MINUID: 535 5.7.8"
  like "$(cat "$2")" "^postern-checkpw: info: auth fail user=\"$L\" reason=minuid sid=[^ ]+\$" "$1logged: reason=minuid"
  out=$(authcode "$A" wrong)
  is "$out" "535 5.7.8" "$1a wrong password: 535 5.7.8"
}

accounts "" "$TMP/sys.log"
out=$(msg "$A" "someone@example.com" | grep -A1 '^235' | sed -n 2p)
is "$out" "250 2.1.0" "a sender of a listed @domain"
server_stop sys

# The same through PAM: PAM=, PASSWD empty, SENDERS.  The shipped
# conf/pam/postern (pam_unix) checks the same system passwords; the
# senders database still says who may submit and as whom, and the
# sessions run as ACCOUNT, which owns the outbox.
PAMSVC=pn-t-pamrun-$$
cp "$CONF/pam/postern" "/etc/pam.d/$PAMSVC"
svc pam || bail "the run script with PAM did not start tcpserver: $(cat "$TMP/pam.log")"
ok "tcpserver runs postern-checkpw -p with -s and -a" \
  sh -c "ps -eo args | grep -q -e '/postern-checkpw -p $PAMSVC -u 1000 -s $TMP/senders.cdb -a $ACCT '"
accounts "PAM: " "$TMP/pam.log"
is "$(stat -c %a "$OUTBOX")" 700 "(an outbox the user cannot write)"
server_stop pam

# The options the run script gives, and PAM with PASSWD: a fake
# tcpserver prints its arguments.
mkdir -p "$TMP/fake"
printf '#!/bin/sh\necho tcpserver "$@"\n' >"$TMP/fake/tcpserver"
chmod 755 "$TMP/fake/tcpserver"
# runargs OLD NEW...: conf/tcpserver/run with those settings replaced, run
runargs()
{
  cp "$CONF/tcpserver/run" "$TMP/run.sh"
  d_subst "$TMP/run.sh" "$@"
  PATH=$TMP/fake:$PATH d_limit sh "$TMP/run.sh"
}
out=$(runargs "PASSWD=/etc/postern/passwd.cdb" "PASSWD=" "PAM=
" "PAM=postern
" "SENDERS=
" "SENDERS=/etc/postern/senders.cdb
")
like "$out" "/postern-checkpw -p postern -u 1000 -s /etc/postern/senders.cdb -a vmail /" "PAM=postern, SENDERS: postern-checkpw -p postern -u 1000 -s ... -a vmail"
unlike "$out" "warning" "PAM is a setting of the script's own"
out=$(runargs "PASSWD=/etc/postern/passwd.cdb" "PASSWD=" "PAM=
" "PAM=postern
" "ACCOUNT=vmail" "ACCOUNT=")
like "$out" "/postern-checkpw -p postern -u 1000 /" "PAM without SENDERS and ACCOUNT: -p and -u only"
out=$(runargs "PAM=
" "PAM=postern
")
st=$?
is "$out" "postern run: PAM and PASSWD are both set: empty PASSWD to check passwords through PAM" "PAM with PASSWD: one clear line"
is "$st" 100 "and exit 100, tcpserver not run"

# An entry's account field: that user's sessions run as its own account
# (here the user's; with the sendmail -bs QUEUE, the MTA sees the user).
printf '%s:*:%s:\n' "$A" "$A" >"$TMP/senders"
postern-passwd -f "$TMP/senders" make >/dev/null 2>&1
chmod 711 "$OUTBOX"; chmod 1777 "$OUTBOX/tmp" "$OUTBOX/new"
svc sys2 || bail "tcpserver: $(cat "$TMP/sys2.log")"
n0=$(d_count)
out=$(msg "$A" "ceo@example.org" | tail -n 2 | head -n 1)
is "$out" "250 2.0.0" "an empty senders field: any sender"
is "$(stat -c %U "$(d_last)")" "$A" "an account field: the session runs as it"
server_stop sys2

# -f and -s together: usage.
printf 'a\0b\0\0' >"$TMP/cred"
postern-checkpw -f "$PWDB" -s "$TMP/senders.cdb" true 3<"$TMP/cred" 2>/dev/null
is "$?" "100" "postern-checkpw -f with -s: usage (100)"
done_testing
