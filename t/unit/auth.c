/* ISC license: see LICENSE. */

/*
 * Unit tests of pn_auth, printing TAP: AUTH PLAIN and LOGIN responses
 * to the fd 3 record, every rule of DESIGN.md's "The front's dialogue"
 * (two NULs, empty fields, authzid, NUL in a LOGIN field, "*", "=",
 * bad base64, the 512-byte record), their replies and log words.  Run
 * by t/16-auth-units.t.
 */

#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/pn_auth.h"
#include "lib/pn_b64.h"
#include "lib/pn_limits.h"
#include "lib/pn_reply.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

static char rec[PN_FD3_MAX];
static char dec[PN_AUTH_DECODED_MAX];
static char dec2[PN_AUTH_DECODED_MAX];
static char b64[PN_AUTHLINE_MAX];
static char b64b[PN_AUTHLINE_MAX];
static char big[PN_AUTH_DECODED_MAX];

static int replyis(unsigned int st, char const *line)
{
  pn_rdef const *r = pn_replies + pn_auth_reply(st);
  return r->len >= 12 && !memcmp(r->line, line, 12);
}

static void test_statuses(void)
{
  result(pn_auth_reply(PN_AUTH_OK) == PN_R_NONE && !strcmp(pn_auth_why(PN_AUTH_OK), "ok"), "OK: no reply");
  result(replyis(PN_AUTH_CANCEL, "501 5.7.0 Au") && !strcmp(pn_auth_why(PN_AUTH_CANCEL), "cancel"), "cancel: 501 5.7.0, reason=cancel");
  result(replyis(PN_AUTH_BASE64, "501 5.5.2 In") && !strcmp(pn_auth_why(PN_AUTH_BASE64), "base64"), "bad base64: 501 5.5.2, reason=base64");
  result(replyis(PN_AUTH_SYNTAX, "501 5.5.2 In") && !strcmp(pn_auth_why(PN_AUTH_SYNTAX), "syntax"), "bad form: 501 5.5.2, reason=syntax");
  result(replyis(PN_AUTH_AUTHZID, "535 5.7.8 Au") && !strcmp(pn_auth_why(PN_AUTH_AUTHZID), "authzid"), "authzid: 535 5.7.8, reason=authzid");
  result(replyis(PN_AUTH_TOOLONG, "535 5.7.8 Au") && !strcmp(pn_auth_why(PN_AUTH_TOOLONG), "toolong"), "record too long: 535 5.7.8, reason=toolong");
}

static void test_response(void)
{
  size_t len = 99;
  result(pn_auth_response(dec, sizeof(dec), &len, S("*")) == PN_AUTH_CANCEL, "\"*\" cancels");
  result(pn_auth_response(dec, sizeof(dec), &len, S("=")) == PN_AUTH_OK && !len, "\"=\" is an empty response");
  result(pn_auth_response(dec, sizeof(dec), &len, S("dXNlcg==")) == PN_AUTH_OK && len == 4 && !memcmp(dec, "user", 4), "base64 decodes");
  result(pn_auth_response(dec, sizeof(dec), &len, S("dXNlcg=")) == PN_AUTH_BASE64, "a length not a multiple of 4: base64");
  result(pn_auth_response(dec, sizeof(dec), &len, S("dXNlch==")) == PN_AUTH_BASE64, "non-zero padding bits: base64");
  result(pn_auth_response(dec, sizeof(dec), &len, S("dX Nl")) == PN_AUTH_BASE64, "a character outside the alphabet: base64");
  result(pn_auth_response(dec, sizeof(dec), &len, S("**")) == PN_AUTH_BASE64, "\"**\" is not a cancel");
  result(pn_auth_response(dec, sizeof(dec), &len, S("")) == PN_AUTH_OK && !len, "an empty line decodes to nothing");
  result(pn_auth_response(dec, 3, &len, S("dXNlcg==")) == PN_AUTH_BASE64, "no room: base64, not an overflow");
}

static int credis(pn_authcred const *c, char const *u, size_t ul, char const *p, size_t pl)
{
  return c->ulen == ul && !memcmp(c->user, u, ul) && c->pwlen == pl && !memcmp(c->pw, p, pl);
}

static void test_plain_split(void)
{
  pn_authcred c = PN_AUTHCRED_ZERO;
  result(pn_auth_plain_split(S("\0user\0pass"), &c) == PN_AUTH_OK && credis(&c, S("user"), S("pass")), "PLAIN without authzid");
  result(pn_auth_plain_split(S("user\0user\0pass"), &c) == PN_AUTH_OK && credis(&c, S("user"), S("pass")), "PLAIN with authzid = authcid");
  result(pn_auth_plain_split(S("other\0user\0pass"), &c) == PN_AUTH_AUTHZID && c.ulen == 4 && !memcmp(c.user, "user", 4), "another authzid: 535, the authcid kept for the log");
  result(pn_auth_plain_split(S("use\0user\0pass"), &c) == PN_AUTH_AUTHZID, "an authzid that is a prefix of the authcid");
  result(pn_auth_plain_split(S("userx\0user\0pass"), &c) == PN_AUTH_AUTHZID, "an authzid that the authcid is a prefix of");
  result(pn_auth_plain_split(S("\0\0pass"), &c) == PN_AUTH_SYNTAX, "empty authcid: syntax");
  result(pn_auth_plain_split(S("\0user\0"), &c) == PN_AUTH_SYNTAX, "empty password: syntax");
  result(pn_auth_plain_split(S("user\0pass"), &c) == PN_AUTH_SYNTAX, "one NUL: syntax");
  result(pn_auth_plain_split(S("\0user\0pa\0ss"), &c) == PN_AUTH_SYNTAX, "three NULs: syntax");
  result(pn_auth_plain_split(S("\0user\0pass\0"), &c) == PN_AUTH_SYNTAX, "a trailing NUL: syntax");
  result(pn_auth_plain_split(S(""), &c) == PN_AUTH_SYNTAX, "empty message: syntax");
  result(pn_auth_plain_split(S("\0\0"), &c) == PN_AUTH_SYNTAX, "two NULs only: syntax");
  result(pn_auth_plain_split(S("\0u\0\xff"), &c) == PN_AUTH_OK && credis(&c, S("u"), S("\xff")), "8-bit bytes are the verifier's business");
}

static void test_login_field(void)
{
  result(pn_auth_login_field(S("user")) == PN_AUTH_OK, "LOGIN field");
  result(pn_auth_login_field(S("")) == PN_AUTH_SYNTAX, "empty LOGIN field: syntax");
  result(pn_auth_login_field(S("us\0er")) == PN_AUTH_SYNTAX, "a NUL in a LOGIN field: syntax");
  result(pn_auth_login_field(S("user\0")) == PN_AUTH_SYNTAX, "a trailing NUL in a LOGIN field: syntax");
}

static void test_record(void)
{
  pn_authcred c = PN_AUTHCRED_ZERO;
  size_t len = 99;
  memset(big, 'x', sizeof(big));
  c.user = "user"; c.ulen = 4; c.pw = "pass"; c.pwlen = 4;
  result(pn_auth_record(rec, &len, &c) == PN_AUTH_OK && len == 11 && !memcmp(rec, "user\0pass\0\0", 11), "record: user NUL password NUL NUL");
  c.user = big; c.ulen = 254; c.pw = big; c.pwlen = PN_FD3_MAX - 3 - 254;
  result(pn_auth_record(rec, &len, &c) == PN_AUTH_OK && len == PN_FD3_MAX && !rec[PN_FD3_MAX - 1], "a record of exactly 512 bytes");
  c.pwlen++;
  result(pn_auth_record(rec, &len, &c) == PN_AUTH_TOOLONG && !len, "513 bytes: toolong");
  c.ulen = 1; c.pwlen = (size_t)-2;
  result(pn_auth_record(rec, &len, &c) == PN_AUTH_TOOLONG, "lengths that would wrap: toolong");
}

/* base64 of s into b (PN_AUTHLINE_MAX room); its length */
static size_t enc(char *b, char const *s, size_t len)
{
  return pn_b64_encode(b, s, len);
}

static void test_plain(void)
{
  pn_authcred c = PN_AUTHCRED_ZERO;
  size_t len;
  size_t e = enc(b64, S("\0user\0pass"));
  result(pn_auth_plain(rec, &len, dec, sizeof(dec), &c, b64, e) == PN_AUTH_OK && len == 11 && !memcmp(rec, "user\0pass\0\0", 11), "PLAIN: base64 to the record");
  result(pn_auth_plain(rec, &len, dec, sizeof(dec), &c, S("*")) == PN_AUTH_CANCEL, "PLAIN: * cancels");
  result(pn_auth_plain(rec, &len, dec, sizeof(dec), &c, S("=")) == PN_AUTH_SYNTAX, "PLAIN: = is an empty message: syntax");
  result(pn_auth_plain(rec, &len, dec, sizeof(dec), &c, S("AHVzZXIAcGFzcw")) == PN_AUTH_BASE64, "PLAIN: no padding: base64");
  e = enc(b64, S("x\0user\0pass"));
  result(pn_auth_plain(rec, &len, dec, sizeof(dec), &c, b64, e) == PN_AUTH_AUTHZID && !len, "PLAIN: authzid, no record");
  memset(big, 'p', sizeof(big));
  big[0] = 0; big[1] = 'u'; big[2] = 0;
  e = enc(b64, big, 3 + PN_FD3_MAX - 4);
  result(pn_auth_plain(rec, &len, dec, sizeof(dec), &c, b64, e) == PN_AUTH_OK && len == PN_FD3_MAX, "PLAIN: 512 bytes on fd 3");
  e = enc(b64, big, 3 + PN_FD3_MAX - 3);
  result(pn_auth_plain(rec, &len, dec, sizeof(dec), &c, b64, e) == PN_AUTH_TOOLONG && !len, "PLAIN: 513 bytes on fd 3: toolong");
  e = enc(b64, big, PN_AUTH_DECODED_MAX - 3);
  result(e <= PN_AUTHLINE_MAX - 2 && pn_auth_plain(rec, &len, dec, sizeof(dec), &c, b64, e) == PN_AUTH_TOOLONG, "PLAIN: the longest response line: toolong, not base64");
}

static void test_login(void)
{
  pn_authcred c = PN_AUTHCRED_ZERO;
  size_t len;
  size_t eu = enc(b64, S("user"));
  size_t ep = enc(b64b, S("pass"));
  result(pn_auth_login(rec, &len, dec, dec2, sizeof(dec), &c, b64, eu, b64b, ep) == PN_AUTH_OK && len == 11 && !memcmp(rec, "user\0pass\0\0", 11), "LOGIN: two responses to the record");
  result(pn_auth_login(rec, &len, dec, dec2, sizeof(dec), &c, S("*"), b64b, ep) == PN_AUTH_CANCEL, "LOGIN: * for the user name cancels");
  c.ulen = 0;
  result(pn_auth_login(rec, &len, dec, dec2, sizeof(dec), &c, b64, eu, S("*")) == PN_AUTH_CANCEL && c.ulen == 4, "LOGIN: * for the password cancels, the user kept for the log");
  result(pn_auth_login(rec, &len, dec, dec2, sizeof(dec), &c, S("="), S("*")) == PN_AUTH_SYNTAX, "LOGIN: empty user name: syntax, before the password");
  result(pn_auth_login(rec, &len, dec, dec2, sizeof(dec), &c, b64, eu, S("=")) == PN_AUTH_SYNTAX, "LOGIN: empty password: syntax");
  ep = enc(b64b, S("pa\0ss"));
  result(pn_auth_login(rec, &len, dec, dec2, sizeof(dec), &c, b64, eu, b64b, ep) == PN_AUTH_SYNTAX, "LOGIN: NUL in the password: syntax");
  result(pn_auth_login(rec, &len, dec, dec2, sizeof(dec), &c, S("dXNlcg"), S("*")) == PN_AUTH_BASE64, "LOGIN: bad base64 for the user name");
  c.user = ""; c.ulen = 0;
  result(pn_auth_login_user(dec, sizeof(dec), &c, S("=")) == PN_AUTH_SYNTAX && !c.ulen, "LOGIN step 1: a refused user name leaves the credentials alone");
  result(pn_auth_login_user(dec, sizeof(dec), &c, b64, eu) == PN_AUTH_OK && c.user == dec && c.ulen == 4, "LOGIN step 1: the user name");
  result(pn_auth_login_pass(rec, &len, dec2, sizeof(dec2), &c, S("cGFzcw==")) == PN_AUTH_OK && len == 11 && !memcmp(rec, "user\0pass\0\0", 11), "LOGIN step 2: the password, then the record");
  memset(big, 'p', sizeof(big));
  ep = enc(b64b, big, PN_FD3_MAX - 3 - 4 + 1);
  result(pn_auth_login(rec, &len, dec, dec2, sizeof(dec), &c, b64, eu, b64b, ep) == PN_AUTH_TOOLONG && !len, "LOGIN: 513 bytes on fd 3: toolong");
}

int main(void)
{
  test_statuses();
  test_response();
  test_plain_split();
  test_login_field();
  test_record();
  test_plain();
  test_login();
  plan();
  return failed ? 1 : 0;
}
