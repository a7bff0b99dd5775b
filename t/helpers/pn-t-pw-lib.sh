# t/helpers/pn-t-pw-lib.sh: sourced after t/lib.sh by the password tests
# (t/2N-*.t).
#
#   creds USER PW [TS]      prints USER\0PW\0TS\0 (the checkpassword input)
#   cpw CREDFILE ARGS...    runs postern-checkpw ARGS with fd 3 from
#                           CREDFILE and fd 0 from /dev/null, stderr into
#                           $TMP/cpw.err; prints its exit status
#   addpw FILE USER PW ARGS...  postern-passwd -f FILE ARGS add USER, the
#                           password on stdin
#   report_get FILE KEY     the value of "KEY value" lines of a pn-t-report file
#   isroot                  true when the test runs as root
#   mkuser NAME HOME [GROUP]  (root) creates a system account with that home
#                           (owned by it) and supplementary group; removed
#                           at exit
#   mkgroup NAME            (root) creates a group; removed at exit
#   sum FILE...             a checksum of the files ("absent" for a missing one)
#
# Accounts are named pnt<pid><letter> so that concurrent tests do not clash.

PNT_USERS=
PNT_GROUPS=

pnt_cleanup()
{
  for u in $PNT_USERS
  do
    pnt_retry userdel -f "$u" 2>/dev/null || true
  done
  for g in $PNT_GROUPS
  do
    pnt_retry groupdel "$g" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap pnt_cleanup EXIT
trap 'exit 1' INT TERM HUP

creds()
{
  printf '%s\0%s\0%s\0' "$1" "$2" "${3-}"
}

cpw()
{
  f=$1
  shift
  postern-checkpw "$@" 3<"$f" </dev/null >"$TMP/cpw.out" 2>"$TMP/cpw.err"
  echo $?
}

addpw()
{
  f=$1 u=$2 p=$3
  shift 3
  printf '%s\n' "$p" | postern-passwd -f "$f" "$@" add "$u"
}

report_get()
{
  sed -n "s/^$2 //p" "$1"
}

isroot()
{
  [ "$(id -u)" -eq 0 ]
}

# useradd and groupadd take a lock on /etc/passwd and /etc/group and fail
# when another test holds it: retry for a while.
pnt_retry()
{
  i=0
  while [ $i -lt 30 ]
  do
    "$@" >/dev/null 2>"$TMP/retry.err" && return 0
    sleep 1
    i=$((i + 1))
  done
  cat "$TMP/retry.err" >&2
  return 1
}

mkgroup()
{
  pnt_retry groupadd "$1" || return 1
  PNT_GROUPS="$PNT_GROUPS $1"
}

mkuser()
{
  if [ -n "${3-}" ]
  then
    pnt_retry useradd -M -d "$2" -s /bin/sh -G "$3" "$1" || return 1
  else
    pnt_retry useradd -M -d "$2" -s /bin/sh "$1" || return 1
  fi
  PNT_USERS="$PNT_USERS $1"
  mkdir -p "$2" && chown "$1:" "$2"
}

sum()
{
  for f in "$@"
  do
    if [ -e "$f" ]; then cksum < "$f"; else echo absent; fi
  done
}
