# t/helpers/pn-t-haproxy-lib.sh: sourced after t/lib.sh by the tests
# that put a real HAProxy in front of postern (t/81, t/94).
#
#   hap_start            checks $TMP/haproxy.cfg with haproxy -c, then
#                        starts it (server_start haproxy $HPORT): the
#                        configuration must have "stats socket
#                        $TMP/haproxy.sock"; bails out on either failure
#   hap_stat [PROXY]     "server status check_status" for each server
#                        (of backend PROXY only, if given), from the
#                        stats socket; "* L7OK", shown while a check
#                        runs, is the last result: L7OK
#   hap_up N [PROXY]     waits (up to 60 s: checks every second, each may
#                        take 10 s on a busy machine) until N servers are
#                        UP with L7OK, then prints hap_stat, sorted

hap_start()
{
  haproxy -c -q -f "$TMP/haproxy.cfg" >"$TMP/haproxy.check" 2>&1 \
    || bail "haproxy refuses the configuration: $(cat "$TMP/haproxy.check")"
  server_start haproxy "$HPORT" haproxy -db -f "$TMP/haproxy.cfg" \
    || bail "haproxy did not start: $(cat "$TMP/haproxy.log")"
}

hap_stat()
{
  python3 - "$TMP/haproxy.sock" "${1:-}" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
d = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    d += b
for l in d.decode().splitlines():
    f = l.split(",")
    if len(f) > 36 and f[1] not in ("FRONTEND", "BACKEND", "svname") \
       and (not sys.argv[2] or f[0] == sys.argv[2]):
        print(f[1], f[17], f[36].lstrip("* "))
PY
}

hap_up()
{
  hap_i=0
  while [ $hap_i -lt 300 ] && [ "$(hap_stat "${2:-}" | grep -c ' UP L7OK$')" -lt "$1" ]
  do
    sleep 0.2
    hap_i=$((hap_i + 1))
  done
  hap_stat "${2:-}" | sort
}
