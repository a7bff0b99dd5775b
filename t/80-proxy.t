#!/bin/sh
# postern-proxy: the PROXY protocol header (v1 and v2) from a trusted
# balancer, under tcpserver on 127.0.0.1, in front of the test
# continuation pn-t-report (its environment, and every byte after the
# header) and of the real front (its log, its plaintext-AUTH rule); then
# every refusal; then fd 0 as a regular file and as a pipe.  The headers
# are made with printf.
. "$(dirname "$0")/lib.sh"

require "postern-proxy tests" "tcpserver not installed" command -v tcpserver
require_built "postern-proxy tests" postern-proxy postern-smtpd
# a python3 that starts fast (not a version manager's shim), for lib.sh too
if [ -x /usr/bin/python3 ]
then
  mkdir -p "$TMP/pybin"
  ln -s /usr/bin/python3 "$TMP/pybin/python3"
  PATH=$TMP/pybin:$PATH
fi

# send PORT FILE: sends FILE's bytes to 127.0.0.1:PORT, in pieces of
# $split bytes 0.1 s apart if set; then, unless $hold is set, shuts the
# sending side; prints what comes back until the server closes (CRs
# removed).  hold=S: keeps the sending side open S seconds at most.
cat >"$TMP/send.py" <<'PY'
import os, socket, sys, time
port, data = int(sys.argv[1]), open(sys.argv[2], "rb").read()
split = int(os.environ.get("split", "0") or 0)
hold = float(os.environ.get("hold", "0") or 0)
s = socket.create_connection(("127.0.0.1", port), 10)
s.settimeout(30)
if split:
    for i in range(0, len(data), split):
        s.sendall(data[i:i + split])
        time.sleep(0.1)
else:
    s.sendall(data)
if not hold:
    s.shutdown(socket.SHUT_WR)
else:
    s.settimeout(hold)
out = b""
while True:
    try:
        b = s.recv(65536)
    except (socket.timeout, ConnectionResetError):
        break
    if not b:
        break
    out += b
sys.stdout.write(out.decode("latin-1").replace("\r", ""))
PY
send()
{
  python3 "$TMP/send.py" "$@"
}

# The headers.  v2: signature, version and command, family, length.
SIG='\r\n\r\n\0\r\nQUIT\n'
printf 'PROXY TCP4 192.0.2.7 10.0.0.1 40000 587\r\nEHLO x\r\nQUIT\r\n' >"$TMP/v1"
printf "$SIG"'\041\041\0\044''\040\001\015\270\0\0\0\0\0\0\0\0\0\0\0\007''\040\001\015\270\0\0\0\0\0\0\0\0\0\0\0\001''\234\100\002\113''EHLO x\r\nQUIT\r\n' >"$TMP/v2"
printf "$SIG"'\041\021\0\033''\300\0\002\007''\012\0\0\001''\234\100\002\113''\001\0\002h2\004\0\0\005\0\004uniq''EHLO x\r\nQUIT\r\n' >"$TMP/v2tlv"
printf "$SIG"'\040\0\0\0''EHLO x\r\nQUIT\r\n' >"$TMP/v2local"
printf 'PROXY UNKNOWN\r\nEHLO x\r\nQUIT\r\n' >"$TMP/v1unknown"

# a continuation that reports its environment and fd 0; the balancer's
# name and ident as tcpserver would set them, from the rules
printf '127.:allow,TCPREMOTEHOST="lb.example",TCPREMOTEINFO="lbident"\n' | tcprules "$TMP/rules.cdb" "$TMP/rules.tmp"
PORT=$(free_port)
server_start report "$PORT" tcpserver -R -H -l 0 -x "$TMP/rules.cdb" 127.0.0.1 "$PORT" \
  postern-proxy -t 10.9.0.0/16 -t 127.0.0.0/8 pn-t-report "$TMP/r" || bail "tcpserver did not start"

# report_env KEY: the value the continuation got, or "(unset)"
report_env()
{
  v=$(sed -n "s/^env $1=//p" "$TMP/r")
  grep -q "^env $1=" "$TMP/r" || v="(unset)"
  echo "$v"
}

rm -f "$TMP/r"
out=$(send "$PORT" "$TMP/v1")
is "$out" "235 2.7.0 report" "v1 TCP4: the continuation runs"
is "$(report_env TCPREMOTEIP) $(report_env TCPREMOTEPORT)" "192.0.2.7 40000" "v1: TCPREMOTEIP, TCPREMOTEPORT from the header"
is "$(report_env TCPLOCALIP) $(report_env TCPLOCALPORT)" "10.0.0.1 587" "v1: TCPLOCALIP, TCPLOCALPORT from the header"
is "$(report_env PROXYREMOTEIP)" "127.0.0.1" "v1: PROXYREMOTEIP is the balancer"
is "$(report_env TCPREMOTEHOST) $(report_env TCPREMOTEINFO)" "(unset) (unset)" "v1: TCPREMOTEHOST and TCPREMOTEINFO (the balancer's) removed"
is "$(report_stdin "$TMP/r")" "EHLO x
QUIT" "v1: the bytes after the header reach the continuation, all of them"
like "$(cat "$TMP/report.log")" 'postern-proxy: info: accept ip=192\.0\.2\.7 port=40000 proxy=127\.0\.0\.1 version=1 sid=[^ ]+$' "v1: logged with both addresses"

rm -f "$TMP/r"
out=$(split=3 send "$PORT" "$TMP/v1")
is "$(report_env TCPREMOTEIP) $(report_stdin "$TMP/r" | tr '\n' ' ')" "192.0.2.7 EHLO x QUIT " "v1 in 3-byte pieces: the same, nothing over-read"

rm -f "$TMP/r"
out=$(send "$PORT" "$TMP/v2")
is "$out" "235 2.7.0 report" "v2 TCP6: the continuation runs"
is "$(report_env TCPREMOTEIP) $(report_env TCPREMOTEPORT) $(report_env TCPLOCALIP) $(report_env TCPLOCALPORT)" \
  "2001:db8::7 40000 2001:db8::1 587" "v2 TCP6: the four addresses from the header"
is "$(report_stdin "$TMP/r")" "EHLO x
QUIT" "v2: the bytes after the header reach the continuation"

rm -f "$TMP/r"
out=$(split=5 send "$PORT" "$TMP/v2tlv")
is "$(report_env TCPREMOTEIP) $(report_env TCPLOCALIP) $(report_stdin "$TMP/r" | tr '\n' ' ')" "192.0.2.7 10.0.0.1 EHLO x QUIT " \
  "v2 TCP4 with TLVs, in 5-byte pieces: TLVs skipped, nothing over-read"

for h in v2local v1unknown
do
  rm -f "$TMP/r"
  out=$(send "$PORT" "$TMP/$h")
  is "$(report_env TCPREMOTEIP) $(report_env PROXYREMOTEIP) $(report_env TCPREMOTEHOST)" "127.0.0.1 127.0.0.1 lb.example" \
    "$h: the connection's own addresses kept (tcpserver's), PROXYREMOTEIP set"
  is "$(report_stdin "$TMP/r")" "EHLO x
QUIT" "$h: the bytes after the header reach the continuation"
done
like "$(cat "$TMP/report.log")" 'postern-proxy: info: accept local proxy=127\.0\.0\.1 version=2 sid=[^ ]+$' "v2 LOCAL: logged"

# bytes after the header: 200 KB, every one of them
python3 -c 'import sys; sys.stdout.buffer.write(b"PROXY TCP4 192.0.2.7 10.0.0.1 1 2\r\n" + bytes(range(256)) * 800)' >"$TMP/big"
rm -f "$TMP/r"
send "$PORT" "$TMP/big" >/dev/null
sed -n '/^stdin:$/,$p' "$TMP/r" | sed 1d | head -c 204800 >"$TMP/big.got"
tail -c 204800 "$TMP/big" >"$TMP/big.want"
ok "200 KB after a v1 header reach the continuation intact" cmp "$TMP/big.got" "$TMP/big.want"

# Refusals: one log line, nothing run, the connection closed.
# refused NAME FILE REASON [VERSION]
refused()
{
  rm -f "$TMP/r"
  : >"$TMP/report.log"
  out=$(send "$PORT" "$2")
  t_v=${4:+ version=$4}
  is "$out|$(test -e "$TMP/r" && echo ran)|$(nosid "$TMP/report.log")" \
    "||postern-proxy: info: refused reason=$3 ip=127.0.0.1$t_v" "$1: closed, nothing run, one log line (reason=$3)"
}
printf "$SIG"'\041\021\003\361' >"$TMP/v2long"
head -c 1200 /dev/zero >>"$TMP/v2long"
refused "v2 over 1024 bytes" "$TMP/v2long" oversized 2
printf 'PROXY UNKNOWN %0100d\r\n' 0 >"$TMP/v1long"
refused "v1 without CRLF in 107 bytes" "$TMP/v1long" oversized 1
printf "$SIG"'\041\061\0\004/a\0\0EHLO x\r\n' >"$TMP/v2unix"
refused "v2 AF_UNIX" "$TMP/v2unix" family 2
printf "$SIG"'\041\0\0\0EHLO x\r\n' >"$TMP/v2unspec"
refused "v2 PROXY with AF_UNSPEC" "$TMP/v2unspec" family 2
printf 'PROXY UDP4 192.0.2.7 10.0.0.1 1 2\r\n' >"$TMP/v1udp"
refused "v1 UDP4" "$TMP/v1udp" family 1
printf "$SIG"'\061\021\0\014''\300\0\002\007\012\0\0\001\0\001\0\002' >"$TMP/v3"
refused "version 3" "$TMP/v3" version 2
printf "$SIG"'\042\021\0\014''\300\0\002\007\012\0\0\001\0\001\0\002' >"$TMP/v2cmd"
refused "v2 command 2" "$TMP/v2cmd" command 2
printf 'PROXY TCP4 192.0.2.07 10.0.0.1 1 2\r\nEHLO x\r\n' >"$TMP/v1zero"
refused "v1 with a leading zero" "$TMP/v1zero" malformed 1
printf 'PROXY TCP4 192.0.2.7  10.0.0.1 1 2\r\nEHLO x\r\n' >"$TMP/v1space"
refused "v1 with two spaces" "$TMP/v1space" malformed 1
printf 'PROXY TCP4 192.0.2.7 10.0.0.1 1 2\nEHLO x\r\n' >"$TMP/v1lf"
refused "v1 ended by a bare LF" "$TMP/v1lf" malformed 1
printf 'EHLO client.example\r\nQUIT\r\n' >"$TMP/nohdr"
refused "no header: SMTP straight away" "$TMP/nohdr" none
printf 'PROXY TCP4 192.0.2.7 10.0' >"$TMP/v1cut"
refused "a v1 header cut by the client's close" "$TMP/v1cut" truncated 1
printf "$SIG"'\041\021\0\014\300\0' >"$TMP/v2cut"
refused "a v2 header cut by the client's close" "$TMP/v2cut" truncated 2
: >"$TMP/empty"
refused "nothing at all" "$TMP/empty" eof
server_stop report

# a header that does not arrive in time (-T 1); the client stays
PORT=$(free_port)
server_start late "$PORT" tcpserver -R -H -l 0 127.0.0.1 "$PORT" \
  postern-proxy -T 1 -t 127.0.0.0/8 pn-t-report "$TMP/r" || bail "tcpserver did not start"
sleep 0.2; : >"$TMP/late.log"     # the line of wait_port's probe
rm -f "$TMP/r"
out=$(hold=20 send "$PORT" "$TMP/v1cut")
is "$out|$(test -e "$TMP/r" && echo ran)|$(nosid "$TMP/late.log")" \
  "||postern-proxy: info: refused reason=timeout ip=127.0.0.1 version=1" "a late header: closed after -T, nothing run, one log line"
: >"$TMP/late.log"
out=$(hold=20 send "$PORT" "$TMP/empty")
is "$(nosid "$TMP/late.log")" "postern-proxy: info: refused reason=timeout ip=127.0.0.1" "no byte at all: the same"
server_stop late

# an address out of the trusted ranges
PORT=$(free_port)
server_start untrusted "$PORT" tcpserver -R -H -l 0 127.0.0.1 "$PORT" \
  postern-proxy -t 10.0.0.0/8 -t ::1 pn-t-report "$TMP/r" || bail "tcpserver did not start"
sleep 0.2; : >"$TMP/untrusted.log"
rm -f "$TMP/r"
out=$(send "$PORT" "$TMP/v1")
is "$out|$(test -e "$TMP/r" && echo ran)|$(nosid "$TMP/untrusted.log")" \
  "||postern-proxy: info: refused reason=untrusted ip=127.0.0.1" "an untrusted address: closed before reading, nothing run, one log line"
server_stop untrusted

# In front of the real front: the client's address in its log and in
# the plaintext-AUTH rule (RFC 4954 4: no PLAIN on a remote cleartext
# connection).
PORT=$(free_port)
server_start chain "$PORT" tcpserver -R -H -l 0 127.0.0.1 "$PORT" \
  postern-proxy -t 127.0.0.0/8 postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" || bail "tcpserver did not start"
b=$(printf '\0alice\0secret' | base64 -w0)
printf 'PROXY TCP4 192.0.2.7 127.0.0.1 40000 587\r\nEHLO c.example\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$b" >"$TMP/remote"
out=$(send "$PORT" "$TMP/remote")
like "$out" '^538 5\.7\.11 ' "a proxied remote client: AUTH PLAIN without TLS gets 538 5.7.11"
unlike "$out" '^250-AUTH|^250 AUTH' "... and EHLO offers no plaintext mechanism"
like "$(cat "$TMP/chain.log")" 'postern-smtpd: info: connect ip=192\.0\.2\.7 sid=[^ ]+$' "... and the front logs the client's address"
rm -f "$TMP/r"
printf 'PROXY TCP4 127.0.0.5 127.0.0.1 40000 587\r\nEHLO c.example\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$b" >"$TMP/local"
out=$(send "$PORT" "$TMP/local")
like "$out" '^235 2\.7\.0 report' "a proxied loopback client: AUTH PLAIN accepted"
is "$(report_env TCPREMOTEIP) $(report_env PROXYREMOTEIP)" "127.0.0.5 127.0.0.1" "... and the session has the client's address and the balancer's"
server_stop chain

# fd 0 as a regular file (read ahead, then seeked back) and as a pipe (a
# byte at a time): the rest is the continuation's
rm -f "$TMP/r"
TCPREMOTEIP=127.0.0.1 postern-proxy -t 127.0.0.1 pn-t-report "$TMP/r" <"$TMP/v1" >/dev/null 2>"$TMP/stderr"
is "$(report_env TCPREMOTEIP)|$(report_stdin "$TMP/r" | tr '\n' ' ')" "192.0.2.7|EHLO x QUIT " "fd 0 a regular file: the bytes after the header stay"
rm -f "$TMP/r"
TCPREMOTEIP=127.0.0.1 postern-proxy -t 127.0.0.1 pn-t-report "$TMP/r" <"$TMP/v2" >/dev/null 2>"$TMP/stderr"
is "$(report_env TCPREMOTEIP)|$(report_stdin "$TMP/r" | tr '\n' ' ')" "2001:db8::7|EHLO x QUIT " "fd 0 a regular file, v2: the same"
for h in v1 v2
do
  rm -f "$TMP/r"
  cat "$TMP/$h" | TCPREMOTEIP=127.0.0.1 postern-proxy -t 127.0.0.1 pn-t-report "$TMP/r" >/dev/null 2>"$TMP/stderr"
  is "$(report_stdin "$TMP/r" | tr '\n' ' ')" "EHLO x QUIT " "fd 0 a pipe, $h: the bytes after the header stay"
done
rm -f "$TMP/r"
postern-proxy -t 0.0.0.0/0 -t ::/0 pn-t-report "$TMP/r" <"$TMP/v1" >/dev/null 2>"$TMP/stderr"
is "$(test -e "$TMP/r" && echo ran)|$(nosid "$TMP/stderr")" "|postern-proxy: info: refused reason=untrusted ip=none" \
  "no TCPREMOTEIP and no socket: no address, untrusted even by 0.0.0.0/0"

TCPREMOTEIP='10.0.0.1 forged' postern-proxy -t 0.0.0.0/0 pn-t-report "$TMP/r" <"$TMP/v1" >/dev/null 2>"$TMP/stderr"
is "$(test -e "$TMP/r" && echo ran)|$(nosid "$TMP/stderr")" "|postern-proxy: info: refused reason=untrusted ip=invalid" \
  "a TCPREMOTEIP that is not an address: untrusted, and not copied into the log"

# usage: 100
for args in "pn-t-report $TMP/r" "-t 127.0.0.0/8" "-t 10.0.0.1/8 pn-t-report" "-t 10.0.0.0/33 pn-t-report" \
  "-t nonsense pn-t-report" "-T 0 -t ::1 pn-t-report" "-T x -t ::1 pn-t-report" "-x -t ::1 pn-t-report"
do
  # shellcheck disable=SC2086
  postern-proxy $args </dev/null >/dev/null 2>"$TMP/stderr"
  is "$?" 100 "usage: postern-proxy $args: 100"
done
like "$(cat "$TMP/stderr")" '^postern-proxy: fatal: usage: ' "usage: logged"
rm -f "$TMP/r"
TCPREMOTEIP=127.0.0.1 postern-proxy -t 127.0.0.1 "$TMP/nonexistent" <"$TMP/v1" >/dev/null 2>"$TMP/stderr"
is "$?" 111 "a next program that cannot be run: 111"
like "$(cat "$TMP/stderr")" '^postern-proxy: fatal: unable to exec the next program: ' "... logged"

done_testing
