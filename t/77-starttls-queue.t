#!/bin/sh
# postern-queue and TLS: STARTTLS is never listed and gets 503 5.5.1
# (after AUTH, and in its own 220 mode); the Received line after TLS says
# ESMTPSA and names the protocol and cipher in a comment, made safe
# whatever the variables hold.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

out=$(qa -m "$MD" <<'S'
EHLO c.example
STARTTLS
STARTTLS x
QUIT
S
)
unlike "$out" '^250.STARTTLS' "after AUTH: STARTTLS not listed"
is "$(printf '%s\n' "$out" | tail -n 3)" "503 5.5.1 STARTTLS not available
501 5.5.4 Syntax error in arguments
221 2.0.0 Bye" "after AUTH: STARTTLS 503 5.5.1 (with a parameter 501 5.5.4)"
out=$(SMTPTLS=1 qa -m "$MD" <<'S'
EHLO c.example
STARTTLS
QUIT
S
)
is "$(printf '%s\n' "$out" | tail -n 2)" "503 5.5.1 TLS already active
221 2.0.0 Bye" "after AUTH over TLS: 503 5.5.1"
out=$(SSLCTLFD=0 qr -m "$MD" <<'S'
EHLO c.example
STARTTLS
QUIT
S
)
unlike "$out" '^250.STARTTLS' "220 mode, SSLCTLFD set: STARTTLS not listed"
is "$(printf '%s\n' "$out" | tail -n 2)" "503 5.5.1 STARTTLS not available
221 2.0.0 Bye" "220 mode: 503 5.5.1"

ENV='EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: r\r\n\r\nb\r\n.\r\nQUIT\r\n'
last()
{
  f=$(ls -t "$MD/new" | head -1)
  printf '%s\n' "$MD/new/$f"
}
# received VAR=VAL...: the by line of the Received field of a message
# sent with those variables
received()
{
  rm -f "$MD"/new/*
  printf "$ENV" | env "$@" timeout 60 env SMTPAUTHUSER=alice USER=alice TCPREMOTEIP=192.0.2.7 postern-queue -m "$MD" >/dev/null 2>&1
  sed -n 4p "$(last)" | sed 's/ id [^ ]*$/ id/'
}
is "$(received SMTPTLS=1 SSL_PROTOCOL=TLSv1.3 SSL_CIPHER=TLS_AES_256_GCM_SHA384)" \
  "	by mx.test.example (postern) with ESMTPSA (TLSv1.3 TLS_AES_256_GCM_SHA384) id" "TLS: ESMTPSA (protocol cipher)"
is "$(received SMTPTLS=1 SSL_PROTOCOL=TLSv1.2 SSL_CIPHER=ECDHE-ECDSA-AES256-GCM-SHA384)" \
  "	by mx.test.example (postern) with ESMTPSA (TLSv1.2 ECDHE-ECDSA-AES256-GCM-SHA384) id" "TLS 1.2: the OpenSSL cipher name"
is "$(received SSL_PROTOCOL=TLSv1.3)" \
  "	by mx.test.example (postern) with ESMTPSA (TLSv1.3) id" "no cipher: the protocol alone"
is "$(received SMTPTLS=1)" \
  "	by mx.test.example (postern) with ESMTPSA id" "SMTPTLS alone (stunnel): ESMTPSA, no comment"
is "$(received SMTPTLS=1 SSL_PROTOCOL='TLS) (x' SSL_CIPHER='a;b
X-Forged: yes')" \
  "	by mx.test.example (postern) with ESMTPSA (TLS___x a_b_X-Forged__yes) id" "values made safe: no parenthesis, no line break"
long=$(head -c 300 /dev/zero | tr '\0' 'A')
like "$(received SSL_PROTOCOL=TLSv1.3 SSL_CIPHER="$long")" "with ESMTPSA \\(TLSv1\\.3 A{64}\\) id" "values capped at 64 bytes"
is "$(sed -n 3,5p "$(last)" | wc -l | tr -d ' ')" "3" "the Received field keeps its three lines"
done_testing
