#!/bin/sh
# make install and make uninstall, into a staging directory (DESTDIR):
# install puts every program and man page in place, uninstall removes
# exactly those and nothing else.
. "$(dirname "$0")/lib.sh"

require "install" "needs make" command -v make
require_built "install" postern-smtpd postern-checkpw postern-queue postern-passwd
TOP=$(cd "$(dirname "$0")/.." && pwd)
S=$TMP/stage
# -o all: the programs are those of PN_BIN, already built
mk() { make -s -C "$TOP" -o all BUILD="$PN_BIN" DESTDIR="$S" PREFIX=/usr/local "$@" >"$TMP/make.out" 2>&1; }
mkdir -p "$S/usr/local/bin"
echo keep >"$S/usr/local/bin/other"
mk install
is "$?" "0" "make install DESTDIR=... runs"
for p in postern-smtpd postern-checkpw postern-queue postern-passwd
do
  ok "$p installed, executable" test -x "$S/usr/local/bin/$p"
done
is "$(cd "$S/usr/local/share/man" && ls man8 man5 | grep -c '^postern')" "$(ls "$TOP"/doc/*.8 "$TOP"/doc/*.5 | wc -l | tr -d ' ')" "every man page installed"
mk uninstall
is "$?" "0" "make uninstall runs"
is "$(cd "$S" && find . -type f | sort)" "./usr/local/bin/other" "it removes what install put there, and nothing else"
done_testing
