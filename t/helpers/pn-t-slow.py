#!/usr/bin/env python3
# pn-t-slow.py LOG SCRIPT PROG [ARGS...]: a client that takes its time.
# Runs PROG with one end of a socket pair as its fds 0 and 1 (stderr to
# LOG) and plays SCRIPT on the other end, steps separated by " ; ":
#   s TEXT       send TEXT (\r, \n, \x00 escapes)
#   r            wait (at most 30 s) for the next whole reply
#   w SEC        sleep SEC seconds
#   d SEC TEXT   drip TEXT, one byte, then SEC seconds, and so on
#   n K SEC TEXT K times: send TEXT, sleep SEC
# Sending stops when the server has closed the connection.  Then prints
# what the server sent (CR removed), "closed early" when it closed
# while the script still had bytes to send (else "script done"), "server
# closed" when it closed (else "client closed": 5 s after the script, the
# client shuts its side down), and the program's exit status.  Everything is bounded: 120 s in all.
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
    if op == "s":
        done = send(unesc(rest))
    elif op == "r":
        next_reply()
    elif op == "w":
        nap(float(rest))
    elif op == "d":
        sec, _, text = rest.partition(" ")
        for c in unesc(text):
            done = send(bytes([c]))
            if not done:
                break
            nap(float(sec))
    elif op == "n":
        k, sec, text = rest.split(" ", 2)
        for i in range(int(k)):
            done = send(unesc(text))
            if not done:
                break
            nap(float(sec))
    if not done:
        break
eof.wait(120 if not done else 5)
closed = eof.is_set()
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
print("server closed" if closed else "client closed")
print("exit %d" % st)
