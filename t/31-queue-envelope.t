#!/bin/sh
# postern-queue: MAIL FROM and RCPT TO, parsed strictly; parameters;
# MAXRCPTS; order; SMTPSENDERS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

# mail ARG: the reply code to "MAIL FROM:ARG" (then RSET)
mail()
{
  printf 'MAIL FROM:%s\nQUIT\n' "$1" | qa -m "$MD" | codes | sed -n 2p
}

# rcpt ARG [MAILPARAMS]: the reply code to "RCPT TO:ARG"
rcpt()
{
  printf 'MAIL FROM:<a@example.org>%s\nRCPT TO:%s\nQUIT\n' "${2:-}" "$1" | qa -m "$MD" | codes | sed -n 3p
}

while IFS='|' read -r want arg
do
  [ -n "$want" ] || continue
  is "$(mail "$arg")" "$want" "MAIL FROM:$arg"
done <<'EOF'
250 2.1.0|<alice@example.org>
250 2.1.0|<>
250 2.1.0|<Alice.B-C+tag@Sub.Example.ORG>
250 2.1.0|<"alice smith"@example.org>
250 2.1.0|<"a\"b\\c"@example.org>
250 2.1.0|<alice@[192.0.2.1]>
250 2.1.0|<alice@[IPv6:2001:db8::1]>
250 2.1.0|<alice@[127.0.0.1]>
250 2.1.0|<alice@[IPv6:::1]>
250 2.1.0|<alice@[ipv6:::1]>
250 2.1.0|<@relay.example,@other.example:alice@example.org>
250 2.1.0| <alice@example.org>
250 2.1.0|<!#$%&'*+-/=?^_`{|}~@example.org>
250 2.1.0|<a@b>
250 2.1.0|<a@xn--bcher-kva.example>
501 5.1.7|alice@example.org
501 5.1.7|alice@example.org>
501 5.5.2|
501 5.1.7|<alice@example.org
501 5.1.7|<<alice@example.org>>
501 5.1.7|<alice@@example.org>
501 5.1.7|<alice>
501 5.1.7|<postmaster>
501 5.1.7|<@example.org>
501 5.1.7|<alice@>
501 5.1.7|<.alice@example.org>
501 5.1.7|<alice.@example.org>
501 5.1.7|<al..ice@example.org>
501 5.1.7|<alice@example..org>
501 5.1.7|<alice@-example.org>
501 5.1.7|<alice@example-.org>
501 5.1.7|<alice@exa_mple.org>
501 5.1.7|<alice smith@example.org>
501 5.1.7|<"alice@example.org>
501 5.1.7|<alice@[192.0.2.256]>
501 5.1.7|<alice@[192.0.2]>
501 5.1.7|<alice@[IPv6:2001:db8::zz]>
501 5.1.7|<alice@[example.org]>
501 5.1.7|<alice@[x-tag:some-thing]>
501 5.1.7|<alice@[tag:foo]>
501 5.1.7|<alice@[x-tag:a<b>"c]>
501 5.1.7|<alice@[IPv4:192.0.2.1]>
501 5.1.7|<alice@[IPv6:192.0.2.1]>
501 5.1.7|<alice@[IPv6:]>
501 5.1.7|<alice@[]>
501 5.1.7|<alice@[192.0.2.1>
501 5.1.7|<alice@example.org>junk
501 5.1.7|<alice(comment)@example.org>
501 5.1.7|<@relay.example:>
501 5.1.7|<@relay.example alice@example.org>
501 5.1.7|<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org>
501 5.1.7|<a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.org>
250 2.1.0|<alice@example.org> SIZE=1000
250 2.1.0|<alice@example.org> size=1000 body=8bitmime
250 2.1.0|<alice@example.org> BODY=7BIT
250 2.1.0|<alice@example.org> SMTPUTF8
250 2.1.0|<alice@example.org> AUTH=<>
250 2.1.0|<alice@example.org> AUTH=alice+2Bbob@example.org
250 2.1.0|<alice@example.org>  SIZE=10  BODY=8BITMIME 
250 2.1.0|<alice@example.org> SIZE=26214400
552 5.3.4|<alice@example.org> SIZE=26214401
552 5.3.4|<alice@example.org> SIZE=999999999999999999
501 5.5.4|<alice@example.org> SIZE=99999999999999999999
501 5.5.4|<alice@example.org> SIZE=
501 5.5.4|<alice@example.org> SIZE=12x
501 5.5.4|<alice@example.org> SIZE
501 5.5.4|<alice@example.org> SIZE=1 SIZE=2
501 5.5.4|<alice@example.org> BODY=BINARYMIME
501 5.5.4|<alice@example.org> BODY=8BITMIME BODY=7BIT
501 5.5.4|<alice@example.org> SMTPUTF8=yes
501 5.5.4|<alice@example.org> AUTH=a+2
501 5.5.4|<alice@example.org> AUTH=a+zz
501 5.5.4|<alice@example.org> AUTH=a=b
501 5.5.4|<alice@example.org> =x
555 5.5.4|<alice@example.org> RET=HDRS
555 5.5.4|<alice@example.org> ENVID=x
555 5.5.4|<alice@example.org> FOO
EOF

out=$(qa -m "$MD" <<'S'
MAIL FROM<a@example.org>
MAIL TO:<a@example.org>
MAIL <a@example.org>
MAIL
MAIL FROM:<a@example.org>
RCPT FROM:<b@example.org>
RCPT TO <b@example.org>
RCPT
QUIT
S
)
is "$(printf '%s\n' "$out" | codes)" "235 2.7.0
501 5.5.2
501 5.5.2
501 5.5.2
501 5.5.2
250 2.1.0
501 5.5.2
501 5.5.2
501 5.5.2
221 2.0.0" "MAIL without FROM:, RCPT without TO: 501 5.5.2"

# control characters, NUL, 8-bit: the line is sent raw
for c in '\001' '\177' '\000' '\t'
do
  out=$(printf "MAIL FROM:<al${c}ice@example.org>\r\nQUIT\r\n" | qraw -m "$MD" | codes | sed -n 2p)
  is "$out" "501 5.1.7" "MAIL with $c in the path: 501 5.1.7"
done
out=$(printf 'MAIL FROM:<\303\251l\303\250ve@example.org>\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 2p)
is "$out" "553 5.6.7" "a UTF-8 sender without SMTPUTF8: 553 5.6.7"
out=$(printf 'MAIL FROM:<\303\251l\303\250ve@\303\251cole.example> SMTPUTF8\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 2p)
is "$out" "250 2.1.0" "with SMTPUTF8: accepted"
out=$(printf 'MAIL FROM:<\303l@example.org> SMTPUTF8\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 2p)
is "$out" "501 5.1.7" "malformed UTF-8 even with SMTPUTF8: 501 5.1.7"
out=$(printf 'MAIL FROM:<\300\257@example.org> SMTPUTF8\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 2p)
is "$out" "501 5.1.7" "overlong UTF-8: 501 5.1.7"
out=$(printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<\303\251@example.org>\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 3p)
is "$out" "553 5.6.7" "a UTF-8 recipient in a transaction without SMTPUTF8: 553 5.6.7"
out=$(printf 'MAIL FROM:<a@example.org> SMTPUTF8\r\nRCPT TO:<\303\251@\303\251cole.example>\r\nQUIT\r\n' | qraw -m "$MD" | codes | sed -n 3p)
is "$out" "250 2.1.5" "with SMTPUTF8 on MAIL: accepted"

while IFS='|' read -r want arg
do
  [ -n "$want" ] || continue
  is "$(rcpt "$arg")" "$want" "RCPT TO:$arg"
done <<'EOF'
250 2.1.5|<bob@example.org>
250 2.1.5|<postmaster>
250 2.1.5|<PostMaster>
250 2.1.5|<"b o b"@example.org>
250 2.1.5|<bob@[192.0.2.1]>
250 2.1.5|<bob@[127.0.0.1]>
250 2.1.5|<bob@[IPv6:::1]>
501 5.1.3|<bob@[tag:foo]>
501 5.1.3|<bob@[x-tag:a<b>"c]>
250 2.1.5|<@a.example:bob@example.org>
501 5.1.3|bob@example.org
501 5.1.3|bob@example.org>
501 5.5.2|
501 5.1.3|<>
501 5.1.3|<bob>
501 5.1.3|<bob@example.org
501 5.1.3|<bob@@example.org>
555 5.5.4|<bob@example.org> NOTIFY=NEVER
555 5.5.4|<bob@example.org> ORCPT=rfc822;bob@example.org
501 5.5.4|<bob@example.org> =x
EOF

# order
out=$(qa -m "$MD" <<'S'
RCPT TO:<b@example.org>
DATA
BDAT 0 LAST
MAIL FROM:<a@example.org>
MAIL FROM:<a@example.org>
DATA
RCPT TO:<bad>
DATA
RSET
QUIT
S
)
is "$(printf '%s\n' "$out" | codes)" "235 2.7.0
503 5.5.1
503 5.5.1
503 5.5.1
250 2.1.0
503 5.5.1
503 5.5.1
501 5.1.3
554 5.5.1
250 2.0.0
221 2.0.0" "wrong order: 503 5.5.1; DATA after refused recipients only: 554 5.5.1"

# MAXRCPTS
script=$TMP/rcpts
{
  echo "MAIL FROM:<a@example.org>"
  for i in 1 2 3 4 5; do echo "RCPT TO:<b$i@example.org>"; done
  echo DATA
  printf 'Subject: m\n\nx\n.\nQUIT\n'
} >"$script"
rm -f "$MD"/new/*
out=$(MAXRCPTS=3 qa -m "$MD" <"$script")
is "$(printf '%s\n' "$out" | codes)" "235 2.7.0
250 2.1.0
250 2.1.5
250 2.1.5
250 2.1.5
452 4.5.3
452 4.5.3
354
250 2.0.0
221 2.0.0" "MAXRCPTS=3: the 4th and 5th get 452 4.5.3"
f=$(msgs "$MD")
like "$(sed -n 2p "$MD/new/$f")" '^Envelope-To: <b1@example.org>, <b2@example.org>, <b3@example.org>$' "and the message goes to the first 3"
out=$(DATABYTES=100 qa -m "$MD" <<'S'
EHLO c
MAIL FROM:<a@example.org> SIZE=101
MAIL FROM:<a@example.org> SIZE=100
QUIT
S
)
like "$out" '250-SIZE 100' "EHLO SIZE follows DATABYTES"
is "$(printf '%s\n' "$out" | codes | tail -3)" "552 5.3.4
250 2.1.0
221 2.0.0" "SIZE= over DATABYTES: 552 5.3.4 at MAIL"
out=$(printf 'MAIL FROM:<a@example.org> SIZE=999999999\r\nQUIT\r\n' | DATABYTES=0 qraw -m "$MD" | codes | sed -n 2p)
is "$out" "250 2.1.0" "DATABYTES=0: no limit"

# SMTPSENDERS
senders()
{
  printf 'MAIL FROM:%s\nQUIT\n' "$2" | SMTPSENDERS="$1" qa -m "$MD" | codes | sed -n 2p
}
S='alice@example.org @corp.example  bob@Other.Example'
while IFS='|' read -r want arg
do
  [ -n "$want" ] || continue
  is "$(senders "$S" "$arg")" "$want" "SMTPSENDERS: MAIL FROM:$arg"
done <<'EOF'
250 2.1.0|<alice@example.org>
250 2.1.0|<ALICE@EXAMPLE.ORG>
250 2.1.0|<anyone@corp.example>
250 2.1.0|<x@CORP.example>
250 2.1.0|<bob@other.example>
250 2.1.0|<>
553 5.7.1|<mallory@example.org>
553 5.7.1|<alice@example.org.evil>
553 5.7.1|<x@sub.corp.example>
553 5.7.1|<x@corp.example.net>
553 5.7.1|<"alice"@example.org>
553 5.7.1|<bob@example.org>
553 5.7.1|<corp.example@evil.example>
EOF
is "$(senders "" "<anyone@example.net>")" "250 2.1.0" "SMTPSENDERS empty: any sender"
is "$(senders "@example.org" "<a@example.org> SIZE=10")" "250 2.1.0" "a @domain entry with parameters"
like "$(printf 'MAIL FROM:<m@example.org>\nQUIT\n' | SMTPSENDERS=a@example.org qa -m "$MD" >/dev/null; cat "$TMP/stderr")" 'sender refused from="m@example.org"' "a refused sender is logged"

done_testing
