# t/lib.sh: sourced by every t/NN-topic.t.  Prints TAP.
#
#   ok DESC CMD...          passes when CMD exits 0
#   is GOT WANT DESC        passes when the strings are equal
#   like GOT ERE DESC       passes when GOT matches the extended regexp
#   unlike GOT ERE DESC     passes when it does not
#   skip DESC REASON        a skipped test
#   session PROG... <<EOF   sends each line of stdin with CRLF, prints the
#                           replies without their CR; stderr in $TMP/stderr
#   rawsession PROG...      the same with stdin sent as it is (bare LF,
#                           NUL, no CRLF added)
#   codes                   filter: "250 2.0.0" from each reply line
#   done_testing            prints the plan and exits 1 on any failure
#   bail MSG                "Bail out! MSG" (prove stops) and exit 1
#   require DESC REASON CMD...
#                           unless CMD succeeds (its output discarded):
#                           one skip and the end of the script
#   require_built DESC PROG...
#                           the same unless each PROG is in $PN_BIN
#
#   smtpd [VAR=VALUE...]    the test chain, with those variables set:
#                           postern-smtpd pn-t-checkpw pn-t-report $TMP/r
#                           (pn-t-checkpw accepts alice/secret); nothing
#                           redirected
#   report_get FILE KEY     the values of the "KEY value" lines of a
#                           pn-t-report file, one a line
#   report_ids FILE         its "uid euid gid egid"
#   report_stdin FILE       what the continuation read on fd 0, without CR
#   nosid [FILE...]         log lines (FILE, or stdin) without the
#                           " sid=ID" that ends each line of postern's
#   maildir DIR...          makes each DIR a Maildir (tmp, new, cur)
#   addpw FILE USER PW [OPTS...]
#                           postern-passwd -f FILE OPTS add USER, the
#                           password on stdin; its status
#
#   free_port               a free TCP port on 127.0.0.1
#   wait_port PORT          true once something listens on 127.0.0.1:PORT
#                           (false after 10 s)
#   server_start NAME PORT CMD...
#                           starts CMD, a server for 127.0.0.1:PORT, in the
#                           background in a process group of its own (stdin
#                           /dev/null, stdout and stderr in $TMP/NAME.log),
#                           then waits for PORT (wait_port's status);
#                           $PID_NAME is its pid and group
#   server_stop NAME        stops it: TERM to the whole group (its sessions
#                           too), KILL after 5 s
#   alive PID               true when PID runs (a zombie does not)
#   atexit FUNC             runs FUNC at exit
#
# $PN_BIN is the build directory (programs; test helpers in $PN_BIN/t);
# $TMP a private directory.  At exit (and on INT, TERM, HUP) the servers
# of $T_SERVERS (each server_start NAME) are stopped, then each atexit
# FUNC runs, then $TMP is removed.

set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
PATH=$PN_BIN:$PN_BIN/t:$PATH
export PATH PN_BIN
TMP=$(mktemp -d "${TMPDIR:-/tmp}/postern-t.XXXXXX")
chmod 755 "$TMP"
# As root, many tests run the programs as another account.  A build
# directory that others cannot reach (a checkout in a mode-0700 home,
# such as /root) is copied for them into $TMP/staged-bin, which they can.
if [ "$(id -u)" -eq 0 ] && [ -x "$PN_BIN/postern-smtpd" ] && command -v setpriv >/dev/null 2>&1 \
  && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PN_BIN/postern-smtpd" 2>/dev/null
then
  for t_f in "$PN_BIN"/* "$PN_BIN"/t/* "$PN_BIN"/dyn/* "$PN_BIN"/unit/*
  do
    [ -f "$t_f" ] && [ -x "$t_f" ] || continue
    mkdir -p "$(dirname "$TMP/staged-bin/${t_f#"$PN_BIN"/}")"
    cp "$t_f" "$TMP/staged-bin/${t_f#"$PN_BIN"/}"
  done
  chmod -R a+rX "$TMP/staged-bin"
  PN_BIN=$TMP/staged-bin
  PATH=$PN_BIN:$PN_BIN/t:$PATH
fi
T_SERVERS=
T_ATEXIT=
t_cleanup()
{
  for t_n in $T_SERVERS
  do
    server_stop "$t_n"
  done
  for t_f in $T_ATEXIT
  do
    "$t_f"
  done
  rm -rf "$TMP"
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM HUP
T_N=0
T_FAIL=0
# The programs' environment: short delays, nothing inherited by accident.
unset SMTPHOSTNAME TCPLOCALHOST DATABYTES MAXRCPTS SMTPTIMEOUT AUTHMECHS \
  AUTHMAXFAIL AUTHINSECURE SMTPTLS SSL_PROTOCOL RELAYCLIENT SMTPAUTHUSER \
  SMTPSENDERS TCPREMOTEIP TCPREMOTEPORT TCPLOCALIP TCPLOCALPORT PROTO || true
SMTPHOSTNAME=mx.test.example
AUTHFAILDELAY=0
export SMTPHOSTNAME AUTHFAILDELAY

t_result()
{
  T_N=$((T_N + 1))
  if [ "$1" -eq 0 ]
  then
    echo "ok $T_N - $2"
  else
    echo "not ok $T_N - $2"
    T_FAIL=$((T_FAIL + 1))
  fi
}

ok()
{
  d=$1
  shift
  if "$@" >/dev/null 2>&1; then t_result 0 "$d"; else t_result 1 "$d"; fi
}

is()
{
  if [ "$1" = "$2" ]
  then
    t_result 0 "$3"
  else
    t_result 1 "$3"
    printf '# got:\n%s\n# expected:\n%s\n' "$1" "$2" | sed 's/^/#   /'
  fi
}

like()
{
  if printf '%s\n' "$1" | grep -Eq -- "$2"
  then
    t_result 0 "$3"
  else
    t_result 1 "$3"
    printf '# got:\n%s\n# expected to match: %s\n' "$1" "$2" | sed 's/^/#   /'
  fi
}

unlike()
{
  if printf '%s\n' "$1" | grep -Eq -- "$2"
  then
    t_result 1 "$3"
    printf '# got:\n%s\n# expected not to match: %s\n' "$1" "$2" | sed 's/^/#   /'
  else
    t_result 0 "$3"
  fi
}

skip()
{
  T_N=$((T_N + 1))
  echo "ok $T_N # skip $1: $2"
}

crlf()
{
  sed 's/$/\r/'
}

session()
{
  crlf | "$@" 2>"$TMP/stderr" | tr -d '\r'
}

rawsession()
{
  "$@" 2>"$TMP/stderr" | tr -d '\r'
}

codes()
{
  sed -E 's/^([0-9]{3})[ -]([0-9]\.[0-9]{1,3}\.[0-9]{1,3})?.*/\1 \2/; s/ $//'
}

# A free TCP port on 127.0.0.1.
free_port()
{
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until something listens on 127.0.0.1:$1 (at most 10 s).
wait_port()
{
  t_i=0
  while [ $t_i -lt 100 ]
  do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$1" 2>/dev/null && return 0
    sleep 0.1
    t_i=$((t_i + 1))
  done
  return 1
}

# The servers: a process group each, so that stopping one ends its
# sessions too.  setsid does not fork here (a background job of a
# non-interactive shell leads no group), so $! is CMD itself.
server_start()
{
  t_n=$1 t_port=$2
  shift 2
  setsid "$@" >"$TMP/$t_n.log" 2>&1 </dev/null &
  eval "PID_$t_n=\$!"
  T_SERVERS="$T_SERVERS $t_n"
  wait_port "$t_port"
}

server_stop()
{
  eval "t_p=\${PID_$1-}"
  [ -n "$t_p" ] || return 0
  # "kill -TERM -PGID": dash's kill takes neither "--" nor "-s" there
  kill -TERM "-$t_p" 2>/dev/null || kill -TERM "$t_p" 2>/dev/null
  t_i=0
  while [ $t_i -lt 50 ] && alive "$t_p"
  do
    sleep 0.1
    t_i=$((t_i + 1))
  done
  kill -KILL "-$t_p" 2>/dev/null || true
  wait "$t_p" 2>/dev/null || true
  eval "PID_$1="
}

alive()
{
  t_st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case $t_st in
    Z*) return 1 ;;
  esac
  return 0
}

atexit()
{
  T_ATEXIT="$T_ATEXIT $1"
}

bail()
{
  echo "Bail out! $*"
  exit 1
}

require()
{
  t_d=$1 t_why=$2
  shift 2
  if ! "$@" >/dev/null 2>&1
  then
    skip "$t_d" "$t_why"
    done_testing
  fi
}

require_built()
{
  t_d=$1
  shift
  for t_p in "$@"
  do
    [ -x "$PN_BIN/$t_p" ] || { skip "$t_d" "$PN_BIN/$t_p is not built"; done_testing; }
  done
}

smtpd()
{
  env "$@" postern-smtpd pn-t-checkpw pn-t-report "$TMP/r"
}

report_get()
{
  sed -n "s/^$2 //p" "$1"
}

report_ids()
{
  echo "$(report_get "$1" uid) $(report_get "$1" euid) $(report_get "$1" gid) $(report_get "$1" egid)"
}

report_stdin()
{
  sed -n '/^stdin:$/,$p' "$1" | sed 1d | tr -d '\r'
}

maildir()
{
  for t_d in "$@"
  do
    mkdir -p "$t_d/tmp" "$t_d/new" "$t_d/cur"
  done
}

addpw()
{
  t_f=$1 t_u=$2 t_pw=$3
  shift 3
  printf '%s\n' "$t_pw" | postern-passwd -f "$t_f" "$@" add "$t_u"
}

done_testing()
{
  echo "1..$T_N"
  [ "$T_FAIL" -eq 0 ]
  exit $?
}

nosid()
{
  sed -E 's/ sid=[0-9A-Za-z._-]+$//' "$@"
}
