# Sourced by the t/3N-queue-*.t tests after lib.sh: postern-queue sessions.
#
#   newmd [DIR]         makes a Maildir (tmp, new, cur); prints nothing
#   qa ARGS... <<EOF    a session in 235 mode (SMTPAUTHUSER=alice USER=alice):
#                       lines of stdin sent with CRLF, replies without CR
#   qr ARGS... <<EOF    the same in 220 mode with RELAYCLIENT=1
#   qraw ARGS...        as qa, stdin sent as it is (bare LF, binary)
#   msgs DIR            the files in DIR/new, one a line
# Each session is bounded by T_LIMIT seconds (default 120); its stderr
# goes to $TMP/stderr.

: "${T_LIMIT:=120}"
MD=$TMP/md

newmd()
{
  d=${1:-$MD}
  mkdir -p "$d/tmp" "$d/new" "$d/cur"
}

qa()
{
  crlf | SMTPAUTHUSER=alice USER=alice timeout "$T_LIMIT" postern-queue "$@" 2>"$TMP/stderr" | tr -d '\r'
}

qr()
{
  crlf | RELAYCLIENT=1 timeout "$T_LIMIT" postern-queue "$@" 2>"$TMP/stderr" | tr -d '\r'
}

qraw()
{
  SMTPAUTHUSER=alice USER=alice timeout "$T_LIMIT" postern-queue "$@" 2>"$TMP/stderr" | tr -d '\r'
}

msgs()
{
  ls "$1/new" 2>/dev/null
}

nmsgs()
{
  ls "$1/new" 2>/dev/null | wc -l | tr -d ' '
}
