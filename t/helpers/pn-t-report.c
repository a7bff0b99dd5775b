/* ISC license: see LICENSE. */

/*
 * pn-t-report file [status]: a session continuation for tests.  Writes to
 * file its uid, gid, groups, cwd, argv, environment and every byte it
 * then reads on fd 0 (after the line "stdin:"), having first sent
 * "235 2.7.0 report" to fd 1.  Exits with status (default 0).
 */

#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>
#include <skalibs/djbunix.h>



extern char **environ;

static int fd;

static void put(char const *s)
{
  if (allwrite(fd, s, strlen(s)) < strlen(s)) _exit(111);
}

static void putnum(char const *key, unsigned long n)
{
  char fmt[ULONG_FMT];
  fmt[ulong_fmt(fmt, n)] = 0;
  put(key); put(" "); put(fmt); put("\n");
}

int main(int argc, char const *const *argv)
{
  gid_t groups[256];
  char cwd[4096];
  char buf[8192];
  unsigned int status = 0;
  int n;
  int i;
  if (argc < 2) _exit(100);
  if (argc > 2 && !uint0_scan(argv[2], &status)) _exit(100);
  ndelay_off(0);
  ndelay_off(1);
  if (allwrite(1, "235 2.7.0 report\r\n", 18) < 18) _exit(111);
  fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) _exit(111);
  putnum("uid", (unsigned long)getuid());
  putnum("euid", (unsigned long)geteuid());
  putnum("gid", (unsigned long)getgid());
  putnum("egid", (unsigned long)getegid());
  n = getgroups(256, groups);
  put("groups");
  for (i = 0; i < n; i++)
  {
    char fmt[ULONG_FMT];
    fmt[ulong_fmt(fmt, (unsigned long)groups[i])] = 0;
    put(" "); put(fmt);
  }
  put("\n");
  put("cwd "); put(getcwd(cwd, sizeof(cwd)) ? cwd : "?"); put("\n");
  for (i = 0; i < argc; i++) { put("arg "); put(argv[i]); put("\n"); }
  for (i = 0; environ[i]; i++) { put("env "); put(environ[i]); put("\n"); }
  put("stdin:\n");
  for (;;)
  {
    ssize_t r = read(0, buf, sizeof(buf));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (allwrite(fd, buf, (size_t)r) < (size_t)r) _exit(111);
  }
  close(fd);
  _exit((int)status);
}
