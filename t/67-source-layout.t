#!/bin/sh
# The source's shape, as STYLE.md and issue 12 set it: no function over
# 60 lines and no file over 600 (scripts/check-size, tested here on
# made-up files first, then run over src/); and what each program links:
# the verifier has no password-file parser in it, the front no password
# database, hash, Maildir, relay or TLS code.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CS="$ROOT/scripts/check-size"

# --- the checker on made-up files ---
func()
{
  # func NAME BODYLINES: a function whose braces span BODYLINES + 2 lines
  printf 'static int %s(int x)\n{\n' "$1"
  i=0
  while [ $i -lt "$2" ]; do echo "  x++;"; i=$((i + 1)); done
  printf '  return x;\n}\n\n'
}
func short 57 >"$TMP/60.c"
func long 58 >"$TMP/61.c"
ok "a function of 60 lines passes" sh "$CS" "$TMP/60.c"
out=$(sh "$CS" "$TMP/61.c")
is "$out" "$TMP/61.c:2: long: 61 lines (max 60)" "a function of 61 lines fails, named with its line"
{
  func f 57
  printf 'static char const t[] =\n{\n'
  i=0; while [ $i -lt 70 ]; do echo "  'x',"; i=$((i + 1)); done
  printf '};\n'
  printf '/* {\n{ { {\n */\nstatic char const *s = "{{{{";\nstatic char c = '"'{'"';\n'
  func g 10
} >"$TMP/table.c"
ok "tables, and braces in comments, strings and characters, are not functions" sh "$CS" "$TMP/table.c"
i=0; while [ $i -lt 601 ]; do echo "/* $i */"; i=$((i + 1)); done >"$TMP/601.c"
is "$(sh "$CS" "$TMP/601.c")" "$TMP/601.c: 601 lines (max 600)" "a file of 601 lines fails"

# --- the tree ---
out=$(cd "$ROOT" && sh scripts/check-size 2>&1)
st=$?
t_result $st "src/: no function over 60 lines, no file over 600"
printf '%s\n' "$out" | sed 's/^/# /'

# --- what each program links ---
if command -v nm >/dev/null 2>&1 && [ -x "$PN_BIN/postern-checkpw" ] && [ -x "$PN_BIN/postern-smtpd" ]
then
  is "$(nm "$PN_BIN/postern-checkpw" | grep -E 'pn_pwfile_|pn_pwdb_parse|pn_pwdb_pack')" "" \
    "postern-checkpw links no password-file parser (pn_pwfile)"
  like "$(nm "$PN_BIN/postern-checkpw" | grep -c 'T pn_pwdb_unpack')" '^1$' "postern-checkpw links the record reader (pn_pwdb_unpack)"
  is "$(nm "$PN_BIN/postern-smtpd" | grep -E ' [TtDdBbRr] (pn_pwdb_|pn_pwfile_|pn_crypt_|pn_maildir_|pn_relay_|pn_addr_)')" "" \
    "postern-smtpd links no password database, hash, Maildir, relay or address parser"
  # libtls's entry points, defined (static) or undefined (dynamic): the
  # front's own static tls_setup is not one
  is "$(nm "$PN_BIN/postern-smtpd" | grep -E ' [A-Za-z] (pn_tls_|pn_tlskeys_|tls_(init|server|config_new|accept_fds|handshake)$)')" "" \
    "postern-smtpd links no TLS code (pn_tls, pn_tlskeys, libtls)"
  like "$(nm "$PN_BIN/postern-smtpd" | grep -c ' T pn_auth_\(plain\|login_user\|login_pass\)$')" '^3$' \
    "postern-smtpd decodes AUTH with pn_auth"
else
  skip "what each program links" "no nm, or the programs are not built"
fi

done_testing
