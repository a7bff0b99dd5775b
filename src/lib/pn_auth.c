/* ISC license: see LICENSE. */

/*
 * pn_auth: AUTH PLAIN (RFC 4616) and LOGIN responses to the fd 3
 * record.  The front (postern-smtpd) reads the lines and sends the 334
 * challenges; everything between a response's bytes and the record is
 * here, so that it can be tested and fuzzed without a session.
 */

#include <string.h>

#include "pn_auth.h"
#include "pn_b64.h"
#include "pn_reply.h"

static unsigned char const replies[PN_AUTH_N] =
{
  [PN_AUTH_OK] = PN_R_NONE,
  [PN_AUTH_CANCEL] = PN_R_AUTHCANCEL,
  [PN_AUTH_BASE64] = PN_R_AUTHB64,
  [PN_AUTH_SYNTAX] = PN_R_AUTHB64,
  [PN_AUTH_AUTHZID] = PN_R_AUTHFAIL,
  [PN_AUTH_TOOLONG] = PN_R_AUTHFAIL,
};

/* Fixed-size rows, no pointers: nothing to relocate at start. */
static char const whys[PN_AUTH_N][8] =
{
  [PN_AUTH_OK] = "ok",
  [PN_AUTH_CANCEL] = "cancel",
  [PN_AUTH_BASE64] = "base64",
  [PN_AUTH_SYNTAX] = "syntax",
  [PN_AUTH_AUTHZID] = "authzid",
  [PN_AUTH_TOOLONG] = "toolong",
};

unsigned int pn_auth_reply(unsigned int st)
{
  return st < PN_AUTH_N ? replies[st] : PN_R_AUTHB64;
}

char const *pn_auth_why(unsigned int st)
{
  return st < PN_AUTH_N ? whys[st] : "syntax";
}

unsigned int pn_auth_response(char *dst, size_t max, size_t *n, char const *s, size_t len)
{
  ssize_t r;
  *n = 0;
  if (len == 1 && s[0] == '*') return PN_AUTH_CANCEL;
  if (len == 1 && s[0] == '=') return PN_AUTH_OK;
  r = pn_b64_decode(dst, max, s, len);
  if (r < 0) return PN_AUTH_BASE64;
  *n = (size_t)r;
  return PN_AUTH_OK;
}

unsigned int pn_auth_plain_split(char const *msg, size_t len, pn_authcred *c)
{
  char const *end = msg + len;
  char const *z1 = memchr(msg, 0, len);
  char const *z2 = z1 ? memchr(z1 + 1, 0, (size_t)(end - z1 - 1)) : 0;
  size_t ulen;
  if (!z2 || memchr(z2 + 1, 0, (size_t)(end - z2 - 1)) || z2 == z1 + 1 || z2 + 1 == end)
    return PN_AUTH_SYNTAX;
  ulen = (size_t)(z2 - z1 - 1);
  c->user = z1 + 1;
  c->ulen = ulen;
  if (z1 != msg && ((size_t)(z1 - msg) != ulen || memcmp(msg, z1 + 1, ulen)))
  {
    c->pw = "";
    c->pwlen = 0;
    return PN_AUTH_AUTHZID;
  }
  c->pw = z2 + 1;
  c->pwlen = (size_t)(end - z2 - 1);
  return PN_AUTH_OK;
}

unsigned int pn_auth_login_field(char const *s, size_t len)
{
  return !len || memchr(s, 0, len) ? PN_AUTH_SYNTAX : PN_AUTH_OK;
}

unsigned int pn_auth_record(char *rec, size_t *reclen, pn_authcred const *c)
{
  size_t n;
  *reclen = 0;
  if (c->ulen > PN_FD3_MAX || c->pwlen > PN_FD3_MAX || c->ulen + c->pwlen + 3 > PN_FD3_MAX)
    return PN_AUTH_TOOLONG;
  n = c->ulen + c->pwlen + 3;
  memcpy(rec, c->user, c->ulen);
  rec[c->ulen] = 0;
  memcpy(rec + c->ulen + 1, c->pw, c->pwlen);
  rec[n - 2] = 0;
  rec[n - 1] = 0;
  *reclen = n;
  return PN_AUTH_OK;
}

unsigned int pn_auth_plain(char *rec, size_t *reclen, char *dec, size_t max, pn_authcred *c, char const *s, size_t len)
{
  size_t n;
  unsigned int st = pn_auth_response(dec, max, &n, s, len);
  *reclen = 0;
  if (st) return st;
  st = pn_auth_plain_split(dec, n, c);
  if (st) return st;
  return pn_auth_record(rec, reclen, c);
}

/* One LOGIN answer decoded into dec: a non-empty field without NUL. */
static unsigned int loginfield(char *dec, size_t max, size_t *n, char const *s, size_t len)
{
  unsigned int st = pn_auth_response(dec, max, n, s, len);
  return st ? st : pn_auth_login_field(dec, *n);
}

unsigned int pn_auth_login_user(char *dec, size_t max, pn_authcred *c, char const *s, size_t len)
{
  size_t n;
  unsigned int st = loginfield(dec, max, &n, s, len);
  if (st) return st;
  c->user = dec;
  c->ulen = n;
  return PN_AUTH_OK;
}

unsigned int pn_auth_login_pass(char *rec, size_t *reclen, char *dec, size_t max, pn_authcred *c, char const *s, size_t len)
{
  size_t n;
  unsigned int st = loginfield(dec, max, &n, s, len);
  *reclen = 0;
  if (st) return st;
  c->pw = dec;
  c->pwlen = n;
  return pn_auth_record(rec, reclen, c);
}

unsigned int pn_auth_login(char *rec, size_t *reclen, char *udec, char *pdec, size_t max, pn_authcred *c,
  char const *us, size_t ulen, char const *ps, size_t plen)
{
  unsigned int st = pn_auth_login_user(udec, max, c, us, ulen);
  *reclen = 0;
  if (st) return st;
  return pn_auth_login_pass(rec, reclen, pdec, max, c, ps, plen);
}
