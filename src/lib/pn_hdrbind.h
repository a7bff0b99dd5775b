/* ISC license: see LICENSE. */

#ifndef PN_HDRBIND_H
#define PN_HDRBIND_H

#include <stddef.h>


/* pn_hdrbind: the header's From: and Sender: bound to SMTPSENDERS, pure */

/* What pn_hdrbind_check returns: PN_HDRBIND_OK, or a refusal, each
   550 5.7.1 after the end of data */
#define PN_HDRBIND_OK 0
#define PN_HDRBIND_EFROM 1        /* a From: address is not allowed */
#define PN_HDRBIND_ESENDER 2      /* a Sender: address is not allowed */
#define PN_HDRBIND_ETWO 3         /* two From: fields */
#define PN_HDRBIND_ESYNTAX 4      /* a From: or Sender: that does not parse */
#define PN_HDRBIND_ELONG 5        /* the header is longer than the scan bound */
#define PN_HDRBIND_N 6

/* senders: SMTPSENDERS, matched by pn_addr_sender_ok's rule (the
   envelope sender's).  hdr, len: the start of the message as pn_body
   holds it, LF line ends; its header ends where pn_hdr_scan says, or at
   len.  complete: 1 if hdr holds the whole header, 0 if the header was
   longer than the scan bound (PN_HDR_MAX).  Every address of every
   From: and Sender: field must pass; Resent-* fields are not looked at;
   no From: passes; an empty group passes.  Returns PN_HDRBIND_*. */
extern int pn_hdrbind_check(char const *, char const *, size_t, int);

/* The reply ("550 5.7.1 ...", no CRLF) and the log word (for
   "reason=...") of a PN_HDRBIND_* status other than OK. */
extern char const *pn_hdrbind_reply(int);
extern char const *pn_hdrbind_reason(int);

#endif
