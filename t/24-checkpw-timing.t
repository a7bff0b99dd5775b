#!/bin/sh
# postern-checkpw: an unknown user costs what a wrong password costs (a
# hash against a dummy of the default method).  Compares the median times
# of interleaved runs; the bounds are wide, for a busy machine, but
# without the dummy hash an unknown user answers many times faster.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

if [ -n "${PN_ASAN:-}" ]
then
  skip "timing" "PN_ASAN=1: sanitizers distort time; measured in the normal pass"
  done_testing
fi

F=$TMP/passwd
addpw "$F" alice 'pass word' || echo "Bail out! postern-passwd add"

# timing N CREDS1 CREDS2 -- ARGS...: t/helpers/pn-t-timing.py; prints
# "status1 status2 wall cpu", the ratios of the median times with CREDS1
# to those with CREDS2
timing()
{
  python3 "$(dirname "$0")/helpers/pn-t-timing.py" "$@"
}

# within RATIO: true when 0.5 <= RATIO <= 2.0
within()
{
  awk -v r="$1" 'BEGIN { exit !(r >= 0.5 && r <= 2.0) }'
}

set -- $(timing 17 'nosuchuser|pass word||' 'alice|wrong||' -- postern-checkpw -f "$F.cdb" true)
is "$1 $2" "1 1" "with -f: unknown user and wrong password both exit 1"
ok "with -f: they take the same wall-clock time (ratio $3)" within "$3"
ok "with -f: they take the same CPU time (ratio $4)" within "$4"

if isroot
then
  U=pnt$$t
  if mkuser "$U" "$TMP/hu"
  then
    usermod -p "$(sed -n 's/^alice:\([^:]*\).*/\1/p' "$F")" "$U"
    set -- $(timing 11 'nosuchuser|pass word||' "$U|wrong||" -- postern-checkpw true)
    is "$1 $2" "1 1" "system accounts: unknown user and wrong password both exit 1"
    ok "system accounts: the same wall-clock time (ratio $3)" within "$3"
    ok "system accounts: the same CPU time (ratio $4)" within "$4"
  else
    echo "Bail out! cannot create the test account"
    exit 1
  fi
else
  skip "system accounts timing" "the test does not run as root (it creates an account)"
  skip "system accounts timing" "the test does not run as root (it creates an account)"
fi

done_testing
