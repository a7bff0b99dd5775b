#!/bin/sh
# Every literal block of README.md, doc/*.md and the man pages is either
# an example that runs as written here, or says why it cannot.  The
# mark, on the line just before the block:
#   markdown:  <!-- example WORD... -->      then a ``` block
#              <!-- not-run: REASON -->
#   mdoc:      .\" example WORD...           then .Bd -literal ... .Ed,
#                                            or a .Dl line
#              .\" not-run: REASON
# A block without a mark fails the test, and so does a raw backslash in a
# man page's block (write \e, else the rendered page loses it).  The
# blocks not run, each with its reason, are listed as TAP comments.
#
# WORDs, where a block runs:
#   root, user   in a scratch directory as root, and as an unprivileged
#                account (its own scratch directory and home), with the
#                programs in PATH as after make install
#   deployed     as root, on the layout conf/outbox-setup.sh makes: the
#                paths /usr/local/bin, /etc/postern, /var/spool/postern,
#                /var/lib/postern and the account vmail stand for a
#                scratch copy of it (the user alice has the password
#                "secret"); /etc/letsencrypt/live/NAME/ for a directory
#                with a self-signed fullchain.pem and privkey.pem
#   fresh        (deployed) the block gets its own copy of /etc/postern
#   empty        (deployed) its own /etc/postern, with no user yet
#   tree         as from the top of the source tree: build/ stands for
#                the build directory, conf/ is the tree's
#   listen       (deployed) the block is a server (tcpserver 0 587 ...,
#                systemd-socket-activate -l ADDR:PORT ...), moved to a
#                free port on 127.0.0.1: swaks must get a message from
#                alice through it into the outbox (STARTTLS when the
#                block runs postern-tls, TLS on connect with its -i;
#                behind postern-proxy, each -t ADDR stands for 127.0.0.1
#                and swaks sends a PROXY v2 header for a loopback client)
#   tail         (root) each line of the block is the end of a chain,
#                what follows postern-checkpw: it is run with
#                SMTPAUTHUSER=alice USER=alice and a transaction from
#                alice on its input, which must get 250 2.0.0
#   relay        (listen, tail) the server hands off to exim's sendmail -bs,
#                -odq added so that exim only queues: the message must
#                be in exim's queue (it is removed from it)
#   client       (deployed) the block is a client of the deployed chain,
#                which listens on a free port standing for 127.0.0.1:587;
#                a message must arrive in the outbox
#   tty          the block's standard input, output and error are a
#                terminal; each password prompt is answered "secret"
#   rules        the block is a tcprules(1) file: it must compile, and
#                its output is tcprulescheck's for an address of each
#                rule (a rule "192.168.1." is tried as 192.168.1.5)
#   pwfile       the block is a file in postern-passwd(5)'s format:
#                postern-passwd make must compile it; its output is
#                postern-passwd list's
#   redis        (deployed) 10.0.0.5:6379 (or redis-cli's default) stands
#                for a scratch Redis
#   pam          the PAM service postern stands for a scratch one
#                (/etc/pam.d/pn-t-62-PID, conf/pam/postern), the user
#                alice for a scratch system account (uid >= 1000) whose
#                password is "secret"
#   fixture=NAME made-up input before the block and a check after it:
#                the functions fx_NAME_before DIR and fx_NAME_after DIR
#                below
#   output       the block is what the example just before it prints
#                on its standard output (in its first way of running):
#                the same lines in a row, but for a line "..." (any
#                lines), CRs and the ids (id=...)
#   expect=ERE   the output must match ERE (no spaces in it: use
#                [[:space:]])
# A block must exit 0.  postern-passwd without -f, in any block, edits
# the block's own copy of /etc/postern, never the system's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/helpers/pn-t-deploy-lib.sh"

require_built "doc examples" postern-smtpd postern-checkpw postern-queue postern-passwd
TOP=$(cd "$(dirname "$0")/.." && pwd)
HELPERS=$TOP/t/helpers
mkdir -p "$TMP/ex"
python3 - "$TMP/ex" "$TOP"/README.md "$TOP"/doc/*.md "$TOP"/doc/*.[58] <<'PY'
import os, re, sys
out, files = sys.argv[1], sys.argv[2:]
n = 0
unmarked, bad, notrun = [], [], []
def unman(l):
    l = l.replace("\\e", "\x00").replace("\\&", "").replace("\\(aq", "'").replace("\\-", "-")
    return l.replace("\x00", "\\")
for f in files:
    rel = os.path.relpath(f, os.path.dirname(files[0]))
    man = not f.endswith(".md")
    lines = open(f, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        l = lines[i]
        if man:
            if re.match(r'^\.D[l1] ', l):
                j = i
            elif l.startswith(".Bd -literal"):
                j = i + 1
                while lines[j] != ".Ed": j += 1
            else:
                i += 1
                continue
            for k in range(i + 1, j):
                if re.search(r'\\(?![e&(\-"])', lines[k]):
                    bad.append("%s:%d: a raw backslash in a literal block (write \\e)" % (rel, k + 1))
            body = [unman(x) for x in lines[i + 1:j]] if j > i else [unman(l[4:])]
            prev = lines[i - 1]
            m = re.match(r'^\.\\" example (.*)$', prev)
            nr = re.match(r'^\.\\" not-run: \S', prev)
        else:
            mf = re.match(r'^(\s*)```', l)
            if not mf:
                i += 1
                continue
            ind = mf.group(1)
            j = i + 1
            while not lines[j].strip().startswith("```"): j += 1
            body = [x[len(ind):] if x.startswith(ind) else x for x in lines[i + 1:j]]
            prev = lines[i - 1].strip()
            m = re.match(r'^<!-- example (.*) -->$', prev)
            nr = re.match(r'^<!-- not-run: \S.* -->$', prev)
        where = "%s:%d" % (rel, i + 1)
        i = j + 1
        if nr:
            notrun.append("%s: %s" % (where, prev.split("not-run:", 1)[1].strip().rstrip("->").strip()))
            continue
        if not m:
            unmarked.append("%s: %s" % (where, body[0] if body else ""))
            continue
        n += 1
        base = os.path.join(out, "%02d" % n)
        open(base + ".sh", "w").write("\n".join(body) + "\n")
        open(base + ".opts", "w").write("\n".join(m.group(1).split()) + "\n")
        open(base + ".where", "w").write(where)
    # a mark must be followed by its block
    for k, l in enumerate(lines):
        s = l.strip()
        if re.match(r'^(<!-- (example |not-run:)|\.\\" (example |not-run:))', s):
            nxt = lines[k + 1].strip() if k + 1 < len(lines) else ""
            if not (nxt.startswith("```") or re.match(r'^\.(Bd -literal|D[l1] )', nxt)):
                bad.append("%s:%d: a mark without a block after it" % (rel, k + 1))
open(os.path.join(out, "unmarked"), "w").write("".join(x + "\n" for x in unmarked))
open(os.path.join(out, "bad"), "w").write("".join(x + "\n" for x in bad))
open(os.path.join(out, "notrun"), "w").write("".join(x + "\n" for x in notrun))
PY
[ -n "$(ls "$TMP"/ex/*.sh 2>/dev/null)" ] || bail "no example found"
is "$(cat "$TMP/ex/unmarked")" "" "every literal block is marked: example, or not-run with its reason"
is "$(cat "$TMP/ex/bad")" "" "every mark has its block; no raw backslash in a man page's block"
echo "# $(ls "$TMP"/ex/*.sh | wc -l) examples run; $(wc -l <"$TMP/ex/notrun") blocks not run:"
sed 's/^/#   /' "$TMP/ex/notrun"
ROOT=0
[ "$(id -u)" -eq 0 ] && ROOT=1

# The programs as after make install.  postern-passwd without -f edits
# $PN_T62_ETC/passwd (the block's own /etc/postern), never the system's.
SHIM=$TMP/shim
mkdir -p "$SHIM"
for p in "$PN_BIN"/postern-*
do
  [ "${p##*/}" = postern-passwd ] || ln -s "$p" "$SHIM/"
done
cat >"$SHIM/postern-passwd" <<EOF
#!/bin/sh
for a in "\$@"
do
  case \$a in -f|-f?*) exec "$PN_BIN/postern-passwd" "\$@" ;; esac
done
exec "$PN_BIN/postern-passwd" -f "\${PN_T62_ETC:?}/passwd" "\$@"
EOF
chmod 755 "$SHIM/postern-passwd"
PATH=$SHIM:$PATH
PN_T62_ETC=$TMP/no-etc
export PN_T62_ETC

# The deployed layout, once: outbox-setup.sh with scratch paths.
DEP=$TMP/dep
DACC=
deploy()
{
  [ -z "$DACC" ] || return 0
  DACC=pnfhx$$
  D_USERS="$D_USERS $DACC"
  mkdir -p "$DEP"
  ACCOUNT=$DACC SPOOL=$DEP/spool ETC=$DEP/etc FAILDIR=$DEP/lib/authfail BIN=$PN_BIN \
    sh "$CONF/outbox-setup.sh" >"$TMP/dep.out" 2>&1 || { cat "$TMP/dep.out"; bail "outbox-setup.sh failed"; }
  addpw "$DEP/etc/passwd" alice secret -m sha512crypt >/dev/null 2>&1 || bail "postern-passwd add"
  ln -s "$SHIM" "$DEP/bin"
  # a self-signed certificate for /etc/letsencrypt/live/NAME/
  mkdir -p "$DEP/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=mail.example.org -keyout "$DEP/tls/privkey.pem" -out "$DEP/tls/fullchain.pem" \
    >/dev/null 2>&1 || bail "openssl req"
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
# A scratch Redis, once: $RPORT.
RPORT=
redis()
{
  [ -z "$RPORT" ] || return 0
  RPORT=$(free_port)
  server_start redis "$RPORT" redis-server --port "$RPORT" --bind 127.0.0.1 --save '' \
    --appendonly no --dir "$TMP" || bail "redis-server did not start"
}

# The PAM service and system account, once.
PAMU=
PAMS=
pam_cleanup()
{
  [ -z "$PAMS" ] || rm -f "/etc/pam.d/$PAMS"
}
pam()
{
  [ -z "$PAMU" ] || return 0
  PAMU=pnfhp$$
  PAMS=pn-t-62-$$
  atexit pam_cleanup
  mkdir -p "$TMP/phome"
  i=0
  until useradd -M -d "$TMP/phome" -s /usr/sbin/nologin "$PAMU" >/dev/null 2>"$TMP/useradd.err"
  do
    i=$((i + 1))
    [ $i -lt 30 ] || bail "useradd: $(cat "$TMP/useradd.err")"
    sleep 1
  done
  D_USERS="$D_USERS $PAMU"
  chown "$PAMU:" "$TMP/phome"
  printf '%s:secret\n' "$PAMU" | chpasswd || bail "chpasswd"
  cp "$CONF/pam/postern" "/etc/pam.d/$PAMS" || bail "cannot write /etc/pam.d"
}

# subst FILE ETC: the deployed names in FILE replaced with the scratch
# ones, /etc/postern with ETC
subst()
{
  python3 - "$1" "$DEP" "$DACC" "$2" "${RPORT:-6379}" <<'PY'
import re, sys
f, dep, acc, etc, rport = sys.argv[1:]
s = open(f).read()
for old, new in (("/usr/local/bin/", dep + "/bin/"), ("/etc/postern", etc),
                 ("/var/spool/postern", dep + "/spool"), ("/var/lib/postern/", dep + "/lib/"),
                 ("vmail", acc), ("10.0.0.5:6379", "127.0.0.1:" + rport),
                 ("-h 10.0.0.5", "-h 127.0.0.1 -p " + rport)):
    s = s.replace(old, new)
s = re.sub(r"redis-cli (?!-h)", "redis-cli -p %s " % rport, s)
s = re.sub(r"/etc/letsencrypt/live/[^/ ]+/", dep + "/tls/", s)
open(f, "w").write(s)
PY
}

# prepare N MODE: $s, the block's directory, with example.sh in it
prepare()
{
  n=$1 mode=$2
  s=$TMP/ex/$n.$mode.d
  rm -rf "$s"
  mkdir -p "$s"
  chmod 755 "$s"
  cp "$TMP/ex/$n.sh" "$s/example.sh"
  etc=$TMP/no-etc
  case $mode in
    deployed)
      etc=$DEP/etc
      if has fresh || has empty
      then
        etc=$s/etc
        cp -a "$DEP/etc" "$etc"
        if has empty
        then
          : >"$etc/passwd"
          "$PN_BIN/postern-passwd" -f "$etc/passwd" make || bail "postern-passwd make"
        fi
      fi
      subst "$s/example.sh" "$etc" ;;
    tree)
      ln -s "$TOP/conf" "$s/conf"
      sed -i "s|build/|$PN_BIN/|g" "$s/example.sh" ;;
  esac
  if has pam
  then
    python3 - "$s/example.sh" "$PAMS" "$PAMU" <<'PY'
import re, sys
f, svc, user = sys.argv[1:]
s = open(f).read()
s = s.replace("/etc/pam.d/postern", "/etc/pam.d/" + svc).replace("-p postern", "-p " + svc)
s = re.sub(r"\balice\b", user, s)
open(f, "w").write(s)
PY
  fi
  PN_T62_ETC=$etc
  for fx in $fixtures
  do
    "fx_${fx}_before" "$s" || bail "$where: fixture $fx"
  done
  if has tail
  then
    rcpt=bob@example.org
    has relay && rcpt=postern-t62-$$-$n@example.invalid
    python3 - "$s/example.sh" "$rcpt" <<'PY'
import sys
f, rcpt = sys.argv[1:]
lines = [l for l in open(f).read().split("\n") if l.strip()]
tx = "MAIL FROM:<alice@example.org>\\r\\nRCPT TO:<%s>\\r\\nDATA\\r\\nSubject: t62\\r\\n\\r\\nhi\\r\\n.\\r\\nQUIT\\r\\n" % rcpt
out = ["set -e"]
for l in lines:
    if "/usr/sbin/sendmail -bs" in l:
        l = l.replace("/usr/sbin/sendmail -bs", "/usr/sbin/sendmail -bs -odq")
    out.append("printf '%s' | SMTPAUTHUSER=alice USER=alice %s | tr -d '\\r' | tee reply" % (tx, l))
    out.append("grep -q '^250 2\\.0\\.0 ' reply")
open(f, "w").write("\n".join(out) + "\n")
PY
  fi
  chmod 755 "$s/example.sh"
  [ "$mode" != user ] || [ "$ROOT" -eq 0 ] || chown -R "$UACC:" "$s"
}

# run_block N MODE: runs example N as root, user or deployed, in a
# process group of its own (removed after it, with anything left in
# the background); its output in $TMP/ex/N.MODE.out; its status
run_block()
{
  prepare "$1" "$2"
  out=$TMP/ex/$n.$mode.out
  cmd="sh ./example.sh"
  has tty && cmd="python3 $HELPERS/pn-t-pty.py secret sh ./example.sh"
  if [ "$mode" = user ] && [ "$ROOT" -eq 1 ]
  then
    timeout 60 setpriv --reuid="$UACC" --regid="$(id -g "$UACC")" --init-groups \
      env HOME="$TMP/uhome" USER="$UACC" PATH="$PATH" sh -c 'cd "$1" && shift && exec "$@"' sh "$s" $cmd \
      >"$out.1" 2>"$out.2" </dev/null &
  else
    timeout 60 sh -c 'cd "$1" && shift && exec "$@"' sh "$s" $cmd >"$out.1" 2>"$out.2" </dev/null &
  fi
  p=$!
  wait "$p"
  st=$?
  kill -KILL "-$p" 2>/dev/null
  cat "$out.1" "$out.2" >"$out"
  # the messages of a tail block in exim's queue: each found, then removed
  if has tail && has relay
  then
    eids=$(sed -n 's/^250 2\.0\.0 OK id=\([0-9A-Za-z]*-[0-9A-Za-z]*-[0-9A-Za-z]*\)$/\1/p' "$out.1")
    [ -n "$eids" ] || st=1
    for eid in $eids
    do
      exim4 -bp 2>/dev/null | grep -q "$eid" || st=1
      exim4 -Mrm "$eid" >/dev/null 2>&1
    done
  fi
  return $st
}

# listen_block N: the example as a server on a free port, a message
# from alice through it
listen_block()
{
  prepare "$1" deployed
  port=$(free_port)
  python3 - "$s/example.sh" "$port" <<'PY'
import re, sys
f, port = sys.argv[1:]
s = open(f).read()
s = re.sub(r"(tcpserver .*?)\b0 (587|465) ", r"\g<1>127.0.0.1 %s " % port, s, count=1)
s = re.sub(r"(systemd-socket-activate .*?-l )[^ ]+", r"\g<1>127.0.0.1:%s" % port, s, count=1)
s = s.replace("/usr/sbin/sendmail -bs", "/usr/sbin/sendmail -bs -odq")
open(f, "w").write(s)
PY
  grep -q "127\.0\.0\.1[: ]$port" "$s/example.sh" || { echo "# no server line found"; return 1; }
  tls=
  if grep -q 'postern-tls .*-i' "$s/example.sh"; then tls=--tls-on-connect
  elif grep -q 'postern-tls' "$s/example.sh"; then tls=--tls
  fi
  proxy=
  if grep -q 'postern-proxy' "$s/example.sh"
  then
    sed -i 's/-t [0-9][0-9./]*/-t 127.0.0.1/g' "$s/example.sh"
    proxy="--proxy-version 2 --proxy-family AF_INET --proxy-source 127.0.0.9 --proxy-source-port 40000 --proxy-dest 127.0.0.1 --proxy-dest-port 587"
  fi
  rcpt=bob@example.org
  has relay && rcpt=postern-t62-$$-$n@example.invalid
  before=$(ls "$DEP/spool/outbox/new" | wc -l)
  server_start "ex$n" "$port" sh -c 'cd "$1" && exec sh ./example.sh' sh "$s" \
    || { echo "# did not listen: $(cat "$TMP/ex$n.log")"; return 1; }
  user=alice
  has pam && user=$PAMU
  d_limit swaks --server "127.0.0.1:$port" $tls $proxy --auth PLAIN --auth-user "$user" --auth-password secret \
    --from alice@example.org --to "$rcpt" >"$TMP/ex/$n.deployed.out" 2>&1
  st=$?
  server_stop "ex$n"
  [ "$st" -eq 0 ] || return 1
  if has relay
  then
    eid=$(sed -n 's/^<-  250 2\.0\.0 OK id=\([^ ]*\)$/\1/p' "$TMP/ex/$n.deployed.out")
    [ -n "$eid" ] || return 1
    q=$(exim4 -bp 2>/dev/null)
    exim4 -Mrm "$eid" >/dev/null 2>&1
    printf '%s\n' "$q" | grep -q "$rcpt"
  else
    [ "$(ls "$DEP/spool/outbox/new" | wc -l)" -gt "$before" ]
  fi
}

# client_block N: the deployed chain on a free port for 127.0.0.1:587,
# the example as its client
client_block()
{
  prepare "$1" deployed
  port=$(free_port)
  d_subst "$s/example.sh" "127.0.0.1:587" "127.0.0.1:$port"
  before=$(ls "$DEP/spool/outbox/new" | wc -l)
  server_start "cl$n" "$port" tcpserver 127.0.0.1 "$port" "$SHIM/postern-smtpd" \
    "$SHIM/postern-checkpw" -f "$DEP/etc/passwd.cdb" -a "$DACC" \
    "$SHIM/postern-queue" -m "$DEP/spool/outbox" || { echo "# did not listen"; return 1; }
  cmd="sh ./example.sh"
  has tty && cmd="python3 $HELPERS/pn-t-pty.py secret sh ./example.sh"
  (cd "$s" && d_limit $cmd) >"$TMP/ex/$n.deployed.out" 2>&1 </dev/null
  st=$?
  server_stop "cl$n"
  [ "$st" -eq 0 ] && [ "$(ls "$DEP/spool/outbox/new" | wc -l)" -gt "$before" ]
}

# rules_block N: the example as a tcprules file
rules_block()
{
  prepare "$1" root
  (
    cd "$s" && tcprules rules.cdb rules.tmp <example.sh || exit 1
    sed -n 's/^\([0-9.]*\):.*/\1/p' example.sh | while read -r a
    do
      case $a in
        '') ip=10.9.9.9 ;;
        *.) ip=${a}5 ;;
        *) ip=$a ;;
      esac
      echo "== $ip"
      TCPREMOTEIP=$ip tcprulescheck rules.cdb
    done
  ) >"$TMP/ex/$n.root.out" 2>&1
}

# pwfile_block N: the example as a postern-passwd(5) file
pwfile_block()
{
  prepare "$1" root
  (
    cd "$s" && cp example.sh pw && postern-passwd -f pw make && postern-passwd -f pw list
  ) >"$TMP/ex/$n.root.out" 2>&1
}

# Fixtures: made-up input for a block, and what it must have done.
# doc/migrating.md's conversion of a user:password file.
fx_poppasswd_before()
{
  printf 'ann:s3cret:1001\nbob.smith:two words here:1002:x\n' >"$1/poppasswd"
  d_subst "$1/example.sh" /etc/poppasswd "$1/poppasswd"
}
fx_poppasswd_after()
{
  printf 's3cret\n' | postern-passwd -f "$PN_T62_ETC/passwd" check ann &&
  printf 'two words here\n' | postern-passwd -f "$PN_T62_ETC/passwd" check bob.smith &&
  [ "$(postern-passwd -f "$PN_T62_ETC/passwd" list)" = "ann:$DACC:
bob.smith:$DACC:" ]
}
# A password typed at the terminal: every user accepts "secret".
fx_typed_before() { :; }
fx_typed_after()
{
  users=$(postern-passwd -f "$PN_T62_ETC/passwd" list | cut -d: -f1)
  [ -n "$users" ] || return 1
  for u in $users
  do
    printf 'secret\n' | postern-passwd -f "$PN_T62_ETC/passwd" check "$u" || return 1
  done
}
# $password, as a script has it.
fx_password_before()
{
  { printf "password='s3cret with spaces'\n"; cat "$1/example.sh"; } >"$1/x" && mv "$1/x" "$1/example.sh"
}
fx_password_after()
{
  printf 's3cret with spaces\n' | postern-passwd -f "$PN_T62_ETC/passwd" check alice &&
  grep -q '^alice:\$6\$' "$PN_T62_ETC/passwd"
}
# A locked user: alice's password no longer works.
fx_locked_before() { :; }
fx_locked_after()
{
  ! printf 'secret\n' | postern-passwd -f "$PN_T62_ETC/passwd" check alice &&
  grep -q '^alice:!' "$PN_T62_ETC/passwd"
}
# A senders file to compile (deploying.md's), compiled after.
fx_senders_before()
{
  printf '# /etc/postern/senders: login:*:account:senders\nalice:*::alice@example.org\n' >"$PN_T62_ETC/senders"
}
fx_senders_after()
{
  [ -s "$PN_T62_ETC/senders.cdb" ] &&
  [ "$(postern-passwd -f "$PN_T62_ETC/senders" list)" = "alice::alice@example.org" ]
}
# A Maildir for /srv/mail/outbox, with a message after.
# The senders database of the PAM user (the pam word's alice), made
# before: postern-checkpw -p -s refuses a user with no line in it.
fx_pamsenders_before()
{
  printf '%s:*::alice@example.org\n' "$PAMU" >"$PN_T62_ETC/senders" &&
  postern-passwd -f "$PN_T62_ETC/senders" make >/dev/null 2>&1
}
fx_pamsenders_after()
{
  [ -s "$PN_T62_ETC/senders.cdb" ]
}
fx_srvmail_before()
{
  maildir "$1/srv"
  d_subst "$1/example.sh" /srv/mail/outbox "$1/srv"
}
fx_srvmail_after()
{
  [ "$(ls "$1/srv/new" | wc -l)" -eq 1 ]
}
# A failure record for 192.0.2.7, gone after.
fx_authfail_before()
{
  mkdir -p "$DEP/lib/authfail"
  echo "5 $(date +%s)" >"$DEP/lib/authfail/192.0.2.7"
}
fx_authfail_after()
{
  [ ! -e "$DEP/lib/authfail/192.0.2.7" ] && [ -d "$DEP/lib/authfail" ]
}

# A failure record for 192.0.2.7 in Redis, gone after.
fx_redisfail_before()
{
  redis-cli -p "$RPORT" set postern:authfail:192.0.2.7 "5 $(date +%s)" >/dev/null
}
fx_redisfail_after()
{
  [ "$(redis-cli -p "$RPORT" exists postern:authfail:192.0.2.7)" = 0 ]
}

# output_block N: the example as the output of the one before it
output_block()
{
  prev=$(printf '%02d' $((${1#0} - 1)))
  pm=$(sed -n 's/^\(root\|user\|deployed\|tree\)$/\1/p' "$TMP/ex/$prev.opts" | head -n 1)
  python3 - "$TMP/ex/$1.sh" "$TMP/ex/$prev.$pm.out.1" <<'PY'
import re, sys
want = open(sys.argv[1]).read().rstrip("\n").split("\n")
try:
    got = open(sys.argv[2], errors="replace").read()
except OSError:
    sys.exit("no output of the example before it")
norm = lambda t: re.sub(r"id=[^ \n]+", "id=ID", t.replace("\r", ""))
pat = "".join(".*\n" if l == "..." else re.escape(norm(l)) + "\n" for l in want)
if not re.search("(?:^|\n)" + pat, norm(got).rstrip("\n") + "\n", re.S):
    sys.stdout.write("# got:\n" + norm(got))
    sys.exit(1)
PY
}

has()
{
  case " $opts " in *" $1 "*) return 0 ;; esac
  return 1
}

for f in "$TMP"/ex/*.sh
do
  n=$(basename "$f" .sh)
  where=$(cat "$TMP/ex/$n.where")
  opts=$(cat "$TMP/ex/$n.opts" | tr '\n' ' ')
  expect=$(sed -n 's/^expect=//p' "$TMP/ex/$n.opts")
  fixtures=$(sed -n 's/^fixture=//p' "$TMP/ex/$n.opts")
  modes=
  need=
  for w in $opts
  do
    case $w in
      root|user|deployed|tree) modes="$modes $w" ;;
      listen|client|rules|pwfile|output) modes=$w ;;
      relay) need="$need exim4" ;;
      tty|fresh|empty|tail|expect=*) ;;
      redis) need="$need redis-server" ;;
      pam) need="$need root useradd chpasswd" ;;
      fixture=*) command -v "fx_${w#fixture=}_after" >/dev/null || bail "$where: no such fixture: $w" ;;
      *) bail "$where: unknown word in the example mark: $w" ;;
    esac
  done
  case $modes in
    *listen*|*client*|*deployed*) need="$need root" ;;
    output)
      prev=$(printf '%02d' $((${n#0} - 1)))
      if ! ls "$TMP/ex/$prev".*.out.1 >/dev/null 2>&1
      then
        skip "$where" "the example before it did not run"
        continue
      fi
      output_block "$n" >"$TMP/ex/$n.out" 2>&1
      st=$?
      t_result $st "$where: the output of the example before it"
      [ "$st" -eq 0 ] || sed 's/^/#   /' "$TMP/ex/$n.out"
      continue ;;
  esac
  case $modes in
    *listen*|*client*) need="$need swaks tcpserver" ;;
    *rules*) need="$need tcprules tcprulescheck" ;;
  esac
  grep -q systemd-socket-activate "$f" && need="$need systemd-socket-activate"
  missing=
  for p in $need
  do
    case $p in
      root) [ "$ROOT" -eq 1 ] || missing="$missing root" ;;
      *) d_have "$p" || missing="$missing $p" ;;
    esac
  done
  if [ -n "$missing" ]
  then
    skip "$where" "needs$missing"
    continue
  fi
  has redis && redis
  has pam && pam
  case $modes in
    *listen*|*client*)
      deploy
      "${modes# }_block" "$n"
      st=$?
      t_result $st "$where: $modes: a message through it"
      [ "$st" -eq 0 ] || sed 's/^/#   /' "$TMP/ex/$n.deployed.out" "$TMP/ex$n.log" 2>/dev/null
      m=deployed ;;
    rules|pwfile)
      "${modes}_block" "$n"
      st=$?
      is "$st" "0" "$where ($modes): compiles"
      [ "$st" -eq 0 ] || sed 's/^/#   /' "$TMP/ex/$n.root.out"
      m=root ;;
  esac
  case $modes in
    *listen*|*client*|rules|pwfile)
      [ -z "$expect" ] || like "$(cat "$TMP/ex/$n.$m.out")" "$expect" "$where ($modes): shows what the text says"
      for fx in $fixtures
      do
        ok "$where ($modes): fixture $fx" "fx_${fx}_after" "$s"
      done
      continue ;;
  esac
  for m in $modes
  do
    if [ "$m" = root ] && [ "$ROOT" -eq 0 ]
    then
      skip "$where (root)" "needs root"
      continue
    fi
    [ "$m" = user ] && [ "$ROOT" -eq 1 ] && mkuser
    [ "$m" != deployed ] || deploy
    run_block "$n" "$m"
    st=$?
    is "$st" "0" "$where ($m): exits 0"
    [ "$st" -eq 0 ] || sed 's/^/#   /' "$TMP/ex/$n.$m.out"
    [ -z "$expect" ] || like "$(cat "$TMP/ex/$n.$m.out")" "$expect" "$where ($m): shows what the text says"
    for fx in $fixtures
    do
      ok "$where ($m): fixture $fx" "fx_${fx}_after" "$s"
    done
  done
done
done_testing
