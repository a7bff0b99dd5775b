#!/bin/sh
# conf/stunnel: implicit TLS on a submission port, stunnel in front of
# postern (exec mode, through postern-stunnel-env), run as it is with a
# self-signed certificate made here, and only the port, the paths and
# the failure delay substituted.  Real TLS clients: swaks --tlsc, curl
# smtps://, python3's smtplib.SMTP_SSL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

C=$CONF/stunnel/postern-465.conf
W=$CONF/stunnel/postern-stunnel-env
ok "postern-stunnel-env is valid sh" sh -n "$W"
ok "postern-stunnel-env is executable" test -x "$W"

# The wrapper alone: SMTPTLS, the address as tcpserver names it.
out=$(REMOTE_HOST=192.0.2.7 REMOTE_PORT=4321 "$W" A=b sh -c 'echo "$SMTPTLS $TCPREMOTEIP $TCPREMOTEPORT $A ${REMOTE_HOST-unset}"')
is "$out" "1 192.0.2.7 4321 b unset" "postern-stunnel-env sets SMTPTLS, TCPREMOTEIP and TCPREMOTEPORT, then runs env"

require "TLS deployment" "needs stunnel4 and openssl" d_have stunnel4 openssl
require_built "TLS deployment" postern-smtpd postern-checkpw postern-queue postern-passwd
d_setup

mkdir -p "$TMP/tls"
if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
    -keyout "$TMP/tls/key.pem" -out "$TMP/tls/cert.pem" >"$TMP/openssl.out" 2>&1
then
  bail "openssl: $(cat "$TMP/openssl.out")"
fi
chmod 600 "$TMP/tls/key.pem"

PORT=$(free_port)
cp "$C" "$TMP/stunnel.conf"
d_subst "$TMP/stunnel.conf" "accept = 465" "accept = 127.0.0.1:$PORT" \
  "/etc/postern/tls/fullchain.pem" "$TMP/tls/cert.pem" \
  "/etc/postern/tls/privkey.pem" "$TMP/tls/key.pem" \
  "/usr/local/bin/postern-stunnel-env" "$W" \
  "/usr/local/bin/" "$PN_BIN/" \
  "/etc/postern/passwd.cdb" "$PWDB" \
  "-a vmail" "-a $ACCT" \
  "/var/spool/postern/outbox" "$OUTBOX" \
  "AUTHFAILDELAY=2" "AUTHFAILDELAY=0"
server_start stunnel "$PORT" stunnel4 "$TMP/stunnel.conf" || bail "stunnel did not start: $(cat "$TMP/stunnel.log")"
t_result 0 "stunnel runs the example on 127.0.0.1:$PORT"

check_msg()
{
  name=$1
  is "$(d_count)" "$((n0 + 1))" "$name: one message in the outbox"
  f=$(d_last)
  d_body "$f" >"$TMP/got"
  ok "$name: the message, byte for byte" cmp "$TMP/got" "$TMP/$name.msg"
  like "$(sed -n 3,4p "$f" | tr '\n\t' '  ')" '^Received: from [^ ]+ \(\[127\.0\.0\.1\]\)  by mail\.example\.org \(postern\) with ESMTPSA id ' "$name: Received says ESMTPSA (SMTPTLS) and the client's address (TCPREMOTEIP)"
}

# swaks, TLS on connect
if d_have swaks
then
  d_msg swaks
  n0=$(d_count)
  d_limit swaks --server "127.0.0.1:$PORT" --tls-on-connect --auth PLAIN --auth-user alice --auth-password secret \
    --from alice@example.org --to bob@example.org --data "@$TMP/swaks.swaks" >"$TMP/swaks.out" 2>&1
  is "$?" "0" "swaks --tls-on-connect: AUTH PLAIN and a message"
  like "$(cat "$TMP/swaks.out")" '=== TLS started with cipher ' "over TLS"
  like "$(cat "$TMP/swaks.out")" '<~  250 AUTH PLAIN LOGIN' "AUTH offered inside TLS"
  check_msg swaks
else
  for i in 1 2 3 4 5 6; do skip "swaks over TLS" "swaks is not installed"; done
fi

# curl, smtps://, the certificate verified
if d_have curl
then
  d_msg curl
  n0=$(d_count)
  d_limit curl -sS --cacert "$TMP/tls/cert.pem" --user alice:secret --mail-from alice@example.org \
    --mail-rcpt bob@example.org -T "$TMP/curl.crlf" "smtps://127.0.0.1:$PORT" >"$TMP/curl.out" 2>&1
  is "$?" "0" "curl smtps:// with --cacert: a message"
  check_msg curl
  d_limit curl -sS --cacert "$TMP/tls/cert.pem" --user alice:wrong --mail-from alice@example.org \
    --mail-rcpt bob@example.org -T "$TMP/curl.crlf" "smtps://127.0.0.1:$PORT" >"$TMP/curl.out" 2>&1
  is "$?" "67" "curl, a wrong password: login denied (67)"
  is "$(d_count)" "$((n0 + 1))" "nothing more delivered"
else
  for i in 1 2 3 4 5 6; do skip "curl over TLS" "curl is not installed"; done
fi

# python3 smtplib.SMTP_SSL, the certificate verified
d_msg py
n0=$(d_count)
out=$(d_limit python3 - "$PORT" "$TMP/tls/cert.pem" "$TMP/py.crlf" <<'PY' 2>&1
import smtplib, ssl, sys
port, ca, msgfile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
with smtplib.SMTP_SSL("127.0.0.1", port, context=ctx, timeout=30) as s:
    s.ehlo("py.example")
    print("auth", "auth" in s.esmtp_features, s.sock.version())
    s.login("alice", "secret")
    s.sendmail("alice@example.org", ["bob@example.org"], open(msgfile, "rb").read())
    print("sent")
PY
)
like "$out" '^auth True TLSv1\.[23]$' "python3 SMTP_SSL: TLS 1.2 or 1.3, AUTH offered"
like "$out" 'sent$' "python3: login, a message"
check_msg py

log=$(cat "$TMP/stunnel.log")
like "$log" 'accepted connection from 127\.0\.0\.1' "stunnel logs the connection"
like "$log" 'postern-smtpd: info: connect ip=127\.0\.0\.1' "postern's lines go to stunnel's stderr, with the client's address"
like "$log" 'postern-queue: info: accepted id=' "postern-queue's too"

server_stop stunnel
done_testing
