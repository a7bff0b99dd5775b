/* ISC license: see LICENSE. */

/*
 * pn-spawn: what starting a process costs here, for bench/run.  Not
 * installed; libc only.
 *
 *   pn-spawn count prog [args...]
 *
 * Forks, execs prog and waits for it, count times, one at a time, and
 * prints "spawn_ms=X", the mean time of one fork, exec, run and exit.
 * Exits 0, 100 on usage, 111 on a system error.
 */

#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PS_COUNT_MAX 100000

int main(int argc, char *const *argv)
{
  struct timespec t0;
  struct timespec t1;
  unsigned long n;
  unsigned long i;
  char *end;
  if (argc < 3)
  {
    fprintf(stderr, "pn-spawn: usage: pn-spawn count prog [args...]\n");
    return 100;
  }
  errno = 0;
  n = strtoul(argv[1], &end, 10);
  if (errno || end == argv[1] || *end || !n || n > PS_COUNT_MAX) return 100;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (i = 0; i < n; i++)
  {
    int st;
    pid_t pid = fork();
    if (pid < 0)
    {
      fprintf(stderr, "pn-spawn: fatal: fork: %s\n", strerror(errno));
      return 111;
    }
    if (!pid)
    {
      execv(argv[2], argv + 2);
      _exit(111);
    }
    if (waitpid(pid, &st, 0) < 0)
    {
      fprintf(stderr, "pn-spawn: fatal: waitpid: %s\n", strerror(errno));
      return 111;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("spawn_ms=%.3f\n", ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / (double)n);
  return 0;
}
