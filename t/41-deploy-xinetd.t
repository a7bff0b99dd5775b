#!/bin/sh
# conf/xinetd/postern, run as it is by a private xinetd in the
# foreground on 127.0.0.1, with only the port, the paths and the
# failure delay substituted.  Under xinetd the client's socket is also
# stderr: nothing but SMTP may reach the client.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require "xinetd deployment" "needs xinetd and swaks" d_have xinetd swaks
require "xinetd deployment" "needs root (the example runs the chain with user = root)" test "$(id -u)" -eq 0
require_built "xinetd deployment" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup

# xconf [OLD NEW]...: the example as $X, on a free $PORT of 127.0.0.1,
# with the programs of $PN_BIN and each OLD replaced with its NEW
X=$TMP/xinetd.conf
xconf()
{
  PORT=$(free_port)
  {
    printf 'defaults\n{\n}\n\n'
    cat "$CONF/xinetd/postern"
  } >"$X"
  d_subst "$X" "= 587" "= $PORT
	bind		= 127.0.0.1" \
    "/usr/local/bin/" "$PN_BIN/" \
    "$@"
}

xconf "/etc/postern/passwd.cdb" "$PWDB" \
  "-a vmail" "-a $ACCT" \
  "/var/spool/postern/outbox" "$OUTBOX" \
  "AUTHFAILDELAY=2" "AUTHFAILDELAY=0"
server_start xinetd "$PORT" xinetd -dontfork -f "$X" -pidfile "$TMP/xinetd.pid" -filelog "$TMP/xinetd.own.log" \
  || bail "xinetd did not start: $(cat "$TMP/xinetd.log" "$TMP/xinetd.own.log" 2>/dev/null)"
t_result 0 "xinetd runs the example on 127.0.0.1:$PORT"

# The dialogue: a clean greeting, the env attribute's settings.
out=$(d_chat "$PORT" <<EOS
EHLO client.example
QUIT
EOS
)
is "$(printf '%s\n' "$out" | sed -n 1p)" "220 mail.example.org ESMTP postern" "the first bytes are the greeting, with SMTPHOSTNAME from env: no log line reached the client"
like "$out" '250-SIZE 26214400' "DATABYTES from env"
like "$out" '250 AUTH PLAIN LOGIN' "AUTH offered on loopback"
unlike "$out" 'info:|warning:|fatal:|postern-' "no log text in the session"

d_msg xi
n0=$(d_count)
d_limit swaks --server "127.0.0.1:$PORT" --auth PLAIN --auth-user alice --auth-password secret \
  --from alice@example.org --to bob@example.org --data "@$TMP/xi.swaks" >"$TMP/swaks.out" 2>&1
is "$?" "0" "swaks: AUTH PLAIN and a message"
like "$(cat "$TMP/swaks.out")" '<-  250 2\.0\.0 OK id=' "accepted with 250 2.0.0"
unlike "$(grep '^<' "$TMP/swaks.out")" 'info:|warning:|postern-' "the client saw no log line after AUTH either"
is "$(d_count)" "$((n0 + 1))" "one message in the outbox"
f=$(d_last)
d_body "$f" >"$TMP/got"
ok "the message, byte for byte" cmp "$TMP/got" "$TMP/xi.msg"
like "$(sed -n 3p "$f")" '^Received: from [^ ]+ \(\[127\.0\.0\.1\]\)$' "Received: postern-smtpd found the client's address itself"
is "$(stat -c %U "$f")" "$ACCT" "the session ran as the account"

# LOGIN, a wrong password: 535, and the connection stays clean.
n0=$(d_count)
d_limit swaks --server "127.0.0.1:$PORT" --auth LOGIN --auth-user 'bob@example.org' --auth-password 'wrong' \
  --from alice@example.org --to bob@example.org --data "@$TMP/xi.swaks" >"$TMP/swaks.out" 2>&1
like "$?" '^[1-9][0-9]*$' "swaks fails with a wrong password"
like "$(cat "$TMP/swaks.out")" '<~?\*\* +535 5\.7\.8 ' "535 5.7.8"
unlike "$(grep '^<' "$TMP/swaks.out")" 'info:|postern-' "no log line to the client"
is "$(d_count)" "$n0" "nothing delivered"
d_limit swaks --server "127.0.0.1:$PORT" --auth LOGIN --auth-user 'bob@example.org' --auth-password "$(printf 'p\303\244ss w\303\266rd')" \
  --from alice@example.org --to bob@example.org --data "@$TMP/xi.swaks" >"$TMP/swaks.out" 2>&1
is "$?" "0" "AUTH LOGIN, a UTF-8 password with a space"
is "$(d_count)" "$((n0 + 1))" "delivered"

server_stop xinetd

# per_source, lowered to 1: a second connection from the same address
# while the first is open is closed at once, without a greeting.
xconf "per_source	= 10" "per_source	= 1"
server_start xinetd2 "$PORT" xinetd -dontfork -f "$X" -pidfile "$TMP/xinetd2.pid" -filelog "$TMP/xinetd2.own.log" \
  || echo "# xinetd did not start: $(cat "$TMP/xinetd2.log")"
# (wait_port's own connection may still count for a moment: retry)
tries=0
while [ $tries -lt 5 ]
do
  printf 'NOOP\n' | hold=20 d_chat "$PORT" >"$TMP/held" 2>/dev/null &
  hp=$!
  i=0
  while [ $i -lt 30 ] && ! grep -q '^250' "$TMP/held"
  do
    sleep 0.1
    i=$((i + 1))
  done
  grep -q '^250' "$TMP/held" && break
  kill "$hp" 2>/dev/null
  wait "$hp" 2>/dev/null
  sleep 0.5
  tries=$((tries + 1))
done
out=$(printf 'QUIT\n' | d_chat "$PORT" 2>&1)
kill "$hp" 2>/dev/null
wait "$hp" 2>/dev/null
is "$(head -n 1 "$TMP/held")" "220 mail.example.org ESMTP postern" "the first connection is served"
unlike "$out" '^220' "per_source: the second is closed without a greeting"
server_stop xinetd2

# cps: the example turns xinetd's connection rate limit off, since
# hitting it turns the service off for every client.  A burst of 60
# connections, one after the other, each served and closed (instances
# and per_source raised here so that a session not yet reaped does not
# count): all are served.  With a limit (cps = 5 10) the same burst
# turns the service off, which shows the burst is one.
ok "the example sets cps = 0 0" grep -qE '^[[:space:]]*cps[[:space:]]*= 0 0$' "$CONF/xinetd/postern"
burst()
{
  python3 - "$PORT" 60 <<'EOP'
import socket, sys
port, n, served = int(sys.argv[1]), int(sys.argv[2]), 0
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = s.makefile("rb")
        if f.readline().startswith(b"220"):
            served += 1
        s.sendall(b"QUIT\r\n")
        f.readline()
        s.close()
    except OSError:
        pass
print(served)
EOP
}
xconf "instances	= 40" "instances	= 200" "per_source	= 10" "per_source	= 200"
server_start xinetd3 "$PORT" xinetd -dontfork -f "$X" -pidfile "$TMP/xinetd3.pid" -filelog "$TMP/xinetd3.own.log" \
  || echo "# xinetd did not start: $(cat "$TMP/xinetd3.log")"
is "$(burst)" 60 "cps = 0 0: a burst of 60 connections, all served"
is "$(printf 'QUIT\n' | d_chat "$PORT" 2>&1 | head -n 1)" "220 mail.example.org ESMTP postern" "... and the next one too"
server_stop xinetd3
xconf "instances	= 40" "instances	= 200" "per_source	= 10" "per_source	= 200" "cps		= 0 0" "cps		= 5 10"
server_start xinetd4 "$PORT" xinetd -dontfork -f "$X" -pidfile "$TMP/xinetd4.pid" -filelog "$TMP/xinetd4.own.log" \
  || echo "# xinetd did not start: $(cat "$TMP/xinetd4.log")"
n=$(burst)
ok "cps = 5 10: the same burst turns the service off ($n of 60 served)" test "$n" -lt 60
like "$(cat "$TMP/xinetd4.own.log" "$TMP/xinetd4.log" 2>/dev/null)" 'Deactivating service postern due to excessive incoming connections' "... for every client, as xinetd logs"
server_stop xinetd4
done_testing
