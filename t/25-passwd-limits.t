#!/bin/sh
# The password file's fifth field, limits: postern-passwd -l writes it
# (and refuses what postern-queue could not parse), list shows it, make
# compiles it, and postern-checkpw passes it on as SMTPLIMITS, removing
# any SMTPLIMITS it inherited.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

PWF=$TMP/passwd
DB=$PWF.cdb
mkout
session_account

addpw "$PWF" alice 'secret 1' -m sha512crypt -s 'alice@example.org' -l 'msgs=5/1h rcpts=10/1d' || bail "postern-passwd add -l"
addpw "$PWF" bob secret2 -m sha512crypt || bail "postern-passwd add"
addpw "$PWF" carol secret3 -m sha512crypt -l 'rcpts=0/1d' || bail "postern-passwd add -l, no other field"
like "$(grep '^alice:' "$PWF")" '^alice:\$6\$[^:]*::alice@example.org:msgs=5/1h rcpts=10/1d$' "the fifth field, after account and senders"
like "$(grep '^carol:' "$PWF")" '^carol:\$6\$[^:]*:::rcpts=0/1d$' "empty fields before it are kept"
like "$(grep '^bob:' "$PWF")" '^bob:\$6\$[^:]*$' "no limits: no trailing fields"
is "$(postern-passwd -f "$PWF" list)" "$(printf 'alice::alice@example.org:msgs=5/1h rcpts=10/1d\nbob::\ncarol:::rcpts=0/1d')" "list shows the limits when there are some"

# refusals: nothing changes
before=$(sum "$PWF" "$DB")
for bad in 'msgs=5' 'msgs=5/1h msgs=6/1h' 'mails=5/1h' 'msgs=5/1w' 'msgs=5/1h,rcpts=1/1d' 'msgs=-1/1h' 'msgs=5/1h:x'
do
  printf 'pw\n' | postern-passwd -f "$PWF" -l "$bad" add dave >/dev/null 2>"$TMP/err"
  is "$? $(sum "$PWF" "$DB")" "1 $before" "-l '$bad': refused, files untouched"
done
like "$(cat "$TMP/err")" 'bad limits' "and says why"
cp "$PWF" "$TMP/good"
printf 'erin:x::a@b:msgs=1/1x\n' >>"$PWF"
postern-passwd -f "$PWF" make >/dev/null 2>"$TMP/err"
is "$?" 1 "make refuses a malformed fifth field"
like "$(cat "$TMP/err")" 'bad limits field' "naming it"
cp "$TMP/good" "$PWF"

# set keeps the limits unless -l is given; -l '' removes them
printf 'secret 1\n' | postern-passwd -f "$PWF" -m sha512crypt -s 'alice@example.org @example.net' set alice || bail "set"
like "$(grep '^alice:' "$PWF")" ':alice@example.org @example.net:msgs=5/1h rcpts=10/1d$' "set without -l keeps them"
printf 'secret2\n' | postern-passwd -f "$PWF" -m sha512crypt -l 'msgs=50/1h' set bob || bail "set -l"
like "$(grep '^bob:' "$PWF")" '^bob:\$6\$[^:]*:::msgs=50/1h$' "set -l adds them"
printf 'secret3\n' | postern-passwd -f "$PWF" -m sha512crypt -l '' set carol || bail "set -l ''"
like "$(grep '^carol:' "$PWF")" '^carol:\$6\$[^:]*$' "-l '' removes them"

# postern-checkpw
is "$(SMTPLIMITS=msgs=9999/1s ck alice 'secret 1' -f "$DB" -a "$A")" 0 "(alice)"
env=$(report_get "$OUT/r" env)
like "$env" '^SMTPLIMITS=msgs=5/1h rcpts=10/1d$' "SMTPLIMITS is the user's limits field, not the inherited one"
like "$env" '^SMTPSENDERS=alice@example.org @example.net$' "SMTPSENDERS as before"
is "$(ck bob secret2 -f "$DB" -a "$A")" 0 "(bob)"
like "$(report_get "$OUT/r" env)" '^SMTPLIMITS=msgs=50/1h$' "bob's"
is "$(SMTPLIMITS=msgs=9999/1s ck carol secret3 -f "$DB" -a "$A")" 0 "(carol)"
unlike "$(report_get "$OUT/r" env)" '^SMTPLIMITS=' "an inherited SMTPLIMITS is removed for a user without limits"
done_testing
