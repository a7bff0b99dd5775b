/* ISC license: see LICENSE. */

#ifndef PN_PWSTORE_H
#define PN_PWSTORE_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stdint.h>

#include <skalibs/stralloc.h>


/* pn_pwstore: the password file and its cdb on disk, for postern-passwd
   (STYLE.md 9): read whole and bounded; each new version written to a
   temporary file with the old one's owner, group and mode, fsync'd,
   renamed over the old, then the directory fsync'd.  These functions
   never exit: on failure they return with errno set and *what naming
   the step ("open ", "rename to "...), for the caller's message. */

/* The whole of file into sa (at most max bytes) and its attributes into
   *st.  1 read, 0 absent, -1 error (errno EFBIG: over max; EAGAIN: it
   changed while being read; EINVAL: not a regular file). */
extern int pn_pwstore_load(char const *file, uint64_t max, stralloc *sa, struct stat *st, char const **what);

/* A new temporary file tmp (an old one is removed first) with the
   owner, group and mode of *like, or 0600 and ours if like is 0.  Its
   fd, or -1. */
extern int pn_pwstore_tmp(char const *tmp, struct stat const *like, char const **what);

/* fsync and close: 1, or 0. */
extern int pn_pwstore_sync(int fd, char const **what);

/* Renames tmp over path: 1, or 0. */
extern int pn_pwstore_rename(char const *tmp, char const *path, char const **what);

/* fsyncs the directory of file (dir receives its name, room for
   strlen(file) + 2 bytes): 1, or 0. */
extern int pn_pwstore_syncdir(char const *file, char *dir, char const **what);

#endif
