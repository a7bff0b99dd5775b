#!/usr/bin/env python3
# t/helpers/pn-t-timing.py N CREDS1 CREDS2 -- ARGS...: runs ARGS (a
# checkpassword program) N times with each credential set on fd 3 ('|'
# for NUL), interleaved; prints "status1 status2 wall cpu": the exit
# statuses seen with each, and the ratios of the median times with CREDS1
# to those with CREDS2, in wall-clock time and in the child's CPU time
# (user + system), which the load of a busy machine disturbs much less.
# Used by t/24 and t/25.
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
