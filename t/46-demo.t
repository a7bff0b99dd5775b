#!/bin/sh
# scripts/demo (make demo): it starts, the swaks and curl commands it
# prints deliver into the outbox it names, and Ctrl-C (SIGINT to its
# process group, as a terminal sends it) stops everything: no process,
# no listening port, no account left.  As root (a temporary account for
# the sessions) and as a normal user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

# A copy, which the test's accounts can read wherever the checkout is.
mkdir -p "$TMP/scripts"
cp "$(dirname "$0")/../scripts/demo" "$TMP/scripts/demo"
DEMO_SCRIPT=$TMP/scripts/demo
ok "scripts/demo is valid sh" sh -n "$DEMO_SCRIPT"
require "make demo" "needs tcpserver, swaks, curl and setpriv" d_have tcpserver swaks curl setpriv
require_built "make demo" postern-smtpd postern-checkpw postern-queue postern-passwd

# Runs the demo as a terminal would: SIGINT not ignored, in a process
# group of its own.  Extra arguments: a setpriv prefix.
cat >"$TMP/fg.py" <<'PY'
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])
PY

# demo_run NAME DIR PORT [setpriv args...]
demo_run()
{
  n=$1 dir=$2 port=$3
  shift 3
  if [ $# -gt 0 ]; then set -- setpriv "$@"; fi
  : >"$TMP/$n.out"
  # dir "-": the demo's default (POSTERN_DEMO_DIR unset)
  if [ "$dir" = - ]; then set -- env -u POSTERN_DEMO_DIR "$@"; else set -- env POSTERN_DEMO_DIR="$dir" "$@"; fi
  env PN_BIN="${DBIN:-$PN_BIN}" POSTERN_DEMO_PORT="$port" POSTERN_DEMO_ACCOUNT="${DACCT-}" \
    python3 "$TMP/fg.py" "$@" sh "${DSCRIPT:-$DEMO_SCRIPT}" >"$TMP/$n.out" 2>&1 </dev/null &
  # stopped at exit as a server (t/lib.sh) if it is still running
  eval "PID_$n=\$!"
  T_SERVERS="$T_SERVERS $n"
}

# The demo offers STARTTLS when postern-tls is built (and openssl is
# there, which d_have checks): its swaks command then uses it.
if [ -x "$PN_BIN/postern-tls" ] && d_have openssl
then
  swtls=" --tls --tls-verify --tls-ca-path [^ ]+/tls/cert\\.pem"
  swdesc=" with --tls, verifying the demo's certificate"
else
  swtls=
  swdesc=
fi

# demo_check NAME DIR PORT ACCOUNT: the printed commands work; Ctrl-C.
demo_check()
{
  n=$1 dir=$2 port=$3 acct=$4
  i=0
  while [ $i -lt 100 ] && ! grep -q '^tcpserver: status: 0/' "$TMP/$n.out"
  do
    sleep 0.1
    i=$((i + 1))
  done
  like "$(cat "$TMP/$n.out")" "^postern demo on 127\\.0\\.0\\.1:$port " "$n: the demo starts and says where"
  sw=$(sed -n 's/^  \(swaks .*\)$/\1/p' "$TMP/$n.out")
  cu=$(sed -n 's/^  \(curl .*\)$/\1/p' "$TMP/$n.out")
  like "$sw" "^swaks --server 127\\.0\\.0\\.1:$port$swtls --auth PLAIN " "$n: it prints a swaks command$swdesc"
  like "$cu" "^curl smtp://127\\.0\\.0\\.1:$port --user " "$n: and a curl command"
  d_limit sh -c "$sw" >"$TMP/$n.swaks" 2>&1
  is "$?" "0" "$n: the swaks command sends a message"
  if [ -n "$swtls" ]
  then
    like "$(cat "$TMP/$n.swaks")" '<-  220 2\.0\.0 Ready to start TLS' "$n: swaks: STARTTLS"
    like "$(cat "$TMP/$n.swaks")" '=== TLS started with cipher TLSv1\.3' "$n: swaks: TLS 1.3, the demo certificate verified"
  else
    skip "$n: swaks: STARTTLS" "postern-tls is not built"
    skip "$n: swaks: TLS 1.3" "postern-tls is not built"
  fi
  d_limit sh -c "$cu -sS" >"$TMP/$n.curl" 2>&1
  is "$?" "0" "$n: the curl command too"
  like "$(cat "$TMP/$n.out")" "  ls $dir/outbox/new/" "$n: it says where to look"
  is "$(ls "$dir/outbox/new" | wc -l | tr -d ' ')" "2" "$n: both messages are there"
  like "$(cat "$dir"/outbox/new/*)" 'Subject: Hello from curl' "$n: curl's message"
  like "$(cat "$TMP/$n.out")" "postern-checkpw: info: auth ok user=\"demo\" account=$acct " "$n: the log shows the sessions' account"
  # a session left open across the Ctrl-C
  tsp=$(ps -eo pid=,args= | grep -F "tcpserver -v -R -H -l demo.postern.test 127.0.0.1 $port" | grep -v grep | awk '{ print $1 }')
  printf 'NOOP\n' | hold=60 d_chat "$port" >/dev/null 2>&1 &
  hp=$!
  i=0
  sess=
  while [ $i -lt 100 ] && [ -z "$sess" ]
  do
    sleep 0.1
    sess=$(ps -o pid= --ppid "$tsp" 2>/dev/null | head -n 1 | tr -d ' ')
    i=$((i + 1))
  done
  like "$sess" '^[0-9]+$' "$n: a session is open"
  eval "p=\$PID_$n"
  kill -INT "-$p"
  i=0
  while [ $i -lt 100 ] && alive "$p"
  do
    sleep 0.1
    i=$((i + 1))
  done
  ok "$n: Ctrl-C stops the demo" test "$i" -lt 100
  wait "$p" 2>/dev/null
  eval "PID_$n="
  like "$(cat "$TMP/$n.out")" 'demo: stopped\.' "$n: and it says so"
  is "$(ps -o pid= -g "$p" | wc -l | tr -d ' ')" "0" "$n: no process left in its group"
  ok "$n: the open session is stopped too" sh -c "! ps -o stat= -p $sess | grep -qv '^Z'"
  kill "$hp" 2>/dev/null
  wait "$hp" 2>/dev/null
  ps -eo args | grep -F "tcpserver -v -R -H -l demo.postern.test 127.0.0.1 $port" | grep -v grep >"$TMP/left"
  is "$(cat "$TMP/left")" "" "$n: no tcpserver left"
  ok "$n: the port is closed" sh -c "! python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $port), 2)' 2>/dev/null"
}

if [ "$(id -u)" -eq 0 ]
then
  # root: a temporary account for the sessions, created and removed.
  DACCT=pnd$$d
  D_USERS="$D_USERS $DACCT"
  PORT=$(free_port)
  demo_run root "$TMP/demo-root" "$PORT"
  demo_check root "$TMP/demo-root" "$PORT" "$DACCT"
  ok "root: the demo's account is removed" sh -c "! getent passwd $DACCT"
  is "$(stat -c %a "$TMP/demo-root/outbox/new/$(ls "$TMP/demo-root/outbox/new" | head -n 1)")" "600" "root: the messages are private (0600)"

  # a checkout others cannot reach (as in /root): the programs and the
  # demo home go where the sessions' account can reach them
  mkdir -p "$TMP/priv/scripts" "$TMP/priv/build"
  cp "$DEMO_SCRIPT" "$TMP/priv/scripts/demo"
  for p in postern-smtpd postern-checkpw postern-queue postern-passwd; do cp "$PN_BIN/$p" "$TMP/priv/build/$p"; done
  [ ! -x "$PN_BIN/postern-tls" ] || cp "$PN_BIN/postern-tls" "$TMP/priv/build/postern-tls"
  chmod 700 "$TMP/priv"
  DACCT=pnd$$p
  D_USERS="$D_USERS $DACCT"
  PORT=$(free_port)
  DBIN=$TMP/priv/build DSCRIPT=$TMP/priv/scripts/demo demo_run priv - "$PORT"
  i=0
  while [ $i -lt 100 ] && ! grep -q '^  demo home ' "$TMP/priv.out"; do sleep 0.1; i=$((i + 1)); done
  pdir=$(sed -n 's/^  demo home *//p' "$TMP/priv.out")
  like "$pdir" '^/var/tmp/postern-demo\.' "a checkout others cannot reach: the demo home is made in /var/tmp"
  like "$(cat "$TMP/priv.out")" "^demo: other accounts cannot reach $TMP/priv: the demo home is $pdir\$" "and the demo says so, in one line"
  case $pdir in /var/tmp/postern-demo.?*) atexit_pdir() { rm -rf "$pdir"; }; atexit atexit_pdir ;; esac
  demo_check priv "$pdir" "$PORT" "$DACCT"

  # a normal user, with a home: the sessions run as that user
  U=pnd$$u
  mkdir -p "$TMP/uhome" "$TMP/u"
  if d_mkuser "$U" "$TMP/uhome"
  then
    chown "$U:" "$TMP/uhome" "$TMP/u"
    DACCT=
    PORT=$(free_port)
    demo_run user "$TMP/u/demo" "$PORT" --reuid="$U" --regid="$(id -g "$U")" --init-groups
    demo_check user "$TMP/u/demo" "$PORT" "$U"
    is "$(stat -c %U "$TMP/u/demo/passwd.cdb")" "$U" "user: the demo home is the user's"
    userdel -f "$U" >/dev/null 2>&1 || userdel -f "$U" >/dev/null 2>&1
  else
    bail "cannot create the test account"
  fi
else
  DACCT=
  PORT=$(free_port)
  demo_run user "$TMP/demo" "$PORT"
  demo_check user "$TMP/demo" "$PORT" "$(id -un)"
  skip "root: the demo's account is removed" "not root"
  skip "root: the messages are private" "not root"
  skip "user: the demo home" "not root"
fi

# Ctrl-C on "make demo": make reports no error (a demo that exits 130
# makes it print "*** [demo] Error 130").
if d_have make
then
  printf 'demo:\n\tsh %s\n' "$DEMO_SCRIPT" >"$TMP/Makefile.demo"
  PORT=$(free_port)
  : >"$TMP/mk.out"
  env PN_BIN="$PN_BIN" POSTERN_DEMO_DIR="$TMP/demo-mk" POSTERN_DEMO_PORT="$PORT" POSTERN_DEMO_ACCOUNT=pnd$$m \
    python3 "$TMP/fg.py" make -f "$TMP/Makefile.demo" demo >"$TMP/mk.out" 2>&1 </dev/null &
  PID_mk=$!
  T_SERVERS="$T_SERVERS mk"
  D_USERS="$D_USERS pnd$$m"
  i=0
  while [ $i -lt 100 ] && ! grep -q '^tcpserver: status: 0/' "$TMP/mk.out"; do sleep 0.1; i=$((i + 1)); done
  kill -INT "-$PID_mk"
  wait "$PID_mk" 2>/dev/null
  PID_mk=
  like "$(cat "$TMP/mk.out")" 'demo: stopped\.' "make demo, Ctrl-C: the demo stops"
  unlike "$(cat "$TMP/mk.out")" '\*\*\*' "and make reports no error"
else
  skip "make demo, Ctrl-C" "needs make"
  skip "make demo, Ctrl-C" "needs make"
fi

# It never removes a directory that is not a demo home.
mkdir -p "$TMP/notdemo"
echo precious >"$TMP/notdemo/file"
PN_BIN=$PN_BIN POSTERN_DEMO_DIR=$TMP/notdemo POSTERN_DEMO_PORT=1 d_limit sh "$DEMO_SCRIPT" >"$TMP/nd.out" 2>&1
is "$?" "111" "a directory that is not a demo home: refused (111)"
is "$(cat "$TMP/notdemo/file")" "precious" "and left alone"
done_testing
