#!/bin/sh
# postern-checkpw and postern-passwd check: yescrypt's working memory is
# mapped on a 2 MiB boundary and advised MADV_HUGEPAGE, for a known user
# and for the dummy hash of an unknown one alike, and for nothing else;
# where the kernel gives no huge pages (PR_SET_THP_DISABLE here) the
# check still works.  Seen with strace, not timed (speed is in bench/).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

require "huge pages" "strace is missing (scripts/setup installs it)" strace -V
if [ -n "${PN_ASAN:-}" ]
then
  skip "huge pages" "PN_ASAN=1: the sanitizer build's mmap is the sanitizer's"
  done_testing
fi

F=$TMP/passwd
ACCT=$(id -un)
isroot && ACCT=daemon
addpw "$F" y 'pass word' || bail "postern-passwd add"
addpw "$F" s 'pass word' -m sha512crypt || bail "postern-passwd add"

# traced CREDS ARGS...: runs ARGS under strace (mmap, munmap, madvise)
# with CREDS ('|' for NUL) on fd 3; prints the exit status, the trace in
# $TMP/trace.
traced()
{
  printf '%s' "$1" | tr '|' '\0' >"$TMP/c"
  shift
  strace -o "$TMP/trace" -e trace=mmap,munmap,madvise "$@" 3<"$TMP/c" </dev/null >/dev/null 2>&1
  echo $?
}
# advised: "N ok" when the trace has N madvise(MADV_HUGEPAGE) calls, each
# on a 2 MiB-aligned address for at least 16 MiB, that succeeded; else
# what was wrong.
advised()
{
  awk '/madvise\(.*MADV_HUGEPAGE/ {
      n++
      split($0, a, /[(, )]+/)
      addr = a[2]; len = a[3] + 0
      sub(/^0x/, "", addr)
      low = substr(addr, length(addr) - 4) # the low 20 bits and more
      if (low !~ /^[02468ace]0000$/) { print "unaligned " $0; bad = 1 }
      if (len < 16 * 1048576) { print "short " $0; bad = 1 }
      if ($0 !~ /= 0$/) { print "failed " $0; bad = 1 }
    }
    END { if (!bad) print n + 0, "ok" }' "$TMP/trace"
}

is "$(traced 'y|pass word||' postern-checkpw -f "$F.cdb" -a "$ACCT" -u 0 true)" 0 "right password: the session runs"
is "$(advised)" "1 ok" "right password: one huge-page mapping, aligned, advised"
is "$(traced 'y|wrong||' postern-checkpw -f "$F.cdb" -a "$ACCT" -u 0 true)" 1 "wrong password: exit 1"
is "$(advised)" "1 ok" "wrong password: the same (the stored hash is the dummy's class: one check)"
is "$(traced 'nosuchuser|pass word||' postern-checkpw -f "$F.cdb" -a "$ACCT" -u 0 true)" 1 "unknown user: exit 1"
is "$(advised)" "1 ok" "unknown user: the dummy hash gets the same treatment"
is "$(traced 's|wrong||' postern-checkpw -f "$F.cdb" -a "$ACCT" -u 0 true)" 1 "sha512crypt, wrong password: exit 1"
is "$(advised)" "1 ok" "sha512crypt: only the dummy's yescrypt mapping is advised"
is "$(traced 's|pass word||' postern-checkpw -f "$F.cdb" -a "$ACCT" -u 0 true)" 0 "sha512crypt, right password: the session runs"
is "$(advised)" "0 ok" "sha512crypt, right password: nothing advised (no large mapping)"
# the cdb is mapped too (skalibs' cdb_init), and must not be advised
like "$(grep -c 'mmap(NULL, [0-9]*, PROT_READ, MAP_SHARED' "$TMP/trace")" '^[1-9]' "(the database's own mapping goes through the same mmap)"

printf 'pass word\n' >"$TMP/pwin"
strace -o "$TMP/trace" -e trace=madvise postern-passwd -f "$F" check y <"$TMP/pwin" >/dev/null 2>&1
is "$? $(advised)" "0 1 ok" "postern-passwd check: the same"

# PR_SET_THP_DISABLE (inherited across exec): no huge pages, no error.
nothp()
{
  python3 -c 'import ctypes, os, sys
ctypes.CDLL(None, use_errno=True).prctl(41, 1, 0, 0, 0)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}
creds y 'pass word' >"$TMP/c"
nothp postern-checkpw -f "$F.cdb" -a "$ACCT" -u 0 true 3<"$TMP/c" </dev/null >/dev/null 2>&1
is "$?" 0 "huge pages disabled for the process: the right password still runs the session"
creds y wrong >"$TMP/c"
nothp postern-checkpw -f "$F.cdb" -a "$ACCT" -u 0 true 3<"$TMP/c" </dev/null >/dev/null 2>&1
is "$?" 1 "huge pages disabled: a wrong password still exits 1"

# Where THP is on (madvise or always), the kernel counted huge-page
# faults while checks ran (other processes can only add to the count).
mode=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if [ "$mode" = madvise ] || [ "$mode" = always ]
then
  a=$(awk '$1 == "thp_fault_alloc" { print $2 }' /proc/vmstat)
  creds y 'pass word' >"$TMP/c"
  for i in 1 2 3
  do
    postern-checkpw -f "$F.cdb" -a "$ACCT" -u 0 true 3<"$TMP/c" </dev/null >/dev/null 2>&1
  done
  b=$(awk '$1 == "thp_fault_alloc" { print $2 }' /proc/vmstat)
  ok "THP mode $mode: huge pages were allocated ($a -> $b)" test "$b" -ge $((a + 3))
else
  skip "huge pages allocated" "THP mode is ${mode:-unknown} here"
fi

done_testing
