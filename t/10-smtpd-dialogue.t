#!/bin/sh
# postern-smtpd: the dialogue before AUTH.
. "$(dirname "$0")/lib.sh"

out=$(session smtpd <<'S'
EHLO client.example
HELO client.example
NOOP
RSET
HELP
VRFY alice
MAIL FROM:<a@example.org>
RCPT TO:<b@example.org>
DATA
STARTTLS
QUIT
S
)
is "$(printf '%s\n' "$out" | codes)" "220
250
250
250
250
250
250
250
250
250
250
250 2.0.0
250 2.0.0
214 2.0.0
252 2.5.0
530 5.7.0
530 5.7.0
530 5.7.0
503 5.5.1
221 2.0.0" "every command before AUTH gets its reply"
is "$(printf '%s\n' "$out" | sed -n 1p)" "220 mx.test.example ESMTP postern" "greeting names SMTPHOSTNAME"
is "$(printf '%s\n' "$out" | sed -n 2,11p)" "250-mx.test.example
250-PIPELINING
250-ENHANCEDSTATUSCODES
250-8BITMIME
250-SIZE 26214400
250-SMTPUTF8
250-CHUNKING
250-LIMITS RCPTMAX=100 MAILMAX=100
250 AUTH PLAIN LOGIN
250 mx.test.example" "EHLO lists the extensions and AUTH, HELO answers plainly"
ok "the continuation never ran" test ! -e "$TMP/r"

out=$(session smtpd DATABYTES=1000 AUTHMECHS=login <<'S'
EHLO x
S
)
like "$out" '250-SIZE 1000' "SIZE follows DATABYTES"
like "$out" '250 AUTH LOGIN$' "AUTHMECHS chooses the mechanisms"

out=$(session smtpd <<'S'
EHLO
HELO
NOOP
S
)
is "$(printf '%s\n' "$out" | codes)" "220
501 5.5.4
501 5.5.4
250 2.0.0" "EHLO/HELO without a domain: 501"
out=$(printf 'HELO bad\001name\r\nAUTH PLAIN =\r\n' | rawsession smtpd | codes)
is "$out" "220
501 5.5.4
503 5.5.1" "a control character in the HELO name: 501, and no HELO recorded"

# BDAT before AUTH: the chunk is read and discarded, then 530.
out=$(printf 'EHLO x\r\nBDAT 10 LAST\r\n0123456789NOOP\r\nQUIT\r\n' | rawsession smtpd | codes)
is "$out" "220
250
250
250
250
250
250
250
250
250
530 5.7.0
250 2.0.0
221 2.0.0" "BDAT: chunk discarded, 530, the dialogue goes on"
out=$(printf 'EHLO x\r\nBDAT x1\r\nNOOP\r\n' | rawsession smtpd | tail -n 1 | codes)
is "$out" "421 4.5.2" "BDAT with an unparsable size: 421 4.5.2 and close"
out=$(printf 'EHLO x\r\nBDAT 2000\r\n' | rawsession smtpd DATABYTES=1000 | tail -n 1 | codes)
is "$out" "421 4.3.4" "BDAT over DATABYTES: 421 and close"

# Line ends and limits
out=$(printf 'NOOP\nRSET\r\nQUIT\n' | rawsession smtpd | codes)
is "$out" "220
250 2.0.0
250 2.0.0
221 2.0.0" "a bare LF ends a command line"
long=$(head -c 600 /dev/zero | tr '\0' 'A')
out=$(printf 'NOOP %s\r\nNOOP\r\nQUIT\r\n' "$long" | rawsession smtpd | codes)
is "$out" "220
500 5.5.6
250 2.0.0
221 2.0.0" "a 600-byte line: one 500 5.5.6, not split"
l510=$(head -c 505 /dev/zero | tr '\0' 'A')
out=$(printf 'NOOP %s\r\nQUIT\r\n' "$l510" | rawsession smtpd | codes)
is "$out" "220
250 2.0.0
221 2.0.0" "a 512-byte line with its CRLF is accepted"
l511=$(head -c 506 /dev/zero | tr '\0' 'A')
out=$(printf 'NOOP %s\r\nQUIT\r\n' "$l511" | rawsession smtpd | codes)
is "$out" "220
500 5.5.6
221 2.0.0" "a 513-byte line is refused"
big=$(head -c 1000000 /dev/zero | tr '\0' 'B')
out=$( { printf '%s' "$big"; printf '\r\nNOOP\r\n'; } | rawsession smtpd | codes)
is "$out" "220
500 5.5.6
250 2.0.0" "1 MB without a newline (on a pipe): one 500 5.5.6, then the dialogue goes on"
out=$(printf 'NO\000OP\r\nQUIT\r\n' | rawsession smtpd | codes)
is "$out" "220
500 5.5.2
221 2.0.0" "a NUL in a command: 500 5.5.2"

# Too many bad commands
out=$(i=0; while [ $i -lt 25 ]; do printf 'BOGUS\r\n'; i=$((i+1)); done | rawsession smtpd | codes)
is "$(printf '%s\n' "$out" | grep -c '^500 5.5.1')" 20 "twenty bad commands are answered"
is "$(printf '%s\n' "$out" | tail -n 1)" "421 4.7.0" "then 421 4.7.0 and close"

# Timeout
out=$( (printf 'NOOP\r\n'; sleep 4) | rawsession smtpd SMTPTIMEOUT=1 | codes)
is "$out" "220
250 2.0.0
421 4.4.2" "SMTPTIMEOUT: 421 4.4.2"
(printf 'NOOP\r\n'; sleep 4) | smtpd SMTPTIMEOUT=1 >/dev/null 2>&1
is "$?" 0 "and exit status 0"

# Configuration errors
for v in SMTPTIMEOUT=abc SMTPTIMEOUT=0 DATABYTES=-1 MAXRCPTS=x AUTHMAXFAIL=0 AUTHFAILDELAY=9999 AUTHMECHS=CRAM-MD5 "SMTPHOSTNAME=bad host"
do
  out=$(printf 'QUIT\r\n' | rawsession smtpd "$v" | codes)
  is "$out" "421 4.3.0" "bad $v: 421 4.3.0"
  like "$(cat "$TMP/stderr")" "bad value for ${v%%=*}" "and a log line naming ${v%%=*}"
done

postern-smtpd >/dev/null 2>&1 </dev/null
is "$?" 100 "no program: usage, 100"

done_testing
