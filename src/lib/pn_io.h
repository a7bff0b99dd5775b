/* ISC license: see LICENSE. */

#ifndef PN_IO_H
#define PN_IO_H

#include <sys/types.h>
#include <stddef.h>
#include <skalibs/gccattributes.h>
#include <skalibs/buffer.h>
#include <skalibs/tai.h>


/* pn_io: the client connection, with deadlines */

typedef struct pn_io_s pn_io;
struct pn_io_s
{
  buffer in;
  buffer out;
  tain tto;                 /* SMTPTIMEOUT */
  tain unit;                /* the deadline of the input unit under way */
  tain session;             /* the cap on every wait, when hassession */
  size_t unitlen;           /* bytes of it taken so far */
  unsigned int inunit : 1;  /* unit is set: the server is waiting for it */
  unsigned int hassession : 1;
};

/* A unit of input is a line (command, AUTH response, line of message
   data), or PN_IO_UNIT bytes of a BDAT chunk: SMTPTIMEOUT bounds each
   unit as a whole, counted from the server's first wait for it. */
#define PN_IO_UNIT 65536

/* Sets fds 0 and 1 non-blocking and starts the stopwatch.  With exact
   set, fd 0 is never read past the end of the current line, so that the
   next program in the chain gets every byte after it. */
extern void pn_io_init(pn_io *, int exact, unsigned int timeout, char *, size_t, char *, size_t);

/* The whole session's deadline, seconds from now: every wait, for
   input or for the client to read, ends by then as well. */
extern void pn_io_session(pn_io *, unsigned int);

/* Drops the session's deadline: the last reply gets SMTPTIMEOUT. */
extern void pn_io_nosession(pn_io *);

/* Waits for input: flushes pending replies first; the deadline is the
   current unit's (set at its first wait), capped by the session's.
   > 0 bytes read, 0 at EOF, -1 with errno (ETIMEDOUT...). */
extern ssize_t pn_io_fill(pn_io *);

/* n bytes of the current unit are taken; with end, the unit is
   complete (a line end).  The next wait starts a new unit. */
extern void pn_io_taken(pn_io *, size_t, int);

/* Zeroes every byte of the input buffer that is not waiting to be
   read (what was read, the free space), and the reader's own copies:
   no secret from an earlier line stays in memory. */
extern void pn_io_wipe(pn_io *);

/* Reads one line of at most max bytes, LF
   included, into s; *len gets the length without the CRLF or LF, which
   stay in s after it (s[*len] is the CR of a CRLF, or the LF).
   Pending replies are flushed before any read that may block, not while
   pipelined commands are still buffered (RFC 2920).
   Returns 1 for a line, 0 for EOF (a partial line is dropped), -1 with
   errno: ERANGE (the line was longer than max: read to its LF and
   dropped), ETIMEDOUT, or a read error. */
extern int pn_io_getline(pn_io *, char *, size_t, size_t *);

/* Takes what is buffered in b, up to and including a LF, appending to s
   at *got; bytes beyond max are counted in *got but not stored.  1 when
   the LF was taken, 0 when the buffer ran out first. */
extern int pn_io_take(buffer *, char *, size_t, size_t *);

/* Queue bytes for the client; flushes under the deadline when full.
   1 or 0 with errno. */
extern int pn_io_put(pn_io *, char const *, size_t);
extern int pn_io_puts(pn_io *, char const *);

/* Flush under the deadline: 1, or 0 with errno (ETIMEDOUT, EPIPE...). */
extern int pn_io_flush(pn_io *);

/* Sends the reply line (without CRLF) and the CRLF, flushes, exits 0:
   the end of a session that cannot go on. */
extern void pn_io_quit(pn_io *, char const *) gccattr_noreturn;

/* Puts fds 0 and 1 back in blocking mode, before an exec. */
extern void pn_io_blocking(void);

#endif
