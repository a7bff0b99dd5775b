#!/bin/sh
# Hostile AUTH: malformed and oversized base64, PLAIN with missing or
# extra NULs, user names carrying shell metacharacters, CR LF, % and !,
# commands slipped into an AUTH exchange, AUTH while a transaction is
# open.  Exact replies; the verifier is called only with well-formed
# credentials (T_FD3 proves it), gets the bytes as sent, and nothing is
# ever interpreted by a shell.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

MD=$TMP/md
maildir "$MD"
OUT=$TMP/out
mkdir "$OUT" && chmod 1777 "$OUT"
cd "$TMP" || exit 1

# front REPLIES-WANTED DESC LINES...: one session, AUTHMAXFAIL high
front()
{
  rm -f "$TMP/fd3"
  printf '%s\r\n' "$@" > "$TMP/in"
  AUTHMAXFAIL=100 T_FD3=$TMP/fd3 feed -- postern-smtpd pn-t-checkpw pn-t-report "$OUT/r" 2>"$TMP/stderr" \
    | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' '
}
notcalled()
{
  ok "$1: the verifier was not called" test ! -e "$TMP/fd3"
}

good=$(b64 '\0alice\0secret')
bad=$(printf '%s' "$good" | sed 's/A==$/B==/')

# malformed base64
is "$(front 'EHLO c' 'AUTH PLAIN AGFsaWNlAHNlY3JldA' 'AUTH PLAIN AGFsaWNlAHNlY3JldA=' "AUTH PLAIN $bad" \
  'AUTH PLAIN AGFs*WNlAHNlY3JldA==' 'AUTH PLAIN AG=saWNlAHNlY3JldA==' 'AUTH PLAIN ====' 'QUIT')" \
  "220 501 5.5.2 501 5.5.2 501 5.5.2 501 5.5.2 501 5.5.2 501 5.5.2 221 2.0.0 " \
  "PLAIN: unpadded, short, non-canonical, bad characters, misplaced padding: 501 5.5.2"
notcalled "bad base64"
is "$(front 'EHLO c' 'AUTH PLAIN AGFs aWNl' 'AUTH PLAIN  ' 'AUTH LOGIN' 'YWxpY2U' 'AUTH LOGIN' 'YWxpY2U=' 'c2VjcmV0 ' 'QUIT')" \
  "220 501 5.5.4 501 5.5.4 334 501 5.5.2 334 334 501 5.5.2 221 2.0.0 " \
  "spaces in a response, LOGIN with bad base64: 501"
notcalled "LOGIN bad base64"

# oversized: 9000 bytes decoded, the 512-byte limit of fd 3, the line limit
big=$("$PY" -c 'import base64; print(base64.b64encode(b"\0" + b"u" * 4000 + b"\0" + b"p" * 4999).decode())')
is "$(front 'EHLO c' "AUTH PLAIN $big" 'QUIT')" "220 535 5.7.8 221 2.0.0 " "9000 bytes of credentials: 535 5.7.8"
notcalled "9000 bytes"
u=$(head -c 200 /dev/zero | tr '\0' u)
p=$(head -c 309 /dev/zero | tr '\0' p)
is "$(front 'EHLO c' "AUTH PLAIN $(b64 "\\0$u\\0$p")" 'QUIT')" "220 535 5.7.8 221 2.0.0 " "512 bytes on fd 3: the verifier decides"
is "$(wc -c < "$TMP/fd3" 2>/dev/null | tr -d ' ')" 512 "... it got all 512"
is "$(front 'EHLO c' "AUTH PLAIN $(b64 "\\0$u\\0${p}p")" 'QUIT')" "220 535 5.7.8 221 2.0.0 " "513 bytes: 535 5.7.8"
notcalled "513 bytes"
long=$(head -c 12290 /dev/zero | tr '\0' A)
is "$(front 'EHLO c' "AUTH PLAIN $long" 'AUTH LOGIN' "$long" 'QUIT')" "220 500 5.5.6 334 500 5.5.6 221 2.0.0 " \
  "an AUTH line or response over 12288 bytes: 500 5.5.6"
notcalled "overlong lines"

# PLAIN with missing or extra NULs
is "$(front 'EHLO c' "AUTH PLAIN $(b64 'alice\0secret')" "AUTH PLAIN $(b64 '\0alice\0secret\0')" \
  "AUTH PLAIN $(b64 '\0\0secret')" "AUTH PLAIN $(b64 '\0alice\0')" "AUTH PLAIN $(b64 '\0\0')" \
  "AUTH PLAIN $(b64 'alicesecret')" "AUTH PLAIN $(b64 '\0alice\0sec\0ret')" 'AUTH PLAIN =' 'QUIT')" \
  "220 501 5.5.2 501 5.5.2 501 5.5.2 501 5.5.2 501 5.5.2 501 5.5.2 501 5.5.2 501 5.5.2 221 2.0.0 " \
  "PLAIN: one NUL, three, empty user, empty password, none, empty: 501 5.5.2"
notcalled "bad PLAIN"
is "$(front 'EHLO c' "AUTH PLAIN $(b64 'bob\0alice\0secret')" 'QUIT')" "220 535 5.7.8 221 2.0.0 " \
  "PLAIN: an authzid that is not the user: 535 5.7.8"
notcalled "authzid"
is "$(front 'EHLO c' 'AUTH LOGIN' "$(b64 'ali\0ce')" 'AUTH LOGIN' "$(b64 'alice')" "$(b64 'sec\0ret')" 'AUTH LOGIN =' 'QUIT')" \
  "220 334 501 5.5.2 334 334 501 5.5.2 501 5.5.2 221 2.0.0 " "LOGIN: a NUL in the user or the password, an empty user: 501 5.5.2"
notcalled "bad LOGIN"

# a command cannot take the place of an AUTH response
is "$(front 'EHLO c' 'AUTH LOGIN' "AUTH PLAIN $good" 'QUIT')" "220 334 501 5.5.2 221 2.0.0 " \
  "AUTH PLAIN sent as the LOGIN user name: refused as base64"
notcalled "command as response"
is "$(front 'EHLO c' 'AUTH PLAIN' 'QUIT' 'QUIT')" "220 334 501 5.5.2 221 2.0.0 " "QUIT as the PLAIN response: 501, not a QUIT"

# user names with shell metacharacters, CR LF, % and !: the verifier
# gets them byte for byte; the log quotes them; no shell runs them
# (echo in TAP descriptions would expand backslashes: they show as /)
for u in 'a;touch pwned1' '$(touch pwned2)' '`touch pwned3`' 'a|touch pwned4' 'user%host@example.org' 'host!user' 'ali\r\nce' '../../etc/passwd' 'a b' '"quoted"'
do
  d=$(printf '%s' "$u" | tr '\\' /)
  is "$(front 'EHLO c' "AUTH PLAIN $(b64 "\\0$u\\0x")" 'QUIT')" "220 535 5.7.8 221 2.0.0 " "user '$d': 535 5.7.8"
  is "$(od -An -c "$TMP/fd3" | tr -d ' \n')" "$(printf '%b\0x\0\0' "$u" | od -An -c | tr -d ' \n')" "user '$d': the verifier got it as sent"
  is "$(grep -c 'auth fail' "$TMP/stderr")" 1 "user '$d': one log line"
done
like "$(cat "$TMP/stderr")" 'user="\$\(touch pwned2\)"|user=".*"' "the log quotes the name"
printf '\0ali\r\nce\0x' > "$TMP/crlf"
front 'EHLO c' "AUTH PLAIN $(base64 -w0 < "$TMP/crlf")" 'QUIT' >/dev/null
like "$(grep 'auth fail' "$TMP/stderr")" 'user="ali\\x0d\\x0ace"' "CR LF in a user name are escaped in the log"
is "$(ls "$TMP" | grep -c pwned)" 0 "no shell ran anything"

# with postern-checkpw and a real database: odd but valid names work, and
# reach the session's environment untouched; invalid ones are 535, not 454
F=$TMP/passwd
if isroot
then
  A=pnt$$h
  mkuser "$A" "$TMP/ha" || echo "Bail out! cannot create the test account"
  chown "$A" "$MD" "$MD"/*
else
  A=$(id -un)
fi
for u in 'alice' 'a%b!c' 'x;y$(touch${IFS}pwned5)|w' 'q@example.org'
do
  printf 'pw\n' | postern-passwd -f "$F" -m sha512crypt -a "$A" add "$u" >/dev/null 2>&1 || echo "# postern-passwd add $u failed"
done
chain()
{
  printf 'EHLO c\r\nAUTH PLAIN %s\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.\r\nQUIT\r\n' "$(b64 "\\0$1\\0pw")" > "$TMP/in"
  feed -- postern-smtpd postern-checkpw -f "$F.cdb" postern-queue -m "$MD" 2>"$TMP/stderr" | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' '
}
for u in 'a%b!c' 'x;y$(touch${IFS}pwned5)|w'
do
  rm -f "$MD"/new/*
  is "$(chain "$u")" "220 235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " "postern-checkpw: user '$u' authenticates and sends"
  is "$(nfiles "$MD/new")" 1 "... delivered"
  like "$(grep 'accepted' "$TMP/stderr")" "user=\"$(printf '%s' "$u" | sed 's/[]$(){}|[]/\\&/g')\"" "... logged with the name as it is"
done
for u in 'ali\r\nce' 'alice\n' 'a:b' '#alice' ' alice'
do
  is "$(chain "$u" | cut -d' ' -f1-3)" "220 535 5.7.8" "postern-checkpw: user '$(printf '%s' "$u" | tr '\\' /)': 535, not a temporary error"
done
is "$(ls "$TMP" "$TMP/ha" "$HOME" 2>/dev/null | grep -c pwned)" 0 "no shell ran anything"

# AUTH while a transaction is open: 503, and the transaction goes on
printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nAUTH PLAIN %s\r\nAUTH LOGIN\r\nDATA\r\nSubject: kept\r\n\r\nx\r\n.\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.org>\r\nBDAT 2\r\nabAUTH PLAIN %s\r\nBDAT 4 LAST\r\ncd\r\nQUIT\r\n' "$good" "$good" > "$TMP/in"
rm -f "$MD"/new/*
out=$(SMTPAUTHUSER=alice USER=alice feed -- postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | tr '\n' ' ')
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 503 5.5.1 503 5.5.1 354 250 2.0.0 250 2.1.0 250 2.1.5 250 2.0.0 503 5.5.1 250 2.0.0 221 2.0.0 " \
  "queue: AUTH inside a DATA or BDAT transaction: 503 5.5.1, the transaction goes on"
is "$(nfiles "$MD/new")" 2 "... both messages are delivered"
is "$(grep -h '^Envelope-To:' "$MD"/new/* | sort | tr '\n' ' ')" "Envelope-To: <b@example.org> Envelope-To: <c@example.org> " "... each to its recipient"
is "$(for f in "$MD"/new/*; do tail -n 1 "$f"; done | sort | tr '\n' ' ')" "abcd x " "... with its own body"
rm -f "$MD"/new/*
printf 'EHLO c\r\nAUTH PLAIN %s\r\nMAIL FROM:<a@example.org>\r\nAUTH PLAIN %s\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' "$good" "$good" > "$TMP/in"
out=$(feed -- postern-smtpd pn-t-checkpw postern-queue -m "$MD" 2>/dev/null | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' ')
is "$out" "220 235 2.7.0 250 2.1.0 503 5.5.1 250 2.1.5 354 250 2.0.0 221 2.0.0 " "chain: a second AUTH after success: 503 5.5.1 from the session"
is "$(nfiles "$MD/new")" 1 "... and the message is delivered"

done_testing
