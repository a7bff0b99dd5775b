#!/bin/sh
# postern-smtpd: the failure record across connections (AUTHFAILDIR).
. "$(dirname "$0")/lib.sh"

bad=$(printf '\0alice\0wrong' | base64 -w0)
good=$(printf '\0alice\0secret' | base64 -w0)
mkdir "$TMP/fail"
AUTHINSECURE=1
export AUTHINSECURE

# sess IP "lines": the reply codes after the greeting
sess()
{
  ip=$1
  shift
  printf "EHLO x\r\n$1" | smtpd TCPREMOTEIP="$ip" AUTHFAILDIR="$TMP/fail" AUTHFAILMAX=12 AUTHFAILWINDOW=${WINDOW:-900} \
    2>>"$TMP/err" | tr -d '\r' | codes
}

# Without AUTHFAILDIR nothing is recorded.
printf "EHLO x\r\nAUTH PLAIN $bad\r\n" | smtpd TCPREMOTEIP=192.0.2.1 >/dev/null 2>&1
is "$(ls "$TMP/fail" | wc -l | tr -d ' ')" 0 "off by default: no record written"

# Four concurrent clients from one address, three failures each.
for i in 1 2 3 4
do
  sess 192.0.2.9 "AUTH PLAIN $bad\r\nAUTH PLAIN $bad\r\nAUTH PLAIN $bad\r\n" > "$TMP/out$i" &
done
wait
n=0
for i in 1 2 3 4; do n=$((n + $(grep -c '^535 5.7.8' "$TMP/out$i"))); done
is "$n" 12 "twelve failures answered 535 across four concurrent connections"
is "$(cut -d' ' -f1 "$TMP/fail/192.0.2.9")" 12 "all twelve counted: no update lost"
out=$(sess 192.0.2.9 "AUTH PLAIN $good\r\n")
is "$out" "421 4.7.0" "the address is refused at once with 421 4.7.0, before the greeting"
ok "... and the verifier was not called" test ! -e "$TMP/r"
like "$(cat "$TMP/err")" 'end reason=blocked ip=192.0.2.9' "the refusal is logged"
out=$(sess 192.0.2.10 "AUTH PLAIN $good\r\n")
like "$out" '^235 2.7.0' "another address is not affected"
rm -f "$TMP/r"

# Fewer failures than the limit: a success still works.
out=$(sess 198.51.100.3 "AUTH PLAIN $bad\r\nAUTH PLAIN $good\r\n")
like "$out" '^235 2.7.0' "below the limit, a correct password is accepted"

# The window: after it, the address may try again.  (The record is aged
# by hand rather than by sleeping: a slow machine, or the sanitizer
# build, could take longer than a short window over the 12 failures.)
rm -rf "$TMP/fail"; mkdir "$TMP/fail"
for i in 1 2 3 4; do WINDOW=60 sess 203.0.113.5 "AUTH PLAIN $bad\r\nAUTH PLAIN $bad\r\nAUTH PLAIN $bad\r\n" >/dev/null; done
is "$(WINDOW=60 sess 203.0.113.5 "QUIT\r\n")" "421 4.7.0" "blocked within the window"
start=$(($(date +%s) - 61))
printf '12 %s\n' "$start" >"$TMP/fail/203.0.113.5"
like "$(WINDOW=60 sess 203.0.113.5 "AUTH PLAIN $good\r\n")" '^235 2.7.0' "allowed again once the window has passed"

# One record per address, named by it (doc/postern-smtpd.8, FILES).
rm -rf "$TMP/fail"; mkdir "$TMP/fail"
i=0
while [ $i -lt 40 ]
do
  sess "10.9.$((i / 250)).$((i % 250))" "AUTH PLAIN $bad\r\n" >/dev/null
  i=$((i + 1))
done
n=$(ls "$TMP/fail" | wc -l | tr -d ' ')
is "$n" 40 "40 addresses: 40 records"
is "$(ls "$TMP/fail" | grep -Ecv '^10\.9\.0\.[0-9]+$')" 0 "each named by its address"

# A broken record directory does not lock anyone out.
out=$(printf "EHLO x\r\nAUTH PLAIN $bad\r\nAUTH PLAIN $good\r\n" | smtpd TCPREMOTEIP=192.0.2.77 AUTHFAILDIR=/nonexistent/dir 2>"$TMP/err2" | tr -d '\r' | codes)
like "$out" '^235 2.7.0' "an unusable AUTHFAILDIR: sessions go on"
like "$(cat "$TMP/err2")" 'warning: unable to update the failure record' "... with a warning in the log"
out=$(printf 'QUIT\r\n' | rawsession smtpd AUTHFAILDIR=relative/dir | codes)
is "$out" "421 4.3.0" "a relative AUTHFAILDIR is a configuration error"

done_testing
