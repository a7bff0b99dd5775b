/* ISC license: see LICENSE. */

/*
 * pn-nothp: runs a program with transparent huge pages disabled, for
 * bench/run's "before" row of W1.  Not installed; libc only.  Linux.
 *
 *   pn-nothp prog [args...]
 *
 * Sets PR_SET_THP_DISABLE, which every child inherits and an execve
 * keeps, then execs prog: MADV_HUGEPAGE has no effect in it or in any
 * process it starts, so postern-checkpw's hash runs in small pages as
 * it did before it advised huge ones.  Exits 100 on usage, 111 if the
 * prctl or the exec fails.
 */

#include <sys/prctl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *const *argv)
{
  if (argc < 2)
  {
    fprintf(stderr, "pn-nothp: usage: pn-nothp prog [args...]\n");
    return 100;
  }
  if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
  {
    fprintf(stderr, "pn-nothp: fatal: prctl: %s\n", strerror(errno));
    return 111;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "pn-nothp: fatal: exec %s: %s\n", argv[1], strerror(errno));
  return 111;
}
