#!/bin/sh
# postern-queue: DATA.  Dot-unstuffing, the only end CRLF.CRLF, bare CR
# and bare LF refused after the real end, DATABYTES, the added headers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

ENV='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n'

# body FILE: the message in FILE without the lines postern-queue added
# (Return-Path, Envelope-To, Received and its two continuation lines)
body()
{
  sed '1,5d' "$1"
}

last()
{
  f=$(ls -t "$MD/new" | head -1)
  printf '%s\n' "$MD/new/$f"
}

# dot-unstuffing and an ordinary message
rm -f "$MD"/new/*
out=$(printf "${ENV}"'Subject: dots\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\n\r\n..leading dot\r\n...two\r\n.\r\nQUIT\r\n' | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
354
250 2.0.0
221 2.0.0" "DATA: 354 then 250 2.0.0"
is "$(body "$(last)")" "Subject: dots
Date: Mon, 1 Jan 2024 00:00:00 +0000
Message-ID: <m1@example.org>

.leading dot
..two" "dots unstuffed, LF line ends, header kept as it was"
ok "the file has no CR" sh -c "! grep -q \"\$(printf '\r')\" '$(last)'"

# only CRLF.CRLF ends the data: LF.LF, LF.CRLF, CRLF.LF do not
rm -f "$MD"/new/*
out=$(printf "${ENV}"'Subject: smuggle\r\n\r\nA\n.\nMAIL FROM:<evil@example.org>\r\nB\r\n.\nC\n.\r\nD\r\n.\r\nQUIT\r\n' | qraw -m "$MD" | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
354
554 5.6.0
221 2.0.0" "bare LF: nothing ends early, 554 5.6.0 after the real end"
is "$(nmsgs "$MD")" "0" "and nothing is delivered"
out=$(printf "${ENV}"'Subject: cr\r\n\r\nA\r.\rB\r\n.\r\nQUIT\r\n' | qraw -m "$MD" | tr -d '\r' | sed -n 5p)
is "$out" "554 5.6.0 Message refused: bare CR or bare LF in the data (lines must end in CRLF)" "bare CR: 554 5.6.0 with a clear text"
out=$(printf "${ENV}"'Subject: x\r\n\r\nA\r\n.\rX\r\n.\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 5p)
is "$out" "554 5.6.0" "CRLF.CR followed by no LF: a bare CR, not an end"
out=$(printf "${ENV}"'Subject: x\r\n\r\nA\r\r\n.\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 5p)
is "$out" "554 5.6.0" "CR CR LF: a bare CR"
is "$(nmsgs "$MD")" "0" "none of them delivered"
out=$(printf "${ENV}"'Subject: x\r\n\r\nok\r\n.\r\nNOOP\r\nQUIT\r\n' | qraw -m "$MD" | codes | tail -3)
is "$out" "250 2.0.0
250 2.0.0
221 2.0.0" "after a clean message the next commands are read as commands"

# the empty message, and a message that is one dot line
rm -f "$MD"/new/*
out=$(printf "${ENV}"'.\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 5p)
is "$out" "250 2.0.0" "an empty message is accepted"
f=$(last)
like "$(sed -n 6,7p "$f")" '^Date: .*' "it gets a Date"
like "$(sed -n 7p "$f")" '^Message-ID: <.*@mx.test.example>$' "and a Message-ID"
is "$(sed -n '8,$p' "$f")" "" "and nothing else"

# RFC 6409 8: Date and Message-ID added when missing, not when present
rm -f "$MD"/new/*
printf "${ENV}"'Subject: none\r\n\r\nbody\r\n.\r\nQUIT\r\n' | qraw -m "$MD" >/dev/null
f=$(last)
is "$(sed -n 6p "$f" | cut -c1-6)" "Date: " "no Date: one added after Received"
like "$(sed -n 6p "$f")" '^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4}$' "in RFC 5322 form"
id=$(sed -n 's/.* id \(.*\);$/\1/p' "$f")
is "$(sed -n 7p "$f")" "Message-ID: <$id@mx.test.example>" "no Message-ID: one added, with the Received id"
is "$(sed -n '8,$p' "$f")" "Subject: none

body" "then the message"
printf "${ENV}"'message-id: <x@y>\r\nSubject: s\r\n\r\nDate: in the body\r\n.\r\nQUIT\r\n' | qraw -m "$MD" >/dev/null
f=$(last)
is "$(sed -n 6p "$f")" "Date: $(sed -n 6p "$f" | cut -c7-)" "a Date: in the body does not count"
is "$(sed -n 7,8p "$f")" "message-id: <x@y>
Subject: s" "a message-id in any case counts: none added"
printf "${ENV}"'Subject: s\r\nDATE : Mon, 1 Jan 2024 00:00:00 +0000\r\nX-Long: a\r\n Message-ID: <folded@x>\r\n\r\nb\r\n.\r\nQUIT\r\n' | qraw -m "$MD" >/dev/null
f=$(last)
is "$(sed -n 6,7p "$f")" "Message-ID: <$(sed -n 's/.* id \(.*\);$/\1/p' "$f")@mx.test.example>
Subject: s" "blanks before the colon count; a folded line is no field"

# the header scan has a bound: a longer header is left alone
rm -f "$MD"/new/*
{
  printf "${ENV}"
  i=0
  while [ $i -lt 1200 ]; do printf 'X-Filler-%04d: %s\r\n' $i "0123456789012345678901234567890123456789"; i=$((i + 1)); done
  printf 'Subject: big header\r\n\r\nbody\r\n.\r\nQUIT\r\n'
} | qraw -m "$MD" >"$TMP/out"
is "$(codes <"$TMP/out" | sed -n 5p)" "250 2.0.0" "a 70 KB header: accepted"
f=$(last)
is "$(sed -n 6p "$f" | cut -c1-10)" "X-Filler-0" "nothing added to a header over the bound"
is "$(grep -c '^X-Filler' "$f")" "1200" "and nothing of it truncated"
is "$(tail -1 "$f")" "body" "the body follows"

# Received
rm -f "$MD"/new/*
printf "${ENV}"'Subject: r\r\n\r\nb\r\n.\r\nQUIT\r\n' | SMTPHELO=client.example TCPREMOTEIP=192.0.2.7 TCPREMOTEHOST=host.example qraw -m "$MD" >"$TMP/out"
f=$(last)
id=$(sed -n 's/^250 2.0.0 OK id=//p' "$TMP/out")
is "$(sed -n 3,5p "$f")" "Received: from client.example (host.example [192.0.2.7])
	by mx.test.example (postern) with ESMTPA id $id;
	$(sed -n 5p "$f" | cut -c2-)" "Received: HELO, host, address, our name, ESMTPA, the id of the 250"
like "$(sed -n 5p "$f")" '^	(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ' "and the date"
like "$(cat "$TMP/stderr")" "accepted id=$id size=[0-9]+ rcpts=1 user=\"alice\"" "the log line has the same id"
printf "${ENV}"'Subject: r\r\n\r\nb\r\n.\r\nQUIT\r\n' | SMTPTLS=1 SMTPHELO='evil (x) [y]' TCPREMOTEIP=::1 qraw -m "$MD" >/dev/null
f=$(last)
like "$(sed -n 3,4p "$f")" '^Received: from evil__x__\[y\] \(\[IPv6:::1\]\)$' "HELO made safe, IPv6 literal"
like "$(sed -n 4p "$f")" 'with ESMTPSA id ' "SMTPTLS: ESMTPSA"
printf "${ENV}"'Subject: r\r\n\r\nb\r\n.\r\nQUIT\r\n' | SSL_PROTOCOL=TLSv1.3 qraw -m "$MD" >/dev/null
like "$(sed -n 4p "$(last)")" 'with ESMTPSA \(TLSv1\.3\) id ' "SSL_PROTOCOL: ESMTPSA, and the protocol"
printf 'EHLO c\r\nMAIL FROM:<a@example.org> AUTH=secret+2Bvalue\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: r\r\n\r\nb\r\n.\r\nQUIT\r\n' | RELAYCLIENT=1 timeout 60 postern-queue -m "$MD" >/dev/null 2>&1
f=$(last)
like "$(sed -n 3,4p "$f")" '^Received: from c$' "220 mode: the HELO of its own EHLO, no address"
like "$(sed -n 4p "$f")" 'with ESMTP id ' "no AUTH: ESMTP"
ok "AUTH= never shown" sh -c "! grep -q secret '$f'"
printf 'HELO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: r\r\n\r\nb\r\n.\r\nQUIT\r\n' | RELAYCLIENT=1 timeout 60 postern-queue -m "$MD" >/dev/null 2>&1
like "$(sed -n 4p "$(last)")" 'with SMTP id ' "HELO: SMTP"
printf 'MAIL FROM:<a@example.org> SMTPUTF8\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: r\r\n\r\nb\r\n.\r\nQUIT\r\n' | qraw -m "$MD" >/dev/null
like "$(sed -n 4p "$(last)")" 'with UTF8SMTPA id ' "SMTPUTF8: UTF8SMTPA (RFC 6531)"

# DATABYTES: read to the end, refused, not stored
rm -f "$MD"/new/*
out=$( { printf "${ENV}"'Subject: big\r\n\r\n'; head -c 3000 /dev/zero | tr '\0' 'x'; printf '\r\n.\r\nNOOP\r\nQUIT\r\n'; } | DATABYTES=1000 qraw -m "$MD" | codes)
is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
354
552 5.3.4
250 2.0.0
221 2.0.0" "over DATABYTES: read to its end, 552 5.3.4, the session goes on"
is "$(nmsgs "$MD")" "0" "nothing stored"
is "$(ls "$MD/tmp" | wc -l | tr -d ' ')" "0" "nothing left in tmp/"
like "$(cat "$TMP/stderr")" 'refused id=.* reason=size' "logged"
# exactly at the limit: 20 bytes = "Subject: x" CRLF CRLF "abcd" CRLF
out=$(printf "${ENV}"'Subject: x\r\n\r\nabcd\r\n.\r\nQUIT\r\n' | DATABYTES=20 qraw -m "$MD" | codes | sed -n 5p)
is "$out" "250 2.0.0" "a message of exactly DATABYTES (CRLF counted, RFC 1870): accepted"
out=$(printf "${ENV}"'Subject: x\r\n\r\n..bcd\r\n.\r\nQUIT\r\n' | DATABYTES=20 qraw -m "$MD" | codes | sed -n 5p)
is "$out" "250 2.0.0" "the stuffed dot is not counted"
out=$(printf "${ENV}"'Subject: x\r\n\r\nabcde\r\n.\r\nQUIT\r\n' | DATABYTES=20 qraw -m "$MD" | codes | sed -n 5p)
is "$out" "552 5.3.4" "one byte more: 552 5.3.4"
like "$(sed -n 's/.*size=\([0-9]*\).*/\1/p' "$TMP/stderr" | tail -1)" '^21$' "the size counted is 21"

# a 20 MB message, many lines
rm -f "$MD"/new/*
python3 -c '
import sys
w = sys.stdout.buffer
w.write(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: big\r\n\r\n")
line = b"0123456789" * 7 + b"ab\r\n"
dotline = b"..starts with a dot\r\n"
for i in range(20 * 1024 * 1024 // len(line)):
    w.write(dotline if i % 1000 == 0 else line)
w.write(b".\r\nQUIT\r\n")
' >"$TMP/big"
out=$(qraw -m "$MD" <"$TMP/big" | codes | sed -n 5p)
is "$out" "250 2.0.0" "a 20 MB message: 250 2.0.0"
f=$(last)
python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
body = d.split(b"\n\n", 1)[1]
line = b"0123456789" * 7 + b"ab\n"
n = 20 * 1024 * 1024 // 74
exp = b"".join(b".starts with a dot\n" if i % 1000 == 0 else line for i in range(n))
sys.exit(0 if body == exp else 1)
' "$f"
is "$?" "0" "delivered byte for byte (LF ends, unstuffed)"
size=$(wc -c <"$f" | tr -d ' ')
like "$f" ",S=$size\$" "its name carries its size"

done_testing
