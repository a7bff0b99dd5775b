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

# timing N CREDS1 CREDS2 -- ARGS...: runs postern-checkpw ARGS N times
# with each credential set ('|' for NUL), interleaved; prints "status1
# status2 wall cpu": the ratios of the median times with CREDS1 to those
# with CREDS2, in wall-clock time and in the child's CPU time (user +
# system), which the load of a busy machine disturbs much less.
timing()
{
  python3 - "$@" <<'PY'
import os, statistics, subprocess, sys, time
n = int(sys.argv[1])
creds = [sys.argv[2].encode().replace(b"|", b"\0"), sys.argv[3].encode().replace(b"|", b"\0")]
args = sys.argv[5:]
wall = [[], []]
cpu = [[], []]
status = [set(), set()]
def once(k):
    r, w = os.pipe()
    os.write(w, creds[k])
    os.close(w)
    # fd 3 set here, not in a preexec_fn, whose Python code would count
    # as the child's CPU time.
    if r != 3:
        os.dup2(r, 3)
        os.close(r)
    t = time.perf_counter()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, pass_fds=(3,))
    _, st, ru = os.wait4(p.pid, 0)
    wall[k].append(time.perf_counter() - t)
    cpu[k].append(ru.ru_utime + ru.ru_stime)
    status[k].add(os.waitstatus_to_exitcode(st))
    os.close(3)
for i in range(n):
    for k in (i % 2, 1 - i % 2):
        once(k)
mw = [statistics.median(t) for t in wall]
mc = [statistics.median(t) for t in cpu]
print(",".join(map(str, sorted(status[0]))), ",".join(map(str, sorted(status[1]))),
      "%.3f" % (mw[0] / mw[1]), "%.3f" % (mc[0] / max(mc[1], 1e-6)))
print("# medians: wall %.1f ms / %.1f ms, cpu %.1f ms / %.1f ms"
      % (mw[0] * 1000, mw[1] * 1000, mc[0] * 1000, mc[1] * 1000), file=sys.stderr)
PY
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
