/* ISC license: see LICENSE. */

#ifndef PN_HDRFROM_H
#define PN_HDRFROM_H

#include <stddef.h>
#include "pn_addr.h"


/* pn_hdrfrom: the addresses of a From: or Sender: field (RFC 5322 3.4,
   4.4; RFC 6854 groups), a pure parser */

#define PN_HDRFROM_ADDRS_MAX 256  /* addresses in one field */
#define PN_HDRFROM_DEPTH_MAX 8    /* nested comments */

/* Called for each addr-spec: local@domain with comments and folding
   whitespace removed, quoted strings and domain literals as written, in
   a->addr (a->len, a->at set; the rest zero).  Returns 1 to go on, 0 to
   stop the parse. */
typedef int pn_hdrfrom_cb(void *, pn_envarg const *);

/* Parses a field's value: the bytes after the colon up to the field's
   last line end (excluded), folds (LF or CRLF, then SP or HTAB)
   included.  An address list (groups, empty groups, several addresses,
   obsolete forms: routes, phrases with dots, empty list elements); a
   field with no address nor group at all does not parse.  Returns the
   number of addresses given to cb (0 to PN_HDRFROM_ADDRS_MAX), -1 when
   the value does not parse (or has more addresses, or one longer than
   PN_PATH_MAX - 1 bytes), -2 when cb stopped it. */
extern int pn_hdrfrom_list(char const *, size_t, pn_hdrfrom_cb *, void *);

#endif
