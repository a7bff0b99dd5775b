/* ISC license: see LICENSE. */

#ifndef PN_BODY_H
#define PN_BODY_H

#include <stddef.h>
#include "pn_data.h"
#include "pn_io.h"
#include "pn_msg.h"


/* pn_body: a message from the client (DATA or BDAT chunks) into a sink */

typedef struct pn_sink_s pn_sink;
struct pn_sink_s
{
  int (*put)(void *, char const *, size_t);   /* LF-ended text: 1, or 0 with errno */
  int (*prefix)(void *, unsigned int);        /* the added header lines; PN_HDR_* found */
  void *ctx;
};

#define PN_BODY_OK 0
#define PN_BODY_EOVER 1           /* over the limit: 552 5.3.4 */
#define PN_BODY_EBARE 2           /* bare CR or LF: 554 5.6.0 */
#define PN_BODY_ESINK 3           /* the sink failed: 451 4.3.0 */
#define PN_BODY_EBIND 4           /* From:/Sender: not bound to the login: 550 5.7.1 (bind) */

typedef struct pn_body_s pn_body;
struct pn_body_s
{
  pn_data data;
  pn_hdrscan hdr;
  pn_sink const *sink;      /* 0: read and discard */
  uint64_t limit;           /* 0: none */
  size_t held;              /* header bytes held back */
  size_t outlen;            /* output gathered, not yet handed over */
  int err;                  /* errno of the first sink failure */
  char const *senders;      /* pn_body_bind's SMTPSENDERS, 0: no check */
  int bind;                 /* PN_HDRBIND_* of the check */
  unsigned int released : 1;
  unsigned int over : 1;
};

extern void pn_body_start(pn_body *, int, uint64_t, pn_sink const *);

/* Reads the client's DATA to CRLF.CRLF, or a BDAT chunk of n bytes,
   feeding the sink.  Replies pending on io are flushed before any wait,
   SMTPTIMEOUT bounds each line (each PN_IO_UNIT bytes of a chunk or of
   a longer line), capped by the session's deadline.  1 when read, or -1 with errno
   (ETIMEDOUT, EPIPE at EOF, ...): the session cannot go on. */
extern int pn_body_data(pn_body *, pn_io *);
extern int pn_body_chunk(pn_body *, pn_io *, uint64_t);

/* After pn_body_start: the header's From: and Sender: must pass
   SMTPSENDERS (pn_hdrbind_check, at the end of the header, before the
   sink gets any of it).  A refused message is read to its end and not
   passed on; pn_body_finish returns PN_BODY_EBIND, the reason in bind.
   senders must live until pn_body_finish; 0 or empty (any sender, as for
   the envelope): no check. */
extern void pn_body_bind(pn_body *, char const *);

/* The end of the message: releases what is held.  Returns PN_BODY_*. */
extern int pn_body_finish(pn_body *);

#endif
