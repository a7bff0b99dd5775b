/* ISC license: see LICENSE. */

#ifndef PN_DATA_H
#define PN_DATA_H

#include <stddef.h>
#include <stdint.h>


/* pn_data: the message body as a pure incremental state machine */

typedef struct pn_data_s pn_data;
struct pn_data_s
{
  uint64_t size;            /* RFC 1870: CRLF line ends, after unstuffing */
  unsigned int state;
  unsigned int dot : 1;     /* DATA: dot-stuffed, ends at CRLF.CRLF; else BDAT */
  unsigned int bare : 1;    /* a bare CR or bare LF was seen */
  unsigned int done : 1;    /* DATA: the terminator has been read */
  unsigned int nul : 1;     /* a NUL byte was seen: refused as bare is */
};
#define PN_DATA_ZERO { .size = 0, .state = 0, .dot = 0, .bare = 0, .done = 0, .nul = 0 }

extern void pn_data_init(pn_data *, int);

/* Feeds len bytes of client input.  Writes the message, LF line ends,
   dots unstuffed, to out (room for len bytes) and its length to *outlen.
   Returns the number of bytes consumed: len, or less when the DATA
   terminator ends inside (then done is set and the rest is not the
   message's).  Line ends and stuffing may straddle calls. */
extern size_t pn_data_feed(pn_data *, char const *, size_t, char *, size_t *);

/* BDAT LAST: a message not ending in CRLF gets one (counted in size), a
   trailing CR is a bare CR.  Writes 0 or 1 byte to out; returns it. */
extern size_t pn_data_finish(pn_data *, char *);

/* The reverse, for a downstream SMTP server: LF-ended text to CRLF lines,
   dot-stuffed.  *bol: 1 at the start of a line (start with 1).  out has
   room for 2 * len bytes.  Returns the output length. */
extern size_t pn_data_stuff(int *, char const *, size_t, char *);

#endif
