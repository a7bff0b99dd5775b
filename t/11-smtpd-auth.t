#!/bin/sh
# postern-smtpd: the AUTH exchange, PLAIN and LOGIN, and its failures.
. "$(dirname "$0")/lib.sh"

b64() { printf "$1" | base64 -w0; }
T_FD3=$TMP/fd3
export T_FD3

# auth "client lines" -> the reply codes after the EHLO reply
auth()
{
  rm -f "$TMP/fd3" "$TMP/r"
  printf "EHLO x\r\n$1" | smtpd 2>"$TMP/err" | tr -d '\r' | sed '1,/^250 /d' | codes
}

ok_plain=$(b64 '\0alice\0secret')
is "$(auth "AUTH PLAIN $ok_plain\r\n")" "235 2.7.0" "PLAIN with initial response: the continuation answers 235"
is "$(od -An -c "$TMP/fd3" | tr -s ' ')" " a l i c e \\0 s e c r e t \\0 \\0" "fd 3 carries user NUL password NUL NUL"
is "$(auth "AUTH PLAIN\r\n$ok_plain\r\n")" "334
235 2.7.0" "PLAIN without initial response: 334, then 235"
is "$(auth "AUTH plain $(b64 'alice\0alice\0secret')\r\n")" "235 2.7.0" "PLAIN with authzid equal to authcid; mechanism name in any case"
is "$(auth "AUTH PLAIN $(b64 'bob\0alice\0secret')\r\nQUIT\r\n")" "535 5.7.8
221 2.0.0" "PLAIN with another authzid: 535 5.7.8"
ok "... and the checker was not called" test ! -e "$TMP/fd3"
is "$(auth "AUTH PLAIN $(b64 '\0alice\0wrong')\r\nQUIT\r\n")" "535 5.7.8
221 2.0.0" "wrong password: 535 5.7.8"
ok "... the checker was called" test -e "$TMP/fd3"
unlike "$(cat "$TMP/err")" "wrong|secret|$(b64 '\0alice\0wrong')" "no password nor AUTH data in the log"
like "$(cat "$TMP/err")" 'auth fail user="alice" mech=PLAIN ip=none reason=password' "the failure is logged with user and mechanism"

for bad in '=' "$(b64 'alice\0secret')" "$(b64 '\0alice\0secret\0')" "$(b64 '\0\0secret')" "$(b64 '\0alice\0')" "$(b64 'a\0b\0c\0d')" "$(b64 'alicesecret')"
do
  is "$(auth "AUTH PLAIN $bad\r\nQUIT\r\n")" "501 5.5.2
221 2.0.0" "malformed PLAIN message $bad: 501 5.5.2"
  ok "... checker not called" test ! -e "$TMP/fd3"
done
for bad in 'AGFsaWNlAHNlY3JldA' 'AGFsaWNlAHNlY3JldA=!' 'AGFsaWNlAHNlY3JldB==' '====' '!!!!'
do
  is "$(auth "AUTH PLAIN $bad\r\nQUIT\r\n" | head -n 1)" "501 5.5.2" "bad base64 '$bad': 501 5.5.2"
done
is "$(auth "AUTH PLAIN AGFs aWNlAHNlY3JldA==\r\nQUIT\r\n" | head -n 1)" "501 5.5.4" "a space inside the initial response: 501 5.5.4"
is "$(auth "AUTH PLAIN\r\n*\r\nQUIT\r\n")" "334
501 5.7.0
221 2.0.0" "* cancels: 501 5.7.0"

# LOGIN
is "$(auth "AUTH LOGIN\r\n$(b64 alice)\r\n$(b64 secret)\r\n")" "334
334
235 2.7.0" "LOGIN: two 334 prompts, then 235"
out=$(printf 'EHLO x\r\nAUTH LOGIN\r\n' | rawsession smtpd | sed '1,/^250 /d')
is "$out" "334 VXNlcm5hbWU6" "LOGIN asks Username:"
is "$(auth "AUTH LOGIN $(b64 alice)\r\n$(b64 secret)\r\n")" "334
235 2.7.0" "LOGIN with the user name as initial response"
is "$(od -An -c "$TMP/fd3" | tr -s ' ')" " a l i c e \\0 s e c r e t \\0 \\0" "LOGIN: same fd 3 format"
is "$(auth "AUTH LOGIN $(b64 'ali\0ce')\r\nQUIT\r\n")" "501 5.5.2
221 2.0.0" "LOGIN: NUL in the user name: 501 5.5.2"
is "$(auth "AUTH LOGIN $(b64 alice)\r\n$(b64 'sec\0ret')\r\nQUIT\r\n")" "334
501 5.5.2
221 2.0.0" "LOGIN: NUL in the password: 501 5.5.2"
ok "... checker not called" test ! -e "$TMP/fd3"
is "$(auth "AUTH LOGIN =\r\nQUIT\r\n")" "501 5.5.2
221 2.0.0" "LOGIN: empty user name: 501 5.5.2"
is "$(auth "AUTH LOGIN $(b64 alice)\r\n=\r\nQUIT\r\n")" "334
501 5.5.2
221 2.0.0" "LOGIN: empty password: 501 5.5.2"
is "$(auth "AUTH LOGIN\r\n$(b64 alice)\r\n*\r\nQUIT\r\n")" "334
334
501 5.7.0
221 2.0.0" "LOGIN: * at the password prompt cancels"
is "$(auth "AUTH LOGIN $(b64 alice)\r\n$(b64 wrong)\r\nQUIT\r\n")" "334
535 5.7.8
221 2.0.0" "LOGIN: wrong password 535 5.7.8"
like "$(cat "$TMP/err")" 'auth fail user="alice" mech=LOGIN ip=none reason=password' "LOGIN: the failure is logged with the user name"

# Mechanisms and their availability
is "$(auth "AUTH CRAM-MD5\r\nQUIT\r\n")" "504 5.5.4
221 2.0.0" "unknown mechanism: 504 5.5.4"
is "$(auth "AUTH\r\nQUIT\r\n")" "501 5.5.4
221 2.0.0" "AUTH without a mechanism: 501 5.5.4"
is "$(AUTHMECHS=LOGIN auth "AUTH PLAIN $ok_plain\r\nQUIT\r\n")" "504 5.5.4
221 2.0.0" "a mechanism not in AUTHMECHS: 504 5.5.4"
out=$(printf 'AUTH PLAIN %s\r\nQUIT\r\n' "$ok_plain" | rawsession smtpd | codes)
is "$out" "220
503 5.5.1
221 2.0.0" "AUTH before EHLO/HELO: 503 5.5.1"
out=$(printf 'HELO x\r\nAUTH PLAIN %s\r\n' "$ok_plain" | rawsession smtpd | codes)
is "$out" "220
250
235 2.7.0" "AUTH after HELO works"
like "$(cat "$TMP/r")" 'env SMTPPROTO=SMTP' "... with SMTPPROTO=SMTP"

# Plaintext mechanisms on remote, unencrypted connections
remote()
{
  printf 'EHLO x\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$ok_plain" | rawsession smtpd "$@"
}
out=$(remote TCPREMOTEIP=192.0.2.7)
unlike "$out" '^250.AUTH' "remote without TLS: EHLO offers no AUTH"
like "$out" '^538 5.7.11' "remote without TLS: AUTH gets 538 5.7.11"
like "$(remote TCPREMOTEIP=192.0.2.7 SMTPTLS=1)" '^235 2.7.0' "remote with SMTPTLS: allowed"
like "$(remote TCPREMOTEIP=192.0.2.7 SSL_PROTOCOL=TLSv1.3)" '^235 2.7.0' "remote with SSL_PROTOCOL: allowed"
like "$(remote TCPREMOTEIP=192.0.2.7 AUTHINSECURE=1)" '^235 2.7.0' "remote with AUTHINSECURE: allowed"
like "$(remote TCPREMOTEIP=127.0.0.5)" '^235 2.7.0' "127.0.0.0/8 is loopback"
like "$(remote TCPREMOTEIP=::1)" '^235 2.7.0' "::1 is loopback"
like "$(remote TCPREMOTEIP=::ffff:127.0.0.1)" '^235 2.7.0' "::ffff:127.0.0.1 is loopback"
like "$(remote TCPREMOTEIP=2001:db8::1)" '^538 5.7.11' "a remote IPv6 address is not"
like "$(remote TCPREMOTEIP=127.0.0.1.example)" '^538 5.7.11' "an unparsable address is not"

# Limits: credentials over 512 bytes, AUTH lines up to 12288
u400=$(head -c 400 /dev/zero | tr '\0' u)
is "$(auth "AUTH PLAIN $(b64 "\\0$u400\\0$u400")\r\nQUIT\r\n")" "535 5.7.8
221 2.0.0" "credentials over 512 bytes: 535 5.7.8"
ok "... checker not called" test ! -e "$TMP/fd3"
u254=$(head -c 254 /dev/zero | tr '\0' u)
is "$(auth "AUTH PLAIN $(b64 "\\0${u254}u\\0$u254")\r\nQUIT\r\n")" "535 5.7.8
221 2.0.0" "credentials of exactly 512 bytes reach the checker"
ok "... checker called" test -e "$TMP/fd3"
is "$(wc -c < "$TMP/fd3" | tr -d ' ')" 512 "... with 512 bytes on fd 3"
b12k=$(head -c 9000 /dev/zero | base64 -w0)
is "$(auth "AUTH PLAIN $b12k\r\nQUIT\r\n")" "501 5.5.2
221 2.0.0" "a 12 KB AUTH line is read whole (and refused for its content)"
b13k=$(head -c 9300 /dev/zero | base64 -w0)
is "$(auth "AUTH PLAIN $b13k\r\nQUIT\r\n")" "500 5.5.6
221 2.0.0" "an AUTH line over 12288 bytes: 500 5.5.6"
is "$(auth "AUTH PLAIN\r\n$b13k\r\nQUIT\r\n")" "334
500 5.5.6
221 2.0.0" "a response over 12288 bytes: 500 5.5.6"

# AUTHMAXFAIL and AUTHFAILDELAY
bad_plain=$(b64 '\0alice\0wrong')
out=$(auth "AUTH PLAIN $bad_plain\r\nAUTH PLAIN $bad_plain\r\nAUTH PLAIN $bad_plain\r\nNOOP\r\n")
is "$out" "535 5.7.8
535 5.7.8
535 5.7.8
421 4.7.0" "third failure (AUTHMAXFAIL=3): its reply, then 421 4.7.0"
out=$(AUTHMAXFAIL=2 auth "AUTH PLAIN =\r\nAUTH BOGUS\r\nNOOP\r\n")
is "$out" "501 5.5.2
504 5.5.4
421 4.7.0" "every failed AUTH counts, whatever its reply"
out=$(AUTHMAXFAIL=1 auth "AUTH PLAIN $bad_plain\r\nNOOP\r\n")
is "$out" "535 5.7.8
421 4.7.0" "AUTHMAXFAIL=1"
start=$(date +%s)
out=$(AUTHFAILDELAY=2 auth "AUTH PLAIN $bad_plain\r\nQUIT\r\n")
end=$(date +%s)
is "$out" "535 5.7.8
221 2.0.0" "AUTHFAILDELAY: same reply"
ok "... after at least the delay" test $((end - start)) -ge 2

done_testing
