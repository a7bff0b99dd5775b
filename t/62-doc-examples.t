#!/bin/sh
# Every example marked runnable in README.md, doc/*.md and the man pages
# runs as written.  The mark, on the line before the block:
#   markdown:  <!-- example WORD... -->      then a ``` block
#   mdoc:      .\" example WORD...           then .Bd -literal ... .Ed
# WORDs: "root", "user": run in a scratch directory as root, and as an
# unprivileged account (its own scratch directory and home), with the
# programs in PATH as after make install; "deployed": as root, on the
# layout conf/outbox-setup.sh makes (the paths /usr/local/bin,
# /etc/postern, /var/spool/postern and the account vmail stand for a
# scratch copy of it; the user alice has the password "secret");
# "listen": the block is a server (tcpserver 0 587 ...): it must take
# a message from alice through 127.0.0.1; "tree": run from the top of
# the source tree, build/ standing for the build directory;
# "expect=ERE": the output must match ERE (no spaces in it: use
# [[:space:]]).  A block must exit 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require_built "doc examples" postern-smtpd postern-checkpw postern-queue postern-passwd
TOP=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$TMP/ex"
python3 - "$TMP/ex" "$TOP"/README.md "$TOP"/doc/*.md "$TOP"/doc/*.[58] <<'PY'
import os, re, sys
out, files = sys.argv[1], sys.argv[2:]
n = 0
def unman(l):
    l = l.replace("\\e", "\x00").replace("\\&", "").replace("\\(aq", "'").replace("\\-", "-")
    return l.replace("\x00", "\\")
for f in files:
    lines = open(f, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r'^<!-- example (.*) -->$', lines[i]) or re.match(r'^\.\\" example (.*)$', lines[i])
        if not m:
            i += 1
            continue
        words = m.group(1).split()
        man = lines[i].startswith('.')
        i += 1
        if man:
            assert lines[i].startswith(".Bd -literal"), (f, i)
            j = i + 1
            while lines[j] != ".Ed": j += 1
            body = [unman(l) for l in lines[i + 1:j]]
        else:
            assert lines[i].startswith("```"), (f, i)
            j = i + 1
            while not lines[j].startswith("```"): j += 1
            body = lines[i + 1:j]
        n += 1
        base = os.path.join(out, "%02d" % n)
        open(base + ".sh", "w").write("\n".join(body) + "\n")
        open(base + ".opts", "w").write("\n".join(words) + "\n")
        open(base + ".where", "w").write("%s:%d" % (os.path.relpath(f, os.path.dirname(files[0])), i + 1))
        i = j + 1
PY
[ -n "$(ls "$TMP/ex")" ] || bail "no example found"
ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1

# The deployed layout, once: outbox-setup.sh with scratch paths.
DEP=$TMP/dep
deploy()
{
  [ -z "${DACC-}" ] || return 0
  DACC=pnfhx$$
  D_USERS="$D_USERS $DACC"
  ACCOUNT=$DACC SPOOL=$DEP/spool ETC=$DEP/etc FAILDIR=$DEP/authfail BIN=$PN_BIN \
    sh "$CONF/outbox-setup.sh" >"$TMP/dep.out" 2>&1 || { cat "$TMP/dep.out"; bail "outbox-setup.sh failed"; }
  addpw "$DEP/etc/passwd" alice secret -m sha512crypt >/dev/null 2>&1 || bail "postern-passwd add"
  mkdir -p "$DEP/bin"
  for p in "$PN_BIN"/postern-*; do ln -s "$p" "$DEP/bin/"; done
}
# The unprivileged account, once.
UACC=
mkuser()
{
  [ -z "$UACC" ] || return 0
  UACC=pnfh-u$$
  mkdir -p "$TMP/uhome"
  d_mkuser "$UACC" "$TMP/uhome" || bail "cannot create the test account"
  chown "$UACC:" "$TMP/uhome"
}

# run_block N MODE: runs example N as root, user or deployed; its output
# in $TMP/ex/N.MODE.out; its status
run_block()
{
  n=$1 mode=$2
  s=$TMP/ex/$n.$mode.d
  rm -rf "$s"; mkdir -p "$s"; chmod 755 "$s"
  cp "$TMP/ex/$n.sh" "$s/example.sh"
  case $mode in
    deployed)
      python3 - "$s/example.sh" "$DEP" "$DACC" <<'PY'
import sys
f, dep, acc = sys.argv[1:]
s = open(f).read()
for old, new in (("/usr/local/bin/", dep + "/bin/"), ("/etc/postern", dep + "/etc"),
                 ("/var/spool/postern", dep + "/spool"), ("vmail", acc)):
    s = s.replace(old, new)
open(f, "w").write(s)
PY
      ;;
    tree)
      sed -i "s|build/|$PN_BIN/|g" "$s/example.sh" ;;
  esac
  chmod 755 "$s/example.sh"
  if [ "$mode" = user ] && [ "$ROOT" -eq 1 ]
  then
    chown -R "$UACC:" "$s"
    (cd "$s" && d_limit setpriv --reuid="$UACC" --regid="$(id -g "$UACC")" --init-groups \
      env HOME="$TMP/uhome" USER="$UACC" PATH="$PATH" sh ./example.sh) >"$TMP/ex/$n.$mode.out" 2>&1 </dev/null
  else
    (cd "$s" && d_limit sh ./example.sh) >"$TMP/ex/$n.$mode.out" 2>&1 </dev/null
  fi
}

# listen_block N: the example as a server on a free port, a message
# through it
listen_block()
{
  n=$1
  s=$TMP/ex/$n.deployed.d
  run_prep=$(sed 's/tcpserver \(.*\)0 587 /tcpserver \1127.0.0.1 PORT /' "$TMP/ex/$n.sh")
  printf '%s\n' "$run_prep" >"$TMP/ex/$n.sh.l"
  mv "$TMP/ex/$n.sh.l" "$TMP/ex/$n.sh"
  rm -rf "$s"; mkdir -p "$s"
  cp "$TMP/ex/$n.sh" "$s/example.sh"
  python3 - "$s/example.sh" "$DEP" "$DACC" <<'PY'
import sys
f, dep, acc = sys.argv[1:]
s = open(f).read()
for old, new in (("/usr/local/bin/", dep + "/bin/"), ("/etc/postern", dep + "/etc"),
                 ("/var/spool/postern", dep + "/spool"), ("vmail", acc)):
    s = s.replace(old, new)
open(f, "w").write(s)
PY
  port=$(free_port)
  sed -i "s/ PORT / $port /" "$s/example.sh"
  before=$(ls "$DEP/spool/outbox/new" | wc -l)
  (cd "$s" && server_start "ex$n" "$port" sh ./example.sh) || { echo "# did not listen: $(cat "$TMP/ex$n.log")"; return 1; }
  d_limit swaks --server "127.0.0.1:$port" --auth PLAIN --auth-user alice --auth-password secret \
    --from alice@example.org --to bob@example.org >"$TMP/ex/$n.deployed.out" 2>&1
  st=$?
  server_stop "ex$n"
  [ "$st" -eq 0 ] && [ "$(ls "$DEP/spool/outbox/new" | wc -l)" -gt "$before" ]
}

for f in "$TMP"/ex/*.sh
do
  n=$(basename "$f" .sh)
  where=$(cat "$TMP/ex/$n.where")
  opts=$(cat "$TMP/ex/$n.opts")
  expect=$(printf '%s\n' "$opts" | sed -n 's/^expect=//p')
  modes=
  for w in $opts
  do
    case $w in
      root|user|deployed|tree|listen) modes="$modes $w" ;;
      expect=*) ;;
      *) bail "$where: unknown word in the example mark: $w" ;;
    esac
  done
  case " $modes " in
    *" listen "*)
      if [ "$ROOT" -eq 1 ] && d_have tcpserver swaks
      then
        deploy
        listen_block "$n"
        t_result $? "$where: the server takes a message"
        [ -s "$TMP/ex/$n.deployed.out" ] && grep -q '^<' "$TMP/ex/$n.deployed.out" || true
      else
        skip "$where" "needs root, tcpserver and swaks"
      fi
      continue ;;
  esac
  for m in $modes
  do
    case $m in
      deployed|root) [ "$ROOT" -eq 1 ] || { skip "$where ($m)" "needs root"; continue; } ;;
      user) [ "$ROOT" -eq 0 ] || mkuser ;;
    esac
    [ "$m" != deployed ] || deploy
    run_block "$n" "$m"
    st=$?
    is "$st" "0" "$where ($m): exits 0"
    [ "$st" -eq 0 ] || sed 's/^/#   /' "$TMP/ex/$n.$m.out"
    [ -z "$expect" ] || like "$(cat "$TMP/ex/$n.$m.out")" "$expect" "$where ($m): shows what the text says"
  done
done
done_testing
