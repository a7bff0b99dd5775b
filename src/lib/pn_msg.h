/* ISC license: see LICENSE. */

#ifndef PN_MSG_H
#define PN_MSG_H

#include <stddef.h>
#include <time.h>


/* pn_msg: header scan, Received line, ids, dates (pure but for the clock) */

#define PN_HDR_MAX 65536          /* header bytes held and scanned for fix-ups */
#define PN_HDR_DATE 1
#define PN_HDR_MSGID 2
#define PN_HDR_END 4              /* the header ended (empty or non-field line) */
#define PN_HDRNAME_MAX 16

typedef struct pn_hdrscan_s pn_hdrscan;
struct pn_hdrscan_s
{
  unsigned int state;
  unsigned int found;       /* PN_HDR_* */
  size_t namelen;
  char name[PN_HDRNAME_MAX];
};
#define PN_HDRSCAN_ZERO { .state = 0, .found = 0, .namelen = 0, .name = "" }

/* Scans LF-ended message text from its start, call after call.  Returns
   the bytes scanned: len, or fewer once PN_HDR_END is set. */
extern size_t pn_hdr_scan(pn_hdrscan *, char const *, size_t);

#define PN_ID_MAX 48              /* a message id, NUL included */
#define PN_DATE_MAX 40            /* an RFC 5322 date, NUL included */
#define PN_HOSTNAME_SAFE_MAX 255  /* client-supplied names in Received */
#define PN_RECEIVED_MAX 1024      /* the Received field, folded, LF ends */

/* A new id, unique per host: time, pid and a counter.  Returns its length. */
extern size_t pn_msg_id(char *);

/* The RFC 5322 date of t in UTC (+0000).  Returns its length. */
extern size_t pn_msg_date(char *, time_t);

/* Copies a client-supplied name (HELO, TCPREMOTEHOST) for Received:
   characters outside [A-Za-z0-9.:_[]-] become '_', at most
   PN_HOSTNAME_SAFE_MAX bytes.  dst has PN_HOSTNAME_SAFE_MAX + 1 bytes. */
extern size_t pn_msg_safename(char *, char const *);

typedef struct pn_received_s pn_received;
struct pn_received_s
{
  char const *helo;         /* 0 if none */
  char const *host;         /* TCPREMOTEHOST, 0 if none */
  char const *ip;           /* TCPREMOTEIP, 0 if none */
  char const *by;           /* SMTPHOSTNAME */
  char const *proto;        /* ESMTPA ... */
  char const *tlsproto;     /* SSL_PROTOCOL: "TLSv1.3", 0 if none */
  char const *tlscipher;    /* SSL_CIPHER, 0 if none */
  char const *id;
  char const *date;
  unsigned int priv : 1;    /* RECEIVEDPRIVATE: helo, host, ip left out */
};

#define PN_TLSNAME_MAX 64         /* a protocol or cipher name in Received */

/* The Received field with LF line ends into dst (PN_RECEIVED_MAX bytes);
   returns its length.  With priv, "from authenticated-user" stands for
   the client's HELO, host and address (still RFC 5321 4.4's From-domain;
   proto says the submission was authenticated).  With tlsproto, the
   protocol and cipher follow the "with" protocol as a comment,
   "(TLSv1.3 TLS_AES_256_GCM_SHA384)", each cut at PN_TLSNAME_MAX bytes,
   characters outside [A-Za-z0-9._-] made '_'. */
extern size_t pn_msg_received(char *, pn_received const *);

/* RFC 3848, RFC 6531 3.7.3: "ESMTP", "ESMTPSA", "UTF8SMTPA"... */
extern char const *pn_msg_proto(int esmtp, int tls, int auth, int utf8);

#endif
