#!/bin/sh
# Faults around Maildir delivery: the disk fills up during DATA or BDAT,
# the Maildir is removed while a message comes in, or is read-only, the
# client vanishes mid-DATA, postern-queue is killed with SIGKILL
# mid-DATA.  Each ends with a clear reply (451 4.3.0) or a clean exit,
# and never with a partial message in new/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

MD=$TMP/md
ENV='MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n'
SMALL="${ENV}"'DATA\r\nSubject: small\r\n\r\nhi\r\n.\r\n'
isroot()
{
  [ "$(id -u)" -eq 0 ]
}
q()
{
  SMTPAUTHUSER=alice USER=alice feed "$@" 2>"$TMP/stderr" | tr -d '\r' | codes | tr '\n' ' '
}
clean()
{
  is "$(nfiles "$1/new")$(nfiles "$1/tmp")$(nfiles "$1/cur")" "000" "$2: nothing in new/, tmp/ or cur/"
}

# the disk fills up: a tmpfs of 256 kB
full=$TMP/full
mkdir -p "$full"
if isroot && mount -t tmpfs -o size=256k tmpfs "$full" 2>/dev/null
then
  trap 'umount "$full" 2>/dev/null; rm -rf "$TMP"' EXIT
  maildir "$full/md"
  { printf "${ENV}"'DATA\r\nSubject: big\r\n\r\n'; i=0; while [ $i -lt 4000 ]; do printf '%0100d\r\n' $i; i=$((i + 1)); done; printf '.\r\n'; } > "$TMP/in"
  is "$(q -- postern-queue -m "$full/md")" "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 " "disk full in DATA: 451 4.3.0"
  like "$(cat "$TMP/stderr")" 'No space left on device' "... and the log says why"
  clean "$full/md" "disk full in DATA"
  { printf "${ENV}"; i=0; while [ $i -lt 3 ]; do printf 'BDAT 200000\r\n'; head -c 200000 /dev/zero | tr '\0' z; i=$((i + 1)); done; printf 'BDAT 2 LAST\r\n\r\n'"${SMALL}"'QUIT\r\n'; } > "$TMP/in"
  is "$(q -- postern-queue -m "$full/md")" "235 2.7.0 250 2.1.0 250 2.1.5 250 2.0.0 250 2.0.0 250 2.0.0 451 4.3.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " \
    "disk full in BDAT: each chunk 250, LAST 451 4.3.0; then a small message fits"
  is "$(nfiles "$full/md/new")$(nfiles "$full/md/tmp")" "10" "... only the small message in new/, nothing in tmp/"
  like "$(cat "$full/md/new/"*)" 'Subject: small' "... it is the small one"

  # read-only: the same file system remounted ro
  rm -f "$full/md/new/"*
  if mount -o remount,ro "$full" 2>/dev/null
  then
    printf "${SMALL}${ENV}"'BDAT 3 LAST\r\nabcQUIT\r\n' > "$TMP/in"
    is "$(q -- postern-queue -m "$full/md")" "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 250 2.1.0 250 2.1.5 451 4.3.0 221 2.0.0 " \
      "a read-only Maildir: 451 4.3.0 for DATA and BDAT, the session goes on"
    clean "$full/md" "read-only"
  else
    skip "read-only Maildir" "remount,ro failed"
    skip "read-only Maildir" "remount,ro failed"
  fi
  umount "$full"
else
  for d in "disk full: DATA" "disk full: log" "disk full: clean" "disk full: BDAT" "disk full: new" "disk full: which" "read-only" "read-only clean"
  do
    skip "$d" "needs root and a tmpfs mount"
  done
fi

# an unwritable Maildir for the account the session runs as
if isroot && command -v setpriv >/dev/null 2>&1
then
  maildir "$TMP/ro"
  chmod 555 "$TMP/ro/tmp" "$TMP/ro/new"
  printf "${SMALL}"'QUIT\r\n' > "$TMP/in"
  is "$(q -- setpriv --reuid=65534 --regid=65534 --clear-groups postern-queue -m "$TMP/ro")" "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 221 2.0.0 " \
    "a Maildir the account cannot write: 451 4.3.0"
  clean "$TMP/ro" "unwritable"
else
  skip "unwritable Maildir" "needs root and setpriv"
  skip "unwritable Maildir clean" "needs root and setpriv"
fi

# the Maildir is removed while the body comes in
maildir "$MD"
printf "${ENV}"'DATA\r\nSubject: gone\r\n\r\nfirst half\r\n' > "$TMP/part1"
{ cat "$TMP/part1"; printf 'second half\r\n.\r\n'"${SMALL}"'QUIT\r\n'; } > "$TMP/in"
rm -f "$TMP/gate"
on "$TMP/gate" '[ -n "$(ls -A "$MD/tmp" 2>/dev/null)" ]' 'rm -rf "$MD"'
is "$(q --chunk "$(size "$TMP/part1")" --gate "$TMP/gate" -- postern-queue -m "$MD")" \
  "235 2.7.0 250 2.1.0 250 2.1.5 354 451 4.3.0 250 2.1.0 250 2.1.5 354 451 4.3.0 221 2.0.0 " \
  "the Maildir removed during DATA: 451 4.3.0, and for the next message too"
ok "... nothing was made again" test ! -e "$MD"
wait

# the client vanishes in the middle of the body
maildir "$MD"
printf "${ENV}"'DATA\r\nSubject: cut\r\n\r\nhalf a message\r\n' > "$TMP/in"
printf 'the rest\r\n.\r\n' >> "$TMP/in"
is "$(q --sock --chunk 60 --cut --stats "$TMP/st" -- postern-queue -m "$MD")" "235 2.7.0 250 2.1.0 250 2.1.5 354 " \
  "the client vanishes mid-DATA: no reply, the session ends"
is "$(report_get "$TMP/st" status)" 0 "... exit 0"
clean "$MD" "client gone"

# postern-queue killed with SIGKILL in the middle of the body
printf "${ENV}"'DATA\r\nSubject: killed\r\n\r\nfirst half\r\n' > "$TMP/part1"
{ cat "$TMP/part1"; printf 'second half\r\n.\r\nQUIT\r\n'; } > "$TMP/in"
rm -f "$TMP/gate"
on "$TMP/gate" '[ -n "$(ls -A "$MD/tmp" 2>/dev/null)" ]' 'pkill -KILL -x -f "postern-queue -m $MD"'
out=$(q --chunk "$(size "$TMP/part1")" --gate "$TMP/gate" --stats "$TMP/st" -- postern-queue -m "$MD")
wait
is "$out" "235 2.7.0 250 2.1.0 250 2.1.5 354 " "SIGKILL mid-DATA: no reply after 354"
is "$(report_get "$TMP/st" status)" -9 "... it was the SIGKILL"
is "$(nfiles "$MD/new")$(nfiles "$MD/cur")" "00" "... nothing in new/ (a partial file may stay in tmp/, as Maildir allows)"
rm -f "$MD"/tmp/*
printf "${SMALL}"'QUIT\r\n' > "$TMP/in"
is "$(q -- postern-queue -m "$MD")" "235 2.7.0 250 2.1.0 250 2.1.5 354 250 2.0.0 221 2.0.0 " "the next session delivers"
is "$(nfiles "$MD/new")" 1 "... one message"

done_testing
