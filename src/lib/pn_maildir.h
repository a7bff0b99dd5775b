/* ISC license: see LICENSE. */

#ifndef PN_MAILDIR_H
#define PN_MAILDIR_H

#include <stddef.h>
#include <stdint.h>
#include "pn_body.h"


/* pn_maildir: Maildir delivery (tmp/, fsync, link into new/, fsync new/) */

#define PN_MAILDIR_DIR_MAX 2048   /* length of the -m directory */
#define PN_MAILDIR_NAME_MAX 400   /* a unique name, ",S=size" included */
#define PN_MAILDIR_BUF 8192       /* small pieces gathered before a write */

typedef struct pn_maildir_s pn_maildir;
struct pn_maildir_s
{
  char const *dir;
  int fd;                   /* -1: closed */
  int err;                  /* errno of the first failure, 0 if none */
  uint64_t size;            /* bytes in the file */
  uint64_t started;         /* bytes whose writeback was started */
  size_t buflen;
  char name[PN_MAILDIR_NAME_MAX];
  char buf[PN_MAILDIR_BUF];
};

/* Makes DIR/tmp/time.MusecPpid.host with O_EXCL.  1, or 0 with errno
   (also kept in err: the writes that follow then fail the same way). */
extern int pn_maildir_open(pn_maildir *, char const *);

/* Appends to the file: small pieces are gathered, a large one is written
   with them by one writev(2).  1, or 0 with errno.
   The ctx argument is the pn_maildir (a pn_sink put function). */
extern int pn_maildir_put(void *, char const *, size_t);

/* Writes what is buffered, fsyncs and closes the file, links it as
   new/NAME,S=size (never rename: nothing is overwritten), fsyncs new/,
   removes the tmp name.  1 (name has the new/ name), or 0 with errno and
   nothing left behind. */
extern int pn_maildir_commit(pn_maildir *);

/* Closes and removes the tmp file, if any. */
extern void pn_maildir_abort(pn_maildir *);

#endif
