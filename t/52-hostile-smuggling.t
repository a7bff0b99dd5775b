#!/bin/sh
# SMTP smuggling and lying BDAT sizes.  DATA ends only at CRLF.CRLF:
# \n.\n, \r.\r, \r\n.\n and \n.\r\n end nothing, and the message that
# carries one is refused (554 5.6.0) once the real end has come; the
# commands hidden behind it are never run, nothing is delivered, and a
# downstream program never gets an end of data.  BDAT sizes that lie,
# are negative, huge or not numbers: exact replies, nothing delivered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

MD=$TMP/md
maildir "$MD"
L=$TMP/down.log
ENV='MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n'

queue()
{
  SMTPAUTHUSER=alice USER=alice feed -- postern-queue "$@" 2>"$TMP/stderr" | tr -d '\r' | codes
}

for v in 'LF.LF:\n.\n' 'CR.CR:\r.\r' 'CRLF.LF:\r\n.\n' 'LF.CRLF:\n.\r\n' 'CR.CRLF:\r.\r\n' 'CRLF.CR:\r\n.\r' 'dot-LF-first:.\n'
do
  name=${v%%:*}
  seq=${v#*:}
  if [ "$name" = dot-LF-first ]; then pre=''; else pre='Subject: smuggle\r\n\r\nbody'; fi
  printf "${ENV}DATA\r\n${pre}${seq}MAIL FROM:<evil@example.net>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\nNOOP\r\nQUIT\r\n" > "$TMP/in"
  is "$(queue -m "$MD")" "235 2.7.0
250 2.1.0
250 2.1.5
354
554 5.6.0
250 2.0.0
221 2.0.0" "Maildir, $name: one message to the real end, refused; the hidden commands never run"
  is "$(nfiles "$MD/new")$(nfiles "$MD/tmp")" "00" "Maildir, $name: nothing delivered, nothing left"
  rm -f "$L"
  is "$(queue pn-t-q-smtp "$L")" "235 2.7.0
250 2.1.0
250 2.1.5
354
554 5.6.0
250 2.0.0
221 2.0.0" "program, $name: refused"
  is "$(grep -c '^end$' "$L") $(grep -c '^cmd MAIL FROM:<evil' "$L")" "0 0" "program, $name: no end of data, the smuggled MAIL is no command"
done

# the same across many tiny writes, through the whole chain
ok_plain=$(b64 '\0alice\0secret')
printf "EHLO c\r\nAUTH PLAIN ${ok_plain}\r\n${ENV}DATA\r\nSubject: s\r\n\r\nbody\n.\nMAIL FROM:<evil@example.net>\r\nRCPT TO:<v@example.net>\r\nDATA\r\nevil\r\n.\r\nQUIT\r\n" > "$TMP/in"
out=$(SMTPTIMEOUT=60 feed --sock --chunk 3 --delay 0.001 -- postern-smtpd pn-t-checkpw postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$')
is "$out" "220
235 2.7.0
250 2.1.0
250 2.1.5
354
554 5.6.0
221 2.0.0" "chain, LF.LF in 3-byte writes: refused, nothing run"
is "$(nfiles "$MD/new")" 0 "chain: nothing delivered"

# a clean message with a lone dot inside a line, and a stuffed line "."
printf "${ENV}DATA\r\nSubject: ok\r\n\r\na.b\r\n..\r\n. x\r\n.\r\nQUIT\r\n" > "$TMP/in"
is "$(queue -m "$MD" | sed -n 5p)" "250 2.0.0" "a dot inside a line, a stuffed lone dot: accepted"
is "$(sed -n '/^Subject: ok$/,$p' "$MD"/new/*)" "Subject: ok

a.b
.
 x" "... delivered unstuffed"
rm -f "$MD"/new/*

# BDAT: a size smaller than the data; the rest is read as commands
printf "${ENV}BDAT 5 LAST\r\nhello world\r\nQUIT\r\n" > "$TMP/in"
is "$(queue -m "$MD")" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.0.0
500 5.5.1
221 2.0.0" "BDAT 5 with 11 bytes: the 5 are the message, the rest a bad command"
is "$(sed -n '$p' "$MD"/new/*)" "hello" "... and the message is what the size said"
rm -f "$MD"/new/*

# a size larger than the data: the commands are data, EOF ends all
printf "${ENV}BDAT 100 LAST\r\nshort\r\nQUIT\r\n" > "$TMP/in"
is "$(queue -m "$MD")" "235 2.7.0
250 2.1.0
250 2.1.5" "BDAT 100 with 13 bytes then EOF: no reply, QUIT was data"
is "$(nfiles "$MD/new")$(nfiles "$MD/tmp")" "00" "... nothing delivered, nothing left"

# negative, huge, not numbers (a number followed by junk is a size and
# a syntax error for both programs, which read the chunk and reply 501)
for s in '-1' '+5' 'abc' '' '0x10' '1e3' '99999999999999999999' '18446744073709551616' ' 5'
do
  printf "${ENV}BDAT ${s}\r\nabcde\r\nQUIT\r\n" > "$TMP/in"
  out=$(queue -m "$MD" | tr '\n' ' ')
  case $s in
    0x10|1e3) want="235 2.7.0 250 2.1.0 250 2.1.5 501 5.5.4 500 5.5.1 221 2.0.0 " ;;
    *) want="235 2.7.0 250 2.1.0 250 2.1.5 421 4.5.2 " ;;
  esac
  is "$out" "$want" "queue: BDAT '$s'"
  printf "EHLO c\r\nBDAT ${s}\r\nabcde\r\nQUIT\r\n" > "$TMP/in"
  out=$(feed -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' ')
  case $s in
    0x10|1e3) want="220 501 5.5.4 500 5.5.1 221 2.0.0 " ;;
    *) want="220 421 4.5.2 " ;;
  esac
  is "$out" "$want" "smtpd: BDAT '$s'"
done
is "$(nfiles "$MD/new")$(nfiles "$MD/tmp")" "00" "no BDAT size delivered anything"

# 19 digits: a number, over DATABYTES: the chunk is to be read, EOF ends it
printf "${ENV}BDAT 9999999999999999999 LAST\r\nabcde\r\nQUIT\r\n" > "$TMP/in"
is "$(queue -m "$MD" | tr '\n' ' ')" "235 2.7.0 250 2.1.0 250 2.1.5 " "queue: BDAT of 10^19-1 bytes: read until the client gives up"
printf "EHLO c\r\nBDAT 9999999999999999999 LAST\r\nabcde\r\n" > "$TMP/in"
is "$(feed -- postern-smtpd pn-t-checkpw pn-t-report "$TMP/r" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' ')" "220 421 4.3.4 " "smtpd: a BDAT size over DATABYTES: 421 4.3.4"
printf "${ENV}BDAT 10 LAST junk\r\n0123456789NOOP\r\nQUIT\r\n" > "$TMP/in"
is "$(queue -m "$MD" | tr '\n' ' ')" "235 2.7.0 250 2.1.0 250 2.1.5 501 5.5.4 250 2.0.0 221 2.0.0 " "queue: BDAT 10 LAST junk: the chunk is read, 501"
is "$(nfiles "$MD/new")$(nfiles "$MD/tmp")" "00" "nothing delivered"

done_testing
