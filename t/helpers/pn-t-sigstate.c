/* ISC license: see LICENSE. */

/*
 * pn-t-sigstate file prog...: writes to file the signal state it was
 * started with, "blocked N..." (the blocked signals' numbers) and
 * "ignored N..." (the ignored ones'), then execs prog.  A test's
 * stand-in for the next program of the chain (a shell or perl would
 * change the state before a script could look).
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/exec.h>
#include <skalibs/types.h>

static void put(int fd, char const *s)
{
  if (allwrite(fd, s, strlen(s)) < strlen(s)) _exit(111);
}

int main(int argc, char const *const *argv)
{
  sigset_t set;
  int fd, i;
  char fmt[INT_FMT + 1];
  if (argc < 3) _exit(100);
  if (sigprocmask(SIG_BLOCK, 0, &set) < 0) _exit(111);
  fd = open_trunc(argv[1]);
  if (fd < 0) _exit(111);
  put(fd, "blocked");
  for (i = 1; i < NSIG; i++)
    if (sigismember(&set, i) == 1)
    {
      fmt[0] = ' ';
      fmt[1 + int_fmt(fmt + 1, i)] = 0;
      put(fd, fmt);
    }
  put(fd, "\nignored");
  for (i = 1; i < NSIG; i++)
  {
    struct sigaction sa;
    if (sigaction(i, 0, &sa) == 0 && sa.sa_handler == SIG_IGN)
    {
      fmt[0] = ' ';
      fmt[1 + int_fmt(fmt + 1, i)] = 0;
      put(fd, fmt);
    }
  }
  put(fd, "\n");
  fd_close(fd);
  xexec(argv + 2);
}
