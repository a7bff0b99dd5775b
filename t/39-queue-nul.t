#!/bin/sh
# postern-queue: a NUL byte in message content, DATA or BDAT, is refused
# as a bare CR or LF is: 554 5.6.0 once the whole message has been read
# (for BDAT at LAST; earlier chunks get their 250) with its own text,
# "NUL character in the data", nothing delivered,
# and the session goes on.  At the start, middle and end of a line, in a
# BDAT chunk and at a chunk's edge.  (The pieces: t/unit/hdrfrom.c.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

ENV='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n'
# data WHAT BODY: a DATA message whose body is BODY (printf format), then
# a clean one: the first refused, the second delivered
data()
{
  rm -f "$MD"/new/*
  out=$(printf "${ENV}DATA\r\nSubject: nul\r\n\r\n$2\r\n.\r\n${ENV}DATA\r\nSubject: ok\r\n\r\nfine\r\n.\r\nQUIT\r\n" | qraw -m "$MD" | codes)
  is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
354
554 5.6.0
250 2.1.0
250 2.1.5
354
250 2.0.0
221 2.0.0" "DATA, NUL $1: 554 5.6.0 after the end; the next message goes through"
  is "$(ls "$MD/new" | wc -l | tr -d ' ')" 1 "... only the clean message is delivered"
  like "$(cat "$(ls -d "$MD"/new/* | head -1)")" 'Subject: ok' "... and it is the clean one"
}
data "at the start of a line" 'a\r\n\0bc'
data "in the middle of a line" 'a\0bc'
data "at the end of a line" 'abc\0'
data "in the header" 'X-Nul: a\0b\r\n\r\nbody'
data "after a stuffed dot" '..\0'

# BDAT: the NUL in the first of three chunks; earlier chunks get 250
rm -f "$MD"/new/*
out=$(printf "${ENV}BDAT 5\r\na\0b\r\nBDAT 4\r\ncd\r\nBDAT 4 LAST\r\nef\r\n${ENV}BDAT 4 LAST\r\nok\r\nQUIT\r\n" | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.0.0
250 2.0.0
554 5.6.0
250 2.1.0
250 2.1.5
250 2.0.0
221 2.0.0" "BDAT: NUL in the first chunk: 250 for the chunks, 554 5.6.0 at LAST"
is "$(ls "$MD/new" | wc -l | tr -d ' ')" 1 "... only the clean message is delivered"
# at a chunk's edge: the last byte of one chunk, the first of the LAST
rm -f "$MD"/new/*
out=$(printf "${ENV}BDAT 3\r\nab\0BDAT 3 LAST\r\n\0\r\n${ENV}BDAT 4 LAST\r\nok\r\nQUIT\r\n" | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.0.0
554 5.6.0
250 2.1.0
250 2.1.5
250 2.0.0
221 2.0.0" "BDAT: NUL at the edges of two chunks"
is "$(ls "$MD/new" | wc -l | tr -d ' ')" 1 "... only the clean message is delivered"
# a NUL in a BDAT LAST alone
rm -f "$MD"/new/*
out=$(printf "${ENV}BDAT 1 LAST\r\n\0QUIT\r\n" | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
554 5.6.0
221 2.0.0" "BDAT LAST of one NUL byte"
is "$(ls "$MD/new" | wc -l | tr -d ' ')" 0 "... nothing delivered"
# the reply names the NUL; a bare LF keeps its own text; the log says why
rm -f "$MD"/new/*
out=$(printf "${ENV}DATA\r\na\0b\r\n.\r\n${ENV}BDAT 3 LAST\r\n\0\r\n${ENV}DATA\r\nbare\nlf\r\n.\r\nQUIT\r\n" | TCPREMOTEIP=192.0.2.3 qraw -m "$MD" | grep '^554')
is "$out" "554 5.6.0 Message refused: NUL character in the data
554 5.6.0 Message refused: NUL character in the data
554 5.6.0 Message refused: bare CR or bare LF in the data (lines must end in CRLF)" "the replies: NUL by DATA, by BDAT, then a bare LF"
like "$(cat "$TMP/stderr")" 'info: refused id=[^ ]+ size=[0-9]+ rcpts=1 user="alice" reason=nul ip=192\.0\.2\.3
.*reason=nul ip=192\.0\.2\.3
.*reason=bare-cr-lf' "... and the log lines: reason=nul with the address, reason=bare-cr-lf"
done_testing
