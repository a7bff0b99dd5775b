#!/bin/sh
# One dialogue for postern-smtpd and postern-queue (issue 12): the same
# line in the same state (after EHLO, no transaction) gets the same
# reply, byte for byte, from both; EHLO takes exactly one argument; a
# BDAT size that cannot be parsed is 421 4.5.2; BDAT n with a parameter
# other than LAST has its chunk read, then 501 5.5.4.
. "$(dirname "$0")/lib.sh"

# the front from a remote address without TLS offers no AUTH, so that
# its EHLO reply is the queue's
front()
{
  TCPREMOTEIP=192.0.2.1 rawsession postern-smtpd pn-t-checkpw pn-t-report "$TMP/r"
}
queue()
{
  RELAYCLIENT=1 rawsession postern-queue -m "$TMP/md"
}
maildir "$TMP/md"

long=$(head -c 600 /dev/zero | tr '\0' 'A')
printf 'EHLO client.example\r\nEHLO a b\r\nEHLO\r\nHELO a b\r\nHELO\r\nEHLO  a\r\nEHLO a \r\nHELO c\r\nNOOP\r\nNOOP some text\r\nRSET\r\nRSET x\r\nVRFY\r\nVRFY alice\r\nHELP\r\nHELP me\r\nXYZZY\r\nSTARTTLS\r\nnoop\r\nNOOPX\r\n%s\r\nEHLO c\r\nQUIT x\r\nQUIT\r\n' "$long" > "$TMP/in"
f=$(front < "$TMP/in")
q=$(queue < "$TMP/in")
is "$f" "$q" "the shared commands: the same replies, byte for byte"
is "$(printf '%s\n' "$f" | codes | grep -v '^250$' | tr '\n' ' ')" \
  "220 501 5.5.4 501 5.5.4 501 5.5.4 501 5.5.4 501 5.5.4 250 2.0.0 250 2.0.0 250 2.0.0 501 5.5.4 501 5.5.4 252 2.5.0 214 2.0.0 214 2.0.0 500 5.5.1 503 5.5.1 250 2.0.0 500 5.5.1 500 5.5.6 501 5.5.4 221 2.0.0 " \
  "the replies are DESIGN.md's"
is "$(printf '%s\n' "$f" | sed -n 2,9p)" "250-mx.test.example
250-PIPELINING
250-ENHANCEDSTATUSCODES
250-8BITMIME
250-SIZE 26214400
250-SMTPUTF8
250-CHUNKING
250 LIMITS RCPTMAX=100 MAILMAX=100" "the EHLO reply, from one capability list"
is "$(printf '%s\n' "$f" | sed -n 10p)" "501 5.5.4 Syntax error in arguments" "EHLO a b: 501 5.5.4 in both"

# BDAT n junk: the chunk is read, then 501 5.5.4 (the front: not 530)
printf 'EHLO c\r\nBDAT 3 junk\r\nabcNOOP\r\nBDAT 3 LAST junk\r\nxyzQUIT\r\n' > "$TMP/in"
f=$(front < "$TMP/in")
q=$(queue < "$TMP/in")
is "$f" "$q" "BDAT n junk: the same replies"
is "$(printf '%s\n' "$f" | codes | grep -v '^250$' | tr '\n' ' ')" "220 501 5.5.4 250 2.0.0 501 5.5.4 221 2.0.0 " \
  "BDAT n junk: chunk read, 501 5.5.4, the dialogue goes on"
printf 'EHLO c\r\nBDAT 3\r\nabcQUIT\r\n' > "$TMP/in"
is "$(front < "$TMP/in" | codes | grep -v '^250$' | tr '\n' ' ')" "220 530 5.7.0 221 2.0.0 " "the front: a well-formed BDAT still gets 530 after its chunk"

# an unparsable BDAT size: 421 4.5.2 and close, in both
for b in 'BDAT x1' 'BDAT' 'BDAT -1' 'BDAT 99999999999999999999'
do
  printf 'EHLO c\r\n%s\r\nabcNOOP\r\n' "$b" > "$TMP/in"
  f=$(front < "$TMP/in" | tail -n 1)
  q=$(queue < "$TMP/in" | tail -n 1)
  is "$f" "421 4.5.2 Unusable BDAT chunk size, closing connection" "smtpd: '$b': 421 4.5.2"
  is "$q" "$f" "queue: '$b': the same"
done

# bad commands are counted by reply class, the same in both: 20, then 421
printf 'EHLO c\r\n' > "$TMP/in"
i=0; while [ $i -lt 10 ]; do printf 'RSET x\r\nVRFY\r\n' >> "$TMP/in"; i=$((i+1)); done
printf 'NOOP\r\n' >> "$TMP/in"
f=$(front < "$TMP/in")
q=$(queue < "$TMP/in")
is "$f" "$q" "twenty 501s: the same replies"
is "$(printf '%s\n' "$f" | tail -n 1)" "421 4.7.0 Too many errors, closing connection" "then 421 4.7.0"

done_testing
