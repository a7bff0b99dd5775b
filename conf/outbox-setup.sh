#!/bin/sh
# conf/outbox-setup.sh: makes what the examples in conf/ expect, as root,
# and changes nothing that is already there:
#
#   ACCOUNT (vmail)   a system account without login for the sessions of
#                     users without their own account field; its home is
#                     the spool directory.
#   SPOOL             /var/spool/postern, root:ACCOUNT 0750: the account's
#                     home, where postern-checkpw changes directory.
#   SPOOL/outbox      the Maildir postern-queue -m delivers into:
#                     tmp/, new/, cur/, owned by ACCOUNT, mode 0700.
#   ETC               /etc/postern, root 0755: passwd (0600, empty) and
#                     its compiled passwd.cdb, and tcp.rules (conf/tcp.rules)
#                     compiled to tcp.cdb, when tcprules is installed.
#   FAILDIR           /var/lib/postern/authfail, root 0700: for
#                     AUTHFAILDIR (the front runs as root; with RUNAS,
#                     chown it to that account).
#
# Variables: ACCOUNT SPOOL ETC FAILDIR BIN (where postern-passwd is; default
# /usr/local/bin).  See doc/deploying.md.
set -eu

ACCOUNT=${ACCOUNT:-vmail}
SPOOL=${SPOOL:-/var/spool/postern}
ETC=${ETC:-/etc/postern}
FAILDIR=${FAILDIR:-/var/lib/postern/authfail}
BIN=${BIN:-/usr/local/bin}
here=$(dirname "$0")

if [ "$(id -u)" -ne 0 ]
then
  echo "outbox-setup.sh: fatal: run it as root" >&2
  exit 100
fi

if ! getent passwd "$ACCOUNT" >/dev/null
then
  useradd --system --user-group --home-dir "$SPOOL" --no-create-home \
    --shell /usr/sbin/nologin --comment "postern sessions" "$ACCOUNT"
  echo "outbox-setup.sh: created the account $ACCOUNT"
fi
group=$(id -gn "$ACCOUNT")

mkdir -p "$SPOOL"
chown "root:$group" "$SPOOL"
chmod 0750 "$SPOOL"
for d in "$SPOOL/outbox" "$SPOOL/outbox/tmp" "$SPOOL/outbox/new" "$SPOOL/outbox/cur"
do
  mkdir -p "$d"
  chown "$ACCOUNT:$group" "$d"
  chmod 0700 "$d"
done

mkdir -p "$FAILDIR"
chmod 0700 "$FAILDIR"

mkdir -p "$ETC"
chmod 0755 "$ETC"
if [ ! -e "$ETC/passwd" ]
then
  ( umask 077 && : > "$ETC/passwd" )
  "$BIN/postern-passwd" -f "$ETC/passwd" make
  echo "outbox-setup.sh: created $ETC/passwd; add users with: postern-passwd add USER"
fi
if [ ! -e "$ETC/tcp.rules" ] && [ -e "$here/tcp.rules" ] && command -v tcprules >/dev/null 2>&1
then
  cp "$here/tcp.rules" "$ETC/tcp.rules"
  tcprules "$ETC/tcp.cdb" "$ETC/tcp.tmp" < "$ETC/tcp.rules"
  echo "outbox-setup.sh: created $ETC/tcp.rules and $ETC/tcp.cdb"
fi
echo "outbox-setup.sh: outbox $SPOOL/outbox, owned by $ACCOUNT"
