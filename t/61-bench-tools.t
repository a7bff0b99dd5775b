#!/bin/sh
# The tools of make bench (bench/), built here as bench/run builds them:
# pn-load counts a session as done only when every reply is the expected
# one, and reports what was accepted; pn-floor -d and pn-disk write what
# they say they wrote.  make bench relies on these to check its workloads.
. "$(dirname "$0")/lib.sh"

require "bench tools" "needs a C compiler" command -v "${CC:-cc}"
require_built "bench tools" postern-queue
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BB=$TMP/bb
mkdir "$BB"
BFLAGS="-std=c99 -D_GNU_SOURCE -O2 -Wall -Wextra"
for p in pn-load pn-disk pn-floor
do
  libs=
  [ "$p" = pn-floor ] && libs="-I$ROOT/src $ROOT/src/lib/pn_hugemmap.c -lcrypt"
  # shellcheck disable=SC2086
  ok "$p builds" ${CC:-cc} $BFLAGS -o "$BB/$p" "$ROOT/bench/$p.c" $libs
done
# value KEY LINE: the value of KEY in pn-load's key=value line
value()
{
  printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
files() { find "$1" -type f | wc -l | tr -d ' '; }

# Sessions against postern-queue over pipes (RELAYCLIENT: no AUTH)
MD=$TMP/md
maildir "$MD"
out=$(RELAYCLIENT=1 "$BB/pn-load" -n 6 -c 3 -s 50000 postern-queue -m "$MD" 2>"$TMP/err")
is "$?" 0 "pn-load: exit 0 when every session succeeded"
is "$(value sessions "$out") $(value ok "$out") $(value failed "$out") $(value accepted "$out")" "6 6 0 6" "pn-load: 6 sessions, 6 ok, 6 messages accepted"
is "$(files "$MD/new")" 6 "the Maildir holds the 6 messages"
like "$(wc -c <"$(find "$MD/new" -type f | sed 1q)")" '^ *(49|5[0-9])[0-9]{3}$' "each about 50000 bytes (LF line ends, headers added)"
like "$(value mb_per_s "$out")" '^[0-9]+\.[0-9]+$' "a rate is reported"

rm -f "$MD"/new/*
out=$(RELAYCLIENT=1 "$BB/pn-load" -n 2 -m 5 -P -s 3000 postern-queue -m "$MD" 2>"$TMP/err")
is "$?" 0 "pn-load -P: pipelined sessions succeed"
is "$(value messages "$out") $(value accepted "$out") $(files "$MD/new")" "10 10 10" "pn-load -P: 10 messages sent, accepted and delivered"

# An unexpected reply fails the session: no RELAYCLIENT (530 to MAIL), or
# a message over DATABYTES (552 at the end of data)
out=$("$BB/pn-load" -n 2 -s 2000 postern-queue -m "$MD" 2>"$TMP/err")
is "$?" 1 "pn-load: exit 1 when a session got an unexpected reply"
is "$(value ok "$out") $(value failed "$out") $(value accepted "$out")" "0 2 0" "pn-load: 530 to MAIL fails both sessions"
like "$(cat "$TMP/err")" '530' "the reply is named on stderr"
out=$(RELAYCLIENT=1 DATABYTES=10000 "$BB/pn-load" -n 1 -s 20000 postern-queue -m "$MD" 2>"$TMP/err")
is "$?.$(value failed "$out").$(value accepted "$out")" "1.1.0" "pn-load: 552 at the end of data fails the session"

# pn-floor -d: the session and disk floor writes each body
FMD=$TMP/fmd
maildir "$FMD"
out=$("$BB/pn-load" -n 3 -s 20000 "$BB/pn-floor" -d "$FMD" 2>"$TMP/err")
is "$?.$(value ok "$out").$(value accepted "$out")" "0.3.3" "pn-floor -d: 3 sessions accepted"
is "$(files "$FMD/new").$(files "$FMD/tmp")" "3.0" "pn-floor -d: 3 files in new/, none left in tmp/"
like "$(wc -c <"$(find "$FMD/new" -type f | sed 1q)")" '^ *(19|2[0-9])[0-9]{3}$' "each holds the body it read"

# pn-disk: the disk floor writes -n files of -s bytes
out=$("$BB/pn-disk" -n 4 -c 2 -s 100000 "$TMP/disk" 2>"$TMP/err")
is "$?.$(value files "$out").$(value bytes "$out")" "0.4.400000" "pn-disk: 4 files, 400000 bytes"
is "$(files "$TMP/disk/new")" 4 "pn-disk: 4 files in new/"
done_testing
