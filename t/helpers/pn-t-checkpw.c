/* ISC license: see LICENSE. */

/*
 * pn-t-checkpw prog...: a checkpassword program for tests.  Accepts the one
 * pair alice/secret: sets USER and HOME and execs prog.  Else exits 1.
 * T_FD3=file: copy what came on fd 3 there first.
 * T_CHECKPW_STATUS=n: exit n at once; "sig": die by SIGTERM; "zero":
 *   exit 0 without exec'ing anything.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/pn_limits.h"

int main(int argc, char const *const *argv)
{
  char buf[PN_FD3_MAX + 2];
  size_t len;
  char const *x;
  len = allread(3, buf, sizeof(buf));
  if (!len && errno) _exit(2);
  close(3);
  x = getenv("T_FD3");
  if (x)
  {
    int fd = open(x, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || allwrite(fd, buf, len) < len) _exit(111);
    close(fd);
  }
  x = getenv("T_CHECKPW_STATUS");
  if (x)
  {
    unsigned int n;
    if (!strcmp(x, "sig")) { kill(getpid(), SIGTERM); _exit(111); }
    if (!strcmp(x, "zero")) _exit(0);
    if (uint0_scan(x, &n)) _exit((int)n);
  }
  if (argc < 2) _exit(2);
  if (len == 14 && !memcmp(buf, "alice\0secret\0\0", 14))
  {
    if (setenv("USER", "alice", 1) < 0 || setenv("HOME", "/", 1) < 0) _exit(111);
    execvp(argv[1], (char *const *)argv + 1);
    _exit(111);
  }
  _exit(1);
}
