#!/usr/bin/python3
# pn-t-pty.py ANSWER CMD...: runs CMD with a pseudo-terminal as its
# controlling terminal and its standard input, output and error, as a
# person at a terminal would; answers each password prompt ("Password: ",
# "Again: ", as postern-passwd and swaks ask) with the line ANSWER.
# Copies what the terminal shows to standard output (LF line ends) and
# exits with CMD's status (128+N when killed by signal N).  At most 60
# seconds: then CMD's process group is killed and the status is 124.
import os, pty, re, select, signal, sys, time

answer, argv = sys.argv[1].encode() + b"\n", sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
prompt = re.compile(rb"(Password|Again): ?$")
seen = b""
pending = b""
deadline = time.monotonic() + 60
status = None
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        status = 124
        break
    r, _, _ = select.select([fd], [], [], min(left, 1.0))
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        seen += data
        pending += data
        # answer once the prompt is the last thing shown
        if prompt.search(pending.split(b"\n")[-1]):
            os.write(fd, answer)
            pending = b""
if status is None:
    _, st = os.waitpid(pid, 0)
    status = os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)
sys.stdout.buffer.write(seen.replace(b"\r\n", b"\n"))
sys.exit(status)
