# t/helpers/pn-t-tls-lib.sh: sourced after t/lib.sh and
# pn-t-deploy-lib.sh by the postern-tls tests (t/7N-tls-*.t).
#
#   tls_certs            throw-away certificates in $TLS (= $TMP/tls):
#                        ca.pem (a CA), srv.pem/srv.key (ECDSA P-256,
#                        localhost and 127.0.0.1, signed by the CA),
#                        rsa.pem/rsa.key (RSA 2048, other.test, signed by
#                        the CA), ca2.pem (another CA, which signed
#                        nothing here: a client trusting only it does not
#                        trust the server); keys mode 600
#   tls_tcpserver NAME DIR [OLD NEW]...
#                        conf/DIR/run (tcpserver or tcpserver-465) as
#                        d_tcpserver runs conf/tcpserver/run, CERT and KEY
#                        set to srv.pem and srv.key; PORT in $PORT
#   tls_serve NAME CMD...
#                        tcpserver on 127.0.0.1:$PORT (a free one) running
#                        CMD, started as server_start NAME
#   tls_sclient PORT [OPTS...] <<EOF
#                        openssl s_client -connect 127.0.0.1:PORT OPTS in
#                        lock step: reads the greeting, sends each line of
#                        stdin (CRLF added; a line "<<FILE" sends FILE's
#                        bytes as they are), reads its whole reply; prints
#                        the replies without CR; nogreet=1 in the
#                        environment: no greeting to read (-starttls)
#   tls_logwait NAME ERE  true once $TMP/NAME.log has a line matching
#                        ERE (false after 10 s)
#   tls_gone NAME        true once the server NAME (server_start) runs
#                        no session: no process of its session but itself
#                        (false after 10 s); nothing left behind
#   tls_check_msg NAME [IP]
#                        4 tests: one more message in the outbox ($n0 the
#                        count before), $TMP/NAME.msg byte for byte, and a
#                        Received line naming ESMTPSA with TLS 1.3 and its
#                        cipher, and IP (ERE; default 192.0.2.1)
#   tls_curl SCHEME WHAT 7 tests: curl to localhost:$PORT (SCHEME smtps,
#                        TLS on connect, or smtp, STARTTLS), --ssl-reqd: a
#                        message; a wrong password, 67; a CA it does not
#                        trust, 60; WHAT names the tests
#   tls_msmtp on|off WHAT
#                        7 tests: the same with msmtp, tls_starttls on|off
#                        (77 and 69 for the refusals)

TLS=$TMP/tls

tls_certs()
{
  mkdir -p "$TLS"
  (
    cd "$TLS" || exit 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj /CN=postern-test-ca -keyout ca.key -out ca.pem &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj /CN=postern-test-ca2 -keyout ca2.key -out ca2.pem &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -subj /CN=localhost -keyout srv.key -out srv.csr &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >srv.ext &&
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
      -days 2 -extfile srv.ext -out srv.pem &&
    openssl req -newkey rsa:2048 -nodes -subj /CN=other.test -keyout rsa.key -out rsa.csr &&
    printf 'subjectAltName=DNS:other.test\n' >rsa.ext &&
    openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
      -days 2 -extfile rsa.ext -out rsa.pem &&
    chmod 600 ./*.key
  ) >"$TMP/openssl.out" 2>&1 || bail "openssl: $(cat "$TMP/openssl.out")"
}

tls_tcpserver()
{
  t_name=$1 t_dir=$2
  shift 2
  PORT=$(free_port)
  rm -rf "$TMP/sv"
  cp -R "$CONF/$t_dir" "$TMP/sv"
  d_subst "$TMP/sv/run" "$@" \
    "BIN=/usr/local/bin" "BIN=$PN_BIN" \
    "IP=0" "IP=127.0.0.1" \
    "RULES=/etc/postern/tcp.cdb" "RULES=$TMP/tcp.cdb" \
    "PASSWD=/etc/postern/passwd.cdb" "PASSWD=$PWDB" \
    "ACCOUNT=vmail" "ACCOUNT=$ACCT" \
    "AUTHFAILDELAY=2" "AUTHFAILDELAY=0" \
    "CERT=/etc/letsencrypt/live/mail.example.org/fullchain.pem" "CERT=$TLS/srv.pem" \
    "KEY=/etc/letsencrypt/live/mail.example.org/privkey.pem" "KEY=$TLS/srv.key" \
    "/var/spool/postern/outbox" "$OUTBOX"
  sed -i "s/^PORT=.*/PORT=$PORT/" "$TMP/sv/run"
  server_start "$t_name" "$PORT" "$TMP/sv/run"
}

tls_serve()
{
  t_name=$1
  shift
  PORT=$(free_port)
  server_start "$t_name" "$PORT" tcpserver -v 127.0.0.1 "$PORT" "$@"
}

tls_sclient()
{
  [ -e "$TMP/sclient.py" ] || cat >"$TMP/sclient.py" <<'PY'
import subprocess, sys
port = sys.argv[1]
p = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:" + port, "-quiet",
                      "-nocommands"] + sys.argv[2:],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
def reply():
    while True:
        l = p.stdout.readline()
        if not l:
            return False
        sys.stdout.write(l.decode("utf-8", "replace").rstrip("\r\n") + "\n")
        sys.stdout.flush()
        if len(l) < 4 or l[3:4] != b"-":
            return True
import os
if os.environ.get("nogreet") or reply():
    for line in sys.stdin.read().split("\n")[:-1]:
        if line.startswith("<<"):
            p.stdin.write(open(line[2:], "rb").read())
        else:
            p.stdin.write(line.encode() + b"\r\n")
        p.stdin.flush()
        if not reply():
            break
p.stdin.close()
try:
    p.wait(20)
except subprocess.TimeoutExpired:
    p.kill()
PY
  t_port=$1
  shift
  d_limit python3 "$TMP/sclient.py" "$t_port" "$@"
}

tls_logwait()
{
  t_i=0
  while [ $t_i -lt 100 ]
  do
    grep -Eq -- "$2" "$TMP/$1.log" 2>/dev/null && return 0
    sleep 0.1
    t_i=$((t_i + 1))
  done
  return 1
}

tls_gone()
{
  eval "t_sv=\${PID_$1-}"
  t_i=0
  while [ $t_i -lt 100 ]
  do
    [ "$(ps -o pid= -s "$t_sv" 2>/dev/null | tr -d ' ' | grep -vx "$t_sv")" = "" ] && return 0
    sleep 0.1
    t_i=$((t_i + 1))
  done
  return 1
}

tls_check_msg()
{
  name=$1
  ip=${2:-192\.0\.2\.1}
  is "$(d_count)" "$((n0 + 1))" "$name: one message in the outbox"
  f=$(d_last)
  d_body "$f" >"$TMP/got"
  ok "$name: the message, byte for byte" cmp "$TMP/got" "$TMP/$name.msg"
  like "$(sed -n 3,4p "$f" | tr '\n\t' '  ')" '^Received: from [^ ]+ \(\['"$ip"'\]\)  by mail\.example\.org \(postern\) with ESMTPSA \(TLSv1\.3 TLS_(AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256|AES_128_GCM_SHA256)\) id ' "$name: Received says ESMTPSA, the protocol and the cipher"
}

# tls_curl1 SCHEME CA PASSWORD [--interface 127.0.0.2]: one curl run
tls_curl1()
{
  d_limit curl -sS ${4:+--interface "$4"} --cacert "$2" --ssl-reqd --user "alice:$3" \
    --mail-from alice@example.org --mail-rcpt bob@example.org -T "$TMP/curl.crlf" \
    "$1://localhost:$PORT" >"$TMP/curl.out" 2>&1
}

tls_curl()
{
  if d_have curl
  then
    d_msg curl
    n0=$(d_count)
    tls_curl1 "$1" "$TLS/ca.pem" secret 127.0.0.2
    is "$?" "0" "curl $1:// --ssl-reqd ($2), the name verified: a message"
    tls_check_msg curl
    tls_curl1 "$1" "$TLS/ca.pem" wrong 127.0.0.2
    is "$?" "67" "curl ($2), a wrong password: login denied (67)"
    tls_curl1 "$1" "$TLS/ca2.pem" secret
    is "$?" "60" "curl ($2), a certificate it does not trust: refused (60)"
    is "$(d_count)" "$((n0 + 1))" "curl ($2): nothing more delivered"
  else
    for i in 1 2 3 4 5 6 7; do skip "curl ($2)" "curl is not installed"; done
  fi
}

# tls_msmtp1 on|off CA PASSWORD: one msmtp run; its status
tls_msmtp1()
{
  cat >"$TMP/msmtprc" <<RC
defaults
tls on
tls_starttls $1
tls_trust_file $2
account test
host localhost
port $PORT
source_ip 127.0.0.2
auth plain
user alice
password $3
from alice@example.org
RC
  chmod 600 "$TMP/msmtprc"
  d_limit msmtp -C "$TMP/msmtprc" -a test bob@example.org <"$TMP/msmtp.msg" >"$TMP/msmtp.out" 2>&1
}

tls_msmtp()
{
  if d_have msmtp
  then
    d_msg msmtp
    n0=$(d_count)
    tls_msmtp1 "$1" "$TLS/ca.pem" secret
    is "$?" "0" "msmtp, tls_starttls $1: a message"
    tls_check_msg msmtp
    tls_msmtp1 "$1" "$TLS/ca.pem" wrong
    is "$?" "77" "msmtp ($2), a wrong password: refused (77)"
    tls_msmtp1 "$1" "$TLS/ca2.pem" secret
    st=$?
    like "$st $(cat "$TMP/msmtp.out")" '^69 .*TLS certificate verification failed' "msmtp ($2), a certificate it does not trust: refused (69)"
    is "$(d_count)" "$((n0 + 1))" "msmtp ($2): nothing more delivered"
  else
    for i in 1 2 3 4 5 6 7; do skip "msmtp ($2)" "msmtp is not installed"; done
  fi
}
