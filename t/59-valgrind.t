#!/bin/sh
# valgrind memcheck over a scripted session of each program: no error,
# no definitely lost block, and nothing in use at exit that grows with
# the input (one message or twenty, one failed AUTH or ten: the same
# heap at exit).  Skipped under ASan (PN_ASAN=1: the programs are ASan
# builds) and when valgrind is missing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

if [ -n "${PN_ASAN:-}" ]
then
  skip "valgrind" "PN_ASAN=1: the programs are ASan builds"
  done_testing
fi
if ! command -v valgrind >/dev/null 2>&1
then
  skip "valgrind" "valgrind is not installed"
  done_testing
fi

# postern-smtpd and postern-queue are linked statically, where memcheck
# cannot replace malloc: it runs their dynamically linked twins, built by
# make test-progs from the same objects.
ok "the dynamically linked twins are built" test -x "$PN_BIN/dyn/postern-smtpd" -a -x "$PN_BIN/dyn/postern-queue"
PATH=$PN_BIN/dyn:$PATH

OUT=$TMP/out
mkdir "$OUT" && chmod 1777 "$OUT"
MD=$TMP/md
maildir "$MD"
VG=$TMP/vg
mkdir "$VG" && chmod 1777 "$VG"
n=0

# vg NAME PROG ARGS...: PROG under memcheck, stdin from $TMP/in; the exec'd
# programs after it run without valgrind (--trace-children=no).  Prints
# the exit status.
vg()
{
  name=$1
  shift
  rm -f "$VG/$name".*
  valgrind -q --tool=memcheck --vgdb=no --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --error-exitcode=99 --trace-children=no \
    --log-file="$VG/$name.%p" "$@" < "$TMP/in" > "$TMP/vg.out" 2>"$TMP/vg.err"
  echo $?
}

# clean NAME DESC: no error and no definite leak in any process of NAME
clean()
{
  errs=$(cat "$VG/$1".* 2>/dev/null | grep -E '^==[0-9]+== +(Invalid|Conditional|Syscall param|Use of uninit|Source and destination|Mismatched|.*definitely lost)' \
    | head -5)
  is "$errs" "" "$2: no memcheck error"
}

# inuse NAME: bytes in use at exit, summed over the processes of NAME
inuse()
{
  name=$1
  shift
  valgrind --tool=memcheck --vgdb=no --leak-check=summary --show-leak-kinds=all --trace-children=no \
    --log-file="$VG/$name.sum.%p" "$@" < "$TMP/in" > /dev/null 2>&1
  cat "$VG/$name".sum.* 2>/dev/null | sed -n 's/.*in use at exit: \([0-9,]*\) bytes.*/\1/p' | tr -d , | awk '{ s += $1 } END { print s + 0 }'
}

good=$(b64 '\0alice\0secret')

# postern-smtpd: the dialogue, failures of every kind, then the hand-off
printf 'EHLO c\r\nNOOP\r\nHELP\r\nVRFY x\r\nMAIL FROM:<a@b>\r\nXYZZY\r\nNO\0OP\r\nBDAT 3\r\nabcAUTH LOGIN\r\n%s\r\n%s\r\nAUTH PLAIN !!!!\r\nAUTH PLAIN %s\r\nAUTH LOGIN\r\n*\r\nAUTH PLAIN %s\r\nMAIL FROM:<a@example.org>\r\nQUIT\r\n' \
  "$(b64 alice)" "$(b64 wrong)" "$(b64 'x\0alice\0secret')" "$good" > "$TMP/in"
is "$(AUTHMAXFAIL=100 vg smtpd postern-smtpd pn-t-checkpw pn-t-report "$OUT/r")" 0 "smtpd: exit 0 under memcheck"
clean smtpd "smtpd"
like "$(tr -d '\r' < "$TMP/vg.out")" '235 2.7.0 report' "smtpd: the session was handed on"

printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(b64 '\0alice\0wrong')" > "$TMP/in"
one=$(AUTHMAXFAIL=100 inuse smtpd1 postern-smtpd pn-t-checkpw true)
{ printf 'EHLO c\r\n'; i=0; while [ $i -lt 10 ]; do printf 'AUTH PLAIN %s\r\n' "$(b64 '\0alice\0wrong')"; i=$((i + 1)); done; printf 'QUIT\r\n'; } > "$TMP/in"
ten=$(AUTHMAXFAIL=100 inuse smtpd10 postern-smtpd pn-t-checkpw true)
is "$ten" "$one" "smtpd: heap at exit after 10 failed AUTHs is that after 1 ($one bytes)"

# postern-queue -m: messages, refusals, BDAT, errors
MSG='MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nSubject: v\r\n\r\n..dot\r\nline\r\n.\r\n'
printf "EHLO c\r\n${MSG}"'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nbare\nLF\r\n.\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nBDAT 4\r\nab\r\nBDAT 3 LAST\r\ncd\nRSET\r\nRCPT TO:<x>\r\nVRFY x\r\nAUTH PLAIN x\r\nBDAT x\r\n' > "$TMP/in"
is "$(SMTPAUTHUSER=alice USER=alice vg queue postern-queue -m "$MD")" 0 "queue -m: exit 0 under memcheck"
clean queue "queue -m"
is "$(nfiles "$MD/new")" 1 "queue -m: the good message delivered"
printf "${MSG}"'QUIT\r\n' > "$TMP/in"
one=$(SMTPAUTHUSER=alice USER=alice inuse queue1 postern-queue -m "$MD")
{ i=0; while [ $i -lt 20 ]; do printf "${MSG}"; i=$((i + 1)); done; printf 'QUIT\r\n'; } > "$TMP/in"
twenty=$(SMTPAUTHUSER=alice USER=alice inuse queue20 postern-queue -m "$MD")
is "$twenty" "$one" "queue -m: heap at exit after 20 messages is that after 1 ($one bytes)"

# postern-queue prog: the relay, a program that dies, a fresh one
printf "${MSG}${MSG}"'QUIT\r\n' > "$TMP/in"
is "$(SMTPAUTHUSER=alice USER=alice vg relay postern-queue pn-t-q-smtp "$TMP/down.log")" 0 "queue prog: exit 0 under memcheck"
clean relay "queue prog"
is "$(grep -c '^end$' "$TMP/down.log")" 2 "queue prog: two messages relayed"
is "$(SMTPAUTHUSER=alice USER=alice vg relay2 postern-queue pn-t-q-smtp "$TMP/down2.log" die=DOT)" 0 "queue prog, the program dying: exit 0 under memcheck"
clean relay2 "queue prog, the program dying"

# postern-queue with the limits and identity: a message counted, one
# refused for its From:, one for a NUL, a RCPT over the limit, then MAIL
# past MAXMSGS (421 and the end)
mkdir "$TMP/lim"
printf "${MSG}"'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nFrom: "X" <m@evil.example>\r\n\r\nx\r\n.\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nn\0ul\r\n.\r\n'"${MSG}"'RSET\r\nMAIL FROM:<a@example.org>\r\n' > "$TMP/in"
is "$(SMTPAUTHUSER=alice USER=alice SMTPSENDERS=a@example.org LIMITDIR="$TMP/lim" MSGLIMIT=5/1h RCPTLIMIT=3/1h MAXMSGS=2 RECEIVEDPRIVATE=1 vg limits postern-queue -m "$MD")" 0 "queue with limits: exit 0 under memcheck"
clean limits "queue with limits"
is "$(tr -d '\r' < "$TMP/vg.out" | cut -c1-9 | tr '\n' ' ')" "235 2.7.0 250 2.1.0 250 2.1.5 250 2.1.5 354 End d 250 2.0.0 250 2.1.0 250 2.1.5 354 End d 550 5.7.1 250 2.1.0 250 2.1.5 354 End d 554 5.6.0 250 2.1.0 250 2.1.5 452 4.5.3 354 End d 250 2.0.0 250 2.0.0 421 4.7.0 " "queue with limits: every path taken"

# postern-checkpw -f: right, wrong, unknown, malformed
F=$TMP/pw
printf 'secret\n' | postern-passwd -f "$F" -m sha512crypt add alice >/dev/null 2>&1 || echo "Bail out! postern-passwd"
if isroot
then
  A=pnt$$v
  mkuser "$A" "$TMP/ha" || echo "Bail out! cannot create the test account"
  AOPT="-a $A"
else
  AOPT=
fi
for c in 'alice:secret:0' 'alice:wrong:1' 'nobody-here:x:1' 'malformed::2'
do
  user=${c%%:*}
  rest=${c#*:}
  pw=${rest%%:*}
  want=${rest#*:}
  if [ "$user" = malformed ]; then printf 'no nul at all' > "$TMP/cred"; else printf '%s\0%s\0\0' "$user" "$pw" > "$TMP/cred"; fi
  rm -f "$VG"/checkpw.* "$OUT/r"
  # shellcheck disable=SC2086
  valgrind -q --tool=memcheck --vgdb=no --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
    --error-exitcode=99 --trace-children=no --log-file="$VG/checkpw.%p" \
    postern-checkpw -f "$F.cdb" $AOPT pn-t-report "$OUT/r" 3<"$TMP/cred" </dev/null >/dev/null 2>&1
  is "$?" "$want" "checkpw, $user/$pw: exit $want under memcheck"
  clean checkpw "checkpw, $user/$pw"
done

# postern-passwd: every command, no error and no definite leak.
P=$TMP/pwfile
for c in "add bob" "set bob" "check bob" "list" "make" "del bob"
do
  printf 'pw-bob\n' > "$TMP/in"
  # shellcheck disable=SC2086
  is "$(vg passwd postern-passwd -f "$P" -m sha512crypt -s 'bob@example.org @example.net' $c)" 0 "passwd $c: exit 0 under memcheck"
  clean passwd "passwd $c"
done

done_testing
