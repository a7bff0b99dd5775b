#!/bin/sh
# postern-passwd: add, set, del, list, check, make; its refusals leave
# the text file and the cdb untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

F=$TMP/passwd
DB=$F.cdb

# The account sessions run as: as root, never root itself.
ACCT=$(id -un)
[ "$(id -u)" -eq 0 ] && ACCT=daemon
# pw USER PW: postern-checkpw's verdict on the cdb.
pw()
{
  creds "$1" "$2" >"$TMP/c"
  cpw "$TMP/c" -f "$DB" -a "$ACCT" -u 0 true
}
# setpw USER PW ARGS...: postern-passwd set, the password on stdin.
setpw()
{
  u=$1 p=$2
  shift 2
  printf '%s\n' "$p" | postern-passwd -f "$F" "$@" set "$u"
}
# untouched DESC CMD...: CMD exits 1 and changes neither file.
untouched()
{
  d=$1
  shift
  before=$(sum "$F" "$DB")
  "$@" >/dev/null 2>"$TMP/err"
  st=$?
  is "$st $(sum "$F" "$DB")" "1 $before" "$d: refused, files untouched"
}
nontmp()
{
  ls -a "$TMP" | grep -E '\.tmp$' || true
}

# add, and the files it writes.
addpw "$F" alice 'pass word' 2>"$TMP/err"
is "$?" 0 "add creates the file"
ok "and the cdb" test -s "$DB"
like "$(cat "$F")" '^alice:\$y\$[^:]+$' "yescrypt by default, no empty trailing fields"
is "$(stat -c %a "$F") $(stat -c %a "$DB")" "600 600" "new files are private"
is "$(pw alice 'pass word')" 0 "the cdb knows the new user"
is "$(pw alice 'pass')" 1 "and only the right password"
addpw "$F" bob pw-bob -m sha512crypt -a "$ACCT" -s 'bob@example.org @example.net'
is "$?" 0 "add with -m, -a and -s"
like "$(grep '^bob:' "$F")" "^bob:\\\$6\\\$[^:]+:$ACCT:bob@example.org @example.net\$" "sha512crypt, account and senders fields"
addpw "$F" carol pw-carol -m bcrypt -s '@example.com'
like "$(grep '^carol:' "$F")" '^carol:\$2b\$[^:]+::@example.com$' "bcrypt, empty account field kept as a separator"
is "$(pw bob pw-bob) $(pw carol pw-carol)" "0 0" "all three methods verify through postern-checkpw"
is "$(postern-passwd -f "$F" list)" "alice::
bob:$ACCT:bob@example.org @example.net
carol::@example.com" "list shows users, accounts and senders"
unlike "$(postern-passwd -f "$F" list)" '\$' "and never a hash"
is "$(nontmp)" "" "no temporary file is left"

# check.
printf 'pass word\n' | postern-passwd -f "$F" check alice
is "$?" 0 "check: the right password exits 0"
printf 'pass word \n' | postern-passwd -f "$F" check alice 2>"$TMP/err"
is "$?" 1 "check: a trailing space is part of the password"
printf 'pass word\r\n' | postern-passwd -f "$F" check alice
is "$?" 0 "check: a trailing CRLF is removed"
printf 'pass word' | postern-passwd -f "$F" check alice
is "$?" 0 "check: a last line without LF is read"
printf 'pass word\nmore\n' | postern-passwd -f "$F" check alice
is "$?" 0 "check: only the first line is the password"
printf 'pw-bob\n' | postern-passwd -f "$F" check alice 2>"$TMP/err"
is "$?" 1 "check: a wrong password exits 1"
like "$(cat "$TMP/err")" 'wrong password' "and says so"
printf 'x\n' | postern-passwd -f "$F" check nobody 2>"$TMP/err"
is "$?" 1 "check: an unknown user exits 1"

# set keeps what it is not told to change.
old=$(grep '^bob:' "$F")
setpw bob new-bob
is "$?" 0 "set changes a password"
is "$(pw bob new-bob) $(pw bob pw-bob)" "0 1" "the new password works, the old one no longer"
like "$(grep '^bob:' "$F")" "^bob:\\\$y\\\$[^:]+:$ACCT:bob@example.org @example.net\$" "set keeps account and senders, hashes with -m's default"
setpw bob new-bob -s ''
like "$(grep '^bob:' "$F")" "^bob:[^:]+:$ACCT\$" "set -s '' clears the senders"
setpw bob new-bob -a '' -m bcrypt
like "$(grep '^bob:' "$F")" '^bob:\$2b\$[^:]+$' "set -a '' clears the account"
is "$(sed -n 1p "$F" | cut -d: -f1) $(sed -n 3p "$F" | cut -d: -f1)" "alice carol" "set keeps the line order"

# make compiles a hand-edited file; comments and blank lines are kept.
{
  echo '# postern users'
  echo
  grep '^alice:' "$F"
  echo "dave:$(grep '^carol:' "$F" | cut -d: -f2):$ACCT:dave@example.org"
  echo '   '
} >"$TMP/hand"
cp "$TMP/hand" "$F"
postern-passwd -f "$F" make
is "$?" 0 "make compiles the file"
is "$(pw dave pw-carol) $(pw bob new-bob)" "0 1" "the cdb is the file's"
addpw "$F" erin pw-erin
is "$(head -n 5 "$F")" "$(cat "$TMP/hand")" "add keeps comments and blank lines"
postern-passwd -f "$F" del dave
is "$?" 0 "del removes a user"
is "$(pw dave pw-carol)" 1 "from the cdb too"
is "$(postern-passwd -f "$F" list)" "alice::
erin::" "list after del"
like "$(cat "$F")" '^# postern users' "del keeps comments"
printf 'alice:%s' "$(grep '^alice:' "$F" | cut -d: -f2)" >"$F"
addpw "$F" frank pw-frank
is "$(cut -d: -f1 "$F" | tr '\n' ' ')" "alice frank " "add after a last line without LF"

# Refusals: the files stay as they were.
untouched "add of an existing user" addpw "$F" alice x
like "$(cat "$TMP/err")" 'already exists' "and says so"
untouched "set of an unknown user" setpw nobody x
untouched "del of an unknown user" postern-passwd -f "$F" del nobody
untouched "a user name with ':'" addpw "$F" 'a:b' x
like "$(cat "$TMP/err")" 'bad user name' "and says so"
untouched "a user name with a space" addpw "$F" 'a b' x
untouched "a user name with a tab" addpw "$F" "$(printf 'a\tb')" x
untouched "a user name with a control character" addpw "$F" "$(printf 'a\001b')" x
untouched "a user name with DEL" addpw "$F" "$(printf 'a\177b')" x
untouched "a user name starting with #" addpw "$F" '#a' x
untouched "an empty user name" addpw "$F" '' x
long=$(printf '%0255d' 0)
untouched "a user name of 256 bytes" addpw "$F" "${long}0" x
addpw "$F" "$long" pw-long
is "$?" 0 "a user name of 255 bytes is accepted"
untouched "del of a bad user name" postern-passwd -f "$F" del 'a:b'
untouched "a senders list without @" addpw "$F" newuser x -s 'nope'
untouched "a senders entry ending in @" addpw "$F" newuser x -s 'a@example.org b@'
untouched "an account with a space" addpw "$F" newuser x -a 'a b'
untouched "an empty password" addpw "$F" newuser ''
untouched "no password at all" sh -c 'postern-passwd -f "$1" add newuser </dev/null' x "$F"
big=$(printf '%0600d' 0)
untouched "a password too long for fd 3" addpw "$F" newuser "$big"
like "$(cat "$TMP/err")" 'too long' "and says so"
untouched "check with a wrong password" sh -c 'echo wrong | postern-passwd -f "$1" check alice' x "$F"

# A file it cannot parse.
cp "$F" "$TMP/good"
goodcdb=$(sum "$DB")
printf 'this line has no colon\n' >>"$F"
n=$(wc -l <"$F" | tr -d ' ')
untouched "add to a file with a bad line" addpw "$F" newuser x
like "$(cat "$TMP/err")" "line $n: no ':'" "the message names the line"
untouched "del in a file with a bad line" postern-passwd -f "$F" del alice
untouched "make of a file with a bad line" postern-passwd -f "$F" make
is "$(sum "$DB")" "$goodcdb" "the cdb is still the last good one"
cp "$TMP/good" "$F"
printf 'alice:x:y:z@example.org:msgs=1/1h:w\n' >>"$F"
untouched "a line with six fields" postern-passwd -f "$F" make
like "$(cat "$TMP/err")" 'too many fields' "and says so"
cp "$TMP/good" "$F"
printf 'alice:*\n' >>"$F"
untouched "a duplicate user" postern-passwd -f "$F" make
like "$(cat "$TMP/err")" "line $n: duplicate user, also on line 1" "names both lines"
cp "$TMP/good" "$F"
printf 'zed:$y$ab c\n' >>"$F"
untouched "a hash with a space" postern-passwd -f "$F" make
cp "$TMP/good" "$F"
printf 'zed:*::bad sender\n' >>"$F"
untouched "a bad senders field" postern-passwd -f "$F" make
cp "$TMP/good" "$F"
is "$(nontmp)" "" "no temporary file is left after refusals"

# A second writer is refused while the lock is held.
python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)
' "$F.lock" "$TMP/locked" &
lockpid=$!
i=0
while [ ! -e "$TMP/locked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
before=$(sum "$F" "$DB")
addpw "$F" newuser pw-new 2>"$TMP/err"
is "$? $(sum "$F" "$DB")" "111 $before" "add while another writer holds the lock: 111, files untouched"
like "$(cat "$TMP/err")" 'another postern-passwd' "and says why"
postern-passwd -f "$F" del alice 2>/dev/null
is "$? $(sum "$F" "$DB")" "111 $before" "del while locked: 111, files untouched"
postern-passwd -f "$F" make 2>/dev/null
is "$? $(sum "$F" "$DB")" "111 $before" "make while locked: 111, files untouched"
postern-passwd -f "$F" list >/dev/null
is "$?" 0 "list does not need the lock"
kill "$lockpid" 2>/dev/null
wait "$lockpid" 2>/dev/null
addpw "$F" newuser pw-new
is "$?" 0 "add works again once the lock is released"

# Modes and owners are kept.
chmod 640 "$F"
chmod 644 "$DB"
if isroot
then
  chown 1:2 "$F" "$DB"
fi
want=$(stat -c '%a %u %g' "$F" "$DB")
setpw newuser pw-new2
is "$(stat -c '%a %u %g' "$F" "$DB")" "$want" "set keeps the files' modes and owners"
rm -f "$DB"
postern-passwd -f "$F" make
is "$(stat -c '%a %u %g' "$DB")" "$(stat -c '%a %u %g' "$F")" "a new cdb takes the text file's mode and owner"

# From a terminal: no echo, asked twice.
tty()
{
  python3 - "$@" <<'PY'
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
def until(s, n):
    global out
    end = time.time() + 30
    while out.count(s) < n and time.time() < end:
        try:
            b = os.read(fd, 1024)
        except OSError:
            break
        if not b:
            break
        out += b
for n, answer in enumerate(os.environ["T_ANSWERS"].split(",")):
    until(b": ", n + 1)
    out += b"|"
    os.write(fd, answer.encode() + b"\n")
end = time.time() + 30
while time.time() < end:
    try:
        b = os.read(fd, 1024)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
sys.stdout.write("status %d\n" % os.waitstatus_to_exitcode(st))
PY
}
out=$(T_ANSWERS=tty-pw,tty-pw tty postern-passwd -f "$F" add ttyuser)
like "$out" 'status 0' "a terminal: add asks twice and succeeds"
like "$out" 'Password: \|' "it prompts for the password"
like "$out" 'Again: \|' "and asks again"
unlike "$out" 'tty-pw' "the password is not echoed"
is "$(pw ttyuser tty-pw)" 0 "the typed password works"
before=$(sum "$F" "$DB")
out=$(T_ANSWERS=one,two tty postern-passwd -f "$F" set ttyuser)
like "$out" 'status 1' "a terminal: two different passwords are refused"
like "$out" 'do not match' "and it says so"
is "$(sum "$F" "$DB")" "$before" "files untouched"
out=$(T_ANSWERS=tty-pw tty postern-passwd -f "$F" check ttyuser)
like "$out" 'status 0' "a terminal: check asks once"

# The example file parses, and its users are locked.
cp "$(dirname "$0")/../conf/passwd.example" "$TMP/example"
postern-passwd -f "$TMP/example" make
is "$?" 0 "conf/passwd.example compiles"
is "$(postern-passwd -f "$TMP/example" list | cut -d: -f1 | tr '\n' ' ')" "alice bob@example.org carol " "it lists its example users"
creds alice example-alice >"$TMP/c"
is "$(cpw "$TMP/c" -f "$TMP/example.cdb" -a "$ACCT" -u 0 true)" 1 "its users are locked"

# Usage.
postern-passwd -f "$F" 2>/dev/null
is "$?" 100 "no command is a usage error"
postern-passwd -f "$F" frobnicate x 2>/dev/null
is "$?" 100 "an unknown command is a usage error"
postern-passwd -f "$F" add 2>/dev/null
is "$?" 100 "add without a user is a usage error"
postern-passwd -f "$F" list extra 2>/dev/null
is "$?" 100 "list with an argument is a usage error"
echo x | postern-passwd -f "$F" -m md5crypt add newuser2 2>/dev/null
is "$?" 100 "an unknown method is a usage error"
postern-passwd -f "$TMP/absent" list 2>/dev/null
is "$?" 111 "list of a missing file exits 111"

done_testing
