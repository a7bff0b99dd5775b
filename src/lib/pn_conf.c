/* ISC license: see LICENSE. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <skalibs/types.h>
#include <skalibs/bytestr.h>
#include <skalibs/fmtscan.h>

#include "pn_conf.h"

static char hostbuf[PN_HOSTNAME_MAX + 1];

static char const *const mechnames[PN_MECH_MAX + 1] = { 0, "PLAIN", "LOGIN" };

char const *pn_conf_mechname(unsigned int m)
{
  return m && m <= PN_MECH_MAX ? mechnames[m] : "?";
}

/* Unset or empty: the default.  Set: a decimal number within [min, max]. */
static int getuint(char const *name, unsigned int dflt, unsigned int min, unsigned int max, unsigned int *out)
{
  char const *s = getenv(name);
  unsigned int n;
  size_t len;
  if (!s || !*s) { *out = dflt; return 1; }
  len = uint_scan(s, &n);
  if (!len || s[len] || n < min || n > max) return 0;
  *out = n;
  return 1;
}

static int getflag(char const *name)
{
  char const *s = getenv(name);
  return s && *s;
}

/* A name that goes into replies and Received: letters, digits, - . _ and
   the brackets and colons of an address literal, nothing else. */
static int hostname_ok(char const *s)
{
  size_t len = strlen(s);
  size_t i;
  if (!len || len > PN_HOSTNAME_MAX) return 0;
  for (i = 0; i < len; i++)
  {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
      || c == '-' || c == '.' || c == '_' || c == '[' || c == ']' || c == ':')) return 0;
  }
  return 1;
}

static int gethost(pn_conf *c)
{
  char const *s = getenv("SMTPHOSTNAME");
  if (s && *s) { c->hostname = s; return hostname_ok(s); }
  s = getenv("TCPLOCALHOST");
  if (s && *s && hostname_ok(s)) { c->hostname = s; return 1; }
  if (gethostname(hostbuf, sizeof(hostbuf)) < 0) return 0;
  hostbuf[sizeof(hostbuf) - 1] = 0;
  c->hostname = hostbuf;
  return hostname_ok(hostbuf);
}

static int getmechs(pn_conf *c)
{
  char const *s = getenv("AUTHMECHS");
  if (!s) s = "PLAIN LOGIN";
  c->nmechs = 0;
  while (*s)
  {
    size_t len;
    unsigned int m;
    unsigned int i;
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) break;
    for (len = 0; s[len] && s[len] != ' ' && s[len] != '\t'; len++);
    for (m = 1; m <= PN_MECH_MAX; m++)
      if (strlen(mechnames[m]) == len && !strncasecmp(s, mechnames[m], len)) break;
    if (m > PN_MECH_MAX) return 0;
    for (i = 0; i < c->nmechs; i++) if (c->mechs[i] == m) break;
    if (i == c->nmechs) c->mechs[c->nmechs++] = (unsigned char)m;
    s += len;
  }
  return 1;
}

/* REDIS: a unix socket's absolute path, or IP:port ([IPv6]:port).  An
   address, never a host name: the front looks no name up (and, linked
   statically, could not load glibc's NSS modules safely). */
static int redisaddr_ok(char const *s)
{
  char host[PN_REDISADDR_MAX + 1];
  char ip[16];
  char const *colon = strrchr(s, ':');
  size_t len = strlen(s);
  size_t hlen;
  uint16_t port;
  if (len > PN_REDISADDR_MAX) return 0;
  if (s[0] == '/') return len < 108;           /* sun_path */
  if (!colon || !colon[1] || uint16_scan(colon + 1, &port) != strlen(colon + 1) || !port) return 0;
  hlen = (size_t)(colon - s);
  if (s[0] == '[')
  {
    if (hlen < 3 || colon[-1] != ']') return 0;
    memcpy(host, s + 1, hlen - 2);
    host[hlen - 2] = 0;
    return ip6_scan(host, ip) == hlen - 2;
  }
  memcpy(host, s, hlen);
  host[hlen] = 0;
  return hlen && ip4_scan(host, ip) == hlen;
}

static int getredis(pn_conf *c, char const **bad)
{
  char const *s = getenv("REDISPREFIX");
  size_t i;
  c->redisprefix = PN_REDISPREFIX_DEFAULT;
  if (s && *s)
  {
    *bad = "REDISPREFIX";
    if (strlen(s) > PN_REDISPREFIX_MAX) return 0;
    for (i = 0; s[i]; i++) if (s[i] <= ' ' || s[i] > '~') return 0;
    c->redisprefix = s;
  }
  s = getenv("REDIS");
  if (!s || !*s) return 1;
  *bad = "REDIS";
  if (!redisaddr_ok(s)) return 0;
  c->redis = s;
  c->failrecdir = s;
  return 1;
}

int pn_conf_read(pn_conf *c, char const **bad)
{
  char const *s = getenv("DATABYTES");
  memset(c, 0, sizeof(*c));
  if (s && *s)
  {
    size_t len = uint64_scan(s, &c->databytes);
    if (!len || s[len]) { *bad = "DATABYTES"; return 0; }
  }
  else c->databytes = PN_DATABYTES_DEFAULT;
  if (!getuint("MAXRCPTS", PN_MAXRCPTS_DEFAULT, 1, PN_MAXRCPTS_MAX, &c->maxrcpts)) { *bad = "MAXRCPTS"; return 0; }
  if (!getuint("MAXMSGS", PN_MAXMSGS_DEFAULT, 1, PN_MAXMSGS_MAX, &c->maxmsgs)) { *bad = "MAXMSGS"; return 0; }
  pn_limit_ehlo(c->limits, c->maxrcpts, c->maxmsgs);
  if (!getuint("SMTPTIMEOUT", PN_TIMEOUT_DEFAULT, 1, PN_TIMEOUT_MAX, &c->timeout)) { *bad = "SMTPTIMEOUT"; return 0; }
  if (!getuint("SMTPAUTHTIMEOUT", PN_AUTHTIMEOUT_DEFAULT, 1, PN_TIMEOUT_MAX, &c->authtimeout)) { *bad = "SMTPAUTHTIMEOUT"; return 0; }
  if (!getuint("SMTPSESSIONTIMEOUT", PN_SESSIONTIMEOUT_DEFAULT, 1, PN_TIMEOUT_MAX, &c->sessiontimeout)) { *bad = "SMTPSESSIONTIMEOUT"; return 0; }
  if (!getuint("AUTHMAXFAIL", PN_AUTHMAXFAIL_DEFAULT, 1, PN_AUTHMAXFAIL_MAX, &c->authmaxfail)) { *bad = "AUTHMAXFAIL"; return 0; }
  if (!getuint("AUTHFAILDELAY", PN_AUTHFAILDELAY_DEFAULT, 0, PN_AUTHFAILDELAY_MAX, &c->authfaildelay)) { *bad = "AUTHFAILDELAY"; return 0; }
  if (!getuint("AUTHFAILMAX", PN_FAILMAX_DEFAULT, 1, PN_FAILMAX_MAX, &c->failrecmax)) { *bad = "AUTHFAILMAX"; return 0; }
  if (!getuint("AUTHFAILWINDOW", PN_FAILWINDOW_DEFAULT, 1, PN_FAILWINDOW_MAX, &c->failrecwindow)) { *bad = "AUTHFAILWINDOW"; return 0; }
  if (!getuint("AUTHFAILRECORDS", PN_FAILRECORDS_DEFAULT, 1, PN_FAILRECORDS_MAX, &c->failrecrecords)) { *bad = "AUTHFAILRECORDS"; return 0; }
  s = getenv("AUTHFAILDIR");
  if (s && *s)
  {
    if (s[0] != '/') { *bad = "AUTHFAILDIR"; return 0; }
    c->failrecdir = s;
  }
  if (!getredis(c, bad)) return 0;
  if (!getmechs(c)) { *bad = "AUTHMECHS"; return 0; }
  if (!gethost(c)) { *bad = "SMTPHOSTNAME"; return 0; }
  c->authinsecure = getflag("AUTHINSECURE");
  c->tls = getflag("SMTPTLS") || getflag("SSL_PROTOCOL");
  c->tlsrequired = getflag("TLSREQUIRED");
  c->relayclient = !!getenv("RELAYCLIENT");
  return 1;
}
