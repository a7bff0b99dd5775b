#!/bin/sh
# conf/systemd: postern.socket (Accept=yes) and postern@.service.  The
# units are checked by systemd-analyze verify; the service's ExecStart=
# and Environment= lines are run as they are, with only the paths and
# the failure delay substituted, by systemd-socket-activate --accept
# --inetd, which hands each connection over the way the socket unit does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

S=$CONF/systemd/postern.socket
U=$CONF/systemd/postern@.service

# The units themselves.
like "$(grep -E '^(ListenStream|Accept)=' "$S" | tr '\n' ' ')" '^ListenStream=587 Accept=yes $' "the socket listens on 587 with Accept=yes"
like "$(grep -E '^MaxConnections(PerSource)?=' "$S" | tr '\n' ' ')" '^MaxConnections=[0-9]+ MaxConnectionsPerSource=[0-9]+ $' "and limits connections, in all and per address"
# A trigger limit, when hit, fails an Accept=yes socket for good, and
# systemd sets one (200 per 2 s) when none is: the socket turns it off.
is "$(grep -E '^TriggerLimit' "$S" | tr '\n' ' ')" "TriggerLimitIntervalSec=0 " "no trigger limit: TriggerLimitIntervalSec=0, and no other TriggerLimit setting"
ok "failed instances are unloaded (CollectMode=inactive-or-failed)" grep -qx 'CollectMode=inactive-or-failed' "$U"
is "$(grep -E '^Standard(Input|Output)=' "$U" | tr '\n' ' ')" "StandardInput=socket StandardOutput=socket " "the service talks on the socket"
for k in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes ProtectHome=yes PrivateDevices=yes \
  'CapabilityBoundingSet=CAP_SETUID CAP_SETGID' RestrictSUIDSGID=yes MemoryDenyWriteExecute=yes
do
  ok "hardened: $k" grep -qx "$k" "$U"
done
ok "the outbox is writable in ProtectSystem=strict" grep -qx 'ReadWritePaths=/var/spool/postern/outbox' "$U"
ok "the same outbox as ExecStart's" grep -q '^ExecStart=.* -m /var/spool/postern/outbox$' "$U"

require_built "systemd deployment" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup

# systemd-analyze verify: unknown keys, bad values, missing programs.
mkdir -p "$TMP/units"
cp "$S" "$TMP/units/postern.socket"
sed "s|/usr/local/bin/|$PN_BIN/|g" "$U" >"$TMP/units/postern@.service"
if d_have systemd-analyze
then
  out=$(cd "$TMP/units" && SYSTEMD_LOG_COLOR=0 d_limit systemd-analyze verify --man=no ./postern.socket ./postern@.service 2>&1)
  st=$?
  is "$st:$out" "0:" "systemd-analyze verify: no complaint about either unit"
  printf 'Bogus=yes\n' >>"$TMP/units/postern@.service"
  out=$(cd "$TMP/units" && SYSTEMD_LOG_COLOR=0 d_limit systemd-analyze verify --man=no ./postern.socket ./postern@.service 2>&1)
  like "$out" "Unknown key 'Bogus'" "(and it would complain)"
else
  skip "systemd-analyze verify" "systemd-analyze is not installed"
  skip "systemd-analyze verify" "systemd-analyze is not installed"
fi

if ! d_have systemd-socket-activate swaks
then
  skip "socket activation" "needs systemd-socket-activate (package systemd) and swaks"
  done_testing
fi

# The service's command line and environment, substituted.
cp "$U" "$TMP/svc"
d_subst "$TMP/svc" "/usr/local/bin/" "$PN_BIN/" \
  "/etc/postern/passwd.cdb" "$PWDB" \
  "-a vmail" "-a $ACCT" \
  "/var/spool/postern/outbox" "$OUTBOX" \
  "AUTHFAILDELAY=2" "AUTHFAILDELAY=0"
cmd=$(sed -n 's/^ExecStart=//p' "$TMP/svc")
set --
for e in $(sed -n 's/^Environment=//p' "$TMP/svc")
do
  set -- "$@" -E "$e"
done
PORT=$(free_port)
# shellcheck disable=SC2086
server_start sd "$PORT" systemd-socket-activate -l "127.0.0.1:$PORT" --accept --inetd "$@" $cmd \
  || bail "systemd-socket-activate did not start: $(cat "$TMP/sd.log")"
t_result 0 "systemd-socket-activate --accept --inetd runs ExecStart= on 127.0.0.1:$PORT"

out=$(d_chat "$PORT" <<EOS
EHLO client.example
QUIT
EOS
)
is "$(printf '%s\n' "$out" | sed -n 1p)" "220 mail.example.org ESMTP postern" "the greeting, SMTPHOSTNAME from Environment="
like "$out" '250-SIZE 26214400' "DATABYTES from Environment="

d_msg sd
n0=$(d_count)
d_limit swaks --server "127.0.0.1:$PORT" --auth PLAIN --auth-user alice --auth-password secret \
  --from alice@example.org --to bob@example.org --data "@$TMP/sd.swaks" >"$TMP/swaks.out" 2>&1
is "$?" "0" "swaks: AUTH PLAIN and a message"
is "$(d_count)" "$((n0 + 1))" "one message in the outbox"
f=$(d_last)
d_body "$f" >"$TMP/got"
ok "the message, byte for byte" cmp "$TMP/got" "$TMP/sd.msg"
like "$(sed -n 3p "$f")" '^Received: from [^ ]+ \(\[127\.0\.0\.1\]\)$' "Received: the address from the socket (systemd sets no TCPREMOTEIP)"
is "$(stat -c %U "$f")" "$ACCT" "the session ran as the account"
log=$(cat "$TMP/sd.log")
like "$log" '^postern-smtpd: info: connect ip=127\.0\.0\.1 sid=[^ ]+$' "stderr (the journal under systemd) gets the log"
like "$log" "^postern-checkpw: info: auth ok user=\"alice\" account=$ACCT " "postern-checkpw's line"
like "$log" '^postern-queue: info: accepted id=' "postern-queue's line"

n0=$(d_count)
d_limit swaks --server "127.0.0.1:$PORT" --auth LOGIN --auth-user alice --auth-password wrong \
  --from alice@example.org --to bob@example.org --data "@$TMP/sd.swaks" >"$TMP/swaks.out" 2>&1
like "$?" '^[1-9][0-9]*$' "a wrong password: swaks fails"
like "$(cat "$TMP/swaks.out")" '<~?\*\* +535 5\.7\.8 ' "535 5.7.8"
is "$(d_count)" "$n0" "nothing delivered"
like "$(cat "$TMP/sd.log")" '^postern-smtpd: info: auth fail user="alice" mech=LOGIN ip=127\.0\.0\.1 reason=password sid=[^ ]+$' "logged"

server_stop sd
done_testing
