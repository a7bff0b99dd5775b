#!/bin/sh
# postern-queue: BDAT (CHUNKING, RFC 3030).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

ENV='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n'

last()
{
  f=$(ls -t "$MD/new" | head -1)
  printf '%s\n' "$MD/new/$f"
}

# chunks, LAST, content as sent (no stuffing), CRLF to LF
rm -f "$MD"/new/*
out=$(printf "${ENV}"'BDAT 22\r\nSubject: chunks\r\n\r\n.a\rBDAT 10\r\n\n.\r\nb\r\n.\r\nBDAT 0 LAST\r\nQUIT\r\n' | qraw -m "$MD" | tr -d '\r')
is "$(printf '%s\n' "$out" | codes)" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.0.0
250 2.0.0
250 2.0.0
221 2.0.0" "BDAT 22, BDAT 10, BDAT 0 LAST: three 250"
is "$(printf '%s\n' "$out" | sed -n 4,5p)" "250 2.0.0 22 octets received
250 2.0.0 10 octets received" "each chunk counted"
like "$(printf '%s\n' "$out" | sed -n 6p)" '^250 2.0.0 OK id=' "LAST: the message is delivered"
is "$(sed '1,7d' "$(last)")" "Subject: chunks

.a
.
b
." "a CRLF split between chunks is one line end; dots are data"

# BDAT n LAST alone, lower case
rm -f "$MD"/new/*
out=$(printf "${ENV}"'bdat 19 last\r\nSubject: one\r\n\r\nx\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 4,5p)
is "$out" "250 2.0.0
221 2.0.0" "bdat N last: one chunk, one message"
is "$(nmsgs "$MD")" "1" "delivered"
# BDAT 0 LAST alone: an empty message
out=$(printf "${ENV}"'BDAT 0 LAST\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 4p)
is "$out" "250 2.0.0" "BDAT 0 LAST alone: an empty message, accepted"
is "$(sed -n '8,$p' "$(last)")" "" "with only the added header lines"
# no CRLF at the end: one is added
out=$(printf "${ENV}"'BDAT 20 LAST\r\nSubject: x\r\n\r\nno-end\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 4p)
is "$out" "250 2.0.0" "a message without a final CRLF"
is "$(tail -c 8 "$(last)" | od -c | head -1 | tr -s ' ')" "0000000 \\n n o - e n d \\n" "gets a line end"

# bare CR and bare LF in BDAT: 554 5.6.0 at LAST
rm -f "$MD"/new/*
out=$(printf "${ENV}"'BDAT 5\r\nab\ncdBDAT 2 LAST\r\n\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 4,6p)
is "$out" "250 2.0.0
554 5.6.0
221 2.0.0" "bare LF in a chunk: 554 5.6.0 at LAST"
out=$(printf "${ENV}"'BDAT 5 LAST\r\nab\r\rcQUIT\r\n' | qraw -m "$MD" | codes | sed -n 4,5p)
is "$out" "554 5.6.0
221 2.0.0" "bare CR: 554 5.6.0"
out=$(printf "${ENV}"'BDAT 3 LAST\r\nab\rQUIT\r\n' | qraw -m "$MD" | codes | sed -n 4p)
is "$out" "554 5.6.0" "a CR at the very end: bare"
is "$(nmsgs "$MD")" "0" "nothing delivered"

# order: the chunk is read, then 503 (or 530), the session goes on
out=$(printf 'BDAT 10\r\nNOOP\r\nRSETBDAT 4 LAST\r\nNOOPNOOP\r\nQUIT\r\n' | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
503 5.5.1
503 5.5.1
250 2.0.0
221 2.0.0" "BDAT without MAIL: its chunk is skipped, 503 5.5.1"
out=$(printf 'MAIL FROM:<a@example.org>\r\nBDAT 4 LAST\r\nRSETQUIT\r\n' | qraw -m "$MD" | codes | sed -n 3,4p)
is "$out" "503 5.5.1
221 2.0.0" "BDAT without RCPT: 503 5.5.1"
out=$(printf 'EHLO c\r\nBDAT 4 LAST\r\nNOOPQUIT\r\n' | timeout 60 postern-queue -m "$MD" 2>/dev/null | codes | tail -2)
is "$out" "530 5.7.0
221 2.0.0" "220 mode without RELAYCLIENT: 530 5.7.0 after the chunk"
out=$(printf "${ENV}"'BDAT 4\r\nab\r\nDATA\r\nRCPT TO:<c@example.org>\r\nBDAT 3 LAST\r\nx\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 4,8p)
is "$out" "250 2.0.0
503 5.5.1
503 5.5.1
250 2.0.0
221 2.0.0" "DATA and RCPT during BDAT: 503 5.5.1, the chunks go on"
out=$(printf "${ENV}"'BDAT 4 x\r\nabcdQUIT\r\n' | qraw -m "$MD" | codes | sed -n 4,5p)
is "$out" "501 5.5.4
221 2.0.0" "BDAT 4 x: its chunk is skipped, 501 5.5.4"

# sizes
for bad in 'BDAT' 'BDAT x' 'BDAT -1' 'BDAT 99999999999999999999' 'BDAT  4'
do
  out=$(printf "${ENV}"'%s\r\nabcdNOOP\r\n' "$bad" | qraw -m "$MD" | tr -d '\r' | sed -n 4,5p)
  is "$out" "421 4.5.2 Unusable BDAT chunk size, closing connection" "'$bad': 421, the chunk cannot be found"
done
rm -f "$MD"/new/*
out=$(printf "${ENV}"'BDAT 10\r\n0123456789BDAT 11 LAST\r\n0123456789xRCPT TO:<c@example.org>\r\nNOOP\r\nQUIT\r\n' | DATABYTES=20 qraw -m "$MD" | codes | sed -n 4,8p)
is "$out" "250 2.0.0
552 5.3.4
503 5.5.1
250 2.0.0
221 2.0.0" "chunks over DATABYTES: 552 5.3.4 after the chunk, the transaction is over"
is "$(nmsgs "$MD")" "0" "nothing stored"
is "$(ls "$MD/tmp" | wc -l | tr -d ' ')" "0" "nothing left in tmp/"
out=$(printf "${ENV}"'BDAT 30\r\n012345678901234567890123456789BDAT 0 LAST\r\nQUIT\r\n' | DATABYTES=20 qraw -m "$MD" | codes | sed -n 4,6p)
is "$out" "552 5.3.4
552 5.3.4
221 2.0.0" "one chunk over DATABYTES: read, 552 5.3.4; the pipelined LAST too"
out=$(printf "${ENV}"'BDAT 30\r\n012345678901234567890123456789BDAT 2\r\nabBDAT 2\r\nabBDAT 0 LAST\r\nRCPT TO:<x@example.org>\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n' | DATABYTES=20 qraw -m "$MD" | codes | sed -n 4,10p)
is "$out" "552 5.3.4
552 5.3.4
552 5.3.4
552 5.3.4
503 5.5.1
250 2.1.0
221 2.0.0" "every chunk after a refused one is refused alike up to LAST (no bad-command count), then the transaction is over"
out=$(printf "${ENV}"'BDAT 20 LAST\r\nSubject: x\r\n\r\nabcd\r\nQUIT\r\n' | DATABYTES=20 qraw -m "$MD" | codes | sed -n 4p)
is "$out" "250 2.0.0" "exactly DATABYTES: accepted"

# the session ends between chunks: nothing delivered, nothing left
rm -f "$MD"/new/*
printf "${ENV}"'BDAT 5\r\nabcdeQUIT\r\n' | qraw -m "$MD" >/dev/null
printf "${ENV}"'BDAT 5\r\nabcde' | qraw -m "$MD" >/dev/null
is "$(nmsgs "$MD")" "0" "QUIT or EOF between chunks: nothing delivered"
is "$(ls "$MD/tmp" | wc -l | tr -d ' ')" "0" "nothing left in tmp/"

# a large message in many chunks
rm -f "$MD"/new/*
python3 -c '
import sys
w = sys.stdout.buffer
w.write(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n")
chunk = (b"Subject: c\r\n\r\n" if False else b"") + (b"y" * 998 + b"\r\n") * 100
w.write(b"BDAT 14\r\nSubject: c\r\n\r\n")
for i in range(50):
    w.write(b"BDAT %d\r\n" % len(chunk) + chunk)
w.write(b"BDAT 0 LAST\r\nQUIT\r\n")
' | qraw -m "$MD" >"$TMP/out"
is "$(codes <"$TMP/out" | sort | uniq -c | tr -s ' ')" " 1 221 2.0.0
 1 235 2.7.0
 52 250 2.0.0
 1 250 2.1.0
 1 250 2.1.5" "51 chunks, 5 MB: every one acknowledged"
f=$(last)
is "$(grep -c '^y\{998\}$' "$f")" "5000" "all the lines delivered"

done_testing
