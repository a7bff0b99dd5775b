#!/bin/sh
# The header From bound to the login through postern-queue (DESIGN.md
# "Limits and identity"): with SMTPSENDERS set, every From: and Sender:
# address must pass it, else 550 5.7.1 after the end of data, nothing
# delivered, one log line with the reason; header fields as real clients
# write them (Thunderbird's "Name" <a@b>, Outlook's, mutt's, encoded
# words, comments, groups), and hostile ones (two From:, unparsable,
# unbalanced quotes, thousands of addresses, a header over the scan
# bound), by DATA and by BDAT; and the private Received (RECEIVEDPRIVATE).
# (The parser alone: t/39-hdrfrom-units.t.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
unset LIMITDIR MSGLIMIT RCPTLIMIT SMTPLIMITS MAXMSGS RECEIVEDPRIVATE SMTPSESSIONID || true
newmd
TCPREMOTEIP=192.0.2.9
export TCPREMOTEIP
SND='alice@example.org @example.net'

# hdr SENDERS HEADER: one message by DATA whose header is HEADER
# (printf format, LF line ends); prints the reply to the end of data
hdr()
{
  rm -f "$MD"/new/*
  printf "MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n$2\r\nSubject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n" \
    | ( [ -n "$1" ] && export SMTPSENDERS="$1"; qraw -m "$MD" ) | sed -n 5p
}
R_FROM='550 5.7.1 From: address not allowed for this login, message not delivered'
R_SENDER='550 5.7.1 Sender: address not allowed for this login, message not delivered'
R_TWO='550 5.7.1 Two From: fields in the header, message not delivered'
R_SYNTAX='550 5.7.1 From: or Sender: field cannot be parsed, message not delivered'
R_LONG='550 5.7.1 Header too long to check its From: field, message not delivered'

# yes NAME HEADER: 250 and one message; no NAME HEADER REPLY: refused, none
yes()
{
  r=$(hdr "$SND" "$2")
  like "$r" '^250 2\.0\.0 OK id=' "$1: delivered"
  is "$(nmsgs "$MD")" 1 "... one message"
}
no()
{
  r=$(hdr "$SND" "$2")
  is "$r" "$3" "$1: refused"
  is "$(nmsgs "$MD")" 0 "... nothing delivered"
}

# real clients
yes "Thunderbird" 'From: Alice Example <alice@example.org>'
yes "Thunderbird, a quoted display name" 'From: "Example, Alice" <alice@example.org>'
yes "Outlook" 'From: "Alice Example" <Alice@Example.ORG>'
yes "mutt, a comment" 'From: alice@example.org (Alice Example)'
yes "an encoded word" 'From: =?UTF-8?B?w4FsaWNl?= <alice@example.org>'
yes "an encoded word, quoted printable, and a domain entry" 'From: =?ISO-8859-1?Q?Al=E9ce?= <anyone@example.net>'
yes "folded" 'From: "Alice\r\n Example"\r\n <alice@example.org>'
yes "two addresses, both allowed, and a Sender:" 'From: alice@example.org, "Bob" <bob@example.net>\r\nSender: alice@example.org'
yes "a group of allowed addresses" 'From: Team: alice@example.org, bob@example.net;'
yes "an empty group" 'From: undisclosed-recipients:;\r\nSender: alice@example.org'
yes "no From: at all" 'X-Note: none'
yes "Resent-From: is not checked" 'From: alice@example.org\r\nResent-From: mallory@evil.example'
yes "nested comments" 'From: (a (nested (comment))) alice@example.org (x)'

no "another address" 'From: Alice <mallory@evil.example>' "$R_FROM"
no "a display name that looks allowed" 'From: "alice@example.org" <mallory@evil.example>' "$R_FROM"
no "a subdomain of an allowed domain" 'From: x@sub.example.net' "$R_FROM"
no "one of two addresses" 'From: alice@example.org, mallory@evil.example' "$R_FROM"
no "in a group" 'From: Team: alice@example.org, mallory@evil.example;' "$R_FROM"
no "a comment hiding nothing" 'From: mallory@evil.example (alice@example.org)' "$R_FROM"
no "Sender:" 'From: alice@example.org\r\nSender: mallory@evil.example' "$R_SENDER"
no "two From: fields" 'From: alice@example.org\r\nFrom: alice@example.org' "$R_TWO"
no "an unbalanced quote" 'From: "Alice <alice@example.org>' "$R_SYNTAX"
no "an unbalanced angle" 'From: Alice <alice@example.org' "$R_SYNTAX"
no "an unbalanced comment" 'From: alice@example.org (Alice' "$R_SYNTAX"
no "an empty From:" 'From: ' "$R_SYNTAX"
like "$(cat "$TMP/stderr")" 'postern-queue: info: refused id=[^ ]+ size=[0-9]+ rcpts=1 user="alice" reason=from-unparsable ip=192\.0\.2\.9$' "the log line names the reason and the address"

# thousands of addresses: more than 256 in one field do not parse
many=$(i=0; while [ $i -lt 3000 ]; do printf 'alice@example.org, '; i=$((i + 1)); done)
no "3000 addresses" "From: ${many}alice@example.org" "$R_SYNTAX"
few=$(i=0; while [ $i -lt 200 ]; do printf 'alice@example.org,\\r\\n '; i=$((i + 1)); done)
yes "200 addresses, folded" "From: ${few}alice@example.org"
# a header over the scan bound (64 KiB): cannot be checked, refused
long=$(i=0; while [ $i -lt 1200 ]; do printf 'X-Pad: %s\\r\\n' "$(printf '%070d' $i)"; i=$((i + 1)); done)
no "a header of 86 KiB, From: at the end" "${long}From: alice@example.org" "$R_LONG"
like "$(cat "$TMP/stderr")" 'reason=header-too-long ip=192\.0\.2\.9$' "... reason=header-too-long"
like "$(hdr "" "${long}From: mallory@evil.example")" '^250 ' "... without SMTPSENDERS nothing is checked"
is "$(nmsgs "$MD")" 1 "... and it is delivered"
like "$(hdr "" 'From: mallory@evil.example')" '^250 ' "without SMTPSENDERS any From: passes"
r=$(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nFrom: mallory@evil.example\r\n\r\nx\r\n.\r\nQUIT\r\n' | SMTPSENDERS= qraw -m "$MD" | sed -n 5p)
like "$r" '^250 ' "an empty SMTPSENDERS: any sender, as for the envelope"

# BDAT: the same check at LAST; earlier chunks get 250
rm -f "$MD"/new/*
h1='From: "Mallory" <mallory@ev'
h2='il.example>\r\n\r\nbody\r\n'
h3='From: <alice@example.org>\r\n\r\nok\r\n'
n2=$(printf "$h2" | wc -c)
n3=$(printf "$h3" | wc -c)
out=$(printf "MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT ${#h1}\r\n${h1}BDAT $n2 LAST\r\n${h2}MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT $n3 LAST\r\n${h3}QUIT\r\n" \
  | SMTPSENDERS="$SND" qraw -m "$MD")
is "$(printf '%s\n' "$out" | codes)" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.0.0
550 5.7.1
250 2.1.0
250 2.1.5
250 2.0.0
221 2.0.0" "BDAT: a From: split over two chunks is refused at LAST; the next message passes"
like "$out" "$R_FROM" "... with the From: text"
is "$(nmsgs "$MD")" 1 "... only the allowed one delivered"

# --- the private Received
rm -f "$MD"/new/*
printf 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: p\r\n\r\nx\r\n.\r\nQUIT\r\n' \
  | RECEIVEDPRIVATE=1 TCPREMOTEHOST=home.example SMTPHELO=laptop.home qraw -m "$MD" >/dev/null
f=$(ls "$MD"/new/* | head -1)
rec=$(sed -n '/^Received:/,/^[^ \t]/p' "$f" | sed '$d')
like "$rec" '^Received: from authenticated-user
	by mx\.test\.example \(postern\) with ESMTPA id [^ ;]+;
	[A-Z][a-z][a-z], [0-9]+ [A-Z][a-z][a-z] [0-9]{4} [0-9:]{8} \+0000$' "RECEIVEDPRIVATE: from authenticated-user, by, with ESMTPA, id, date (RFC 5321 4.4)"
unlike "$(cat "$f")" '192\.0\.2\.9|home\.example|laptop\.home' "... no address, host name or HELO name anywhere"
rm -f "$MD"/new/*
printf 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: p\r\n\r\nx\r\n.\r\nQUIT\r\n' \
  | RECEIVEDPRIVATE=1 SMTPTLS=1 qraw -m "$MD" >/dev/null
like "$(cat "$MD"/new/*)" 'with ESMTPSA id' "... ESMTPSA under TLS"
rm -f "$MD"/new/*
printf 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: p\r\n\r\nx\r\n.\r\nQUIT\r\n' \
  | TCPREMOTEHOST=home.example SMTPHELO=laptop.home qraw -m "$MD" >/dev/null
like "$(cat "$MD"/new/*)" 'Received: from laptop\.home \(home\.example \[192\.0\.2\.9\]\)' "without it: the HELO, host and address as before"
rm -f "$MD"/new/*
printf 'EHLO relay.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: p\r\n\r\nx\r\n.\r\nQUIT\r\n' \
  | RECEIVEDPRIVATE=1 RELAYCLIENT=1 rawsession timeout "$T_LIMIT" postern-queue -m "$MD" >/dev/null
like "$(cat "$MD"/new/*)" 'Received: from relay\.example \(\[192\.0\.2\.9\]\)' "RECEIVEDPRIVATE applies to authenticated sessions only (RELAYCLIENT: the client is named)"

done_testing
