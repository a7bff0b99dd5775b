# t/helpers/pn-t-pw-lib.sh: sourced after t/lib.sh by the password tests
# (t/2N-*.t).
#
#   creds USER PW [TS]      prints USER\0PW\0TS\0 (the checkpassword input)
#   cpw CREDFILE ARGS...    runs postern-checkpw ARGS with fd 3 from
#                           CREDFILE and fd 0 from /dev/null, stderr into
#                           $TMP/cpw.err; prints its exit status
#   mkout                   makes OUT=$TMP/out, a directory every account
#                           may write: the session's report goes to $OUT/r
#   ck USER PW [OPTS...]    cpw with USER and PW (in $TMP/c) and the
#                           arguments OPTS pn-t-report $OUT/r, preceded by
#                           -f $CK_DB and -a $CK_ACCT when those are set;
#                           $OUT/r is removed first
#   numsort                 filter: the numbers of its input (ids, groups)
#                           sorted, each followed by a space
#   isroot                  true when the test runs as root
#   session_account         the account A that sessions run as, with AUID,
#                           AGID and AHOME: as root a new one (home
#                           $TMP/ha) in a new group G, else our own
#   mkuser NAME HOME [GROUP]  (root) creates a system account with that home
#                           (owned by it) and supplementary group; removed
#                           at exit
#   mkgroup NAME            (root) creates a group; removed at exit
#   sum FILE...             a checksum of the files ("absent" for a missing one)
# (addpw and report_get are in t/lib.sh.)
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
}
atexit pnt_cleanup

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

mkout()
{
  OUT=$TMP/out
  mkdir "$OUT" && chmod 1777 "$OUT"
}

ck()
{
  u=$1 p=$2
  shift 2
  creds "$u" "$p" >"$TMP/c"
  rm -f "$OUT/r"
  [ -n "${CK_ACCT-}" ] && set -- -a "$CK_ACCT" "$@"
  [ -n "${CK_DB-}" ] && set -- -f "$CK_DB" "$@"
  cpw "$TMP/c" "$@" pn-t-report "$OUT/r"
}

numsort()
{
  tr ' ' '\n' | sort -n | tr '\n' ' '
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

session_account()
{
  if isroot
  then
    A=pnt$$a
    G=pnt$$g
    { mkgroup "$G" && mkuser "$A" "$TMP/ha" "$G"; } || bail "cannot create the test account"
    AHOME=$TMP/ha
  else
    A=$(id -un)
    AHOME=$(getent passwd "$(id -u)" | cut -d: -f6)
  fi
  AUID=$(id -u "$A")
  AGID=$(id -g "$A")
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
