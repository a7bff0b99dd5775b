#!/bin/sh
# conf/tcpserver (run script, log/run), conf/tcp.rules and conf/outbox-setup.sh,
# run as they are: tcpserver really listening on 127.0.0.1, with only
# the paths, the port and the failure delay substituted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require "tcpserver deployment" "needs tcpserver, tcprules (ucspi-tcp) and swaks" d_have tcpserver tcprules swaks
require_built "tcpserver deployment" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup
ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1

ok "run is valid sh" sh -n "$CONF/tcpserver/run"
ok "log/run is valid sh" sh -n "$CONF/tcpserver/log/run"
ok "run is executable" test -x "$CONF/tcpserver/run"
ok "log/run is executable" test -x "$CONF/tcpserver/log/run"

# The rules, compiled as their comment says, plus one rule of the test's
# own: a client from 127.0.0.2 is shown to postern as the remote
# address 192.0.2.1 (see doc/troubleshooting.md).
like "$(cat "$CONF/tcp.rules")" 'tcprules /etc/postern/tcp.cdb /etc/postern/tcp.tmp < /etc/postern/tcp.rules' "the rules say how to compile them"
ok "tcp.rules compiles" d_tcprules remote

# The service, with the run script's settings replaced (and the failure
# record on): svc NAME [OLD NEW]...
svc()
{
  d_tcpserver "$@" "AUTHFAILDIR=
" "AUTHFAILDIR=$TMP/authfail
"
}

# front NAME: with a session held open on $PORT, "UID postern-smtpd"
# of the front that runs it in server NAME's process group
front()
{
  eval "pg=\$PID_$1"
  printf 'NOOP\n' | hold=20 d_chat "$PORT" >/dev/null &
  hp=$!
  i=0
  f=
  while [ $i -lt 50 ] && [ -z "$f" ]
  do
    sleep 0.1
    f=$(ps -o uid=,comm= -g "$pg" | grep postern-smtpd | head -n 1)
    i=$((i + 1))
  done
  kill "$hp" 2>/dev/null; wait "$hp" 2>/dev/null
  printf '%s\n' "$f"
}

mkdir -m 700 "$TMP/authfail"
svc tcp || bail "the run script did not start tcpserver: $(cat "$TMP/tcp.log")"
t_result 0 "the run script starts tcpserver on 127.0.0.1:$PORT"

d_msg tcp
n0=$(d_count)
d_limit swaks --server "127.0.0.1:$PORT" --auth PLAIN --auth-user alice --auth-password secret \
  --from alice@example.org --to bob@example.org --data "@$TMP/tcp.swaks" >"$TMP/swaks.out" 2>&1
is "$?" "0" "swaks: AUTH PLAIN and a message through the run script"
like "$(cat "$TMP/swaks.out")" '<-  250 2\.0\.0 OK id=' "accepted with 250 2.0.0"
is "$(d_count)" "$((n0 + 1))" "one message in the outbox"
f=$(d_last)
d_body "$f" >"$TMP/got"
ok "the message, byte for byte" cmp "$TMP/got" "$TMP/tcp.msg"
is "$(sed -n 1,2p "$f")" "Return-Path: <alice@example.org>
Envelope-To: <bob@example.org>" "the envelope in Return-Path and Envelope-To"
like "$(sed -n 3,4p "$f" | tr '\n\t' '  ')" '^Received: from [^ ]+ \(\[127\.0\.0\.1\]\)  by mail\.example\.org \(postern\) with ESMTPA id ' "Received: the client's address from tcpserver, the NAME setting"
is "$(stat -c %U "$f")" "$ACCT" "the session wrote as the account of the ACCOUNT setting"

log=$(cat "$TMP/tcp.log")
like "$log" '^tcpserver: status: 0/40$' "the log gets tcpserver's lines: -v and the concurrency limit MAXCONN"
like "$log" '^postern-smtpd: info: connect ip=127\.0\.0\.1 sid=[^ ]+$' "and postern-smtpd's (stderr joined to stdout)"
like "$log" "^postern-checkpw: info: auth ok user=\"alice\" account=$ACCT uid=$(id -u "$ACCT") sid=[^ ]+\$" "and postern-checkpw's"
like "$log" '^postern-queue: info: accepted id=[^ ]+ size=[0-9]+ rcpts=1 user="alice" maildir=' "and postern-queue's"

# A wrong password: 535, nothing delivered, the failure logged.
n0=$(d_count)
d_limit swaks --server "127.0.0.1:$PORT" --auth PLAIN --auth-user alice --auth-password wrong \
  --from alice@example.org --to bob@example.org --data "@$TMP/tcp.swaks" >"$TMP/swaks.out" 2>&1
isnt0=$?
like "$isnt0" '^[1-9][0-9]*$' "swaks fails with a wrong password"
like "$(cat "$TMP/swaks.out")" '<~?\*\* +535 5\.7\.8 ' "535 5.7.8"
is "$(d_count)" "$n0" "nothing delivered"
like "$(cat "$TMP/tcp.log")" '^postern-smtpd: info: auth fail user="alice" mech=PLAIN ip=127\.0\.0\.1 reason=password sid=[^ ]+$' "logged by postern-smtpd"
like "$(cat "$TMP/authfail/127.0.0.1" 2>/dev/null)" '^1 [0-9]+$' "counted in AUTHFAILDIR, in the record named by the address"

# A remote client without TLS, through the test's rule: no AUTH offered,
# AUTH refused with 538, the address in the log.
out=$(d_chat "$PORT" 127.0.0.2 <<EOS
EHLO remote.example
AUTH PLAIN AGFsaWNlAHNlY3JldA==
MAIL FROM:<alice@example.org>
QUIT
EOS
)
unlike "$out" '^250[ -]AUTH' "remote address without TLS: EHLO offers no AUTH"
is "$(printf '%s\n' "$out" | codes | tail -n 3 | tr '\n' ' ')" "538 5.7.11 530 5.7.0 221 2.0.0 " "AUTH PLAIN: 538 5.7.11, MAIL: 530 5.7.0"
like "$(cat "$TMP/tcp.log")" '^postern-smtpd: info: auth fail user="" mech=PLAIN ip=192\.0\.2\.1 reason=encryption sid=[^ ]+$' "logged with the rule's address"

server_stop tcp

# Every setting postern reads passes through the run script (each given
# a value here), and an empty one is not passed on; a name postern does
# not read is logged.  envdump writes the front's environment.
cat >"$TMP/envdump" <<EOS
#!/bin/sh
env >"$TMP/env.\$\$"
exec "\$@"
EOS
chmod 755 "$TMP/envdump"
SETS="SMTPAUTHTIMEOUT=100 SMTPSESSIONTIMEOUT=1000 AUTHMECHS=LOGIN AUTHINSECURE=1
TLSREQUIRED=1 AUTHFAILWINDOW=600 AUTHFAILRECORDS=1000 LIMITDIR=$TMP/limits
MSGLIMIT=200/1h RCPTLIMIT=1000/1d MAXMSGS=50 RECEIVEDPRIVATE=1
REDIS=127.0.0.1:1"
set -- '"$BIN/postern-smtpd"' "$TMP/envdump \"\$BIN/postern-smtpd\"" "AUTHFAILMAX=10
" "AUTHFAILMAX=10
AUTHFAILWINDWO=60
"
for a in $SETS
do
  set -- "$@" "
${a%%=*}=
" "
$a
"
done
svc tcpenv "$@" || echo "# tcpserver did not start: $(cat "$TMP/tcpenv.log")"
printf 'QUIT\n' | d_chat "$PORT" >/dev/null 2>&1
sleep 0.2
env=$(cat "$TMP"/env.* 2>/dev/null)
miss=
for a in $SETS SMTPHOSTNAME=mail.example.org DATABYTES=26214400 AUTHFAILDIR=$TMP/authfail
do
  printf '%s\n' "$env" | grep -qxF -- "$a" || miss="$miss $a"
done
is "$miss" "" "every setting of the run script reaches postern"
unlike "$env" "^REDISPREFIX=" "an empty setting (REDISPREFIX) is not passed on"
like "$(cat "$TMP/tcpenv.log")" '^postern run: warning: unknown setting AUTHFAILWINDWO is ignored' "a misspelt setting is logged, named"
server_stop tcpenv
rm -f "$TMP"/env.*

# Two of them at work: AUTHMECHS and AUTHINSECURE, for a remote client.
svc tcpmech "
AUTHMECHS=
" "
AUTHMECHS=LOGIN
" "
AUTHINSECURE=
" "
AUTHINSECURE=1
" || echo "# tcpserver did not start: $(cat "$TMP/tcpmech.log")"
out=$(printf 'EHLO remote.example\nQUIT\n' | d_chat "$PORT" 127.0.0.2)
like "$out" '^250[ -]AUTH LOGIN$' "AUTHMECHS and AUTHINSECURE set in the run script take effect"
unlike "$(cat "$TMP/tcpmech.log")" 'warning' "and no warning"
server_stop tcpmech

# RUNAS: the whole chain as the account, never as root.
if [ "$ROOT" -eq 1 ]
then
  chgrp "$(id -gn "$ACCT")" "$PWDB"
  chmod 640 "$PWDB"
  svc tcp2 "
RUNAS=
" "
RUNAS=$ACCT
" "MAXCONN=40" "MAXCONN=3" || echo "# tcpserver did not start: $(cat "$TMP/tcp2.log")"
  # a session held open: who runs the front?
  like "$(front tcp2)" "^ *$(id -u "$ACCT") +postern-smtpd\$" "RUNAS: the front runs as the account"
  n0=$(d_count)
  d_limit swaks --server "127.0.0.1:$PORT" --auth LOGIN --auth-user alice --auth-password secret \
    --from alice@example.org --to bob@example.org --data "@$TMP/tcp.swaks" >"$TMP/swaks.out" 2>&1
  is "$?" "0" "RUNAS: AUTH LOGIN and a message"
  is "$(d_count)" "$((n0 + 1))" "RUNAS: delivered"
  ok "RUNAS: the same bytes" cmp "$TMP/got" "$TMP/tcp.msg"
  like "$(cat "$TMP/tcp2.log")" '^tcpserver: status: 0/3$' "MAXCONN gives tcpserver -c"
  server_stop tcp2
else
  for i in 1 2 3 4 5; do skip "RUNAS" "needs root"; done
fi

# In root mode, the front runs as root until AUTH and the session as the account.
svc tcp3 || echo "# tcpserver did not start: $(cat "$TMP/tcp3.log")"
like "$(front tcp3)" "^ *$(id -u) +postern-smtpd\$" "default: the front runs as tcpserver's user"
server_stop tcp3

# conf/outbox-setup.sh: the layout, the owners, the modes; twice.
if [ "$ROOT" -eq 1 ]
then
  NEWACCT=pnd$$n
  D_USERS="$D_USERS $NEWACCT"
  os()
  {
    ACCOUNT=$NEWACCT SPOOL=$TMP/os/spool ETC=$TMP/os/etc FAILDIR=$TMP/os/faildir BIN=$PN_BIN sh "$CONF/outbox-setup.sh" >"$TMP/os.out" 2>&1
  }
  os
  is "$?" "0" "outbox-setup.sh runs"
  ok "it created the account" getent passwd "$NEWACCT"
  is "$(getent passwd "$NEWACCT" | cut -d: -f6,7)" "$TMP/os/spool:/usr/sbin/nologin" "with the spool as home, no login"
  g=$(id -gn "$NEWACCT")
  is "$(stat -c '%U:%G %a' "$TMP/os/spool")" "root:$g 750" "spool root:account 750"
  is "$(stat -c '%U:%G %a' "$TMP/os/spool/outbox" "$TMP/os/spool/outbox/tmp" "$TMP/os/spool/outbox/new" "$TMP/os/spool/outbox/cur" | sort -u)" "$NEWACCT:$g 700" "outbox tmp new cur: account, 700"
  is "$(stat -c '%U %a' "$TMP/os/etc/passwd" "$TMP/os/etc/passwd.cdb" | sort -u)" "root 600" "passwd and passwd.cdb: root, 600"
  is "$(stat -c '%U %a' "$TMP/os/faildir")" "root 700" "the AUTHFAILDIR directory: root, 700"
  ok "tcp.rules and tcp.cdb installed" test -s "$TMP/os/etc/tcp.rules" -a -s "$TMP/os/etc/tcp.cdb"
  echo keep >"$TMP/os/etc/passwd.keep"
  printf 'x\n' | postern-passwd -f "$TMP/os/etc/passwd" add carol >/dev/null 2>&1
  os
  is "$?" "0" "a second run"
  like "$(postern-passwd -f "$TMP/os/etc/passwd" list)" '^carol:' "leaves the password file alone"
  userdel -f "$NEWACCT" >/dev/null 2>&1 || userdel -f "$NEWACCT" >/dev/null 2>&1
else
  for i in 1 2 3 4 5 6 7 8 9 10; do skip "outbox-setup.sh" "needs root"; done
fi

done_testing
