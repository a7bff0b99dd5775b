/* ISC license: see LICENSE. */

#ifndef PN_LIMITS_H
#define PN_LIMITS_H

#include <stddef.h>


/* pn_limits: the limits DESIGN.md fixes for every program */

#define PN_CMDLINE_MAX 512        /* a command line, CRLF included */
#define PN_AUTHLINE_MAX 12288     /* an AUTH line or response, CRLF included */
#define PN_FD3_MAX 512            /* credentials on fd 3, all NULs included */
#define PN_BADCMD_MAX 20          /* bad commands before 421 */
#define PN_SIZE_DIGITS_MAX 19     /* SIZE= and BDAT sizes: below 10^19 */

#endif
