#!/bin/sh
# postern-checkpw: a wrong password takes the time of an unknown user
# whatever the method of the stored hash (yescrypt, sha512crypt, bcrypt;
# in the compiled database and in /etc/shadow).  The same approach as
# t/24: medians of interleaved runs, wide bounds for a busy machine; before
# the padding a sha512crypt or bcrypt user answered many times faster (or,
# for a bcrypt cost above the default's time, slower) than an unknown one.
# Only wall-clock time is compared: a hash of another method is checked
# and then the dummy is, so the CPU time differs on purpose (doc/security.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

if [ -n "${PN_ASAN:-}" ]
then
  skip "timing" "PN_ASAN=1: sanitizers distort time; measured in the normal pass"
  done_testing
fi

F=$TMP/passwd
addpw "$F" ys 'pass word' || bail "postern-passwd add"
addpw "$F" sh 'pass word' -m sha512crypt || bail "postern-passwd add"
addpw "$F" bc 'pass word' -m bcrypt || bail "postern-passwd add"

# timing N CREDS1 CREDS2 -- ARGS...: as in t/24 (t/helpers/pn-t-timing.py);
# prints "status1 status2 wall cpu"; the wall-clock ratio is used here
timing()
{
  python3 "$(dirname "$0")/helpers/pn-t-timing.py" "$@"
}

# within RATIO: true when 0.5 <= RATIO <= 2.0
within()
{
  awk -v r="$1" 'BEGIN { exit !(r >= 0.5 && r <= 2.0) }'
}

for m in ys:yescrypt sh:sha512crypt bc:bcrypt
do
  u=${m%%:*} name=${m#*:}
  set -- $(timing 7 'nosuchuser|pass word||' "$u|wrong||" -- postern-checkpw -f "$F.cdb" true)
  is "$1 $2" "1 1" "with -f, $name: unknown user and wrong password both exit 1"
  ok "with -f, $name: they take the same wall-clock time (ratio $3)" within "$3"
done

# A locked account and an unusable hash refuse in the same time too.
printf 'lk:!%s\n' "$(sed -n 's/^ys:\([^:]*\).*/\1/p' "$F")" >>"$F"
printf 'pw\n' | postern-passwd -f "$F" make || bail "postern-passwd make"
set -- $(timing 7 'nosuchuser|pass word||' 'lk|pass word||' -- postern-checkpw -f "$F.cdb" true)
is "$1 $2" "1 1" "with -f, locked: unknown user and locked account both exit 1"
ok "with -f, locked: the same wall-clock time (ratio $3)" within "$3"

if isroot
then
  # /etc/shadow: sha512crypt hashes at libxcrypt's default rounds, as
  # many systems still have.
  U=pnt$$s
  if mkuser "$U" "$TMP/hs"
  then
    usermod -p "$(sed -n 's/^sh:\([^:]*\).*/\1/p' "$F")" "$U"
    set -- $(timing 7 'nosuchuser|pass word||' "$U|wrong||" -- postern-checkpw true)
    is "$1 $2" "1 1" "system accounts, sha512crypt: unknown user and wrong password both exit 1"
    ok "system accounts, sha512crypt: the same wall-clock time (ratio $3)" within "$3"
  else
    bail "cannot create the test account"
  fi
else
  skip "system accounts timing" "the test does not run as root (it creates an account)"
  skip "system accounts timing" "the test does not run as root (it creates an account)"
fi

done_testing
