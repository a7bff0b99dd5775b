/* ISC license: see LICENSE. */

/*
 * pn_pwstore: replacing the password file and its cdb so that a crash
 * leaves the old version or the new one, never a mix: the s6 way of
 * rebuilding a cdb (temporary file in the same directory, fsync,
 * rename), plus the directory's fsync it lacks.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>                /* rename */
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>

#include "pn_pwstore.h"

/* Closes fd, keeping the errno of what failed. */
static int fail(int fd)
{
  int e = errno;
  close(fd);
  errno = e;
  return -1;
}

int pn_pwstore_load(char const *file, uint64_t max, stralloc *sa, struct stat *st, char const **what)
{
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  size_t r;
  *what = "open ";
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  *what = "stat ";
  if (fstat(fd, st) < 0) goto err;
  *what = "read ";
  if (!S_ISREG(st->st_mode)) { errno = EINVAL; goto err; }
  if ((uint64_t)st->st_size > max) { errno = EFBIG; goto err; }
  sa->len = 0;
  *what = "allocate memory for ";
  if (!stralloc_ready(sa, (size_t)st->st_size + 1)) goto err;
  *what = "read ";
  errno = 0;
  r = allread(fd, sa->s, (size_t)st->st_size + 1);
  if (errno) goto err;
  *what = "read (it changed while being read) ";
  if (r != (size_t)st->st_size) { errno = EAGAIN; goto err; }
  sa->len = r;
  close(fd);
  return 1;
 err:
  return fail(fd);
}

int pn_pwstore_tmp(char const *tmp, struct stat const *like, char const **what)
{
  struct stat st;
  int fd;
  unlink(tmp);
  *what = "create ";
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || !like) return fd;
  *what = "stat ";
  if (fstat(fd, &st) < 0) goto err;
  *what = "give the owner and group of the old file to ";
  if ((st.st_uid != like->st_uid || st.st_gid != like->st_gid)
   && fchown(fd, like->st_uid, like->st_gid) < 0) goto err;
  *what = "chmod ";
  if (fchmod(fd, like->st_mode & 07777) < 0) goto err;
  return fd;
 err:
  return fail(fd);
}

int pn_pwstore_sync(int fd, char const **what)
{
  *what = "fsync ";
  if (fd_sync(fd) < 0) return fail(fd) + 1;
  *what = "close ";
  return close(fd) == 0;
}

int pn_pwstore_rename(char const *tmp, char const *path, char const **what)
{
  *what = "rename to ";
  return rename(tmp, path) == 0;
}

int pn_pwstore_syncdir(char const *file, char *dir, char const **what)
{
  char const *slash = strrchr(file, '/');
  int fd;
  if (!slash) memcpy(dir, ".", 2);
  else if (slash == file) memcpy(dir, "/", 2);
  else { memcpy(dir, file, (size_t)(slash - file)); dir[slash - file] = 0; }
  *what = "fsync directory ";
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  if (fd_sync(fd) < 0) return fail(fd) + 1;
  close(fd);
  return 1;
}
