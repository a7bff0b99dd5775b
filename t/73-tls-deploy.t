#!/bin/sh
# conf/xinetd/postern-465 and conf/systemd/postern-465.socket +
# postern-465@.service: TLS on connect with postern-tls first, run as
# they are with only the port, the paths and the failure delay
# substituted (a private xinetd; systemd-socket-activate --accept
# --inetd for the service).  Neither launcher sets TCPREMOTEIP:
# postern-tls passes the socket's addresses on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-tls-lib.sh"

S=$CONF/systemd/postern-465.socket
U=$CONF/systemd/postern-465@.service
like "$(grep -E '^(ListenStream|Accept)=' "$S" | tr '\n' ' ')" '^ListenStream=465 Accept=yes $' "the socket listens on 465 with Accept=yes"
like "$(grep '^ExecStart=' "$U")" '^ExecStart=/usr/local/bin/postern-tls -i -u nobody -c /etc/letsencrypt/live/mail\.example\.org/fullchain\.pem -k /etc/letsencrypt/live/mail\.example\.org/privkey\.pem /usr/local/bin/postern-smtpd ' "the service starts postern-tls -i, certbot's paths"
ok "hardened as postern@.service" grep -qx 'CapabilityBoundingSet=CAP_SETUID CAP_SETGID' "$U"
like "$(grep -E '^\s*server(_args)?\s*=' "$CONF/xinetd/postern-465" | tr -s '\t ' '  ')" '^ server = /usr/local/bin/postern-tls
 server_args = -i -u nobody -c /etc/letsencrypt/live/mail\.example\.org/fullchain\.pem -k /etc/letsencrypt/live/mail\.example\.org/privkey\.pem /usr/local/bin/postern-smtpd ' "xinetd: postern-tls -i, certbot's paths"

require_built "TLS deployment" postern-tls postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup
tls_certs

mkdir -p "$TMP/units"
cp "$S" "$TMP/units/postern-465.socket"
sed "s|/usr/local/bin/|$PN_BIN/|g" "$U" >"$TMP/units/postern-465@.service"
if d_have systemd-analyze
then
  out=$(cd "$TMP/units" && SYSTEMD_LOG_COLOR=0 d_limit systemd-analyze verify --man=no ./postern-465.socket ./postern-465@.service 2>&1)
  is "$?:$out" "0:" "systemd-analyze verify: no complaint about either unit"
else
  skip "systemd-analyze verify" "systemd-analyze is not installed"
fi

cat >"$TMP/py.py" <<'PY'
import smtplib, ssl, sys
port, ca, msgfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with smtplib.SMTP_SSL("localhost", port, context=ssl.create_default_context(cafile=ca), timeout=30) as s:
    s.login("alice", "secret")
    s.sendmail("alice@example.org", ["bob@example.org"], open(msgfile, "rb").read())
    print("sent", s.sock.version())
PY
# session NAME: python3 SMTP_SSL delivers NAME's message
session()
{
  d_msg "$1"
  n0=$(d_count)
  is "$(d_limit python3 "$TMP/py.py" "$PORT" "$TLS/ca.pem" "$TMP/$1.crlf" 2>&1)" "sent TLSv1.3" "$1: SMTP_SSL, login, a message"
  is "$(d_count)" "$((n0 + 1))" "$1: one message in the outbox"
  f=$(d_last)
  d_body "$f" >"$TMP/got"
  ok "$1: the message, byte for byte" cmp "$TMP/got" "$TMP/$1.msg"
  like "$(sed -n 3,4p "$f" | tr '\n\t' '  ')" '^Received: from [^ ]+ \(\[127\.0\.0\.1\]\)  by mail\.example\.org \(postern\) with ESMTPSA \(TLSv1\.3 TLS_[A-Z0-9_]+\) id ' "$1: Received: the address postern-tls passed on, ESMTPSA"
  is "$(stat -c %U "$f")" "$ACCT" "$1: the session ran as the account"
}

TLSSUBST="/etc/letsencrypt/live/mail.example.org/fullchain.pem $TLS/srv.pem /etc/letsencrypt/live/mail.example.org/privkey.pem $TLS/srv.key"
if d_have systemd-socket-activate
then
  cp "$U" "$TMP/svc"
  # shellcheck disable=SC2086
  d_subst "$TMP/svc" "/usr/local/bin/" "$PN_BIN/" \
    "/etc/postern/passwd.cdb" "$PWDB" "-a vmail" "-a $ACCT" \
    "/var/spool/postern/outbox" "$OUTBOX" "AUTHFAILDELAY=2" "AUTHFAILDELAY=0" $TLSSUBST
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
  session sd
  tls_logwait sd 'postern-queue: info: accepted'
  like "$(cat "$TMP/sd.log")" 'postern-tls: info: tls start protocol=TLSv1\.3 cipher=[A-Z0-9_]+ sni="localhost" ip=127\.0\.0\.1' "postern-tls logs, with the socket's address"
  server_stop sd
else
  for i in 1 2 3 4 5 6; do skip "socket activation" "needs systemd-socket-activate"; done
fi

if d_have xinetd && [ "$(id -u)" -eq 0 ]
then
  X=$TMP/xinetd.conf
  PORT=$(free_port)
  { printf 'defaults\n{\n}\n\n'; cat "$CONF/xinetd/postern-465"; } >"$X"
  # shellcheck disable=SC2086
  d_subst "$X" "= 465" "= $PORT
	bind		= 127.0.0.1" "/usr/local/bin/" "$PN_BIN/" \
    "/etc/postern/passwd.cdb" "$PWDB" "-a vmail" "-a $ACCT" \
    "/var/spool/postern/outbox" "$OUTBOX" "AUTHFAILDELAY=2" "AUTHFAILDELAY=0" $TLSSUBST
  server_start xinetd "$PORT" xinetd -dontfork -f "$X" -pidfile "$TMP/xinetd.pid" -filelog "$TMP/xinetd.own.log" \
    || bail "xinetd did not start: $(cat "$TMP/xinetd.log" "$TMP/xinetd.own.log" 2>/dev/null)"
  session xi
  server_stop xinetd
else
  for i in 1 2 3 4 5; do skip "xinetd" "needs xinetd and root"; done
fi
done_testing
