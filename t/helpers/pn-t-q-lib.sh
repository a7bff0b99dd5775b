# Sourced by the t/3N-queue-*.t tests after lib.sh: postern-queue sessions.
#
#   newmd [DIR]         makes a Maildir (tmp, new, cur), by default $MD;
#                       prints nothing
#   qauth ARGS...       postern-queue ARGS in 235 mode (SMTPAUTHUSER=alice
#                       USER=alice) within T_LIMIT; nothing redirected
#   qa ARGS... <<EOF    a session of qauth ARGS: lines of stdin sent with
#                       CRLF, replies without CR
#   qr ARGS... <<EOF    the same in 220 mode with RELAYCLIENT=1
#   qraw ARGS...        as qa, stdin sent as it is (bare LF, binary)
#   msgs DIR            the files in DIR/new, one a line
#   lq VAR=VALUE... <<EOF
#                       qa -m $MD with those variables exported
#   msg [N]             the commands of one message of alice to N
#                       recipients (default 1)
#   okmsg [N]           the reply codes that message gets when accepted
# Each session is bounded by T_LIMIT seconds (default 120); its stderr
# goes to $TMP/stderr.

: "${T_LIMIT:=120}"
MD=$TMP/md

newmd()
{
  maildir "${1:-$MD}"
}

qauth()
{
  SMTPAUTHUSER=alice USER=alice timeout "$T_LIMIT" postern-queue "$@"
}

qa()
{
  session qauth "$@"
}

qr()
{
  RELAYCLIENT=1 session timeout "$T_LIMIT" postern-queue "$@"
}

qraw()
{
  rawsession qauth "$@"
}

msgs()
{
  ls "$1/new" 2>/dev/null
}

nmsgs()
{
  ls "$1/new" 2>/dev/null | wc -l | tr -d ' '
}

lq()
{
  (
    for v in "$@"; do export "$v"; done
    qa -m "$MD"
  )
}

msg()
{
  printf 'MAIL FROM:<alice@example.org>\n'
  i=0
  while [ "$i" -lt "${1:-1}" ]; do printf 'RCPT TO:<r%s@example.org>\n' "$i"; i=$((i + 1)); done
  printf 'DATA\nSubject: t\n\nbody\n.\n'
}

okmsg()
{
  echo "250 2.1.0"
  i=0
  while [ "$i" -lt "${1:-1}" ]; do echo "250 2.1.5"; i=$((i + 1)); done
  printf '354\n250 2.0.0\n'
}
