#!/bin/sh
# The TLS tools of make bench (bench/tls.sh), built as it builds them:
# pn-hs measures and reports handshakes, pn-tlsc carries pn-load's plain
# SMTP sessions into postern-tls -i, every message accepted and found.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"
. "$(dirname "$0")/helpers/pn-t-tls-lib.sh"

require "TLS bench tools" "needs a C compiler, tcpserver and openssl" d_have "${CC:-cc}" tcpserver openssl
require_built "TLS bench tools" postern-tls postern-queue
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BB=$TMP/bb
mkdir "$BB"
BFLAGS="-std=c99 -D_GNU_SOURCE -O2 -Wall -Wextra"
ok "pn-load builds" ${CC:-cc} $BFLAGS -o "$BB/pn-load" "$ROOT/bench/pn-load.c"
ok "pn-hs builds" ${CC:-cc} $BFLAGS -o "$BB/pn-hs" "$ROOT/bench/pn-hs.c" -ltls
ok "pn-tlsc builds" ${CC:-cc} $BFLAGS -I"$ROOT/src" -o "$BB/pn-tlsc" "$ROOT/bench/pn-tlsc.c" "$ROOT/src/lib/pn_tls.c" -l:libskarnet.a -ltls
tls_certs

out=$("$BB/pn-hs" -n 3 "$TLS/srv.pem" "$TLS/srv.key" 2>&1)
like "$out" '^handshakes=3 hs_cpu_ms=[0-9]+\.[0-9]{3} keys_cpu_ms=[0-9]+\.[0-9]{3} floor_kb=[0-9]+ protocol=TLSv1\.3 cipher=TLS_[A-Z0-9_]+$' "pn-hs: three handshakes, CPU, floor, protocol and cipher"

MD=$TMP/md
maildir "$MD"
RELAYCLIENT=1 tls_serve q "$PN_BIN/postern-tls" -i -c "$TLS/srv.pem" -k "$TLS/srv.key" "$PN_BIN/postern-queue" -m "$MD" \
  || bail "tcpserver: $(cat "$TMP/q.log")"
LPORT=$(free_port)
"$BB/pn-tlsc" "$TLS/ca.pem" "$LPORT" "$PORT" >"$TMP/tlsc.out" 2>"$TMP/tlsc.err" &
TP=$!
stop_tlsc() { kill "$TP" 2>/dev/null; }
atexit stop_tlsc
wait_port "$LPORT"
is "$(cat "$TMP/tlsc.out")" "ready" "pn-tlsc listens"
out=$(d_limit "$BB/pn-load" -n 4 -c 2 -s 200000 -a "127.0.0.1:$LPORT" 2>"$TMP/err")
is "$?" 0 "pn-load through pn-tlsc and postern-tls: every session succeeded"
is "$(printf '%s\n' "$out" | tr ' ' '\n' | sed -n 's/^\(ok\|accepted\)=//p' | tr '\n' ' ')" "4 4 " "4 sessions, 4 messages accepted"
is "$(ls "$MD/new" | wc -l | tr -d ' ')" 4 "the Maildir holds them"
tls_logwait q 'tls start'
like "$(cat "$TMP/q.log")" 'postern-tls: info: tls start protocol=TLSv1\.3 cipher=TLS_[A-Z0-9_]+ sni="localhost"' "over TLS 1.3, with SNI"
ok "no process left behind" tls_gone q
done_testing
