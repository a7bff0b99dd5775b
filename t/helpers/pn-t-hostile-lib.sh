# t/helpers/pn-t-hostile-lib.sh: sourced after t/lib.sh by the hostile
# input and fault tests (t/5N-*.t).
#
#   feed [OPTS] -- PROG ARGS...   runs PROG with stdin from $TMP/in (or
#                                 --in FILE), prints what it wrote to fd 1
#                                 (raw bytes); options:
#       --sock        fds 0 and 1 are one end of a UNIX socketpair (not pipes)
#       --chunk N     write the input N bytes at a time (default 65536)
#       --delay S     sleep S seconds between writes
#       --noread      never read the program's output (a client that
#                     stops reading)
#       --hold S      keep the input open S seconds after the last byte
#                     (a client that stops sending)
#       --gate FILE   after the first chunk, wait (at most --limit) until
#                     FILE exists before writing the rest
#       --cut         after the first chunk, close the connection (a
#                     client that vanishes)
#       --limit S     kill the program after S seconds (default 120)
#       --stats FILE  write "status N", "maxrss KB" (the program's peak
#                     resident size) and "elapsed S" there (read
#                     them with report_get of t/lib.sh)
#   maxrss_limit                  KB a program may use on a hostile input:
#                                 24 MB, or 600 MB under ASan
#   bigfile FILE N [BYTE]         N bytes of BYTE (default x), no newline
#   b64 STRING                    STRING with its backslash escapes (\0 is
#                                 NUL; % is itself), base64, on one line
#   nfiles DIR                    how many files DIR has (0 if absent)
#   on GATE COND ACTION           in the background: when COND holds, ACTION,
#                                 then GATE is created (see --gate)
#   size FILE                     its length in bytes
#
# python3 is /usr/bin/python3 when it exists: the tests that change uid
# must not depend on a python under root's home.

PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

cat > "$TMP/feed.py" <<'EOF'
import os, resource, signal, socket, subprocess, sys, threading, time

opts = {"sock": False, "chunk": 65536, "delay": 0.0, "noread": False, "cut": False,
        "limit": 120.0, "hold": 0.0, "gate": None, "stats": None, "in": None}
args = sys.argv[1:]
while args and args[0] != "--":
    o = args.pop(0)[2:]
    if o in ("sock", "noread", "cut"):
        opts[o] = True
    else:
        v = args.pop(0)
        opts[o] = float(v) if o in ("delay", "limit", "hold") else int(v) if o == "chunk" else v
argv = args[1:]
infile = opts["in"]

if opts["sock"]:
    mine, theirs = socket.socketpair()
    p = subprocess.Popen(argv, stdin=theirs.fileno(), stdout=theirs.fileno())
    theirs.close()
    wfd = rfd = mine.fileno()
else:
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    wfd, rfd = p.stdin.fileno(), p.stdout.fileno()
start = time.time()

def writeall(b):
    while b:
        n = os.write(wfd, b)
        b = b[n:]

# the input is read only now, chunk by chunk: the program's peak size
# must not include a copy of it made before the exec
def writer():
    try:
        with open(infile, "rb") as f:
            first = True
            while True:
                b = f.read(opts["chunk"])
                if not b:
                    break
                writeall(b)
                if first and opts["cut"]:
                    break
                if first and opts["gate"]:
                    while not os.path.exists(opts["gate"]):
                        time.sleep(0.05)
                first = False
                if opts["delay"]:
                    time.sleep(opts["delay"])
    except OSError:
        pass
    if opts["hold"]:
        time.sleep(opts["hold"])
    try:
        if opts["sock"]:
            mine.shutdown(socket.SHUT_WR)
        else:
            p.stdin.close()
    except OSError:
        pass

def killer():
    time.sleep(opts["limit"])
    try:
        p.kill()
    except OSError:
        pass

threading.Thread(target=writer, daemon=True).start()
threading.Thread(target=killer, daemon=True).start()
out = bytearray()
if not opts["noread"]:
    while True:
        try:
            b = os.read(rfd, 65536)
        except OSError:
            break
        if not b:
            break
        out += b
_, status, ru = os.wait4(p.pid, 0)
elapsed = time.time() - start
sys.stdout.buffer.write(out)
sys.stdout.flush()
if opts["stats"]:
    code = os.waitstatus_to_exitcode(status)
    with open(opts["stats"], "w") as f:
        f.write("status %d\nmaxrss %d\nelapsed %.1f\n" % (code, ru.ru_maxrss, elapsed))
EOF

feed()
{
  "$PY" "$TMP/feed.py" --in "$TMP/in" "$@"
}

maxrss_limit()
{
  if [ -n "${PN_ASAN:-}" ]; then echo 614400; else echo 24576; fi
}

bigfile()
{
  head -c "$2" /dev/zero | tr '\0' "${3:-x}" > "$1"
}

b64()
{
  printf '%b' "$1" | base64 | tr -d '\n'
}

nfiles()
{
  if [ -d "$1" ]; then ls -A "$1" | wc -l | tr -d ' '; else echo 0; fi
}

# on GATE COND ACTION: in the background, waits (at most 60 s) until the
# shell condition COND holds, runs ACTION, then creates GATE (for feed
# --gate GATE: the client goes on only then).
on()
{
  (
    i=0
    while [ $i -lt 600 ] && ! eval "$2"
    do
      sleep 0.1
      i=$((i + 1))
    done
    eval "$3"
    : > "$1"
  ) &
}

# size FILE: its length in bytes
size()
{
  wc -c < "$1" | tr -d ' '
}
