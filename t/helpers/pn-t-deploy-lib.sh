# t/helpers/pn-t-deploy-lib.sh: sourced after t/lib.sh by the deployment
# and interoperability tests (t/4N-*.t).  The examples of conf/ are run
# as they are, with paths, ports and delays substituted.
#
#   CONF                 the conf/ directory of the source tree
#   d_setup              the account sessions run as (ACCT; a temporary
#                        one when root, else our own), the password
#                        database PWDB with users alice (password
#                        "secret", sha512crypt) and bob@example.org (a
#                        password with a space and UTF-8, yescrypt), the
#                        outbox Maildir OUTBOX
#                        owned by ACCT; exports nothing
#   d_subst FILE OLD NEW [OLD NEW]...
#                        replaces each OLD (literal) in FILE with NEW;
#                        bails out when an OLD is not there, so that a
#                        changed example fails loudly
#   d_tcprules [remote]  compiles conf/tcp.rules (copied to
#                        $TMP/tcp.rules) into $TMP/tcp.cdb; with "remote",
#                        plus the test's own rule: a client from 127.0.0.2
#                        is shown to postern as 192.0.2.1 (TCPREMOTEIP)
#   d_tcpserver NAME [OLD NEW]...
#                        conf/tcpserver/run as $TMP/sv/run, each OLD
#                        replaced with its NEW, then the settings: BIN,
#                        IP=127.0.0.1, PORT (a free one, also in $PORT),
#                        RULES ($TMP/tcp.cdb), PASSWD, ACCOUNT,
#                        AUTHFAILDELAY=0 and the outbox; started as
#                        server_start NAME (t/lib.sh): false when nothing
#                        listens on $PORT
#   d_have PROG...       true when every PROG is in PATH
#   d_count              the number of messages in OUTBOX/new
#   d_last               the newest message file in OUTBOX/new
#   d_body FILE          the file without its first 5 lines (Return-Path,
#                        Envelope-To with one recipient, Received)
#   d_msg NAME           writes the test message $TMP/NAME.msg (LF) and
#                        $TMP/NAME.crlf (CRLF): Date and Message-ID in it,
#                        so that postern adds nothing; a dot-stuffing line;
#                        and $TMP/NAME.swaks without the last LF (swaks
#                        adds a CRLF of its own)
#   d_limit CMD...       runs CMD with a 60 s limit, stdin from /dev/null
#                        unless redirected by the caller
#
#   d_mkuser NAME HOME   (root) a system account, removed at exit
#
# Servers (server_start, t/lib.sh) are killed and the accounts removed
# at exit.

CONF=$(cd "$(dirname "$0")/../conf" && pwd)
# A python3 that starts fast (not a version manager's shim), for lib.sh
# too.
if [ -x /usr/bin/python3 ]
then
  mkdir -p "$TMP/pybin"
  ln -s /usr/bin/python3 "$TMP/pybin/python3"
  PATH=$TMP/pybin:$PATH
fi
D_USERS=

d_cleanup()
{
  for u in $D_USERS
  do
    getent passwd "$u" >/dev/null || continue
    i=0
    while [ $i -lt 30 ] && ! userdel -f "$u" >/dev/null 2>&1
    do
      sleep 1
      i=$((i + 1))
    done
  done
}
atexit d_cleanup

d_have()
{
  for p in "$@"
  do
    command -v "$p" >/dev/null 2>&1 || return 1
  done
}

d_limit()
{
  timeout 60 "$@"
}

# useradd takes a lock on /etc/passwd that concurrent tests also take:
# retry for a while.
d_mkuser()
{
  i=0
  while [ $i -lt 30 ]
  do
    if useradd -r -M -d "$2" -s /usr/sbin/nologin "$1" >/dev/null 2>"$TMP/useradd.err"
    then
      D_USERS="$D_USERS $1"
      return 0
    fi
    sleep 1
    i=$((i + 1))
  done
  cat "$TMP/useradd.err" >&2
  return 1
}

d_setup()
{
  AHOME=$TMP/home
  OUTBOX=$TMP/outbox
  PWDB=$TMP/passwd.cdb
  mkdir -p "$AHOME"
  maildir "$OUTBOX"
  if [ "$(id -u)" -eq 0 ]
  then
    ACCT=pnd$$
    # an account of that name left by a test that was killed (no live
    # test has our pid): another name
    for t_x in 1 2 3 4 5 6 7 8
    do
      getent passwd "$ACCT" >/dev/null || break
      ACCT=pnd$${t_x}x
    done
    d_mkuser "$ACCT" "$AHOME" || bail "cannot create the test account"
    chown -R "$ACCT:" "$AHOME" "$OUTBOX"
  else
    ACCT=$(id -un)
  fi
  chmod 700 "$OUTBOX"
  # alice's hash is sha512crypt, cheaper to check than the default
  # yescrypt (bob's) in the many sessions of these tests
  if ! { addpw "$TMP/passwd" alice secret -m sha512crypt \
      && addpw "$TMP/passwd" bob@example.org "$(printf 'p\303\244ss w\303\266rd')"; } >/dev/null 2>"$TMP/passwd.err"
  then
    cat "$TMP/passwd.err" >&2
    bail "postern-passwd add"
  fi
}

d_subst()
{
  if ! python3 - "$@" <<'PY'
import sys
f = sys.argv[1]
s = open(f, encoding="utf-8").read()
a = sys.argv[2:]
for old, new in zip(a[0::2], a[1::2]):
    if old not in s:
        sys.stderr.write("%s: not found: %s\n" % (f, old))
        sys.exit(1)
    s = s.replace(old, new)
open(f, "w", encoding="utf-8").write(s)
PY
  then
    echo "Bail out! the example $1 has changed: update the test"
    exit 1
  fi
}

d_tcprules()
{
  cp "$CONF/tcp.rules" "$TMP/tcp.rules"
  if [ "${1-}" = remote ]
  then
    printf '127.0.0.2:allow,TCPREMOTEIP="192.0.2.1"\n' >>"$TMP/tcp.rules"
  fi
  tcprules "$TMP/tcp.cdb" "$TMP/tcp.tmp" <"$TMP/tcp.rules"
}

# The caller's OLD strings go first: they may name a setting as the
# example has it (the QUEUE lines, with the outbox in them).
d_tcpserver()
{
  n=$1
  shift
  PORT=$(free_port)
  rm -rf "$TMP/sv"
  cp -R "$CONF/tcpserver" "$TMP/sv"
  d_subst "$TMP/sv/run" "$@" \
    "BIN=/usr/local/bin" "BIN=$PN_BIN" \
    "IP=0" "IP=127.0.0.1" \
    "PORT=587" "PORT=$PORT" \
    "RULES=/etc/postern/tcp.cdb" "RULES=$TMP/tcp.cdb" \
    "PASSWD=/etc/postern/passwd.cdb" "PASSWD=$PWDB" \
    "ACCOUNT=vmail" "ACCOUNT=$ACCT" \
    "AUTHFAILDELAY=2" "AUTHFAILDELAY=0" \
    "/var/spool/postern/outbox" "$OUTBOX"
  server_start "$n" "$PORT" "$TMP/sv/run"
}

d_count()
{
  ls "$OUTBOX/new" | wc -l | tr -d ' '
}

d_last()
{
  f=$(ls -t "$OUTBOX/new" | head -n 1)
  [ -n "$f" ] && echo "$OUTBOX/new/$f"
}

d_body()
{
  sed '1,5d' "$1"
}

d_msg()
{
  cat >"$TMP/$1.msg" <<MSG
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: postern test $1
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <$1.$$@example.org>
X-Test: $1

Hello from $1.
.a line that starts with a dot
..and one with two
trailing blanks stay   
end
MSG
  sed 's/$/\r/' "$TMP/$1.msg" >"$TMP/$1.crlf"
  printf '%s' "$(cat "$TMP/$1.msg")" >"$TMP/$1.swaks"
}

# d_chat PORT [SRC] <<EOF: a lock-step SMTP client on 127.0.0.1:PORT
# (from the address SRC, default 127.0.0.1): reads the greeting, then
# sends each line of stdin with CRLF and reads its whole reply.  Prints
# the replies without CR; stops at the end of input or of the
# connection.  hold=N in the environment: keeps the connection open N
# seconds after the last reply; only in a background pipeline, whose $!
# is then the client itself.
d_chat()
{
  [ -e "$TMP/chat.py" ] || cat >"$TMP/chat.py" <<'PY'
import os, socket, sys, time
port = int(sys.argv[1])
src = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
s = socket.socket()
s.settimeout(30)
s.bind((src, 0))
s.connect(("127.0.0.1", port))
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if not l:
            return False
        sys.stdout.write(l.decode("utf-8", "replace").rstrip("\r\n") + "\n")
        sys.stdout.flush()
        if len(l) < 4 or l[3:4] != b"-":
            return True
if reply():
    for line in sys.stdin.buffer:
        s.sendall(line.rstrip(b"\r\n") + b"\r\n")
        if not reply():
            break
time.sleep(float(os.environ.get("hold", "0")))
s.close()
PY
  # with hold, always run in the background: exec, so that $! is python
  # and killing it ends the connection
  if [ -n "${hold-}" ]; then exec python3 "$TMP/chat.py" "$@"; fi
  python3 "$TMP/chat.py" "$@"
}
