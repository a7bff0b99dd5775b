#!/bin/sh
# postern-smtpd: the failure record (AUTHFAILDIR) keyed by the address
# itself: addresses that shared a hashed slot count apart, an IPv6 /64
# is one record, IPv4-mapped is IPv4; the cap (AUTHFAILRECORDS) drops
# the oldest window first; concurrent sessions lose no count; a lock
# held too long is logged and the session goes on; unblocking is one
# documented command (doc/postern-smtpd.8, FILES).
. "$(dirname "$0")/lib.sh"

bad=$(printf '\0alice\0wrong' | base64 -w0)
good=$(printf '\0alice\0secret' | base64 -w0)
F=$TMP/fail
mkdir "$F"
AUTHINSECURE=1
export AUTHINSECURE

# sess IP "lines" [VAR=VALUE...]: the reply codes after the greeting
sess()
{
  s_ip=$1
  s_lines=$2
  shift 2
  printf "EHLO x\r\n$s_lines" | smtpd TCPREMOTEIP="$s_ip" AUTHFAILDIR="$F" AUTHFAILMAX=3 "$@" \
    2>>"$TMP/err" | tr -d '\r' | codes
}

# nfail IP N: N sessions of one failed AUTH each
nfail()
{
  n_i=0
  while [ "$n_i" -lt "$2" ]
  do
    sess "$1" "AUTH PLAIN $bad\r\nQUIT\r\n" >/dev/null
    n_i=$((n_i + 1))
  done
}

fresh()
{
  rm -rf "$F"
  mkdir "$F"
}

# The two addresses the audit found sharing one of the 4096 hashed slots.
A=198.51.100.178
B=198.51.100.206
i=0
first421=
while [ $i -lt 12 ]
do
  if [ $((i % 2)) -eq 0 ]; then ip=$A; else ip=$B; fi
  out=$(sess $ip "AUTH PLAIN $bad\r\nQUIT\r\n")
  if [ -z "$first421" ] && [ "$out" = "421 4.7.0" ]; then first421=$((i + 1)); fi
  i=$((i + 1))
done
is "$first421" 7 "$A and $B alternating, AUTHFAILMAX=3: the 7th connection is refused with 421 4.7.0"
is "$(sess $A "QUIT\r\n")" "421 4.7.0" "$A is blocked"
is "$(sess $B "QUIT\r\n")" "421 4.7.0" "$B is blocked"
is "$(cut -d' ' -f1 "$F/$A")" 3 "$A's record: 3 failures (later connections were refused before AUTH)"

# Two failures of one address shield no other.
fresh
nfail $A 2
nfail $B 3
is "$(sess $B "QUIT\r\n")" "421 4.7.0" "$B, 3 failures after $A's 2: blocked"
like "$(sess $A "AUTH PLAIN $good\r\n")" '^235 2.7.0' "$A, at 2, may still log in"
rm -f "$TMP/r"

# An IPv6 /64 is one record.
fresh
nfail 2001:db8:1:2::1 1
nfail 2001:db8:1:2:aaaa:bbbb:cccc:dddd 1
nfail 2001:DB8:1:2:0:0:0:ffff 1
is "$(ls "$F")" "2001:db8:1:2::_64" "three addresses of 2001:db8:1:2::/64: one record, 2001:db8:1:2::_64"
is "$(cut -d' ' -f1 "$F/2001:db8:1:2::_64")" 3 "... counting 3"
is "$(sess 2001:db8:1:2::9 "QUIT\r\n")" "421 4.7.0" "a fourth address of the /64 is refused"
like "$(sess 2001:db8:1:3::1 "AUTH PLAIN $good\r\n")" '235 2.7.0' "the next /64 is not"
rm -f "$TMP/r"

# IPv4-mapped IPv6 (a dual-stack socket, systemd's ListenStream=587) is IPv4.
fresh
nfail ::ffff:192.0.2.50 2
nfail 192.0.2.50 1
is "$(ls "$F")" "192.0.2.50" "::ffff:192.0.2.50 and 192.0.2.50: one record, 192.0.2.50"
is "$(sess 192.0.2.50 "QUIT\r\n")" "421 4.7.0" "2 failures as ::ffff:192.0.2.50 and 1 as 192.0.2.50: blocked"
is "$(sess ::ffff:192.0.2.50 "QUIT\r\n")" "421 4.7.0" "... in either form"

# Unblocking: the documented command removes the record under the lock.
flock "$F/.lock" rm -f "$F/192.0.2.50"
like "$(sess ::ffff:192.0.2.50 "AUTH PLAIN $good\r\n")" '235 2.7.0' "flock AUTHFAILDIR/.lock rm -f AUTHFAILDIR/192.0.2.50: unblocked"
rm -f "$TMP/r"

# The cap: AUTHFAILRECORDS=3, windows started 300, 200 and 100 s ago.
fresh
now=$(date +%s)
for r in "192.0.2.1 300" "192.0.2.2 200" "192.0.2.3 100"
do
  set -- $r
  printf '1 %s\n' $((now - $2)) >"$F/$1"
  touch -d @$((now - $2)) "$F/$1"
done
printf 'not a record\n' >"$F/notes"
touch -d @$((now - 5000)) "$F/notes"
sess 192.0.2.4 "AUTH PLAIN $bad\r\nQUIT\r\n" AUTHFAILRECORDS=3 >/dev/null
is "$(ls "$F" | tr '\n' ' ')" "192.0.2.2 192.0.2.3 192.0.2.4 notes " "AUTHFAILRECORDS=3, a 4th address: the oldest window (192.0.2.1) is dropped"
is "$(cut -d' ' -f1 "$F/192.0.2.2")" 1 "the others keep their counts"
# 192.0.2.2's window is now over (AUTHFAILWINDOW=150): removed, nothing live dropped
sess 192.0.2.5 "AUTH PLAIN $bad\r\nQUIT\r\n" AUTHFAILRECORDS=3 AUTHFAILWINDOW=150 >/dev/null
is "$(ls "$F" | tr '\n' ' ')" "192.0.2.3 192.0.2.4 192.0.2.5 notes " "an expired record is removed first; a file that is not a record is left alone"
sess 192.0.2.4 "AUTH PLAIN $bad\r\nQUIT\r\n" AUTHFAILRECORDS=3 >/dev/null
is "$(ls "$F" | tr '\n' ' ')" "192.0.2.3 192.0.2.4 192.0.2.5 notes " "a known address at the cap drops nobody"
is "$(cut -d' ' -f1 "$F/192.0.2.4")" 2 "... and is counted"
out=$(printf 'QUIT\r\n' | rawsession smtpd AUTHFAILDIR="$F" AUTHFAILRECORDS=0 | codes)
is "$out" "421 4.3.0" "AUTHFAILRECORDS=0 is a configuration error"

# Concurrent sessions: 8 addresses and one /64, at once, lose no count.
fresh
for i in 1 2 3 4 5 6 7 8
do
  sess 10.1.0.$i "AUTH PLAIN $bad\r\nAUTH PLAIN $bad\r\n" AUTHFAILMAX=100 >"$TMP/c$i" &
  sess 2001:db8:9::$i "AUTH PLAIN $bad\r\nAUTH PLAIN $bad\r\n" AUTHFAILMAX=100 >"$TMP/d$i" &
done
wait
n=$(for i in 1 2 3 4 5 6 7 8; do cut -d' ' -f1 "$F/10.1.0.$i"; done | tr '\n' ' ')
is "$n" "2 2 2 2 2 2 2 2 " "8 concurrent addresses, 2 failures each: each record counts 2"
is "$(cut -d' ' -f1 "$F/2001:db8:9::_64")" 16 "8 concurrent addresses of one /64: 16"
is "$(ls -A "$F" | tr '\n' ' ')" ".lock 10.1.0.1 10.1.0.2 10.1.0.3 10.1.0.4 10.1.0.5 10.1.0.6 10.1.0.7 10.1.0.8 2001:db8:9::_64 " "no temporary file left"

# A lock held too long: the failure is not counted, the session goes on,
# the log says why; a blocked address stays blocked (readers take no lock).
fresh
nfail 192.0.2.60 3
perl -e 'use Fcntl qw(:flock); open(my $f, ">>", $ARGV[0]) or die; flock($f, LOCK_EX) or die;
  open(my $h, ">", $ARGV[1]) or die; close($h); sleep 60' "$F/.lock" "$TMP/held" &
holder=$!
i=0
while [ ! -e "$TMP/held" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
: >"$TMP/err"
out=$(sess 192.0.2.61 "AUTH PLAIN $bad\r\nAUTH PLAIN $good\r\n")
is "$(printf '%s\n' "$out" | tail -n 2 | tr '\n' ' ')" "535 5.7.8 235 2.7.0 " "lock held past 5 s: 535 for the failure, and the session goes on"
like "$(cat "$TMP/err")" "warning: unable to update the failure record in $F: No locks available" "... logged"
ok "... not counted" test ! -e "$F/192.0.2.61"
is "$(sess 192.0.2.60 "QUIT\r\n")" "421 4.7.0" "a blocked address is still refused while the lock is held"
kill "$holder"
wait "$holder" 2>/dev/null
rm -f "$TMP/r"

done_testing
