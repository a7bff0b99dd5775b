/* ISC license: see LICENSE. */

/*
 * pn_maildir: delivery into a Maildir (https://cr.yp.to/proto/maildir.html)
 * with every step done: a unique name in tmp/ made with O_EXCL, the data
 * written and fsync'd, the file closed, linked (never renamed: link fails
 * rather than overwrite) into new/ with ",S=size" added, new/ fsync'd, and
 * only then the tmp name removed.  Any failure removes what was made.
 */

#define _GNU_SOURCE               /* sync_file_range(2), on Linux */

#include <sys/uio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/types.h>

#include "pn_maildir.h"

#define HOST_MAX 64               /* the host part of a unique name */
#define PATH_SIZE (PN_MAILDIR_DIR_MAX + 5 + PN_MAILDIR_NAME_MAX)
#define CLOCK_TRIES 1000000       /* reads of the clock waiting for a new usec */
#define WRITEBACK_STEP (1 << 20)  /* bytes written before their writeback starts */

static char host[HOST_MAX * 4 + 1];

/* gethostname with "/" and ":" written \057 and \072 (maildir(5)) */
static void host_init(void)
{
  char h[HOST_MAX + 1];
  size_t i;
  size_t w = 0;
  if (host[0]) return;
  if (gethostname(h, sizeof(h)) < 0 || !h[0]) memcpy(h, "localhost", 10);
  h[HOST_MAX] = 0;
  for (i = 0; h[i]; i++)
  {
    if (h[i] == '/' || h[i] == ':')
    {
      memcpy(host + w, h[i] == '/' ? "\\057" : "\\072", 4);
      w += 4;
    }
    else host[w++] = h[i];
  }
  host[w] = 0;
}

/* time.MusecPpid.host; two names of one process never share a usec */
static int unique(char *name)
{
  static struct timespec last = { 0, 0 };
  struct timespec ts;
  unsigned int tries = 0;
  size_t w = 0;
  for (;;)
  {
    if (clock_gettime(CLOCK_REALTIME, &ts) < 0) return 0;
    ts.tv_nsec /= 1000;
    if (ts.tv_sec != last.tv_sec || ts.tv_nsec != last.tv_nsec) break;
    if (++tries >= CLOCK_TRIES) return (errno = EAGAIN, 0);
  }
  last = ts;
  host_init();
  w += uint64_fmt(name + w, (uint64_t)ts.tv_sec);
  name[w++] = '.'; name[w++] = 'M';
  w += uint32_fmt(name + w, (uint32_t)ts.tv_nsec);
  name[w++] = 'P';
  w += uint64_fmt(name + w, (uint64_t)getpid());
  name[w++] = '.';
  memcpy(name + w, host, strlen(host) + 1);
  return 1;
}

/* dir/sub/name */
static void mkpath(char *path, char const *dir, char const *sub, char const *name)
{
  size_t d = strlen(dir);
  memcpy(path, dir, d);
  path[d++] = '/';
  memcpy(path + d, sub, 3);
  d += 3;
  path[d++] = '/';
  memcpy(path + d, name, strlen(name) + 1);
}

static int fail(pn_maildir *m)
{
  if (!m->err) m->err = errno;
  return (errno = m->err, 0);
}

int pn_maildir_open(pn_maildir *m, char const *dir)
{
  char path[PATH_SIZE];
  m->dir = dir;
  m->fd = -1;
  m->err = 0;
  m->size = 0;
  m->started = 0;
  m->buflen = 0;
  m->name[0] = 0;
  if (strlen(dir) > PN_MAILDIR_DIR_MAX) return (errno = ENAMETOOLONG, fail(m));
  if (!unique(m->name)) return fail(m);
  mkpath(path, dir, "tmp", m->name);
  m->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (m->fd < 0) { m->name[0] = 0; return fail(m); }
  return 1;
}

static int flushbuf(pn_maildir *m)
{
  if (!m->buflen) return 1;
  if (allwrite(m->fd, m->buf, m->buflen) < m->buflen) return fail(m);
  m->buflen = 0;
  return 1;
}

/* Starts the disk writes of what was written, a step at a time, while
   the rest of the message comes: the fsync at the end then finds little
   left to do (Linux's sync_file_range; elsewhere the fsync does it all). */
static void writeback(pn_maildir *m)
{
#ifdef SYNC_FILE_RANGE_WRITE
  if (m->size - m->started < WRITEBACK_STEP) return;
  sync_file_range(m->fd, (off_t)m->started, (off_t)(m->size - m->started), SYNC_FILE_RANGE_WRITE);
  m->started = m->size;
#else
  (void)m;
#endif
}

/* Small pieces (the added lines, a short header, a short message) gather
   in buf; a piece that does not fit goes out with them in one writev. */
int pn_maildir_put(void *ctx, char const *s, size_t len)
{
  pn_maildir *m = ctx;
  if (m->err) return (errno = m->err, 0);
  if (m->buflen + len <= PN_MAILDIR_BUF)
  {
    memcpy(m->buf + m->buflen, s, len);
    m->buflen += len;
  }
  else
  {
    struct iovec v[2];
    v[0].iov_base = m->buf;
    v[0].iov_len = m->buflen;
    v[1].iov_base = (char *)s;
    v[1].iov_len = len;
    if (allwritev(m->fd, v, 2) < m->buflen + len) return fail(m);
    m->buflen = 0;
    m->size += len;
    writeback(m);
    return 1;
  }
  m->size += len;
  return 1;
}

void pn_maildir_abort(pn_maildir *m)
{
  char path[PATH_SIZE];
  int e = errno;
  if (m->fd >= 0) { fd_close(m->fd); m->fd = -1; }
  if (m->name[0])
  {
    mkpath(path, m->dir, "tmp", m->name);
    unlink(path);
    m->name[0] = 0;
  }
  errno = e;
}

static int syncdir(char const *dir)
{
  char path[PN_MAILDIR_DIR_MAX + 5];
  size_t d = strlen(dir);
  int fd;
  int r;
  memcpy(path, dir, d);
  memcpy(path + d, "/new", 5);
  fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  r = fsync(fd);
  fd_close(fd);
  return r == 0;
}

int pn_maildir_commit(pn_maildir *m)
{
  char tmp[PATH_SIZE];
  char new[PATH_SIZE];
  char sz[UINT64_FMT];
  size_t n;
  int fd = m->fd;
  if (m->err || !flushbuf(m) || fsync(fd) < 0) goto err;
  m->fd = -1;
  if (close(fd) < 0) goto err;
  mkpath(tmp, m->dir, "tmp", m->name);
  sz[uint64_fmt(sz, m->size)] = 0;
  n = strlen(m->name);
  memcpy(m->name + n, ",S=", 3);
  memcpy(m->name + n + 3, sz, strlen(sz) + 1);
  mkpath(new, m->dir, "new", m->name);
  m->name[n] = 0;
  if (link(tmp, new) < 0) goto err;
  if (!syncdir(m->dir))
  {
    int e = errno;
    unlink(new);
    errno = e;
    goto err;
  }
  unlink(tmp);
  memcpy(m->name + n, ",S=", 3);
  memcpy(m->name + n + 3, sz, strlen(sz) + 1);
  return 1;
 err:
  fail(m);
  pn_maildir_abort(m);
  return (errno = m->err, 0);
}
