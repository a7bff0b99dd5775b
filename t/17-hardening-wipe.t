#!/bin/sh
# The credentials are not left in the root front's memory (issue 16,
# finding 4): while the verifier runs, and while the session it became
# runs, no copy of the password, decoded or in base64, is in any
# writable mapping of postern-smtpd (read from /proc/PID/mem, as root).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

require "memory of the front" "needs root (to read /proc/PID/mem)" test "$(id -u)" -eq 0
require_built "memory of the front" postern-smtpd postern-queue t/pn-t-checkpw

# A verifier that is slow: it marks that it runs, sleeps, then checks.
cat >"$TMP/slowcheck" <<'SH'
#!/bin/sh
: >"$T_MARK"
sleep 2
exec pn-t-checkpw "$@"
SH
chmod 755 "$TMP/slowcheck"

cat >"$TMP/scan.py" <<'PY'
import base64, os, re, socket, subprocess, sys, time

mark, script = sys.argv[1], sys.argv[2]
prog = sys.argv[3:]
a, b = socket.socketpair()
# the patterns go nowhere near the front: not in its environment
secrets = os.environ.pop("T_SECRETS").split("|")
env = dict(os.environ, T_MARK=mark)
p = subprocess.Popen(prog, stdin=b, stdout=b, env=env, close_fds=True)
b.close()
a.settimeout(30)
f = a.makefile("rb")

def reply():
    out = []
    while True:
        l = f.readline()
        if not l:
            return out
        out.append(l.decode("latin-1").rstrip("\r\n"))
        if len(l) < 4 or l[3:4] != b"-":
            return out

# Every writable mapping, read in pieces that overlap by a pattern's
# length; mappings over 1 GiB are address space reserved by a sanitizer
# (its shadow memory), not the program's data, and are skipped.
CHUNK = 8 << 20
def scan(pats):
    found = set()
    over = max(len(x) for x in pats)
    with open("/proc/%d/maps" % p.pid) as m:
        maps = m.read().splitlines()
    mem = os.open("/proc/%d/mem" % p.pid, os.O_RDONLY)
    try:
        for line in maps:
            f2 = line.split()
            if len(f2) < 2 or "w" not in f2[1]:
                continue
            lo, hi = (int(x, 16) for x in f2[0].split("-"))
            if hi - lo > 1 << 30:
                continue
            at = lo
            while at < hi:
                try:
                    data = os.pread(mem, min(CHUNK + over, hi - at), at)
                except OSError:
                    break
                for pat in pats:
                    if pat in data:
                        found.add(pat)
                at += CHUNK
    finally:
        os.close(mem)
    return sorted(x.decode("latin-1").replace("\0", "\\0") for x in found)

# script: "line|line|..." sent one at a time, each reply read, except
# the last, after which the verifier is waited for
lines = script.split("|")
reply()
for l in lines:
    a.sendall(l.encode("latin-1") + b"\r\n")
    if l is not lines[-1]:
        reply()
pats = [s.encode("latin-1").replace(b"\\0", b"\0") for s in secrets]
for i in range(300):
    if os.path.exists(mark):
        break
    time.sleep(0.05)
time.sleep(0.3)
print("verifier running:", " ".join(scan(pats)) or "nothing found")
r = reply()
print("reply:", r[-1] if r else "none")
if r and r[-1].startswith("235"):
    a.sendall(b"NOOP\r\n")
    reply()
    print("session running:", " ".join(scan(pats)) or "nothing found")
a.sendall(b"QUIT\r\n")
reply()
a.close()
p.wait(30)
PY

# wipe NAME SECRETS SCRIPT: the scan's output
wipe()
{
  rm -f "$TMP/mark"
  T_SECRETS=$2 timeout 60 python3 "$TMP/scan.py" "$TMP/mark" "$3" \
    postern-smtpd "$TMP/slowcheck" postern-queue -m "$MD" 2>"$TMP/$1.log"
}

PLAIN='alice\0secret|AGFsaWNlAHNlY3JldA==|secret'
is "$(wipe plain "$PLAIN" 'EHLO c|AUTH PLAIN AGFsaWNlAHNlY3JldA==')" "verifier running: nothing found
reply: 235 2.7.0 Authentication successful
session running: nothing found" "AUTH PLAIN with an initial response: no copy while the verifier and the session run"

is "$(wipe plain2 "$PLAIN" 'EHLO c|AUTH PLAIN|AGFsaWNlAHNlY3JldA==')" "verifier running: nothing found
reply: 235 2.7.0 Authentication successful
session running: nothing found" "AUTH PLAIN answering the 334: no copy"

is "$(wipe login 'YWxpY2U=|c2VjcmV0|secret' 'EHLO c|AUTH LOGIN|YWxpY2U=|c2VjcmV0')" "verifier running: nothing found
reply: 235 2.7.0 Authentication successful
session running: nothing found" "AUTH LOGIN: neither the user's response nor the password, decoded or not"

is "$(wipe login2 'YWxpY2U=|c2VjcmV0|secret' 'EHLO c|AUTH LOGIN YWxpY2U=|c2VjcmV0')" "verifier running: nothing found
reply: 235 2.7.0 Authentication successful
session running: nothing found" "AUTH LOGIN with an initial response: no copy"

# a wrong password: wiped before the verifier starts as well
is "$(wipe wrong 'alice\0wrongpass|AGFsaWNlAHdyb25ncGFzcw==|wrongpass' 'EHLO c|AUTH PLAIN AGFsaWNlAHdyb25ncGFzcw==')" "verifier running: nothing found
reply: 535 5.7.8 Authentication credentials invalid" "a wrong password: no copy while the verifier runs"

# the scan can fail: the test's own copy is found in a process that keeps it
cat >"$TMP/keeper.py" <<'PY'
import sys, time
s = bytearray(b"alice\0" + b"secret")
sys.stdout.buffer.write(b"r")
sys.stdout.buffer.flush()
sys.stdin.buffer.read(1)
PY
out=$(T_SECRETS='alice\0secret' timeout 60 python3 - "$TMP/keeper.py" <<'PY'
import os, subprocess, sys, time
p = subprocess.Popen([sys.executable, sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
# its copy is made once it says so, however slow the machine
p.stdout.read(1)
found = False
with open("/proc/%d/maps" % p.pid) as m:
    maps = m.read().splitlines()
mem = os.open("/proc/%d/mem" % p.pid, os.O_RDONLY)
for line in maps:
    f = line.split()
    if "w" not in f[1]:
        continue
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    try:
        if b"alice\0secret" in os.pread(mem, hi - lo, lo):
            found = True
    except OSError:
        pass
p.stdin.write(b"x")
p.stdin.close()
p.wait()
print("found" if found else "not found")
PY
)
is "$out" "found" "the scan finds a copy where one is kept"

done_testing
