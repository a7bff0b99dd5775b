#!/usr/bin/env python3
# pn-t-slow.py LOG SCRIPT PROG [ARGS...]: a client that takes its time.
# Runs PROG with one end of a socket pair as its fds 0 and 1 (stderr to
# LOG) and plays SCRIPT on the other end, steps separated by " ; ":
#   s TEXT       send TEXT (\r, \n, \x00 escapes)
#   r            wait (at most 30 s) for the next whole reply
#   w SEC        sleep SEC seconds
#   d SEC TEXT   drip TEXT, one byte, then SEC seconds, and so on
#   n K SEC TEXT K times: send TEXT, sleep SEC
# A step stops when the server has closed the connection.  Then prints
# what the server sent (CR removed), "closed early" when it closed
# before the script was played through (else "script done"), and the
# program's exit status.  Everything is bounded: 120 s in all.
import os, socket, subprocess, sys, threading, time

log, script, prog = sys.argv[1], sys.argv[2], sys.argv[3:]
a, b = socket.socketpair()
with open(log, "ab") as err:
    p = subprocess.Popen(prog, stdin=b, stdout=b, stderr=err, close_fds=True)
b.close()
got = bytearray()
eof = threading.Event()
cond = threading.Condition()


def reader():
    while True:
        try:
            x = a.recv(65536)
        except OSError:
            x = b""
        with cond:
            if not x:
                eof.set()
                cond.notify_all()
                return
            got.extend(x)
            cond.notify_all()


threading.Thread(target=reader, daemon=True).start()
seen = 0


def next_reply():
    # the end of the next reply not yet waited for: a line "NNN " or EOF
    global seen
    end = time.time() + 30
    with cond:
        while True:
            lines = bytes(got).split(b"\n")
            done = 0
            pos = 0
            for l in lines[:-1]:
                pos += len(l) + 1
                if len(l) >= 4 and l[3:4] != b"-":
                    if pos > seen:
                        seen = pos
                        return True
            if eof.is_set() or time.time() > end:
                return False
            cond.wait(0.1)


def send(x):
    if eof.is_set():
        return False
    try:
        a.sendall(x)
        return True
    except OSError:
        return False


def nap(sec):
    eof.wait(sec)
    return not eof.is_set()


def unesc(t):
    return t.encode("latin-1").decode("unicode_escape").encode("latin-1")


done = True
for step in script.split(" ; "):
    op, _, rest = step.strip().partition(" ")
    ok = True
    if op == "s":
        ok = send(unesc(rest))
    elif op == "r":
        ok = next_reply()
    elif op == "w":
        ok = nap(float(rest))
    elif op == "d":
        sec, _, text = rest.partition(" ")
        for c in unesc(text):
            if not send(bytes([c])) or not nap(float(sec)):
                ok = False
                break
    elif op == "n":
        k, sec, text = rest.split(" ", 2)
        for i in range(int(k)):
            if not send(unesc(text)) or not nap(float(sec)):
                ok = False
                break
    if not ok or eof.is_set():
        done = False
        break
eof.wait(120 if not done else 5)
try:
    a.shutdown(socket.SHUT_WR)
except OSError:
    pass
eof.wait(30)
try:
    st = p.wait(30)
except subprocess.TimeoutExpired:
    p.kill()
    st = p.wait()
sys.stdout.write(bytes(got).decode("latin-1").replace("\r", ""))
print("closed early" if not done else "script done")
print("exit %d" % st)
