# t/lib.sh: sourced by every t/NN-topic.t.  Prints TAP.
#
#   ok DESC CMD...          passes when CMD exits 0
#   is GOT WANT DESC        passes when the strings are equal
#   like GOT ERE DESC       passes when GOT matches the extended regexp
#   unlike GOT ERE DESC     passes when it does not
#   skip DESC REASON        a skipped test
#   session PROG... <<EOF   sends each line of stdin with CRLF, prints the
#                           replies without their CR
#   codes                   filter: "250 2.0.0" from each reply line
#   done_testing            prints the plan and exits 1 on any failure
#
# $PN_BIN is the build directory (programs; test helpers in $PN_BIN/t);
# $TMP a private directory removed at exit.

set -u
: "${PN_BIN:=$(cd "$(dirname "$0")/.." && pwd)/build}"
PATH=$PN_BIN:$PN_BIN/t:$PATH
export PATH PN_BIN
TMP=$(mktemp -d "${TMPDIR:-/tmp}/postern-t.XXXXXX")
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT
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
  i=0
  while [ $i -lt 100 ]
  do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$1" 2>/dev/null && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

done_testing()
{
  echo "1..$T_N"
  [ "$T_FAIL" -eq 0 ]
  exit $?
}
