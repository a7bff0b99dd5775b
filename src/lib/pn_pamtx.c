/* ISC license: see LICENSE. */

/*
 * pn_pamtx: the PAM transaction itself, what runs in pn_pam's child:
 * pam_start, pam_authenticate, pam_acct_mgmt, the conversation that
 * answers the prompts, and the statuses read as DESIGN.md's refusals.
 * The only file that calls libpam.
 */

#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include <skalibs/bytestr.h>
#include <skalibs/types.h>

#include "pn_log.h"
#include "pn_pamtx.h"

typedef struct convdata_s convdata;
struct convdata_s
{
  char const *user;
  char const *pw;
};

static void whycat(pn_pam *r, char const *s)
{
  size_t have = strlen(r->why);
  size_t n = strnlen(s, PN_PAM_WHY_MAX - have);
  memcpy(r->why + have, s, n);
  r->why[have + n] = 0;
}

void pn_pamtx_why(pn_pam *r, char const *a, char const *b)
{
  r->why[0] = 0;
  whycat(r, a);
  whycat(r, b);
}

/* A heap copy of s for a pam_response.  libpam and the modules free the
   responses with free() (Linux-PAM overwrites them first): what we can
   do is hand over a fresh calloc'd buffer and keep no copy of our own. */
static char *respdup(char const *s)
{
  size_t n = strlen(s) + 1;
  char *p = calloc(n, 1);
  if (p) memcpy(p, s, n);
  return p;
}

/* On a refused conversation: every response we made, wiped and freed. */
static void respdrop(struct pam_response *r, int n)
{
  int i;
  for (i = 0; i < n; i++)
    if (r[i].resp)
    {
      byte_zzero(r[i].resp, strlen(r[i].resp));
      free(r[i].resp);
    }
  free(r);
}

static int holds(char const *s, size_t len, char const *w, size_t wlen)
{
  size_t i;
  if (!wlen || wlen > len) return 0;
  for (i = 0; i + wlen <= len; i++)
    if (!memcmp(s + i, w, wlen)) return 1;
  return 0;
}

/* A module's error or information message goes to the log, quoted and
   capped; not one that holds the password. */
static void logmsg(int style, char const *s, convdata const *d)
{
  char q[PN_LOGVAL_SIZE];
  size_t len = strnlen(s, PAM_MAX_MSG_SIZE);
  if (holds(s, len, d->pw, strlen(d->pw)))
  {
    pn_warn("pam: a module message withheld: it holds the password");
    return;
  }
  pn_log(style == PAM_ERROR_MSG ? PN_LOG_WARN : PN_LOG_INFO, "pam: module message ", pn_log_quote(q, s, len));
}

/* Answers the password prompt (echo off) with the password and the user
   prompt (echo on) with the user name; logs the messages; refuses any
   other prompt (PAM_CONV_ERR), so a module that wants more than a
   password cannot pass. */
static int conv(int n, struct pam_message const **msg, struct pam_response **resp, void *data)
{
  convdata const *d = data;
  struct pam_response *r;
  char fmt[INT_FMT];
  int i;
  if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  r = calloc((size_t)n, sizeof(struct pam_response));
  if (!r) return PAM_BUF_ERR;
  for (i = 0; i < n; i++)
  {
    switch (msg[i]->msg_style)
    {
      case PAM_PROMPT_ECHO_OFF: r[i].resp = respdup(d->pw); break;
      case PAM_PROMPT_ECHO_ON: r[i].resp = respdup(d->user); break;
      case PAM_ERROR_MSG:
      case PAM_TEXT_INFO:
        if (msg[i]->msg) logmsg(msg[i]->msg_style, msg[i]->msg, d);
        continue;
      default:
        fmt[int_fmt(fmt, msg[i]->msg_style)] = 0;
        pn_warn("pam: refusing a conversation message of style ", fmt);
        respdrop(r, n);
        return PAM_CONV_ERR;
    }
    if (!r[i].resp) { respdrop(r, n); return PAM_BUF_ERR; }
  }
  *resp = r;
  return PAM_SUCCESS;
}

/* DESIGN.md's refusals (exit 1); every other status is temporary. */
static int refusal(int e, pn_pam *r)
{
  char const *why;
  switch (e)
  {
    case PAM_AUTH_ERR: why = "password"; break;
    case PAM_USER_UNKNOWN: why = "unknown"; break;
    case PAM_MAXTRIES: why = "maxtries"; break;
    case PAM_CRED_INSUFFICIENT: why = "insufficient"; break;
    case PAM_ACCT_EXPIRED: why = "expired"; break;
    case PAM_NEW_AUTHTOK_REQD: why = "mustchange"; break;
    case PAM_PERM_DENIED: why = "denied"; break;
    default: return 0;
  }
  pn_pamtx_why(r, why, "");
  return 1;
}

/* The user PAM settled on, copied out before pam_end. */
static int settled(pam_handle_t *h, pn_pam *r)
{
  void const *item = 0;
  int e = pam_get_item(h, PAM_USER, &item);
  size_t len;
  if (e != PAM_SUCCESS) return e;
  len = item ? strnlen(item, PN_PAM_USER_MAX + 1) : 0;
  if (!len || len > PN_PAM_USER_MAX) return PAM_SYSTEM_ERR;
  memcpy(r->user, item, len);
  r->user[len] = 0;
  return PAM_SUCCESS;
}

int pn_pamtx_run(char const *service, char const *user, char const *pw, char const *rhost, pn_pam *r)
{
  convdata dd = { .user = user, .pw = pw };
  convdata *d = &dd;
  struct pam_conv cv = { .conv = &conv, .appdata_ptr = d };
  pam_handle_t *h = 0;
  char const *step = "pam_start";
  int ret = 1;
  int e = pam_start(service, d->user, &cv, &h);
  if (e == PAM_SUCCESS && rhost && *rhost) { step = "pam_set_item"; e = pam_set_item(h, PAM_RHOST, rhost); }
  if (e == PAM_SUCCESS) { step = "pam_authenticate"; e = pam_authenticate(h, PAM_DISALLOW_NULL_AUTHTOK); }
  if (e == PAM_SUCCESS) { step = "pam_acct_mgmt"; e = pam_acct_mgmt(h, PAM_DISALLOW_NULL_AUTHTOK); }
  if (e == PAM_SUCCESS) { step = "PAM_USER"; e = settled(h, r); }
  if (e != PAM_SUCCESS)
  {
    ret = refusal(e, r) ? 0 : -1;
    if (ret < 0)
    {
      pn_pamtx_why(r, step, ": ");
      whycat(r, pam_strerror(h, e));
    }
  }
  if (h) pam_end(h, e);
  return ret;
}
