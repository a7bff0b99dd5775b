/* ISC license: see LICENSE. */

/*
 * pn_child: posix_spawn with descriptor moves, an environment and an
 * empty signal mask; a wait bounded by a deadline, woken by the child's
 * pidfd (Linux 5.3) rather than by polling.  Where pidfds are missing,
 * the wait falls back to checks PN_CHILD_POLL apart, still bounded.
 */

#include <sys/types.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/tai.h>

#include "pn_child.h"

#define PN_CHILD_POLL 20          /* ms between checks without a pidfd */

static int actions(posix_spawn_file_actions_t *fa, int const *fds, unsigned int n, int devnull2)
{
  unsigned int i;
  int e = 0;
  for (i = 0; i < n && !e; i++)
    if (fds[i] >= 0 && (unsigned int)fds[i] != i) e = posix_spawn_file_actions_adddup2(fa, fds[i], (int)i);
  for (i = 0; i < n && !e; i++)
    if (fds[i] >= (int)n) e = posix_spawn_file_actions_addclose(fa, fds[i]);
  if (!e && devnull2) e = posix_spawn_file_actions_addopen(fa, 2, "/dev/null", O_WRONLY, 0);
  return e;
}

pid_t pn_child_spawn(char const *const *argv, char const *const *envp, int const *fds, unsigned int n, int devnull2)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t empty;
  pid_t pid;
  int e = posix_spawn_file_actions_init(&fa);
  if (e) return (errno = e, 0);
  e = posix_spawnattr_init(&attr);
  if (e) { posix_spawn_file_actions_destroy(&fa); return (errno = e, 0); }
  sigemptyset(&empty);
  e = actions(&fa, fds, n, devnull2);
  if (!e) e = posix_spawnattr_setsigmask(&attr, &empty);
  if (!e) e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  if (!e) e = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv, (char *const *)envp);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  return e ? (errno = e, 0) : pid;
}

/* Without a pidfd: checks PN_CHILD_POLL ms apart, up to the deadline. */
static int wait_poll(pid_t pid, int *wstat, tain const *deadline)
{
  for (;;)
  {
    tain t;
    tain poll;
    pid_t r = wait_pid_nohang(pid, wstat);
    if (r) return r < 0 ? -1 : 1;
    if (!tain_less(&STAMP, deadline)) return (errno = ETIMEDOUT, 0);
    tain_from_millisecs(&poll, PN_CHILD_POLL);
    tain_add_g(&t, &poll);
    if (tain_less(deadline, &t)) t = *deadline;
    iopause_g(0, 0, &t);
  }
}

int pn_child_wait(pid_t pid, int *wstat, tain const *deadline)
{
  iopause_fd x = { .events = IOPAUSE_READ };
  int r;
  x.fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (x.fd < 0) return errno == ENOSYS ? wait_poll(pid, wstat, deadline) : -1;
  r = iopause_g(&x, 1, deadline);
  fd_close(x.fd);
  if (r < 0) return -1;
  if (!r) return (errno = ETIMEDOUT, 0);
  return wait_pid(pid, wstat) < 0 ? -1 : 1;
}
