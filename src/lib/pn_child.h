/* ISC license: see LICENSE. */

#ifndef PN_CHILD_H
#define PN_CHILD_H

#include <sys/types.h>
#include <skalibs/tai.h>


/* pn_child: a program started with its descriptors and environment,
   and waited for under a deadline.  The front starts the verifier with
   it, postern-queue its relay program. */

/* Starts argv (argv[0] searched in PATH, never a shell) with envp.  For
   i < n, fds[i] >= 0 becomes the child's descriptor i (it may be
   close-on-exec); with devnull2, the child's fd 2 is /dev/null.  The
   child's signal mask is empty.  posix_spawn: the child borrows our
   memory until it execs, nothing is copied.  The pid, or 0 with errno
   (an exec that fails is reported here). */
extern pid_t pn_child_spawn(char const *const *, char const *const *, int const *, unsigned int, int);

/* Waits for pid until the deadline (pidfd and iopause: no polling).
   1 with *wstat; 0 with errno ETIMEDOUT when the child still runs;
   -1 with errno. */
extern int pn_child_wait(pid_t, int *, tain const *);

#endif
