/* ISC license: see LICENSE. */

#ifndef PN_SMTP_H
#define PN_SMTP_H

#include <stddef.h>
#include <stdint.h>
#include <skalibs/gccattributes.h>
#include "pn_io.h"
#include "pn_reply.h"


/* pn_smtp: the SMTP dialogue both postern-smtpd and postern-queue speak.
   Each program gives a table of verbs (sorted by name, upper case) with
   their argument rules and handlers; the dialogue reads a line, finds
   the verb, checks the arguments and the state, and calls the handler.
   Replies come from pn_reply's table and are counted by class; every
   way a session ends (QUIT, EOF, timeout, write error, too many errors,
   a fatal 421) goes through pn_smtp_quit or pn_smtp_die_io.  Deadlines
   are pn_io's: SMTPTIMEOUT for each line, capped by the session's
   (pn_io_session). */

typedef struct pn_smtp_s pn_smtp;
typedef struct pn_verb_s pn_verb;

/* A handler gets what follows the verb, as sent: empty, or SP then the
   arguments (line[len] is a NUL). */
typedef void pn_verb_fn(pn_smtp *, char const *, size_t);

/* Argument rules, checked before the state (DESIGN.md) */
#define PN_ARGS_NONE 0      /* nothing may follow the verb: else 501 5.5.4 */
#define PN_ARGS_ANY 1       /* anything or nothing (NOOP, HELP) */
#define PN_ARGS_SOME 2      /* SP and at least one byte (VRFY): else 501 5.5.4 */
#define PN_ARGS_RAW 3       /* the handler parses (EHLO, MAIL, BDAT, AUTH) */

/* Verb flags */
#define PN_VERB_LONG 1      /* the line may be PN_AUTHLINE_MAX long (AUTH) */

/* State bits (pn_smtp.state): what a verb may need (pn_verb.need).
   STARTTLS and LIMITS will add theirs here (e.g. a TLS bit that AUTH
   needs on a remote connection, or that STARTTLS must not have). */
#define PN_SMTP_AUTHED 1    /* the client may send mail (AUTH done, RELAYCLIENT) */

struct pn_verb_s
{
  char const *name;         /* upper case; the table is sorted by name */
  unsigned char args;       /* PN_ARGS_* */
  unsigned char flags;      /* PN_VERB_* */
  unsigned int need;        /* state bits the verb needs, else deny */
  unsigned int deny;        /* pn_reply id */
  pn_verb_fn *f;
};

/* How a session ends: the program's hook runs before the last reply is
   written (wipe secrets, stop the back-end, log).  why: "quit", "eof",
   "timeout", "read", "write", "errors", or what the program named. */
typedef void pn_smtp_end_fn(pn_smtp *, char const *);

struct pn_smtp_s
{
  pn_io io;
  pn_verb const *verbs;
  unsigned int nverbs;
  char *line;               /* the caller's line buffer */
  size_t linemax;           /* its size: PN_CMDLINE_MAX, or PN_AUTHLINE_MAX */
  unsigned int nbad;        /* replies 500-504 and 530 so far */
  unsigned int ncmd;        /* command lines read so far */
  unsigned int cmdmax;      /* past it, 421 4.7.0 and close; 0: no cap */
  unsigned int state;       /* PN_SMTP_* bits */
  unsigned int nulbad : 1;  /* a NUL in a command line: 500 5.5.2 first */
  pn_smtp_end_fn *end;
  void *ctx;                /* the program's */
};

/* A capability list for the EHLO reply (RFC 5321 4.1.1.1).  The order
   is fixed; a member left 0 is not listed. */
typedef struct pn_caps_s pn_caps;
struct pn_caps_s
{
  uint64_t size;            /* SIZE (RFC 1870): always listed */
  char const *auth;         /* "PLAIN LOGIN": AUTH (RFC 4954), or 0 */
  /* hooks: STARTTLS (RFC 3207) and LIMITS (RFC 9422) go here, listed
     between CHUNKING and AUTH */
  char const *starttls;     /* "STARTTLS" when offered, else 0 */
  char const *limits;       /* "LIMITS RCPTMAX=..." when offered, else 0 */
};
#define PN_CAPS_ZERO { .size = 0, .auth = 0, .starttls = 0, .limits = 0 }

/* The verb of a command line (up to the first SP, any length, any case)
   in a sorted table; 0 if absent.  Pure. */
extern pn_verb const *pn_smtp_lookup(pn_verb const *, unsigned int, char const *, size_t);

/* What follows EHLO/HELO: SP, one argument of printable ASCII without
   spaces, at most max bytes, trailing spaces allowed.  Returns its
   length (it starts at s + 1), 0 if unusable.  Pure. */
extern size_t pn_smtp_heloarg(char const *, size_t, size_t);

/* What follows "BDAT": SP size [ SP "LAST" ] (RFC 3030), size below
   10^19.  1 with *n, *last, and *junk set when something else follows the
   size (the chunk is then read and dropped, and 501 5.5.4); 0 when there
   is no usable size (the chunk cannot be found: 421 4.5.2).  Pure. */
extern int pn_smtp_bdatarg(char const *, size_t, uint64_t *, int *, int *);

/* Replies.  pn_smtp_reply counts a bad command by the reply's class, and
   after PN_BADCMD_MAX closes with 421 4.7.0.  pn_smtp_send does not
   count.  pn_smtp_line sends a line made at run time whose code is
   given (a relayed reply, a 250 with an id); pn_smtp_cont the lines
   before the last of a multiline reply.  A write error ends the session. */
extern void pn_smtp_reply(pn_smtp *, unsigned int);
extern void pn_smtp_send(pn_smtp *, unsigned int);
extern void pn_smtp_line(pn_smtp *, unsigned int, char const *, size_t);
extern void pn_smtp_cont(pn_smtp *, char const *, size_t);
extern void pn_smtp_flush(pn_smtp *);

/* The EHLO reply: host, then the capabilities. */
extern void pn_smtp_ehlo(pn_smtp *, char const *, pn_caps const *);
/* The greeting: 220 host ESMTP postern. */
extern void pn_smtp_greet(pn_smtp *, char const *);
/* The HELO reply. */
extern void pn_smtp_helo(pn_smtp *, char const *);

/* One line into s->line: 1, or 0 for a line longer than s->linemax
   (already discarded).  EOF, timeouts and errors end the session. */
extern int pn_smtp_getline(pn_smtp *, size_t *);

/* Reads n bytes and drops them (a BDAT chunk that is refused). */
extern void pn_smtp_skip(pn_smtp *, uint64_t);

/* Handlers both programs put in their tables: 250 2.0.0 (NOOP, and the
   front's RSET, which has no transaction to reset), the HELP and the
   VRFY replies, and QUIT (221, reason=quit). */
extern void pn_smtp_do_ok(pn_smtp *, char const *, size_t);
extern void pn_smtp_do_help(pn_smtp *, char const *, size_t);
extern void pn_smtp_do_vrfy(pn_smtp *, char const *, size_t);
extern void pn_smtp_do_quit(pn_smtp *, char const *, size_t);

/* Runs the command in s->line (len bytes, as pn_smtp_getline left it). */
extern void pn_smtp_dispatch(pn_smtp *, size_t);

/* Reads and runs commands until the session ends; the command line
   past cmdmax (when set) gets 421 4.7.0 and closes ("commands"). */
extern void pn_smtp_loop(pn_smtp *) gccattr_noreturn;

/* The one exit: the program's end hook (why), then the reply if any
   (id, or PN_R_NONE), flushed under SMTPTIMEOUT (not the session's
   deadline, which may be what ended it), then _exit(0). */
extern void pn_smtp_quit(pn_smtp *, unsigned int, char const *) gccattr_noreturn;

/* After an I/O error (errno): a timeout with nothing left unsent gets
   421 4.4.2; anything else ends silently.  why: "read" or "write". */
extern void pn_smtp_die_io(pn_smtp *, char const *) gccattr_noreturn;

#endif
