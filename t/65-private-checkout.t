#!/bin/sh
# make check from a checkout other accounts cannot read (cloned into a
# mode-0700 home such as /root): the tests that run the programs as
# another account still pass.  One of them, t/22 (the chain with
# postern-checkpw switching to each user's account), runs here against a
# build directory inside a mode-0700 directory.
. "$(dirname "$0")/lib.sh"

require "private checkout" "needs root" test "$(id -u)" -eq 0
require "private checkout" "needs setpriv" command -v setpriv
require_built "private checkout" postern-smtpd postern-checkpw postern-queue postern-passwd t/pn-t-report t/pn-t-checkpw

# the build directory, copied as make check leaves it
mkdir -p "$TMP/private/build/t"
for f in "$PN_BIN"/* "$PN_BIN"/t/*
do
  [ -f "$f" ] && [ -x "$f" ] && cp "$f" "$TMP/private/build/${f#"$PN_BIN"/}"
done
chmod 700 "$TMP/private"
ok "nobody can reach it" sh -c "! setpriv --reuid=65534 --regid=65534 --clear-groups test -x '$TMP/private/build/postern-smtpd'"
here=$(cd "$(dirname "$0")" && pwd)
for t in 22-checkpw-chain.t
do
  PN_BIN=$TMP/private/build sh "$here/$t" >"$TMP/$t.out" 2>&1
  st=$?
  is "$st" "0" "t/$t passes against it"
  [ "$st" -eq 0 ] || sed -n 's/^not ok/#   not ok/p' "$TMP/$t.out"
  unlike "$(cat "$TMP/$t.out")" "^not ok|can't read" "with no failure"
done
done_testing
