#!/bin/sh
# Hostile envelopes: injection attempts in addresses (shell
# metacharacters, CR LF, % and !, header and command injection), HELO
# names made to forge a Received line, recipient floods.  Exact replies;
# what is accepted is passed on byte for byte and never to a shell; a
# CR or LF never gets into a header or a downstream command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

MD=$TMP/md
maildir "$MD"
L=$TMP/down.log
cd "$TMP" || exit 1

q()
{
  SMTPAUTHUSER=alice USER=alice feed -- postern-queue "$@" 2>"$TMP/stderr" | tr -d '\r' | codes | tr '\n' ' '
}

# shell metacharacters that are legal in a local part are accepted and
# delivered literally; the rest is refused
printf '%s\r\n' 'MAIL FROM:<`touch${IFS}pwned1`@example.org>' 'RCPT TO:<$(touch pwned2)@example.org>' \
  'RCPT TO:<a;touch pwned3@example.org>' 'RCPT TO:<"a;touch pwned4"@example.org>' 'RCPT TO:<|touch.pwned5@example.org>' \
  'RCPT TO:<user%other.example@example.org>' 'RCPT TO:<other.example!user@example.org>' 'RCPT TO:<a@b.example> NOTIFY=NEVER' \
  'DATA' 'Subject: meta' '' 'x' '.' 'QUIT' > "$TMP/in"
is "$(q -m "$MD")" "235 2.7.0 250 2.1.0 501 5.1.3 501 5.1.3 250 2.1.5 250 2.1.5 250 2.1.5 250 2.1.5 555 5.5.4 354 250 2.0.0 221 2.0.0 " \
  "metacharacters: backquote, quoted, pipe, % and ! accepted; ( and unquoted ; refused; unknown parameter 555"
f=$MD/new/$(ls "$MD/new" | head -1)
is "$(sed -n 1,3p "$f")" 'Return-Path: <`touch${IFS}pwned1`@example.org>
Envelope-To: <"a;touch pwned4"@example.org>, <|touch.pwned5@example.org>,
	<user%other.example@example.org>, <other.example!user@example.org>' "Return-Path and Envelope-To: the addresses as given"
is "$(ls "$TMP" | grep -c pwned)" 0 "no shell ran anything"
rm -f "$MD"/new/*

rm -f "$L"
q pn-t-q-smtp "$L" >/dev/null
is "$(grep '^cmd MAIL\|^cmd RCPT' "$L")" 'cmd MAIL FROM:<`touch${IFS}pwned1`@example.org>
cmd RCPT TO:<"a;touch pwned4"@example.org>
cmd RCPT TO:<|touch.pwned5@example.org>
cmd RCPT TO:<user%other.example@example.org>
cmd RCPT TO:<other.example!user@example.org>' "the program gets the same addresses, % and ! untouched, nothing else"
is "$(ls "$TMP" | grep -c pwned)" 0 "no shell ran anything"

# CR and LF: a line end splits the command (and what follows is no
# command of ours); a bare CR inside is refused
printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b\r\nDATA@example.org>\r\nRCPT TO:<b\rRSET@example.org>\r\nRCPT TO:<b@example.org>\rRSET\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' > "$TMP/in"
is "$(q -m "$MD")" "235 2.7.0 250 2.1.0 501 5.1.3 500 5.5.1 501 5.1.3 501 5.1.3 250 2.1.5 354 250 2.0.0 221 2.0.0 " \
  "CR LF inside an address: two bad lines; a bare CR: 501 5.1.3, no RSET run"
is "$(sed -n 2p "$MD"/new/*)" "Envelope-To: <b@example.org>" "... and only the clean recipient is kept"
rm -f "$MD"/new/*
printf 'MAIL FROM:<a@example.org> AUTH=<x\rRSET>\r\nMAIL FROM:<a@example.org> AUTH=a\rb\r\nQUIT\r\n' > "$TMP/in"
is "$(q -m "$MD")" "235 2.7.0 501 5.5.4 501 5.5.4 221 2.0.0 " "a CR in a parameter: 501 5.5.4"

# the inputs the envelope fuzzer stopped at (t/fuzz/corpus/fuzz_envelope/regress-*):
# a source route with UTF-8 makes the path non-ASCII even though the route
# is dropped (SMTPUTF8 is needed); an address literal with < or > in its
# general form (see below)
printf 'MAIL FROM:<@\334\212h.example,@u:a@example.org>\r\nMAIL FROM:<@\303\274.example:a@example.org> SMTPUTF8\r\nRCPT TO:<@\303\274.example:b@example.org>\r\nRSET\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<@\303\274.example:b@example.org>\r\nQUIT\r\n' > "$TMP/in"
is "$(q -m "$MD")" "235 2.7.0 553 5.6.7 250 2.1.0 250 2.1.5 250 2.0.0 250 2.1.0 553 5.6.7 221 2.0.0 " \
  "a source route with UTF-8: refused as non-ASCII without SMTPUTF8, accepted with it"

# address literals: IPv4 and IPv6 only.  A general literal [tag:dcontent]
# needs a tag registered with IANA (RFC 5321 4.1.3), and IPv6 is the only
# one; its dcontent may carry <, > and ", which a downstream parser could
# take for the end of the path: refused like any other bad path.
printf '%s\r\n' 'MAIL FROM:<a@[x-tag:a<b>"c]>' 'MAIL FROM:<a@[tag:foo]>' 'MAIL FROM:<a@[127.0.0.1]>' \
  'RCPT TO:<x@[192:<x.0.2.1]>' 'RCPT TO:<y@[tag:>RSET]>' 'RCPT TO:<z@[x-tag:a<b>"c]>' 'RCPT TO:<w@[tag:foo]>' \
  'RCPT TO:<v@[IPv6:::1]>' 'RCPT TO:<u@[127.0.0.1]>' 'DATA' 'Subject: literal' '' 'x' '.' 'QUIT' > "$TMP/in"
is "$(q -m "$MD")" "235 2.7.0 501 5.1.7 501 5.1.7 250 2.1.0 501 5.1.3 501 5.1.3 501 5.1.3 501 5.1.3 250 2.1.5 250 2.1.5 354 250 2.0.0 221 2.0.0 " \
  "general address literals ([tag:...], with or without < > \") refused: 501 5.1.7, 501 5.1.3; [127.0.0.1] and [IPv6:::1] taken"
f=$MD/new/$(ls "$MD/new" | head -1)
is "$(sed -n 1,2p "$f")" 'Return-Path: <a@[127.0.0.1]>
Envelope-To: <v@[IPv6:::1]>, <u@[127.0.0.1]>' "... and delivered with those addresses only"
rm -f "$MD"/new/*
rm -f "$L"
q pn-t-q-smtp "$L" >/dev/null
is "$(grep '^cmd MAIL\|^cmd RCPT\|^cmd RSET' "$L")" 'cmd MAIL FROM:<a@[127.0.0.1]>
cmd RCPT TO:<v@[IPv6:::1]>
cmd RCPT TO:<u@[127.0.0.1]>' "the program gets the IP literals only, and no command hidden in a literal"

# a HELO name made to forge headers: the Received line stays one field
printf 'EHLO evil.example)\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' > "$TMP/in"
SMTPAUTHUSER=alice USER=alice TCPREMOTEHOST='h (x)
X-Forged: yes' feed -- postern-queue -m "$MD" >/dev/null 2>&1
f=$MD/new/$(ls "$MD/new" | head -1)
like "$(sed -n 3p "$f")" '^Received: from evil\.example_ \(h__x__X-Forged:_yes\)$' "HELO and TCPREMOTEHOST are made safe in Received"
is "$(grep -c '^X-Forged' "$f")" 0 "no forged header line"
rm -f "$MD"/new/*

# recipient floods: MAXRCPTS is enforced, memory stays bounded
{ printf 'MAIL FROM:<a@example.org>\r\n'; i=0; while [ $i -lt 150 ]; do printf 'RCPT TO:<r%d@example.org>\r\n' $i; i=$((i + 1)); done; printf 'DATA\r\nx\r\n.\r\nQUIT\r\n'; } > "$TMP/in"
out=$(SMTPAUTHUSER=alice USER=alice feed -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | uniq -c | sed 's/^ *//' | tr '\n' ' ')
is "$out" "1 235 2.7.0 1 250 2.1.0 100 250 2.1.5 50 452 4.5.3 1 354 1 250 2.0.0 1 221 2.0.0 " "150 recipients: 100 taken, 50 get 452 4.5.3"
is "$(grep -o '<r[0-9]*@example.org>' "$MD"/new/* | wc -l | tr -d ' ')" 100 "the message goes to the first 100"
rm -f "$MD"/new/*
rm -f "$L"
SMTPAUTHUSER=alice USER=alice feed -- postern-queue pn-t-q-smtp "$L" >/dev/null 2>&1
is "$(grep -c '^cmd RCPT' "$L")" 100 "relayed: the program gets 100 RCPT commands, not 150"

{ printf 'MAIL FROM:<a@example.org>\r\n'; i=0; while [ $i -lt 20000 ]; do printf 'RCPT TO:<recipient-number-%d@example.org>\r\n' $i; i=$((i + 1)); done; printf 'DATA\r\nx\r\n.\r\nQUIT\r\n'; } > "$TMP/in"
out=$(MAXRCPTS=10000 SMTPAUTHUSER=alice USER=alice feed --stats "$TMP/st" -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | uniq -c | sed 's/^ *//' | tr '\n' ' ')
is "$out" "1 235 2.7.0 1 250 2.1.0 10000 250 2.1.5 10000 452 4.5.3 1 354 1 250 2.0.0 1 221 2.0.0 " "20000 recipients, MAXRCPTS=10000: 10000 taken"
rss=$(report_get "$TMP/st" maxrss)
ok "20000 recipients: memory bounded ($rss KB)" test "${rss:-999999999}" -lt "$(maxrss_limit)"
is "$(grep -c '^Envelope-To:' "$MD"/new/*)" 1 "one Envelope-To field"
is "$(sed -n '/^Envelope-To:/,/^Received:/p' "$MD"/new/* | sed '1d;$d' | grep -vc '^	<')" 0 "... folded: every other line a continuation"
is "$(grep -o '<recipient-number-[0-9]*@example.org>' "$MD"/new/* | wc -l | tr -d ' ')" 10000 "... naming the 10000"
rm -f "$MD"/new/*

# a flood of malformed recipients: 501 counts as a bad command
{ printf 'MAIL FROM:<a@example.org>\r\n'; i=0; while [ $i -lt 30 ]; do printf 'RCPT TO:<bad address %d>\r\n' $i; i=$((i + 1)); done; printf 'QUIT\r\n'; } > "$TMP/in"
is "$(SMTPAUTHUSER=alice USER=alice feed -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | uniq -c | sed 's/^ *//' | tr '\n' ' ')" \
  "1 235 2.7.0 1 250 2.1.0 20 501 5.1.3 1 421 4.7.0 " "30 malformed recipients: 20 times 501 5.1.3, then 421 4.7.0"

done_testing
