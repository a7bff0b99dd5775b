#!/bin/sh
# postern-checkpw without -f: system accounts through getpwnam, getspnam
# and crypt(3).  Needs root to make accounts; else only the refusals that
# need none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-pw-lib.sh"

mkout
# ck USER PW [options] (pn-t-pw-lib.sh): postern-checkpw's status; the
# report in $OUT/r.

is "$(ck "nosuchuser$$" x)" 1 "an unknown user exits 1"
is "$(ck root x)" 1 "root with a wrong password exits 1"
is "$(ck 'a:b' x)" 1 "a name that cannot be an account exits 1"
is "$(ck "$(id -un)" '')" 1 "an empty password exits 1"

if ! isroot
then
  skip "system accounts" "the test does not run as root (it creates accounts)"
  done_testing
fi

U=pnt$$s
Z=pnt$$z
G=pnt$$g
{ mkgroup "$G" && mkuser "$U" "$TMP/hu" "$G" && mkuser "$Z" "$TMP/hz"; } || bail "cannot create the test accounts"
UUID=$(id -u "$U")
UGID=$(id -g "$U")

# Hashes of each method, made by postern-passwd, set with usermod -p.
F=$TMP/passwd
addpw "$F" y pw-yescrypt -m yescrypt
addpw "$F" s pw-sha512 -m sha512crypt
addpw "$F" b pw-bcrypt -m bcrypt
hash()
{
  sed -n "s/^$1:\\([^:]*\\).*/\\1/p" "$F"
}
for m in y:pw-yescrypt:yescrypt s:pw-sha512:sha512crypt b:pw-bcrypt:bcrypt
do
  k=${m%%:*}
  rest=${m#*:}
  p=${rest%%:*}
  name=${rest#*:}
  usermod -p "$(hash "$k")" "$U"
  is "$(ck "$U" "$p")" 0 "$name in /etc/shadow: the right password runs the session"
  is "$(ck "$U" "$p-")" 1 "$name in /etc/shadow: a wrong password exits 1"
done

is "$(ck "$U" pw-bcrypt)" 0 "(the session)"
is "$(report_ids "$OUT/r")" "$UUID $UUID $UGID $UGID" "it runs as the account"
is "$(report_get "$OUT/r" groups | numsort)" "$(id -G "$U" | numsort)" "with exactly the account's groups"
like "$(report_get "$OUT/r" groups)" "$(getent group "$G" | cut -d: -f3)" "its supplementary group included"
unlike " $(report_get "$OUT/r" groups) " ' 0 ' "root's group dropped"
env=$(report_get "$OUT/r" env)
like "$env" "^USER=$U\$" "USER is the login name"
like "$env" "^HOME=$TMP/hu\$" "HOME the account's"
like "$env" '^SHELL=/bin/sh$' "SHELL the account's"
unlike "$env" '^SMTPSENDERS=' "no SMTPSENDERS"
is "$(report_get "$OUT/r" cwd)" "$TMP/hu" "the session starts in HOME"
is "$(ck "$U" pw-bcrypt -u "$((UUID + 1))")" 1 "a uid below -u never authenticates"
like "$(cat "$TMP/cpw.err")" 'reason=minuid' "and is logged so"

# Locked and expired accounts never authenticate, even with the right
# password.
usermod -L "$U"
is "$(ck "$U" pw-bcrypt)" 1 "a locked account (usermod -L) exits 1"
like "$(cat "$TMP/cpw.err")" 'reason=locked' "and is logged so"
usermod -U "$U"
is "$(ck "$U" pw-bcrypt)" 0 "unlocked again, it works"
usermod -p '*' "$U"
is "$(ck "$U" '*')" 1 "a hash of * exits 1"
usermod -p '' "$U"
is "$(ck "$U" x)" 1 "an empty hash exits 1"
usermod -p "$(hash b)" "$U"
chage -E 2000-01-01 "$U"
is "$(ck "$U" pw-bcrypt)" 1 "an expired account exits 1"
like "$(cat "$TMP/cpw.err")" 'reason=expired' "and is logged so"
chage -E -1 -d 0 "$U"
is "$(ck "$U" pw-bcrypt)" 1 "a password that must be changed exits 1"
chage -d 2000-01-01 -M 30 "$U"
is "$(ck "$U" pw-bcrypt)" 1 "an aged-out password exits 1"
chage -d "$(date +%Y-%m-%d)" -M 99999 "$U"
is "$(ck "$U" pw-bcrypt)" 0 "a current password works"

# A second account of uid 0.
R=pnt$$r
if pnt_retry useradd -M -o -u 0 -g 0 -d "$TMP" "$R"
then
  PNT_USERS="$PNT_USERS $R"
  usermod -p "$(hash y)" "$R"
  is "$(ck "$R" pw-yescrypt)" 1 "an account of uid 0 never authenticates"
  like "$(cat "$TMP/cpw.err")" 'reason=minuid' "and is logged so"
  ok "no session ran" test ! -e "$OUT/r"
else
  skip "uid 0 account" "useradd -o -u 0 failed"
fi

# An account that is a supplementary member of group 0 (root's): its
# session would keep gid 0 in its groups, so it is refused as a primary
# gid of 0 is (111), with or without -f, and nothing runs.
W=pnt$$w
if mkuser "$W" "$TMP/hw" root
then
  usermod -p "$(hash y)" "$W"
  is "$(ck "$W" pw-yescrypt)" 111 "an account in group 0 (supplementary): 111"
  ok "no session ran" test ! -e "$OUT/r"
  like "$(cat "$TMP/cpw.err")" "fatal: .*account $W.*member of group 0" "and the log says why"
  addpw "$TMP/wpw" carol pw-carol -m sha512crypt -a "$W"
  addpw "$TMP/wpw" dave pw-dave -m sha512crypt
  is "$(ck carol pw-carol -f "$TMP/wpw.cdb")" 111 "with -f, a record naming that account: 111"
  ok "no session ran" test ! -e "$OUT/r"
  like "$(cat "$TMP/cpw.err")" "account $W.*member of group 0" "and the log says why"
  is "$(ck dave pw-dave -f "$TMP/wpw.cdb" -a "$W")" 111 "with -f and -a naming that account: 111"
  ok "no session ran" test ! -e "$OUT/r"
  is "$(ck dave pw-dave -f "$TMP/wpw.cdb" -a "$U")" 0 "(the same record with -a naming another account runs)"
else
  skip "an account in group 0" "useradd -G root failed"
fi

# Not root: /etc/shadow cannot be read, which is a temporary failure.
usermod -p "$(hash y)" "$Z"
creds "$U" pw-bcrypt >"$TMP/c"
setpriv --reuid="$Z" --regid="$Z" --init-groups postern-checkpw pn-t-report "$OUT/r" 3<"$TMP/c" </dev/null >/dev/null 2>"$TMP/err"
is "$?" 111 "not root and no access to /etc/shadow: 111, not 1"
like "$(cat "$TMP/err")" 'shadow' "and says why"

done_testing
