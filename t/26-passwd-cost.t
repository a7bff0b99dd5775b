#!/bin/sh
# postern-passwd: -m bcrypt makes cost 10, not libxcrypt's 5; -c passes
# libxcrypt's count for the method, and a count below the floor (bcrypt
# 10, sha512crypt libxcrypt's default 5000 rounds, yescrypt libxcrypt's
# default 5) or outside libxcrypt's range is refused (exit 1, files
# untouched); the hashes made check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

F=$TMP/passwd
DB=$F.cdb
ACCT=$(id -un)
isroot && ACCT=daemon

hashof()
{
  sed -n "s/^$1:\\([^:]*\\).*/\\1/p" "$F"
}
# pw USER PW: postern-checkpw's verdict on the cdb.
pw()
{
  creds "$1" "$2" >"$TMP/c"
  cpw "$TMP/c" -f "$DB" -a "$ACCT" -u 0 true
}
# untouched DESC ARGS...: postern-passwd ARGS add x exits 1 and changes
# neither file.
untouched()
{
  d=$1
  shift
  before=$(sum "$F" "$DB")
  printf 'pw\n' | postern-passwd -f "$F" "$@" add x >/dev/null 2>"$TMP/err"
  st=$?
  is "$st $(sum "$F" "$DB")" "1 $before" "$d: refused, files untouched"
}

addpw "$F" b pw-b -m bcrypt
like "$(hashof b)" '^\$2b\$10\$' "-m bcrypt: cost 10 by default"
is "$(pw b pw-b)" 0 "(it checks)"
addpw "$F" b12 pw-b12 -m bcrypt -c 11
like "$(hashof b12)" '^\$2b\$11\$' "-m bcrypt -c 11: cost 11"
is "$(pw b12 pw-b12)" 0 "(it checks)"
addpw "$F" y pw-y
like "$(hashof y)" '^\$y\$j9T\$' "yescrypt: libxcrypt's default cost"
addpw "$F" y6 pw-y6 -c 6
like "$(hashof y6)" '^\$y\$jAT\$' "yescrypt -c 6: the next cost"
is "$(pw y6 pw-y6)" 0 "(it checks)"
addpw "$F" s pw-s -m sha512crypt
like "$(hashof s)" '^\$6\$[^$]+\$[^$]+$' "sha512crypt: libxcrypt's default rounds"
addpw "$F" s2 pw-s2 -m sha512crypt -c 20000
like "$(hashof s2)" '^\$6\$rounds=20000\$' "sha512crypt -c 20000: 20000 rounds"
is "$(pw s2 pw-s2)" 0 "(it checks)"
addpw "$F" y0 pw-y0 -c 0
like "$(hashof y0)" '^\$y\$j9T\$' "-c 0: the method's default"

untouched "bcrypt -c 9" -m bcrypt -c 9
like "$(cat "$TMP/err")" "below the floor.*at least 10" "(the message names the floor)"
untouched "bcrypt -c 4" -m bcrypt -c 4
untouched "sha512crypt -c 4999" -m sha512crypt -c 4999
like "$(cat "$TMP/err")" "at least 5000" "(the message names the floor)"
untouched "yescrypt -c 4" -c 4
untouched "yescrypt -c 1" -m yescrypt -c 1
untouched "bcrypt -c 32 (out of range)" -m bcrypt -c 32
like "$(cat "$TMP/err")" "out of the method's range" "(the message says so)"
untouched "yescrypt -c 12 (out of range)" -c 12
untouched "sha512crypt -c 1000000000 (out of range, not clamped)" -m sha512crypt -c 1000000000
before=$(sum "$F" "$DB")
printf 'pw\n' | postern-passwd -f "$F" -c x add x >/dev/null 2>&1
is "$? $(sum "$F" "$DB")" "100 $before" "-c x: usage, files untouched"
printf 'pw\n' | postern-passwd -f "$F" -m bcrypt -c 9 set b >/dev/null 2>&1
is "$? $(pw b pw-b)" "1 0" "set with a cost below the floor: refused, the old hash kept"

done_testing
