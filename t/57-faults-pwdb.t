#!/bin/sh
# A corrupt or missing password database is a temporary failure: the
# verifier exits 111 and the client gets 454 4.7.0, never 535 5.7.8
# ("wrong password") and never a session.  A good database beside them
# still works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"
. "$(dirname "$0")/helpers/pn-t-hostile-lib.sh"

mkout
cd "$TMP" || exit 1
if isroot
then
  A=pnt$$p
  mkuser "$A" "$TMP/ha" || bail "cannot create the test account"
else
  A=$(id -un)
fi
addpw "$TMP/pw" alice secret -m sha512crypt -a "$A" >/dev/null 2>&1 || bail "postern-passwd add"

"$PY" - "$TMP/pw.cdb" <<'EOF'
import struct, sys, os
src = sys.argv[1]
d = open(src, "rb").read()
dirn = os.path.dirname(src)
def put(name, b):
    open(os.path.join(dirn, name), "wb").write(b)
put("header.cdb", b"\xff" * 2048 + d[2048:])
i = d.index(b":postern-pwdb")
put("nomarker.cdb", d[:i] + b":postern-pwdX" + d[i + 13:])
i = d.index(b"alice")
klen, dlen = struct.unpack("<II", d[i - 8:i])
put("record.cdb", d[:i + 5] + d[i + 5:i + 5 + dlen].replace(b"\0", b"x") + d[i + 5 + dlen:])
put("random.cdb", bytes((k * 7919 + 13) % 256 for k in range(5000)))
put("truncated.cdb", d[:2100])
put("short.cdb", d[:100])
put("empty.cdb", b"")
put("text.cdb", open(src[:-4], "rb").read())
EOF
mkdir "$TMP/directory.cdb"

front()
{
  rm -f "$OUT/r"
  printf 'EHLO c\r\nAUTH PLAIN %s\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(b64 '\0alice\0secret')" "$(b64 '\0alice\0wrong')" > "$TMP/in"
  feed -- postern-smtpd postern-checkpw -f "$1" pn-t-report "$OUT/r" 2>"$TMP/stderr" | tr -d '\r' | codes | grep -v '^250$' | tr '\n' ' '
}

is "$(front "$TMP/pw.cdb" | cut -d' ' -f1-3)" "220 235 2.7.0" "the good database: 235 from the session"
for f in missing header nomarker record random truncated short empty text directory
do
  is "$(front "$TMP/$f.cdb")" "220 454 4.7.0 454 4.7.0 221 2.0.0 " "$f database: 454 4.7.0 for a right and a wrong password"
  ok "$f database: no session ran" test ! -e "$OUT/r"
  like "$(grep 'postern-checkpw' "$TMP/stderr" | head -1)" 'fatal: (unable to open|corrupt|not a postern password database)' "$f database: the log says why"
  printf 'alice\0secret\0\0' > "$TMP/cred"
  is "$(cpw "$TMP/cred" -f "$TMP/$f.cdb" true)" 111 "$f database: postern-checkpw exits 111"
done

# unreadable by the account the verifier runs as
if isroot && command -v setpriv >/dev/null 2>&1
then
  chmod 600 "$TMP/pw.cdb"
  printf 'alice\0secret\0\0' > "$TMP/cred"
  setpriv --reuid="$A" --regid="$A" --clear-groups postern-checkpw -f "$TMP/pw.cdb" true 3<"$TMP/cred" </dev/null >/dev/null 2>"$TMP/err"
  is "$?" 111 "an unreadable database: 111"
  like "$(cat "$TMP/err")" 'unable to open .*Permission denied' "... the log says why"
else
  skip "unreadable database" "needs root and setpriv"
  skip "unreadable database log" "needs root and setpriv"
fi

done_testing
