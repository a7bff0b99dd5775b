#!/bin/sh
# postern-checkpw -p SERVICE: PAM.  The shipped conf/pam/postern
# (pam_unix) against a test account, pam_userdb with a database of its
# own, pam_deny, a module that cannot be loaded, a module that hangs
# (pam_exec running sleep, and one that hangs in the process itself), and
# t/pam/pn-t-pam.so for what no stock module does simply: each PAM
# status, a renamed user, the conversation.  -p with -s: the senders
# database binds the PAM users (entry, account, minuid).  Then the
# whole chain.
#
# PAM reads its services from /etc/pam.d only: postern-checkpw has no
# option to read them elsewhere (a root program should not let its
# caller pick the modules it loads), so the test writes its own there,
# named pn-t-pam-<pid>-*, and removes them at exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

require_built "PAM" postern-checkpw postern-passwd t/pn-t-pam.so
require "PAM" "the test does not run as root (it writes /etc/pam.d and makes accounts)" isroot
require "PAM" "no /etc/pam.d" test -d /etc/pam.d -a -w /etc/pam.d

CONF=$(cd "$(dirname "$0")/.." && pwd)/conf/pam/postern
M=$PN_BIN/t/pn-t-pam.so
P=pn-t-pam-$$
pam_cleanup()
{
  rm -f /etc/pam.d/"$P"-*
  for f in "$TMP/exec.pid" "$TMP/mod.pid"
  do
    [ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
  done
  return 0
}
atexit pam_cleanup

# svc NAME LINE...: the service $P-NAME, one line each
svc()
{
  t_s=$1
  shift
  printf '%s\n' "$@" >"/etc/pam.d/$P-$t_s"
}

# pk USER PW NAME [OPTS...]: ck (pn-t-pw-lib.sh) through the service
# $P-NAME; every log line also goes to $TMP/all.err.
pk()
{
  t_u=$1 t_pw=$2 t_s=$3
  shift 3
  ck "$t_u" "$t_pw" -p "$P-$t_s" "$@"
  cat "$TMP/cpw.err" >>"$TMP/all.err"
}

mkout
session_account
U=pnt$$u
mkuser "$U" "$TMP/hu" || bail "cannot create the test account"
UUID=$(id -u "$U")
UGID=$(id -g "$U")
addpw "$TMP/h" u pw-unix || bail "postern-passwd add"
usermod -p "$(sed -n 's/^u:\([^:]*\).*/\1/p' "$TMP/h")" "$U" || bail "usermod -p"

# --- only the verifier has PAM in it ---
for prog in postern-smtpd postern-queue postern-passwd
do
  if [ -x "$PN_BIN/$prog" ] && command -v nm >/dev/null 2>&1
  then
    ok "$prog has no PAM in it" sh -c "! nm '$PN_BIN/$prog' 2>/dev/null | grep -q pam_start"
  else
    skip "$prog has no PAM in it" "not built, or no nm"
  fi
done
ok "postern-checkpw has" sh -c "nm -D '$PN_BIN/postern-checkpw' | grep -q 'U pam_start'"

# --- usage ---
creds "$U" pw-unix >"$TMP/c"
is "$(cpw "$TMP/c" -p "$P-unix" -f "$TMP/h.cdb" pn-t-report "$OUT/r")" 100 "-p with -f: usage, 100"
is "$(cpw "$TMP/c" -p '' pn-t-report "$OUT/r")" 100 "an empty service: 100"
is "$(cpw "$TMP/c" -p ../passwd pn-t-report "$OUT/r")" 100 "a service with a slash: 100"

# --- the shipped service file: pam_unix ---
cp "$CONF" "/etc/pam.d/$P-unix"
is "$(pk "$U" pw-unix unix)" 0 "conf/pam/postern (pam_unix): the right password runs the session"
is "$(report_ids "$OUT/r")" "$UUID $UUID $UGID $UGID" "as the user's own account"
env=$(report_get "$OUT/r" env)
like "$env" "^USER=$U\$" "USER is the user PAM settled on"
like "$env" "^HOME=$TMP/hu\$" "HOME the account's"
is "$(report_get "$OUT/r" cwd)" "$TMP/hu" "and it runs there"
like "$(cat "$TMP/cpw.err")" "auth ok user=\"$U\" account=$U uid=$UUID" "logged"
is "$(pk "$U" pw-unix- unix)" 1 "a wrong password: 1"
like "$(cat "$TMP/cpw.err")" "auth fail user=\"$U\" reason=password" "logged as reason=password"
ok "no session ran" test ! -e "$OUT/r"
is "$(pk "nosuch$$" pw-unix unix)" 1 "an unknown user: 1"
like "$(cat "$TMP/cpw.err")" "reason=unknown" "logged as reason=unknown"
is "$(pk "a:b" pw-unix unix)" 1 "a name that cannot be an account: 1, without asking PAM"
is "$(pk "$U" '' unix)" 1 "an empty password: 1"
is "$(pk "$U" pw-unix unix -u "$((UUID + 1))")" 1 "an account below -u: 1"
like "$(cat "$TMP/cpw.err")" "reason=minuid" "logged as reason=minuid"
is "$(pk root x unix)" 1 "root, wrong password: 1"
chage -E 0 "$U"
is "$(pk "$U" pw-unix unix)" 1 "an expired account (chage -E 0): 1, from pam_acct_mgmt"
like "$(cat "$TMP/cpw.err")" "reason=expired" "logged as reason=expired"
like "$(cat "$TMP/cpw.err")" 'warning: pam: module message "Your account has expired' "with pam_unix's message"
chage -E -1 -d 0 "$U"
is "$(pk "$U" pw-unix unix)" 1 "a password that must be changed (chage -d 0): 1"
like "$(cat "$TMP/cpw.err")" "reason=mustchange" "logged as reason=mustchange"
chage -d "$(date +%Y-%m-%d)" "$U"
usermod -L "$U"
is "$(pk "$U" pw-unix unix)" 1 "a locked account (usermod -L): 1"
usermod -U "$U"
is "$(pk "$U" pw-unix unix)" 0 "unlocked: 0 again"

# --- pam_userdb: users that are not system accounts ---
if command -v db_load >/dev/null 2>&1 && [ -e /usr/lib/x86_64-linux-gnu/security/pam_userdb.so -o -e /lib/x86_64-linux-gnu/security/pam_userdb.so -o -e /usr/lib/security/pam_userdb.so ]
then
  V=pnt$$v
  addpw "$TMP/h" v pw-virtual || bail "postern-passwd add"
  addpw "$TMP/h" d pw-daemon || bail "postern-passwd add"
  printf '%s\n%s\n%s\n%s\n' "$V" "$(sed -n 's/^v:\([^:]*\).*/\1/p' "$TMP/h")" \
    daemon "$(sed -n 's/^d:\([^:]*\).*/\1/p' "$TMP/h")" | db_load -T -t hash "$TMP/users.db"
  svc userdb "auth required pam_userdb.so db=$TMP/users crypt=crypt" \
    "account required pam_userdb.so db=$TMP/users"
  is "$(pk "$V" pw-virtual userdb -a "$A")" 0 "pam_userdb: the right password runs the session"
  is "$(report_ids "$OUT/r")" "$AUID $AUID $AGID $AGID" "as the -a account (the user is no system account)"
  like "$(report_get "$OUT/r" env)" "^USER=$V\$" "USER is the PAM user"
  like "$(cat "$TMP/cpw.err")" "auth ok user=\"$V\" account=$A " "logged"
  is "$(pk "$V" pw-virtual- userdb -a "$A")" 1 "pam_userdb: a wrong password: 1"
  is "$(pk "x$V" pw-virtual userdb -a "$A")" 1 "pam_userdb: an unknown user: 1"
  is "$(pk "$V" pw-virtual userdb)" 111 "pam_userdb without -a: 111"
  like "$(cat "$TMP/cpw.err")" "no account to run the session of user \"$V\"" "and says why"
  ok "no session ran" test ! -e "$OUT/r"
  is "$(pk daemon pw-daemon userdb -a "$A" -u 1000)" 1 "a PAM user named like a system account below -u: 1"
  like "$(cat "$TMP/cpw.err")" "reason=minuid" "logged as reason=minuid"
else
  skip "pam_userdb" "no db_load (db-util) or no pam_userdb.so"
fi

# --- stock modules that refuse or fail ---
svc deny "auth required pam_deny.so" "account required pam_permit.so"
is "$(pk "$U" pw-unix deny)" 1 "pam_deny: 1"
svc noload "auth required $TMP/no-such-module.so" "account required pam_permit.so"
is "$(pk "$U" pw-unix noload)" 111 "a module that cannot be loaded: 111, never 1"
like "$(cat "$TMP/cpw.err")" "fatal: PAM service $P-noload user=\"$U\": pam_authenticate: " "logged with libpam's reason"
svc noload2 "auth required pam_permit.so" "account required $TMP/no-such-module.so"
is "$(pk "$U" pw-unix noload2)" 111 "the same in the account step: 111"
ok "no session ran" test ! -e "$OUT/r"

# --- modules that hang: SMTPTIMEOUT bounds the whole transaction ---
cat >"$TMP/hang" <<EOF
#!/bin/sh
echo \$\$ >"$TMP/exec.pid"
exec sleep 60
EOF
chmod 755 "$TMP/hang"
svc hang "auth required pam_exec.so $TMP/hang" "account required pam_permit.so"
SMTPTIMEOUT=2
export SMTPTIMEOUT
is "$(pk "$U" pw-unix hang)" 111 "pam_exec running sleep 60, SMTPTIMEOUT=2: 111"
like "$(cat "$TMP/cpw.err")" "no answer from the PAM modules within SMTPTIMEOUT seconds: 2" "logged"
ok "no session ran" test ! -e "$OUT/r"
# pam_exec starts its program in a session of its own: the process group
# kill does not reach it (postern-checkpw(8) says so)
[ -s "$TMP/exec.pid" ] && kill -KILL "$(cat "$TMP/exec.pid")" 2>/dev/null
svc hang2 "auth required $M pid=$TMP/mod.pid hang" "account required pam_permit.so"
is "$(pk "$U" pw-unix hang2)" 111 "a module that hangs in the process itself: 111"
mp=$(cat "$TMP/mod.pid" 2>/dev/null)
ok "the module ran" test -n "$mp"
ok "and its process is gone" sh -c "! kill -0 '$mp' 2>/dev/null"
svc slowok "auth required $M ret=success" "account required pam_permit.so"
is "$(pk "$U" pw-unix slowok)" 0 "(with SMTPTIMEOUT=2 a module that answers still passes)"
SMTPTIMEOUT=x
is "$(pk "$U" pw-unix slowok)" 111 "an unusable SMTPTIMEOUT: 111"
unset SMTPTIMEOUT

# --- each PAM status, in each step ---
for r in auth_err:password user_unknown:unknown maxtries:maxtries \
  cred_insufficient:insufficient acct_expired:expired \
  new_authtok_reqd:mustchange perm_denied:denied
do
  st=${r%%:*} why=${r#*:}
  svc ret "auth required $M ret=$st" "account required pam_permit.so"
  is "$(pk "$U" pw-unix ret)" 1 "pam_authenticate returns PAM_$st: 1"
  like "$(cat "$TMP/cpw.err")" "reason=$why sid=[^ ]+\$" "logged as reason=$why"
  svc ret "auth required pam_permit.so" "account required $M ret=$st"
  is "$(pk "$U" pw-unix ret)" 1 "pam_acct_mgmt returns PAM_$st: 1"
done
for st in authinfo_unavail system_err buf_err abort service_err
do
  svc ret "auth required $M ret=$st" "account required pam_permit.so"
  is "$(pk "$U" pw-unix ret)" 111 "pam_authenticate returns PAM_$st: 111"
  svc ret "auth required pam_permit.so" "account required $M ret=$st"
  is "$(pk "$U" pw-unix ret)" 111 "pam_acct_mgmt returns PAM_$st: 111"
done
ok "no session ran" test ! -e "$OUT/r"
if [ -n "${PN_ASAN-}" ]
then
  skip "a module that crashes" "AddressSanitizer catches the SIGSEGV itself"
else
  svc crash "auth required $M crash" "account required pam_permit.so"
  is "$(pk "$U" pw-unix crash)" 111 "a module that crashes: 111"
  like "$(cat "$TMP/cpw.err")" "killed by signal 11" "logged"
fi

# --- the user PAM settles on ---
svc rename "auth required $M user=$U" "account required pam_permit.so"
is "$(pk "someone@example.org" whatever rename -a "$A")" 0 "a module renames the user to a system account"
is "$(report_ids "$OUT/r")" "$UUID $UUID $UGID $UGID" "the session runs as that account, not -a"
like "$(report_get "$OUT/r" env)" "^USER=$U\$" "USER is the new name"
like "$(cat "$TMP/cpw.err")" "pam user=\"someone@example.org\" settled on user=\"$U\"" "logged"
svc rename2 "auth required $M user=virt$$" "account required pam_permit.so"
is "$(pk "$U" pw-unix rename2 -a "$A")" 0 "renamed to a user that is no system account"
is "$(report_ids "$OUT/r")" "$AUID $AUID $AGID $AGID" "the session runs as -a"
like "$(report_get "$OUT/r" env)" "^USER=virt$$\$" "USER is the new name"
svc rename3 "auth required $M user=root" "account required pam_permit.so"
is "$(pk "$U" pw-unix rename3 -a "$A")" 1 "renamed to root: 1 (minuid)"
svc rename4 "auth required $M user=a:b" "account required pam_permit.so"
is "$(pk "$U" pw-unix rename4 -a "$A")" 111 "renamed to a name that cannot be an account: 111"

# --- -s with -p: the senders database binds PAM users ---
# (the services unix and rename2 above)
sdb()
{
  printf '%s\n' "$@" >"$TMP/senders"
  postern-passwd -f "$TMP/senders" make >/dev/null 2>&1 || bail "postern-passwd make (senders)"
}
S=$TMP/senders.cdb
sdb "$U:*::$U@example.org @example.com:msgs=5/1h"
SMTPSENDERS=inherited@example.net
export SMTPSENDERS
is "$(pk "$U" pw-unix unix -s "$S" -a "$A" -u 1)" 0 "-p with -s: a listed user runs the session"
is "$(report_ids "$OUT/r")" "$AUID $AUID $AGID $AGID" "as the -a account, not the user's own"
env=$(report_get "$OUT/r" env)
like "$env" "^USER=$U\$" "USER is the PAM user"
like "$env" "^HOME=$AHOME\$" "HOME the -a account's"
like "$env" "^SMTPSENDERS=$U@example.org @example.com\$" "SMTPSENDERS from the entry"
like "$env" "^SMTPLIMITS=msgs=5/1h\$" "SMTPLIMITS from the entry"
like "$(cat "$TMP/cpw.err")" "auth ok user=\"$U\" account=$A uid=$AUID" "logged with the user and the account"
sdb "$U:*::"
is "$(pk "$U" pw-unix unix -s "$S" -a "$A")" 0 "an empty senders field: the session runs"
unlike "$(report_get "$OUT/r" env)" "^SMTPSENDERS=" "and an inherited SMTPSENDERS is removed (any sender)"
unset SMTPSENDERS
sdb "other$$:*::other@example.org"
is "$(pk "$U" pw-unix unix -s "$S" -a "$A")" 1 "-p with -s: a user PAM accepts but not in the senders database: 1"
like "$(cat "$TMP/cpw.err")" "auth fail user=\"$U\" reason=senders sid=[^ ]+\$" "logged as reason=senders"
ok "no session ran" test ! -e "$OUT/r"
sdb "$U:*::$U@example.org"
is "$(pk "$U" pw-unix- unix -s "$S" -a "$A")" 1 "-p with -s: a wrong password: 1"
like "$(cat "$TMP/cpw.err")" "auth fail user=\"$U\" reason=password" "logged as reason=password"
ok "no session ran" test ! -e "$OUT/r"
is "$(pk "$U" pw-unix unix -s "$S")" 0 "-p with -s, no -a, no account field: the session runs"
is "$(report_ids "$OUT/r")" "$UUID $UUID $UGID $UGID" "as the user's own account"
like "$(report_get "$OUT/r" env)" "^SMTPSENDERS=$U@example.org\$" "with the entry's senders"
sdb "$U:*:$U:$U@example.org"
is "$(pk "$U" pw-unix unix -s "$S" -a "$A")" 0 "an entry with an account field"
is "$(report_ids "$OUT/r")" "$UUID $UUID $UGID $UGID" "runs as that account, not -a"
sdb "$U:*:nosuch$$:"
is "$(pk "$U" pw-unix unix -s "$S" -a "$A")" 111 "an entry whose account does not exist: 111"
like "$(cat "$TMP/cpw.err")" "no such account: nosuch$$" "logged"
sdb "$U:*::"
is "$(pk "$U" pw-unix unix -s "$S" -a "$A" -u "$((UUID + 1))")" 1 "-u above the user's own uid: 1"
like "$(cat "$TMP/cpw.err")" "reason=minuid" "logged as reason=minuid"
if [ "$AUID" -lt "$UUID" ]
then
  is "$(pk "$U" pw-unix unix -s "$S" -a "$A" -u "$UUID")" 0 "-u applies to the user's own account, not to the mapped one below it"
  is "$(report_ids "$OUT/r")" "$AUID $AUID $AGID $AGID" "(which the session runs as)"
else
  skip "-u and the mapped account" "the -a account's uid is not below the user's"
fi
sdb "virt$$:*::virt$$@example.org"
is "$(pk "$U" pw-unix rename2 -s "$S" -a "$A")" 0 "a PAM user that is no system account, listed: runs as -a"
is "$(report_ids "$OUT/r")" "$AUID $AUID $AGID $AGID" "(the -a account)"
like "$(report_get "$OUT/r" env)" "^SMTPSENDERS=virt$$@example.org\$" "keyed by the user PAM settled on"
is "$(pk "$U" pw-unix rename2 -s "$S")" 111 "the same without -a: 111"
like "$(cat "$TMP/cpw.err")" "no account to run the session of user \"virt$$\"" "and says why"
sdb "$U:*::"
is "$(pk "$U" pw-unix rename2 -s "$S" -a "$A")" 1 "keyed by the user PAM settled on, not the name given"
like "$(cat "$TMP/cpw.err")" "auth fail user=\"virt$$\" reason=senders" "logged with the settled name"
is "$(pk "$U" pw-unix unix -s "$TMP/nosuch.cdb" -a "$A")" 111 "a senders database that cannot be opened: 111"
creds "$U" pw-unix >"$TMP/c"
is "$(cpw "$TMP/c" -p "$P-unix" -s "$S" -f "$TMP/h.cdb" pn-t-report "$OUT/r")" 100 "-p, -s and -f: usage, 100"
is "$(cpw "$TMP/c" -s "$S" -f "$TMP/h.cdb" pn-t-report "$OUT/r")" 100 "-s with -f: usage, 100"

# --- the conversation ---
svc conv "auth required $M ask=off want=pw-conv say=hello sayerr=oops saypw" "account required pam_permit.so"
is "$(pk "$U" pw-conv conv)" 0 "the password prompt (echo off) gets the password"
log=$(cat "$TMP/cpw.err")
like "$log" 'info: pam: module message "hello"' "a PAM_TEXT_INFO message is logged"
like "$log" 'warning: pam: module message "oops"' "a PAM_ERROR_MSG message is logged as a warning"
like "$log" 'withheld: it holds the password' "a message holding the password is not"
is "$(pk "$U" pw-conv- conv)" 1 "a wrong answer: 1"
svc conv2 "auth required $M ask=on" "account required pam_permit.so"
is "$(pk "$U" pw-unix conv2)" 0 "the user prompt (echo on) gets the user name"
svc conv3 "auth required $M ask=5" "account required pam_permit.so"
is "$(pk "$U" pw-unix conv3)" 111 "any other prompt is refused (PAM_CONV_ERR): 111"
like "$(cat "$TMP/cpw.err")" "refusing a conversation message of style 5" "logged"

# --- PAM_RHOST ---
svc rhost "auth required $M rhost=$TMP/rhost" "account required pam_permit.so"
TCPREMOTEIP=192.0.2.7
export TCPREMOTEIP
is "$(pk "$U" pw-unix rhost)" 0 "(a module reads PAM_RHOST)"
is "$(cat "$TMP/rhost")" 192.0.2.7 "PAM_RHOST is TCPREMOTEIP"
unset TCPREMOTEIP
is "$(pk "$U" pw-unix rhost)" 0 "(again without TCPREMOTEIP)"
is "$(cat "$TMP/rhost")" unset "PAM_RHOST is not set without it"

for pw in pw-unix pw-virtual pw-conv pw-daemon
do
  unlike "$(cat "$TMP/all.err")" "$pw" "no log line holds the password $pw"
done

# --- through the front: postern-smtpd -> postern-checkpw -p -> postern-queue ---
if [ ! -x "$PN_BIN/postern-smtpd" ] || [ ! -x "$PN_BIN/postern-queue" ]
then
  skip "the chain" "postern-smtpd or postern-queue is not built"
  done_testing
fi
b64()
{
  printf "$1" | base64 | tr -d '\n'
}
MD=$TMP/md
maildir "$MD"
chmod -R 777 "$MD"
front()
{
  session postern-smtpd postern-checkpw -p "$P-$1" -a "$A" postern-queue -m "$MD" | codes | grep -v '^250$'
}
out=$(front unix <<EOF
EHLO client.example
AUTH PLAIN $(b64 "\\0$U\\0pw-unix-")
AUTH PLAIN $(b64 "\\0$U\\0pw-unix")
MAIL FROM:<$U@example.org>
RCPT TO:<bob@example.net>
DATA
Subject: pam

hello
.
QUIT
EOF
)
is "$out" "220
535 5.7.8
235 2.7.0
250 2.1.0
250 2.1.5
354
250 2.0.0
221 2.0.0" "through the front: 535 for a wrong password, 235 and a session for the right one"
n=$(ls "$MD/new" | wc -l)
is "$n" 1 "the message is in the Maildir"
f=$(ls "$MD/new" | head -1)
is "$(stat -c %u "$MD/new/$f")" "$UUID" "written by the user's account"
out=$(front noload <<EOF
EHLO client.example
AUTH PLAIN $(b64 "\\0$U\\0pw-unix")
QUIT
EOF
)
is "$out" "220
454 4.7.0
221 2.0.0" "a module that cannot be loaded: 454 4.7.0, not 535"
SMTPTIMEOUT=2
export SMTPTIMEOUT
out=$(front hang <<EOF
EHLO client.example
AUTH PLAIN $(b64 "\\0$U\\0pw-unix")
QUIT
EOF
)
unset SMTPTIMEOUT
is "$out" "220
454 4.7.0
221 2.0.0" "a module that hangs past SMTPTIMEOUT: 454 4.7.0"

done_testing
