# bench/tls.sh: sourced by bench/run; postern-tls's figures.
#
#   T2, P2  W2's sessions (one 1 MB message, 8 at a time) through
#           postern-tls -i (T2) and in plaintext (P2), in turns, so that
#           the load of the machine weighs on both alike; pn-load speaks
#           plain SMTP to bench/pn-tlsc, a TLS client tunnel (X25519,
#           the certificate verified) that forks one process a session
#   T4, P4  the same with W4's sessions (one 25 MB message, 2 at a time)
#   S1, P1  half of W1's sessions (AUTH PLAIN as "bench" + one 2 KB
#           message, 8 at a time) over STARTTLS on 587 (postern-tls
#           without -i, postern-smtpd's STARTTLS; the tunnel is
#           pn-tlsc -s) and in plaintext, in turns
#   HSE     the server's CPU for one handshake (TLS 1.3, X25519, ECDSA
#           P-256 certificate) and for reading the key pair and building
#           the context, as postern-tls does at each connection: bench/pn-hs
#   HSR     the same with an RSA 2048 certificate
#   RT      postern-tls's peak RSS (pn-rss) in W1- and W4-kind sessions
#
# The tunnel's own encryption runs on the same CPUs as the server's: the
# TLS rows pay for both ends of the connection, as a client on the same
# machine would.  Targets: T2, T4 >= 0.8 of P2, P4; a handshake < 2 ms of
# CPU; postern-tls < 4 MiB peak RSS.

TLS_ON=
# tlsturns' TLS mode: postern-tls's option and pn-tlsc's (TLS on
# connect by default; "" and -s for STARTTLS)
TLS_SRVOPT=-i
TLSC_OPT=

tls_setup()
{
  [ -x "$PROGDIR/postern-tls" ] || { say "no $PROGDIR/postern-tls: no TLS figures"; return 0; }
  cp -p "$PROGDIR/postern-tls" "$B/postern-tls" || die "cannot copy postern-tls"
  $CC $BFLAGS -o "$BB/pn-hs" bench/pn-hs.c -ltls || die "cannot build pn-hs"
  # shellcheck disable=SC2086
  $CC $BFLAGS -Isrc -o "$BB/pn-tlsc" bench/pn-tlsc.c src/lib/pn_tls.c $SKARNET_LIB -ltls ||
    die "cannot build pn-tlsc"
  (
    cd "$W" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
      -addext 'subjectAltName=DNS:localhost' -keyout ec.key -out ec.pem &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
      -addext 'subjectAltName=DNS:localhost' -keyout rsa.key -out rsa.pem
  ) >"$W/openssl.log" 2>&1 || die "openssl req failed (see $W/openssl.log)"
  TLS_ON=1
}

# tlsc_start: the tunnel on a free port to the server of serve; PORT
# becomes the tunnel's until tlsc_stop
tlsc_start()
{
  SPORT=$PORT
  TPORT=$("$BB/pn-load" -F)
  # shellcheck disable=SC2086
  "$BB/pn-tlsc" $TLSC_OPT "$W/ec.pem" "$TPORT" "$SPORT" >"$W/tlsc.out" 2>>"$W/tlsc.err" &
  TPID=$!
  tries=0
  until grep -q ready "$W/tlsc.out" 2>/dev/null
  do
    [ $tries -lt 50 ] || die "pn-tlsc did not start (see $W/tlsc.err)"
    sleep 0.1
    tries=$((tries + 1))
  done
  PORT=$TPORT
}

tlsc_stop()
{
  kill "$TPID" 2>/dev/null || :
  wait "$TPID" 2>/dev/null || :
  PORT=$SPORT
}

# srvcpu: the CPU time, in clock ticks, of the sessions tcpserver (SPID)
# has reaped: its children's user and system times, which take in every
# program of each chain (postern-tls waits for its prog, the front for
# the verifier, and so on), and nothing of the client side
srvcpu()
{
  tries=0
  while pgrep -P "$SPID" >/dev/null 2>&1 && [ $tries -lt 50 ]
  do
    sleep 0.1
    tries=$((tries + 1))
  done
  awk '{ print $16 + $17 }' "/proc/$SPID/stat"
}

# tload NAME pn-load-options...: load, adding the server's CPU ticks of
# the sessions to NAME.ticks
tload()
{
  tl=$1
  c0=$(srvcpu)
  load "$@"
  c1=$(srvcpu)
  echo $((c1 - c0)) >>"$W/${tl%.*}.ticks"
}

# scpu NAME: the server's CPU per session of NAME's parts, in ms
scpu()
{
  [ -s "$W/$1.ticks" ] || { echo n/a; return 0; }
  awk -v hz="$(getconf CLK_TCK)" -v n="$(get "$1" sessions)" \
    '{ t += $1 } END { if (n > 0) printf "%.1f", t * 1000 / hz / n; else print "n/a" }' "$W/$1.ticks"
}

# tlsturns TLSNAME PLAINNAME PARTS N SIZE -- pn-load-options...
tlsturns()
{
  tn=$1; pn=$2; tp=$3; tnum=$4; tsize=$5
  shift 6
  tmd=$W/$tn.maildir
  pmd=$W/$pn.maildir
  rm -f "$W/$tn.ticks" "$W/$pn.ticks"
  maildir "$tmd"
  maildir "$pmd"
  part=1
  while [ "$part" -le "$tp" ]
  do
    say "$pn, part $part of $tp: plaintext, -n $((tnum / tp)) -s $tsize $*"
    # shellcheck disable=SC2046
    serve -- $(chain "$B" "$B" "$B" "$pmd")
    tload "$pn.$part" -n $((tnum / tp)) -s "$tsize" "$@" -L "$W/$pn.lat"
    unserve
    say "$tn, part $part of $tp: postern-tls ${TLS_SRVOPT:-without -i, STARTTLS}, -n $((tnum / tp)) -s $tsize $*"
    # shellcheck disable=SC2046,SC2086
    serve -- "$B/postern-tls" $TLS_SRVOPT -c "$W/ec.pem" -k "$W/ec.key" $(chain "$B" "$B" "$B" "$tmd")
    tlsc_start
    tload "$tn.$part" -n $((tnum / tp)) -s "$tsize" "$@" -L "$W/$tn.lat"
    tlsc_stop
    unserve
    part=$((part + 1))
  done
  merge "$pn" "$tp" "$tsize"
  merge "$tn" "$tp" "$tsize"
  check_maildir "$pn" "$pmd"
  check_maildir "$tn" "$tmd"
  rm -rf "$tmd" "$pmd"
}

tls_bench()
{
  [ -n "$TLS_ON" ] || return 0
  tlsturns T2 P2 2 "$W2_N" "$W2_S" -- -c "$W2_C" -u "$BODY_USER" -p pw
  tlsturns T4 P4 2 "$W4_N" "$W4_S" -- -c "$W4_C" -u "$BODY_USER" -p pw
  TLS_SRVOPT= TLSC_OPT=-s
  tlsturns S1 P1 4 $((W1_N / 2)) "$W1_S" -- -c "$W1_C" -u bench -p pw
  TLS_SRVOPT=-i TLSC_OPT=
  say "HSE, HSR: handshake CPU"
  "$BB/pn-hs" -n $((400 / Q)) "$W/ec.pem" "$W/ec.key" >"$W/HSE.out" || die "pn-hs failed"
  "$BB/pn-hs" -n $((200 / Q)) "$W/rsa.pem" "$W/rsa.key" >"$W/HSR.out" || die "pn-hs failed"
  md=$W/RT.maildir
  maildir "$md"
  : >"$W/RT.log"
  say "RT: postern-tls's peak RSS"
  # shellcheck disable=SC2046
  serve "$BB/pn-rss" -o "$W/RT.log" -- "$B/postern-tls" -i -c "$W/ec.pem" -k "$W/ec.key" $(chain "$B" "$B" "$B" "$md")
  tlsc_start
  load RTa -n 4 -c 2 -s "$W1_S" -u fast -p pw
  load RTc -n 1 -s "$W4_S" -u fast -p pw
  sleep 1
  tlsc_stop
  unserve
  rm -rf "$md"
}

tls_figures()
{
  T2_RATIO=n/a; T4_RATIO=n/a; T2_V=n/a; T4_V=n/a; S1_RATIO=n/a
  P2_SC=n/a; T2_SC=n/a; P4_SC=n/a; T4_SC=n/a; P1_SC=n/a; S1_SC=n/a; T2_CAP=n/a; T4_CAP=n/a; S1_CAP=n/a
  HS_EC=n/a; HS_RSA=n/a; RSS_TLSFLOOR=n/a; KEYS_EC=n/a; KEYS_RSA=n/a; HS_V=n/a; RSS_TLS=n/a; RSS_TLS_V=n/a; HS_PROTO=n/a
  [ -n "$TLS_ON" ] || return 0
  T2_RATIO=$(ratio "$(get T2 mb_per_s)" "$(get P2 mb_per_s)")
  T4_RATIO=$(ratio "$(get T4 mb_per_s)" "$(get P4 mb_per_s)")
  S1_RATIO=$(ratio "$(get S1 sess_per_s)" "$(get P1 sess_per_s)")
  P2_SC=$(scpu P2); T2_SC=$(scpu T2); T2_CAP=$(ratio "$P2_SC" "$T2_SC")
  P4_SC=$(scpu P4); T4_SC=$(scpu T4); T4_CAP=$(ratio "$P4_SC" "$T4_SC")
  P1_SC=$(scpu P1); S1_SC=$(scpu S1); S1_CAP=$(ratio "$P1_SC" "$S1_SC")
  T2_V=$(verdict "$T2_RATIO >= 0.8")
  T4_V=$(verdict "$T4_RATIO >= 0.8")
  HS_EC=$(get HSE hs_cpu_ms)
  HS_RSA=$(get HSR hs_cpu_ms)
  KEYS_EC=$(get HSE keys_cpu_ms)
  KEYS_RSA=$(get HSR keys_cpu_ms)
  HS_PROTO="$(get HSE protocol) $(get HSE cipher)"
  HS_V=$(verdict "$HS_EC < 2")
  RSS_TLSFLOOR=$(get HSE floor_kb)
  RSS_TLS=$(rssmax RT postern-tls)
  RSS_TLS_V=$(verdict "$RSS_TLS < 4096")
}

tls_table()
{
  [ -n "$TLS_ON" ] || return 0
  row P2 "W2 plaintext, beside T2" "-" "-" "-"
  row T2 "W2 over TLS (postern-tls -i)" "$(get P2 mb_per_s)MB/s" "$T2_RATIO" ">= 0.8: $T2_V"
  row P4 "W4 plaintext, beside T4" "-" "-" "-"
  row T4 "W4 over TLS (postern-tls -i)" "$(get P4 mb_per_s)MB/s" "$T4_RATIO" ">= 0.8: $T4_V"
  row P1 "W1 plaintext, half, beside S1" "-" "-" "-"
  row S1 "W1 over STARTTLS (587)" "$(get P1 sess_per_s)/s" "$S1_RATIO" "-"
  echo "server CPU a session, plaintext / TLS, ms: W2 $P2_SC / $T2_SC ($T2_CAP), W4 $P4_SC / $T4_SC ($T4_CAP), W1 STARTTLS $P1_SC / $S1_SC ($S1_CAP)"
  echo "TLS handshake, server CPU: $HS_EC ms (ECDSA P-256, X25519, $HS_PROTO; < 2: $HS_V), $HS_RSA ms (RSA 2048); key pair read and context built, each connection: $KEYS_EC ms (ECDSA), $KEYS_RSA ms (RSA)"
  echo "peak RSS KiB: postern-tls $RSS_TLS (< 4096: $RSS_TLS_V); floor: libtls initialized with one key pair, $RSS_TLSFLOOR"
}

# tls_doc: the section of doc/performance.md
tls_doc()
{
  cat <<EOF

## TLS (postern-tls)

W2's and W4's sessions through \`postern-tls -i\` (T2, T4) and in
plaintext (P2, P4), in turns in the same run. pn-load speaks plain SMTP
to bench/pn-tlsc, a TLS client tunnel on the same machine (X25519, the
certificate verified, one process a session): the TLS rows pay for both
ends' encryption on the same CPUs.

| | workload | sessions ok | messages accepted | Maildir | s | MB/s | TLS / plaintext | target |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| P2 | W2 plaintext | $(getor P2 ok)/$(getor P2 sessions) | $(getor P2 accepted) | ${P2_MD:--} | $(getor P2 seconds) | $(getor P2 mb_per_s) | | |
| T2 | W2 over TLS | $(getor T2 ok)/$(getor T2 sessions) | $(getor T2 accepted) | ${T2_MD:--} | $(getor T2 seconds) | $(getor T2 mb_per_s) | $T2_RATIO | >= 0.8: $T2_V |
| P4 | W4 plaintext | $(getor P4 ok)/$(getor P4 sessions) | $(getor P4 accepted) | ${P4_MD:--} | $(getor P4 seconds) | $(getor P4 mb_per_s) | | |
| T4 | W4 over TLS | $(getor T4 ok)/$(getor T4 sessions) | $(getor T4 accepted) | ${T4_MD:--} | $(getor T4 seconds) | $(getor T4 mb_per_s) | $T4_RATIO | >= 0.8: $T4_V |

The same sessions measured on the server's side alone: the CPU time
(user and system) of every program of each session's chain, from
tcpserver's children's times, divided by the sessions. Its ratio,
plaintext over TLS, is what TLS leaves of a server's capacity when its
clients are other machines, as they are in use; the rows above also pay
for the client tunnel's encryption on the same two CPUs.

| | server CPU a session, plaintext | over TLS | plaintext / TLS |
| --- | --- | --- | --- |
| W2 (P2, T2) | $P2_SC ms | $T2_SC ms | $T2_CAP |
| W4 (P4, T4) | $P4_SC ms | $T4_SC ms | $T4_CAP |
| W1 over STARTTLS (P1, S1) | $P1_SC ms | $S1_SC ms | $S1_CAP |

Where a TLS session's extra server CPU goes: postern-tls is one process
a connection (no daemon), and reads its key pair afresh each time, so
each session pays OpenSSL's start before its handshake. Counted with
callgrind over one session (about 30 million instructions in
postern-tls): OpenSSL's initialization building its first SSL_CTX
(libtls's tls_init validates its default cipher list in one) is a
third; decoding the PEM key pair through OpenSSL 3's decoders a
quarter; the dynamic loader mapping and relocating libcrypto and libssl
an eighth; the handshake itself a tenth. In W2 this fixed cost is most
of the difference; in W4 the bulk path shows: each byte is decrypted
and then copied once more than in plaintext, through the pipe to the
session's programs. Two costs are already cut: postern-tls forks its
child before OpenSSL starts (forked after, it copied OpenSSL's tables
page by page as it used them, about 45 page faults a connection), and it
reads the network in pieces of up to 64 KiB served to OpenSSL from
memory (OpenSSL alone reads each record's header and body with two
system calls: a 25 MB upload took about 3,200 reads, now about 700).
Most of the fixed cost is spent in OpenSSL 3, not in libtls, so calling
libssl directly would not remove it; the one saving measured there,
starting OpenSSL without its legacy tables of cipher and digest names
(OPENSSL_INIT_NO_ADD_ALL_CIPHERS and _DIGESTS, which TLS in OpenSSL 3
never reads), is about 2 ms of a fresh process's 11 ms start, and would
make postern-tls call OpenSSL itself, beside libtls. Kernel TLS,
which would take the bulk path out of postern-tls (the kernel
decrypting into the socket the session reads), needs libssl directly
and a kernel with the TLS module; this machine's kernel has none.

Port 587: half of W1's sessions (AUTH PLAIN with yescrypt, one 2 KB
message, $W1_C at a time) over STARTTLS, through postern-tls without
\`-i\` and postern-smtpd's STARTTLS (pn-tlsc -s does the cleartext EHLO
and STARTTLS, then the handshake), and in plaintext, in turns. Each
session pays one handshake, the second EHLO and the descriptor moves
in the front; the ratio is sessions per second.

| | workload | sessions ok | messages accepted | Maildir | s | sessions/s | STARTTLS / plaintext |
| --- | --- | --- | --- | --- | --- | --- | --- |
| P1 | W1, half, plaintext | $(getor P1 ok)/$(getor P1 sessions) | $(getor P1 accepted) | ${P1_MD:--} | $(getor P1 seconds) | $(getor P1 sess_per_s) | |
| S1 | W1, half, STARTTLS | $(getor S1 ok)/$(getor S1 sessions) | $(getor S1 accepted) | ${S1_MD:--} | $(getor S1 seconds) | $(getor S1 sess_per_s) | $S1_RATIO |

Server CPU (bench/pn-hs, getrusage of the server process alone):

| | ECDSA P-256 | RSA 2048 | target |
| --- | --- | --- | --- |
| one handshake ($HS_PROTO, X25519) | $HS_EC ms | $HS_RSA ms | < 2 ms: $HS_V |
| key pair read and context built (each connection) | $KEYS_EC ms | $KEYS_RSA ms | - |

postern-tls's peak RSS: $RSS_TLS KiB (< 4096: $RSS_TLS_V), libtls and
OpenSSL linked dynamically (their security updates reach postern-tls
without a rebuild). The floor, a process that has only initialized libtls
and loaded one key pair (bench/pn-hs, before its first handshake):
$RSS_TLSFLOOR KiB. Most of it is OpenSSL 3 itself: mapping and relocating
libcrypto, then its initialization (providers, error strings); linking
libtls, libssl and libcrypto statically saves about 1 MiB and loses the
security updates. A 4 MiB target needs a smaller TLS library (BearSSL, as
s6-networking can use), not a change in postern-tls.
EOF
}
