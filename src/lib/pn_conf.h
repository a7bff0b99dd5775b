/* ISC license: see LICENSE. */

#ifndef PN_CONF_H
#define PN_CONF_H

#include <stddef.h>
#include "pn_limit.h"


/* pn_conf: the environment of DESIGN.md, read once */

#define PN_DATABYTES_DEFAULT 26214400
#define PN_MAXRCPTS_DEFAULT 100
#define PN_MAXRCPTS_MAX 10000
#define PN_TIMEOUT_DEFAULT 300
#define PN_TIMEOUT_MAX 86400
#define PN_AUTHTIMEOUT_DEFAULT 120      /* SMTPAUTHTIMEOUT: the front, to AUTH */
#define PN_SESSIONTIMEOUT_DEFAULT 3600  /* SMTPSESSIONTIMEOUT: postern-queue */
#define PN_PREAUTH_CMDS_MAX 50          /* command lines the front reads before AUTH */
#define PN_AUTHMAXFAIL_DEFAULT 3
#define PN_AUTHMAXFAIL_MAX 100
#define PN_AUTHFAILDELAY_DEFAULT 2
#define PN_AUTHFAILDELAY_MAX 60
#define PN_HOSTNAME_MAX 255
#define PN_FAILMAX_DEFAULT 10
#define PN_FAILMAX_MAX 100000
#define PN_FAILWINDOW_DEFAULT 900
#define PN_FAILWINDOW_MAX 604800
#define PN_FAILRECORDS_DEFAULT 65536
#define PN_FAILRECORDS_MAX 1048576

#define PN_REDISADDR_MAX 255           /* REDIS, bytes (pn_redis.h agrees) */
#define PN_REDISPREFIX_MAX 64          /* REDISPREFIX, bytes */
#define PN_REDISPREFIX_DEFAULT "postern:"

#define PN_MECH_PLAIN 1
#define PN_MECH_LOGIN 2
#define PN_MECH_MAX 2

typedef struct pn_conf_s pn_conf;
struct pn_conf_s
{
  char const *hostname;
  uint64_t databytes;           /* 0: no limit */
  unsigned int maxrcpts;
  unsigned int timeout;
  unsigned int authtimeout;     /* SMTPAUTHTIMEOUT */
  unsigned int sessiontimeout;  /* SMTPSESSIONTIMEOUT */
  unsigned int authmaxfail;
  unsigned int authfaildelay;
  char const *failrecdir;        /* AUTHFAILDIR, or REDIS when set (where the record is); 0: no record */
  unsigned int failrecmax;       /* AUTHFAILMAX */
  unsigned int failrecwindow;    /* AUTHFAILWINDOW, seconds */
  unsigned int failrecrecords;   /* AUTHFAILRECORDS */
  char const *redis;             /* REDIS; 0: none */
  char const *redisprefix;       /* REDISPREFIX */
  unsigned int nmechs;
  unsigned char mechs[PN_MECH_MAX];
  unsigned int authinsecure : 1;
  unsigned int tls : 1;
  unsigned int tlsrequired : 1; /* TLSREQUIRED: no MAIL or AUTH before TLS */
  unsigned int relayclient : 1;
  unsigned int maxmsgs;          /* MAXMSGS (postern-queue's session cap) */
  char limits[PN_LIMIT_EHLO_MAX]; /* "LIMITS RCPTMAX=.. MAILMAX=..": RFC 9422, both EHLO replies */
};

/* Reads and checks every variable.  1, or 0 with *bad naming the
   variable whose value is unusable. */
extern int pn_conf_read(pn_conf *, char const **);
extern char const *pn_conf_mechname(unsigned int);

#endif
