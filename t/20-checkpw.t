#!/bin/sh
# postern-checkpw with a password database (-f): each hash method, bad
# and odd credentials, fd 3 input, database errors, the environment it
# sets and the account the session runs as.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

PWF=$TMP/passwd
DB=$PWF.cdb
mkout
session_account
if isroot
then
  B=pnt$$b
  mkuser "$B" "$TMP/hb" || bail "cannot create the test accounts"
  GGID=$(getent group "$G" | cut -d: -f3)
else
  B=$A
fi

addpw "$PWF" alice 'secret 1' -m yescrypt -s 'alice@example.org @example.net' || bail "postern-passwd add"
addpw "$PWF" bob secret2 -m sha512crypt -a "$B" || bail "postern-passwd add"
addpw "$PWF" carol secret3 -m bcrypt || bail "postern-passwd add"
ahash=$(sed -n 's/^alice:\([^:]*\).*/\1/p' "$PWF")
cat >>"$PWF" <<EOF
# locked: the right password never works
dave:!$ahash
erin:*
frank:
# accounts that must not run a session
grace:$ahash:root
henry:$ahash:nosuchaccount$$
EOF
postern-passwd -f "$PWF" make || bail "postern-passwd make"

# ck USER PW [options] (pn-t-pw-lib.sh): the status of postern-checkpw
# -f $DB -a $A; the report in $OUT/r.
CK_DB=$DB
CK_ACCT=$A

# Each method, right and wrong password.
is "$(ck alice 'secret 1')" 0 "yescrypt: the right password runs the session"
is "$(report_get "$OUT/r" arg)" "pn-t-report
$OUT/r" "yescrypt: the continuation got its arguments"
is "$(ck alice 'secret 2')" 1 "yescrypt: a wrong password exits 1"
ok "yescrypt: no session on a wrong password" test ! -e "$OUT/r"
is "$(ck alice 'secret')" 1 "yescrypt: a prefix of the password exits 1"
is "$(ck bob secret2)" 0 "sha512crypt: the right password runs the session"
is "$(ck bob secret3)" 1 "sha512crypt: a wrong password exits 1"
is "$(ck carol secret3)" 0 "bcrypt: the right password runs the session"
is "$(ck carol secret2)" 1 "bcrypt: a wrong password exits 1"
is "$(ck carol Secret3)" 1 "bcrypt: case matters"

# Unknown and odd user names.
is "$(ck nobody$$ 'secret 1')" 1 "unknown user exits 1"
is "$(ck Alice 'secret 1')" 1 "user names are case-sensitive"
is "$(ck ':postern-pwdb' 1)" 1 "the marker record is not a user"
is "$(ck 'alice ' 'secret 1')" 1 "a name with a space is unknown"
like "$(cat "$TMP/cpw.err")" 'auth fail user="alice " reason=unknown' "the failure is logged with the name quoted"
unlike "$(cat "$TMP/cpw.err")" 'secret' "the password is not logged"

# Locked accounts.
is "$(ck dave 'secret 1')" 1 "a hash starting with ! is locked"
like "$(cat "$TMP/cpw.err")" 'reason=locked' "and logged as locked"
is "$(ck erin '*')" 1 "a hash of * is locked"
is "$(ck frank '')" 1 "an empty hash with an empty password is refused"
is "$(ck frank 'x')" 1 "an empty hash is locked"

# fd 3.
raw()
{
  rm -f "$OUT/r"
  printf "$1" >"$TMP/c"
  cpw "$TMP/c" -f "$DB" -a "$A" pn-t-report "$OUT/r"
}
is "$(raw 'alice')" 2 "fd 3 without a NUL exits 2"
is "$(raw 'alice\0secret 1')" 2 "fd 3 without the password's NUL exits 2"
is "$(raw 'alice\0secret 1\0<1.2@x>')" 2 "an unterminated timestamp exits 2"
is "$(raw '')" 2 "empty fd 3 exits 2"
is "$(raw 'alice\0secret 1\0')" 0 "user and password without a timestamp field are accepted"
is "$(raw 'alice\0secret 1\0<2345.1700000000@mx.test.example>\0')" 0 "a qmail-popup timestamp is accepted and ignored"
is "$(raw '\0secret 1\0\0')" 1 "an empty user name exits 1"
is "$(raw 'alice\0\0\0')" 1 "an empty password exits 1"
ts=$(printf '%0496d' 0)
creds alice 'secret 1' "$ts" >"$TMP/c"
is "$(wc -c <"$TMP/c" | tr -d ' ')" 512 "(512 bytes of credentials)"
is "$(cpw "$TMP/c" -f "$DB" -a "$A" pn-t-report "$OUT/r")" 0 "512 bytes on fd 3 are accepted"
creds alice 'secret 1' "${ts}0" >"$TMP/c"
is "$(cpw "$TMP/c" -f "$DB" -a "$A" pn-t-report "$OUT/r")" 2 "513 bytes on fd 3 exit 2"
head -c 100000 /dev/zero >"$TMP/c"
is "$(cpw "$TMP/c" -f "$DB" -a "$A" pn-t-report "$OUT/r")" 2 "100000 bytes on fd 3 exit 2"
postern-checkpw -f "$DB" pn-t-report "$OUT/r" 3<&- </dev/null 2>"$TMP/err"
is "$?" 2 "a closed fd 3 exits 2"

# The environment and the directory of the session.
is "$(USER=evil HOME=/evil SHELL=/evil SMTPSENDERS=evil@example.org ck alice 'secret 1')" 0 "(alice again)"
env=$(report_get "$OUT/r" env)
like "$env" '^USER=alice$' "USER is the user that was checked"
like "$env" "^HOME=$AHOME\$" "HOME is the account's"
like "$env" "^SHELL=$(getent passwd "$AUID" | cut -d: -f7)\$" "SHELL is the account's"
like "$env" '^SMTPSENDERS=alice@example.org @example.net$' "SMTPSENDERS is the user's senders field"
is "$(report_get "$OUT/r" cwd)" "$AHOME" "the session starts in HOME"
is "$(SMTPSENDERS=evil@example.org ck bob secret2)" 0 "(bob again)"
unlike "$(report_get "$OUT/r" env)" '^SMTPSENDERS=' "an inherited SMTPSENDERS is removed for a user without senders"

# A relative program path still works after the chdir to HOME.
mkdir "$TMP/bin"
cp "$PN_BIN/t/pn-t-report" "$TMP/bin/"
creds alice 'secret 1' >"$TMP/c"
rm -f "$OUT/r"
(cd "$TMP" && postern-checkpw -f "$DB" -a "$A" bin/pn-t-report "$OUT/r" 3<"$TMP/c" </dev/null >/dev/null 2>&1)
is "$?" 0 "a relative program path is taken from where postern-checkpw started"
is "$(report_get "$OUT/r" cwd)" "$AHOME" "(and it ran in HOME)"

# Exit codes for the operator's mistakes.
creds alice 'secret 1' >"$TMP/c"
is "$(cpw "$TMP/c" -f "$DB" -a "$A" "$TMP/no such program")" 111 "a program that cannot be run exits 111"
is "$(cpw "$TMP/c" -f "$DB" -a "$A")" 100 "no program is a usage error"
is "$(cpw "$TMP/c" -f "$DB" -u x pn-t-report "$OUT/r")" 100 "a bad -u is a usage error"
is "$(cpw "$TMP/c" -f "$DB" -x pn-t-report "$OUT/r")" 100 "an unknown option is a usage error"

# Database errors are temporary (111), never a refusal (1).
is "$(cpw "$TMP/c" -f "$TMP/absent.cdb" pn-t-report "$OUT/r")" 111 "a missing database exits 111"
like "$(cat "$TMP/cpw.err")" 'unable to open' "and says why"
: >"$TMP/empty.cdb"
is "$(cpw "$TMP/c" -f "$TMP/empty.cdb" pn-t-report "$OUT/r")" 111 "an empty database exits 111"
is "$(cpw "$TMP/c" -f "$PWF" pn-t-report "$OUT/r")" 111 "the text file given as the database exits 111"
head -c 2100 "$DB" >"$TMP/trunc.cdb"
is "$(cpw "$TMP/c" -f "$TMP/trunc.cdb" pn-t-report "$OUT/r")" 111 "a truncated database exits 111"
python3 -c 'import random,sys; random.seed(7); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(8192)))' >"$TMP/noise.cdb"
is "$(cpw "$TMP/c" -f "$TMP/noise.cdb" pn-t-report "$OUT/r")" 111 "random bytes as the database exit 111"
# A well-formed cdb that is not postern's (no marker record).
python3 - "$TMP/other.cdb" "$ahash" <<'PY'
import struct, sys
recs = [(b"alice", sys.argv[2].encode() + b"\0\0\0")]
def h(k):
    x = 5381
    for c in k:
        x = (((x << 5) + x) ^ c) & 0xffffffff
    return x
body = b""; pos = 2048; ents = []
for k, d in recs:
    ents.append((h(k), pos)); body += struct.pack("<II", len(k), len(d)) + k + d; pos += 8 + len(k) + len(d)
head = b""; tables = b""
for i in range(256):
    mine = [e for e in ents if e[0] & 255 == i]
    n = 2 * len(mine); slots = [(0, 0)] * n
    for hv, p in mine:
        j = (hv >> 8) % n
        while slots[j][1]: j = (j + 1) % n
        slots[j] = (hv, p)
    head += struct.pack("<II", pos + len(tables), n)
    tables += b"".join(struct.pack("<II", a, b) for a, b in slots)
open(sys.argv[1], "wb").write(head + body + tables)
PY
is "$(cpw "$TMP/c" -f "$TMP/other.cdb" pn-t-report "$OUT/r")" 111 "a cdb without postern's marker exits 111"
like "$(cat "$TMP/cpw.err")" 'not a postern password database' "and says so"
cp "$DB" "$TMP/locked.cdb"
chmod 000 "$TMP/locked.cdb"
if isroot
then
  rm -f "$OUT/r"
  setpriv --reuid="$B" --regid="$B" --init-groups postern-checkpw -f "$TMP/locked.cdb" pn-t-report "$OUT/r" 3<"$TMP/c" </dev/null >/dev/null 2>"$TMP/err"
  is "$?" 111 "an unreadable database exits 111"
else
  is "$(cpw "$TMP/c" -f "$TMP/locked.cdb" pn-t-report "$OUT/r")" 111 "an unreadable database exits 111"
fi

# The account the session runs as.
if isroot
then
  is "$(ck alice 'secret 1')" 0 "(alice, account from -a)"
  is "$(report_get "$OUT/r" uid) $(report_get "$OUT/r" euid)" "$AUID $AUID" "as root: the session runs with the account's uid"
  is "$(report_get "$OUT/r" gid) $(report_get "$OUT/r" egid)" "$AGID $AGID" "as root: and its gid"
  is "$(report_get "$OUT/r" groups | numsort)" "$(printf '%s\n' "$AGID" "$GGID" | numsort)" "as root: and exactly its groups"
  is "$(ck bob secret2)" 0 "(bob, account from the record)"
  is "$(report_get "$OUT/r" uid)" "$(id -u "$B")" "the record's account field wins over -a"
  is "$(report_get "$OUT/r" cwd)" "$TMP/hb" "and its HOME"
  creds alice 'secret 1' >"$TMP/c"
  rm -f "$OUT/r"
  is "$(cpw "$TMP/c" -f "$DB" pn-t-report "$OUT/r")" 111 "as root, no account field and no -a exits 111"
  like "$(cat "$TMP/cpw.err")" 'no account' "and says why"
  ok "no session ran" test ! -e "$OUT/r"
  is "$(ck grace 'secret 1')" 1 "an account of uid 0 never authenticates"
  like "$(cat "$TMP/cpw.err")" 'reason=minuid' "and is logged as below minuid"
  is "$(ck henry 'secret 1')" 111 "an account that does not exist exits 111"
  is "$(ck alice 'secret 1' -u "$((AUID + 1))")" 1 "an account below -u never authenticates"
  is "$(ck alice 'secret 1' -u "$AUID")" 0 "an account at -u does"
  # The no-root deployment: everything as one unprivileged account.
  cp "$DB" "$TMP/pub.cdb"
  chmod 644 "$TMP/pub.cdb"
  rm -f "$OUT/r"
  setpriv --reuid="$B" --regid="$B" --init-groups postern-checkpw -f "$TMP/pub.cdb" pn-t-report "$OUT/r" 3<"$TMP/c" </dev/null >/dev/null 2>"$TMP/err"
  is "$?" 0 "not root: the session runs without -a"
  is "$(report_get "$OUT/r" uid) $(report_get "$OUT/r" gid)" "$(id -u "$B") $(id -g "$B")" "not root: it keeps its own uid and gid"
  is "$(report_get "$OUT/r" cwd)" "$TMP/hb" "not root: HOME is its own"
  like "$(report_get "$OUT/r" env)" "^HOME=$TMP/hb\$" "not root: HOME is set to its own"
  creds grace 'secret 1' >"$TMP/c"
  rm -f "$OUT/r"
  setpriv --reuid="$B" --regid="$B" --init-groups postern-checkpw -f "$TMP/pub.cdb" pn-t-report "$OUT/r" 3<"$TMP/c" </dev/null >/dev/null 2>"$TMP/err"
  is "$?" 0 "not root: the record's account field is not used"
  is "$(report_get "$OUT/r" uid)" "$(id -u "$B")" "not root: not even to become root"
  rm -f "$OUT/r"
  setpriv --reuid="$B" --regid="$B" --init-groups postern-checkpw -f "$TMP/pub.cdb" -u "$(($(id -u "$B") + 1))" pn-t-report "$OUT/r" 3<"$TMP/c" </dev/null >/dev/null 2>"$TMP/err"
  is "$?" 1 "not root: -u applies to our own uid"
else
  is "$(ck alice 'secret 1')" 0 "(alice)"
  is "$(report_get "$OUT/r" uid) $(report_get "$OUT/r" gid)" "$AUID $AGID" "not root: the session keeps our uid and gid"
  skip "privilege drop" "the test does not run as root"
fi

done_testing
