#!/bin/sh
# conf/fail2ban: the filters against the log lines the programs really
# write, in the forms a log reaches fail2ban in: stderr through a logger
# that stamps TAI64N (multilog t, s6-log t), the same through
# logger/journald (SyslogIdentifier=postern), and syslog as xinetd gives
# it (postern-smtpd[pid], captured from /dev/log as t/47 does, then
# written as rsyslog writes it).  fail2ban-regex -o ip names the address
# each matched line bans.
#
# The limit filter is tested on the lines postern-queue writes for each
# limit (doc/postern-queue.8, LOGGING).
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v fail2ban-regex >/dev/null 2>&1
then
  skip "fail2ban" "fail2ban-regex not installed (scripts/setup installs fail2ban)"
  done_testing
fi
require_built "fail2ban" postern-smtpd postern-queue t/pn-t-checkpw t/pn-t-report

# fail2ban's own common.conf, and ours, in a config directory of the test
mkdir -p "$TMP/f2b/filter.d"
cp /etc/fail2ban/filter.d/common.conf "$TMP/f2b/filter.d/" 2>/dev/null \
  || cp "$(python3 -c 'import fail2ban, os; print(os.path.dirname(fail2ban.__file__))')/../../../../etc/fail2ban/filter.d/common.conf" "$TMP/f2b/filter.d/"
cp "$ROOT"/conf/fail2ban/filter.d/postern-*.conf "$TMP/f2b/filter.d/"

# f2b FILTER LOG: the addresses of the matched lines, one a line
f2b()
{
  fail2ban-regex -o ip -c "$TMP/f2b" "$2" "$1" 2>"$TMP/f2b.err"
}

# The lines, written by postern-smtpd: a wrong password; a user name
# that tries to forge an address; a PLAIN message with one NUL; an
# authzid; then a verifier that fails (not the client's fault); then a
# success.
bad=$(printf '\0alice\0wrong' | base64 -w0)
forge=$(printf '\0x" mech=PLAIN ip=198.51.100.66 reason=password\0wrong' | base64 -w0)
syntax=$(printf 'alicewrong' | base64 -w0)
authz=$(printf 'bob\0alice\0secret' | base64 -w0)
good=$(printf '\0alice\0secret' | base64 -w0)
export AUTHINSECURE=1 AUTHFAILDELAY=0 AUTHMAXFAIL=10
printf 'EHLO x\r\nAUTH PLAIN %s\r\nAUTH PLAIN %s\r\nAUTH PLAIN %s\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$bad" "$forge" "$syntax" "$authz" \
  | TCPREMOTEIP=192.0.2.7 smtpd >/dev/null 2>"$TMP/log.stderr"
printf 'EHLO x\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$bad" \
  | TCPREMOTEIP=192.0.2.8 T_CHECKPW_STATUS=111 smtpd >/dev/null 2>>"$TMP/log.stderr"
printf 'EHLO x\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$good" \
  | TCPREMOTEIP=192.0.2.9 smtpd >/dev/null 2>>"$TMP/log.stderr"
# an address that postern's own failure record blocks, coming back
mkdir "$TMP/af"
printf 'EHLO x\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$bad" \
  | TCPREMOTEIP=203.0.113.5 AUTHFAILDIR="$TMP/af" AUTHFAILMAX=1 smtpd >/dev/null 2>>"$TMP/log.stderr"
printf 'EHLO x\r\n' \
  | TCPREMOTEIP=203.0.113.5 AUTHFAILDIR="$TMP/af" AUTHFAILMAX=1 smtpd >/dev/null 2>>"$TMP/log.stderr"
L=$(cat "$TMP/log.stderr")
like "$L" 'auth fail user="alice" mech=PLAIN ip=192.0.2.7 reason=password' "postern-smtpd wrote the failed AUTH"
like "$L" 'auth fail user=".*198.51.100.66.*" mech=PLAIN ip=192.0.2.7' "... the forging user name, quoted"
like "$L" 'reason=verifier-temporary' "... the verifier's failure"
like "$L" 'end reason=blocked ip=203.0.113.5' "... the blocked address"

# stderr through multilog t / s6-log t: a TAI64N stamp per line
now=$(date +%s)
tai=$(printf '@%016x%08x' $((0x4000000000000000 + now + 10)) 0)
sed "s/^/$tai /" "$TMP/log.stderr" >"$TMP/log.tai"
want=$(printf '192.0.2.7\n192.0.2.7\n192.0.2.7\n192.0.2.7\n203.0.113.5\n203.0.113.5')
is "$(f2b postern-auth "$TMP/log.tai")" "$want" "stderr (TAI64N): the four client failures, the failure and the return of the blocked address; not the server's failure, not the success, not the forged address"
# the same through logger -t postern or journald: "host postern[pid]: postern-smtpd: ..."
sysd=$(LC_ALL=C date '+%b %e %H:%M:%S')
sed "s/^/$sysd mail postern[4242]: /" "$TMP/log.stderr" >"$TMP/log.journal"
is "$(f2b postern-auth "$TMP/log.journal")" "$want" "logger or journal form (SyslogIdentifier=postern): the same"

# syslog, as under xinetd: captured from /dev/log in a mount namespace
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null
then
  mkdir "$TMP/dev"
  : >"$TMP/dev/null"
  cat >"$TMP/run.py" <<'PY'
import os, socket, subprocess, sys
tmp, bad = sys.argv[1], sys.argv[2]
log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
log.bind(tmp + "/dev/log")
subprocess.run(["mount", "--bind", "/dev/null", tmp + "/dev/null"], check=True)
subprocess.run(["mount", "--bind", tmp + "/dev", "/dev"], check=True)
ours, theirs = socket.socketpair()
env = dict(os.environ, TCPREMOTEIP="192.0.2.77")
p = subprocess.Popen(["postern-smtpd", "pn-t-checkpw", "pn-t-report", tmp + "/r"],
                     stdin=theirs, stdout=theirs, stderr=theirs, env=env)
theirs.close()
ours.sendall(b"EHLO x\r\nAUTH PLAIN " + bad.encode() + b"\r\nQUIT\r\n")
ours.shutdown(socket.SHUT_WR)
ours.settimeout(30)
while ours.recv(65536):
    pass
p.wait()
log.settimeout(1)
with open(tmp + "/syslog", "wb") as f:
    try:
        while True:
            f.write(log.recv(4096) + b"\n")
    except socket.timeout:
        pass
PY
  unshare -m --propagation private python3 "$TMP/run.py" "$TMP" "$bad" 2>"$TMP/err"
  like "$(cat "$TMP/syslog")" '^<22>postern-smtpd\[[0-9]+\]: info: auth fail user="alice" mech=PLAIN ip=192.0.2.77 reason=password' "syslog: the datagram postern-smtpd sent"
  # as rsyslog writes it to /var/log/mail.log: date, host, then the tag
  sed "s/^<[0-9]*>/$sysd mail /" "$TMP/syslog" >"$TMP/log.syslog"
  is "$(f2b postern-auth "$TMP/log.syslog")" "192.0.2.77" "syslog form (mail.log): the failed AUTH, its address"
else
  skip "syslog form" "needs root, unshare and a mount namespace"
fi

# The limit refusals, as postern-queue writes them: msgs at MAIL, rcpts
# for a user name that tries to forge an address, the session cap, a
# state error (LIMITDIR a file); only the first two ban
mkdir "$TMP/lim"
maildir "$TMP/md"
: >"$TMP/notadir"
# lq USER IP VAR=VALUE...: a session of USER from IP, one MAIL
lq()
{
  u=$1 ip=$2
  shift 2
  printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n' \
    | env SMTPAUTHUSER="$u" USER=x TCPREMOTEIP="$ip" "$@" postern-queue -m "$TMP/md" >/dev/null 2>>"$TMP/limit.all"
}
lq alice 192.0.2.50 LIMITDIR="$TMP/lim" MSGLIMIT=0/1d SMTPSESSIONID=f2btest
lq 'a ip=198.51.100.66 b' 192.0.2.51 LIMITDIR="$TMP/lim" RCPTLIMIT=0/1d
lq alice 192.0.2.52 MAXMSGS=1
lq alice 192.0.2.53 LIMITDIR="$TMP/notadir" MSGLIMIT=5/1h
L=$(cat "$TMP/limit.all")
like "$L" 'postern-queue: info: limit refused user="alice" limit=msgs max=0/1d ip=192.0.2.50 frees=0 sid=f2btest' "postern-queue wrote the msgs refusal"
like "$L" 'limit refused user="a ip=198.51.100.66 b" limit=rcpts max=0/1d ip=192.0.2.51 frees=0' "... the rcpts one, the forging user name quoted"
like "$L" 'limit refused user="alice" limit=session max=1 ip=192.0.2.52' "... the session cap"
like "$L" 'warning: limit state error user="alice" ip=192.0.2.53 dir=' "... the state error"
sed "s/^/$tai /" "$TMP/limit.all" >"$TMP/limit.tai"
is "$(f2b postern-limit "$TMP/limit.tai")" "$(printf '192.0.2.50\n192.0.2.50\n192.0.2.51\n192.0.2.51')" "limits (TAI64N): the msgs and rcpts refusals (two MAILs each); not the session cap, not a state error"
sed "s/^/$sysd mail postern[4242]: /" "$TMP/limit.all" >"$TMP/limit.journal"
is "$(f2b postern-limit "$TMP/limit.journal")" "$(printf '192.0.2.50\n192.0.2.50\n192.0.2.51\n192.0.2.51')" "limits, logger or journal form"
sed "s/^postern-queue: /$sysd mail postern-queue[4243]: /" "$TMP/limit.all" >"$TMP/limit.syslog"
is "$(f2b postern-limit "$TMP/limit.syslog")" "$(printf '192.0.2.50\n192.0.2.50\n192.0.2.51\n192.0.2.51')" "limits, syslog form"
is "$(f2b postern-auth "$TMP/limit.tai")" "" "the AUTH filter takes no limit line"
is "$(f2b postern-limit "$TMP/log.tai")" "" "the limit filter takes no AUTH line"

done_testing
