#!/bin/sh
# postern-queue -m DIR: the Maildir protocol and the file format; every
# failure is 451 4.3.0, leaves nothing behind, and the session goes on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-q-lib.sh"
newmd

MSG='MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: m\r\n\r\nbody\r\n.\r\n'

# the file: name, mode, content
rm -f "$MD"/new/*
out=$(printf "${MSG}"'QUIT\r\n' | SMTPHELO=c.example TCPREMOTEIP=192.0.2.1 qraw -m "$MD")
is "$(nmsgs "$MD")" "1" "one message in new/"
f=$(msgs "$MD")
like "$f" "^[0-9]+\\.M[0-9]+P[0-9]+\\.$(hostname | sed 's,/,\\\\057,g; s,:,\\\\072,g'),S=[0-9]+\$" "named time.MusecPpid.host,S=size"
size=$(wc -c <"$MD/new/$f" | tr -d ' ')
is "${f##*,S=}" "$size" "S= is the size of the file"
is "$(stat -c %a "$MD/new/$f")" "600" "mode 600"
is "$(stat -c %h "$MD/new/$f")" "1" "one link: the tmp name is gone"
is "$(ls "$MD/tmp" "$MD/cur" | grep -vc ':$' | tr -d ' ')" "1" "tmp/ and cur/ are empty"
id=$(printf '%s\n' "$out" | sed -n 's/^250 2.0.0 OK id=//p')
is "$(sed -n 1,5p "$MD/new/$f")" "Return-Path: <alice@example.org>
Envelope-To: <bob@example.org>
Received: from c.example ([192.0.2.1])
	by mx.test.example (postern) with ESMTPA id $id;
	$(sed -n 5p "$MD/new/$f" | cut -c2-)" "Return-Path, Envelope-To, Received"
is "$(sed -n '8,$p' "$MD/new/$f")" "Subject: m

body" "then the message"
like "$(cat "$TMP/stderr")" "accepted id=$id .* maildir=$f" "the log line names the file"

# the null sender; many recipients: one Envelope-To, folded
rm -f "$MD"/new/*
{
  printf 'MAIL FROM:<>\r\n'
  for i in 01 02 03 04 05 06 07 08; do printf 'RCPT TO:<recipient-%s@example.org>\r\n' $i; done
  printf 'DATA\r\nSubject: m\r\n\r\nb\r\n.\r\nQUIT\r\n'
} | qraw -m "$MD" >/dev/null
f=$MD/new/$(msgs "$MD")
is "$(sed -n 1p "$f")" "Return-Path: <>" "the null sender: Return-Path: <>"
is "$(sed -n '/^Envelope-To:/,/^Received:/p' "$f" | sed '$d')" "Envelope-To: <recipient-01@example.org>, <recipient-02@example.org>,
	<recipient-03@example.org>, <recipient-04@example.org>,
	<recipient-05@example.org>, <recipient-06@example.org>,
	<recipient-07@example.org>, <recipient-08@example.org>" "Envelope-To: one header, folded under 78 columns"
is "$(grep -c '^Envelope-To:' "$f")" "1" "only one"

# a relative Maildir is relative to the working directory (HOME)
mkdir -p "$TMP/home"
newmd "$TMP/home/Maildir"
(cd "$TMP/home" && printf "${MSG}"'QUIT\r\n' | qraw -m Maildir >/dev/null)
is "$(nmsgs "$TMP/home/Maildir")" "1" "-m Maildir: relative to the working directory"

# errors: 451 4.3.0 at the end of data, nothing left, the session goes on
check_fail()
{
  desc=$1
  dir=$2
  out=$(printf "${MSG}${MSG}"'NOOP\r\nQUIT\r\n' | qraw -m "$dir" | codes)
  is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
354
451 4.3.0
250 2.1.0
250 2.1.5
354
451 4.3.0
250 2.0.0
221 2.0.0" "$desc: 451 4.3.0 at end of data, twice, the session goes on"
  is "$(ls "$dir/tmp" 2>/dev/null | wc -l | tr -d ' ')" "0" "$desc: nothing left in tmp/"
  is "$(ls "$dir/new" 2>/dev/null | wc -l | tr -d ' ')" "0" "$desc: nothing in new/"
}
mkdir -p "$TMP/notmp/new" "$TMP/notmp/cur"
check_fail "no tmp/" "$TMP/notmp"
like "$(cat "$TMP/stderr")" 'unable to create in tmp/' "and the log says why"
mkdir -p "$TMP/nonew/tmp" "$TMP/nonew/cur"
check_fail "no new/" "$TMP/nonew"
like "$(cat "$TMP/stderr")" 'delivery failed id=' "logged"
check_fail "no Maildir at all" "$TMP/nowhere"

# permission: the session runs as the account
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1
then
  newmd "$TMP/rootonly"
  chmod 755 "$TMP/rootonly" "$TMP/rootonly/tmp" "$TMP/rootonly/new"
  out=$(printf "${MSG}"'QUIT\r\n' | SMTPAUTHUSER=alice USER=alice timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups postern-queue -m "$TMP/rootonly" 2>/dev/null | codes | sed -n 5p)
  is "$out" "451 4.3.0" "an unwritable tmp/: 451 4.3.0"
  newmd "$TMP/halfway"
  chown 65534 "$TMP/halfway/tmp"
  chmod 755 "$TMP/halfway/new"
  out=$(printf "${MSG}"'QUIT\r\n' | SMTPAUTHUSER=alice USER=alice timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups postern-queue -m "$TMP/halfway" 2>/dev/null | codes | sed -n 5p)
  is "$out" "451 4.3.0" "an unwritable new/: 451 4.3.0"
  is "$(ls "$TMP/halfway/tmp" | wc -l | tr -d ' ')" "0" "and the tmp file is removed"
else
  skip "unwritable tmp/" "needs root and setpriv"
  skip "unwritable new/" "needs root and setpriv"
  skip "tmp file removed" "needs root and setpriv"
fi

# a full file system
full=$TMP/full
mkdir -p "$full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=256k tmpfs "$full" 2>/dev/null
then
  newmd "$full/md"
  out=$( { printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: big\r\n\r\n'
    python3 -c 'import sys; sys.stdout.write(("z" * 998 + "\r\n") * 600)'
    printf '.\r\n'"${MSG}"'QUIT\r\n'; } | qraw -m "$full/md" | codes)
  is "$out" "235 2.7.0
250 2.1.0
250 2.1.5
354
451 4.3.0
250 2.1.0
250 2.1.5
354
250 2.0.0
221 2.0.0" "a full file system: 451 4.3.0, then a small message fits"
  is "$(ls "$full/md/tmp" | wc -l | tr -d ' ')" "0" "nothing left in tmp/"
  is "$(nmsgs "$full/md")" "1" "only the small message in new/"
  like "$(cat "$TMP/stderr")" 'No space left on device' "the log says why"
  umount "$full"
else
  skip "full file system" "needs root and a tmpfs mount"
  skip "full: tmp/ empty" "needs root and a tmpfs mount"
  skip "full: new/" "needs root and a tmpfs mount"
  skip "full: log" "needs root and a tmpfs mount"
fi

# the protocol: O_EXCL in tmp/, fsync, link (never rename), fsync new/
if command -v strace >/dev/null 2>&1 && [ -z "${PN_ASAN:-}" ]
then
  rm -f "$MD"/new/*
  printf "${MSG}"'QUIT\r\n' | SMTPAUTHUSER=alice USER=alice timeout 60 strace -o "$TMP/trace" -e trace=openat,open,fsync,fdatasync,link,linkat,rename,renameat,renameat2,unlink,unlinkat,write,close postern-queue -m "$MD" >/dev/null 2>&1
  steps=$(grep -E 'tmp/|new|fsync|link|rename' "$TMP/trace" | sed -E \
    -e 's/^openat\(.*tmp\/[^"]*".*O_EXCL.*/create-tmp/' \
    -e 's/^openat\(.*\/new".*O_DIRECTORY.*/open-new/' \
    -e 's/^fsync\(.*/fsync/' \
    -e 's/^link(at)?\(.*tmp\/.*new\/.*/link/' \
    -e 's/^unlink(at)?\(.*tmp\/.*/unlink-tmp/' \
    -e 's/^rename.*/RENAME/')
  is "$steps" "create-tmp
fsync
link
open-new
fsync
unlink-tmp" "O_EXCL in tmp/, fsync, link into new/, fsync new/, unlink tmp; no rename"
  n=$(grep -c '^write(.*"Return-Path' "$TMP/trace")
  is "$n" "1" "the small message is written in one write"
else
  skip "the Maildir steps" "needs strace, no ASan"
  skip "one write" "needs strace, no ASan"
fi

done_testing
