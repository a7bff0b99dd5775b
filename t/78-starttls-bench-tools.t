#!/bin/sh
# bench/pn-tlsc -s (the STARTTLS tunnel of make bench's S1 row): pn-load's
# plain SMTP sessions through postern-tls without -i and postern-smtpd's
# STARTTLS, AUTH after TLS, every message accepted and found, the
# Received line naming TLS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-tls-lib.sh"

require "STARTTLS bench tools" "needs a C compiler, tcpserver and openssl" d_have "${CC:-cc}" tcpserver openssl
require_built "STARTTLS bench tools" postern-tls postern-smtpd postern-queue t/pn-t-checkpw
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BB=$TMP/bb
mkdir "$BB"
BFLAGS="-std=c99 -D_GNU_SOURCE -O2 -Wall -Wextra"
ok "pn-load builds" ${CC:-cc} $BFLAGS -o "$BB/pn-load" "$ROOT/bench/pn-load.c"
ok "pn-tlsc builds" ${CC:-cc} $BFLAGS -I"$ROOT/src" -o "$BB/pn-tlsc" "$ROOT/bench/pn-tlsc.c" "$ROOT/src/lib/pn_tls.c" -l:libskarnet.a -ltls
tls_certs

MD=$TMP/md
maildir "$MD"
tls_serve s env TCPREMOTEIP=192.0.2.1 "$PN_BIN/postern-tls" -c "$TLS/srv.pem" -k "$TLS/srv.key" \
  "$PN_BIN/postern-smtpd" "$PN_BIN/t/pn-t-checkpw" "$PN_BIN/postern-queue" -m "$MD" \
  || bail "tcpserver: $(cat "$TMP/s.log")"
LPORT=$(free_port)
"$BB/pn-tlsc" -s "$TLS/ca.pem" "$LPORT" "$PORT" >"$TMP/tlsc.out" 2>"$TMP/tlsc.err" &
TP=$!
stop_tlsc() { kill "$TP" 2>/dev/null; }
atexit stop_tlsc
wait_port "$LPORT"
is "$(cat "$TMP/tlsc.out")" "ready" "pn-tlsc -s listens"
out=$(d_limit "$BB/pn-load" -n 4 -c 2 -s 20000 -u alice -p secret -a "127.0.0.1:$LPORT" 2>"$TMP/err")
is "$?" 0 "pn-load through pn-tlsc -s, STARTTLS and AUTH from a remote address: every session succeeded"
is "$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^\(ok\|accepted\)=//p' | tr '\n' ' ')" "4 4 " "4 sessions, 4 messages accepted"
is "$(ls "$MD/new" | wc -l | tr -d ' ')" 4 "the Maildir holds them"
f=$MD/new/$(ls "$MD/new" | head -n 1)
like "$(sed -n 4p "$f")" 'with ESMTPSA \(TLSv1\.3 TLS_[A-Z0-9_]+\) id ' "Received: ESMTPSA, protocol and cipher"
tls_logwait s 'postern-smtpd: info: starttls'
like "$(cat "$TMP/s.log")" 'postern-smtpd: info: starttls protocol=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ ip=192\.0\.2\.1' "STARTTLS in the front"
ok "no process left behind" tls_gone s
done_testing
