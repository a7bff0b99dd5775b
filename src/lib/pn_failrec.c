/* ISC license: see LICENSE. */

/*
 * The failure record: failed AUTHs per client address across connections.
 * One file per address in the directory, named by pn_failrec_name (an
 * IPv4 address, or an IPv6 /64), holding "count start\n": the failures
 * counted in a fixed window that started at the first one (start, in
 * seconds since the epoch; the file's mtime is set to start too, so that
 * a scan need not open each file).  An address's count is its own: no
 * other address's failure changes it.  This is Redis's INCR then EXPIRE
 * on the first INCR, key for key.
 *
 * Writers (pn_failrec_add) take the directory's lock, ".lock", waiting
 * for it at most PN_FAILREC_LOCKWAIT seconds, and replace a record by
 * writing ".tmp" and renaming it over the record; readers
 * (pn_failrec_blocked) take no lock, since a rename is atomic.  A new
 * record first makes room: the scan removes expired records, and at the
 * cap drops the one with the earliest start (ties: the smallest name).
 * Only entries whose names are record names are counted or removed.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>      /* renameat only: no stdio here */
#include <string.h>
#include <unistd.h>

#include <skalibs/djbunix.h>
#include <skalibs/iopause.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>

#include "pn_failrec.h"
#include "pn_peer.h"

#define PN_FAILREC_RECMAX 64        /* "count start\n" */
#define PN_FAILREC_LOCKSTEP 10      /* milliseconds between tries of the lock */

typedef struct rec_s rec;
struct rec_s
{
  unsigned int count;
  uint64_t start;
};

typedef struct scan_s scan;
struct scan_s
{
  unsigned int n;                   /* live records */
  uint64_t start;                   /* the oldest one's */
  char oldest[PN_FAILREC_NAME_MAX]; /* empty: none */
};

size_t pn_failrec_name(char const *ip, char *name)
{
  char buf[PN_IP_MAX];
  char tmp[INET6_ADDRSTRLEN];
  unsigned char a[16];
  char const *z;
  size_t len;
  len = strnlen(ip, PN_IP_MAX);
  if (len == PN_IP_MAX) return 0;
  memcpy(buf, ip, len + 1);
  if (inet_pton(AF_INET, buf, a) != 1)
  {
    z = memchr(buf, '%', len);
    if (z) buf[z - buf] = 0;
    if (inet_pton(AF_INET6, buf, a) != 1) return 0;
    if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a)) memmove(a, a + 12, 4);
    else
    {
      memset(a + 8, 0, 8);
      if (!inet_ntop(AF_INET6, a, tmp, sizeof(tmp))) return 0;
      len = strlen(tmp);
      if (len + 4 > PN_FAILREC_NAME_MAX) return 0;
      memcpy(name, tmp, len);
      memcpy(name + len, "_64", 4);
      return len + 3;
    }
  }
  if (!inet_ntop(AF_INET, a, tmp, sizeof(tmp))) return 0;
  len = strlen(tmp);
  memcpy(name, tmp, len + 1);
  return len;
}

int pn_failrec_isname(char const *s)
{
  char ip[PN_IP_MAX];
  char name[PN_FAILREC_NAME_MAX];
  size_t len = strnlen(s, PN_FAILREC_NAME_MAX);
  if (len == PN_FAILREC_NAME_MAX) return 0;
  memcpy(ip, s, len + 1);
  if (len > 3 && !memcmp(ip + len - 3, "_64", 3)) ip[len - 3] = 0;
  return len && pn_failrec_name(ip, name) == len && !memcmp(name, s, len);
}

/* 1 if a record was read, 0 if the file holds none (or garbage). */
static int readrec(int fd, rec *r)
{
  char buf[PN_FAILREC_RECMAX];
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  size_t i;
  size_t len;
  if (n <= 0) return 0;
  buf[n] = 0;
  len = uint_scan(buf, &r->count);
  if (!len || buf[len] != ' ') return 0;
  i = len + 1;
  len = uint64_scan(buf + i, &r->start);
  return len && buf[i + len] == '\n';
}

/* Writes r as dir's record name: .tmp, its mtime, then a rename. */
static int writerec(int dfd, char const *name, rec const *r)
{
  char buf[PN_FAILREC_RECMAX];
  struct timespec ts[2];
  size_t len = uint_fmt(buf, r->count);
  int fd;
  buf[len++] = ' ';
  len += uint64_fmt(buf + len, r->start);
  buf[len++] = '\n';
  fd = openat(dfd, ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  ts[0].tv_sec = ts[1].tv_sec = (time_t)r->start;
  ts[0].tv_nsec = ts[1].tv_nsec = 0;
  if (write(fd, buf, len) != (ssize_t)len || futimens(fd, ts) < 0)
  {
    int e = errno;
    fd_close(fd);
    errno = e;
  }
  else if (close(fd) == 0 && renameat(dfd, ".tmp", dfd, name) == 0) return 1;
  {
    int e = errno;
    unlinkat(dfd, ".tmp", 0);
    return (errno = e, 0);
  }
}

/* Takes dir's lock, trying until PN_FAILREC_LOCKWAIT seconds have
   passed.  The lock's fd, or -1 with errno (ENOLCK: still held). */
static int lockdir(int dfd)
{
  tain deadline;
  tain step;
  int fd = openat(dfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  tain_now_g();
  tain_addsec_g(&deadline, PN_FAILREC_LOCKWAIT);
  tain_from_millisecs(&step, PN_FAILREC_LOCKSTEP);
  for (;;)
  {
    tain next;
    if (!flock(fd, LOCK_EX | LOCK_NB)) return fd;
    if (errno != EWOULDBLOCK && errno != EINTR) break;
    tain_now_g();
    if (!tain_future(&deadline)) { errno = ENOLCK; break; }
    tain_add_g(&next, &step);
    deepsleepuntil_g(&next);
  }
  {
    int e = errno;
    fd_close(fd);
    errno = e;
  }
  return -1;
}

/* One pass over dir: removes expired records, counts live ones and
   finds the oldest.  1, or 0 with errno. */
static int scandir1(int dfd, unsigned int window, uint64_t now, scan *s)
{
  DIR *d;
  unsigned int i;
  int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  d = fdopendir(fd);
  if (!d) { fd_close(fd); return 0; }
  s->n = 0;
  s->oldest[0] = 0;
  for (i = 0; i < PN_FAILREC_SCANMAX; i++)
  {
    struct stat st;
    struct dirent *e;
    uint64_t start;
    errno = 0;
    e = readdir(d);
    if (!e) break;
    if (e->d_name[0] == '.' || !pn_failrec_isname(e->d_name)) continue;
    if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) continue;
    start = st.st_mtime > 0 ? (uint64_t)st.st_mtime : 0;
    if (start + window <= now) { unlinkat(dfd, e->d_name, 0); continue; }
    s->n++;
    if (!s->oldest[0] || start < s->start || (start == s->start && strcmp(e->d_name, s->oldest) < 0))
    {
      s->start = start;
      memcpy(s->oldest, e->d_name, strlen(e->d_name) + 1);
    }
  }
  if (i == PN_FAILREC_SCANMAX) errno = EFBIG;
  {
    int e = errno;
    closedir(d);
    return (errno = e, !e);
  }
}

/* Room for one new record: at most records - 1 live ones stay. */
static int makeroom(int dfd, unsigned int window, unsigned int records, uint64_t now)
{
  unsigned int pass;
  for (pass = 0; pass < PN_FAILREC_EVICTMAX; pass++)
  {
    scan s;
    if (!scandir1(dfd, window, now, &s)) return 0;
    if (s.n < records) return 1;
    if (unlinkat(dfd, s.oldest, 0) < 0 && errno != ENOENT) return 0;
    if (s.n - 1 < records) return 1;
  }
  return 1;
}

static int bump(int dfd, char const *name, unsigned int window, unsigned int records, uint64_t now)
{
  rec r = { .count = 0, .start = now };
  int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0)
  {
    if (!readrec(fd, &r) || now >= r.start + window) { r.count = 0; r.start = now; }
    fd_close(fd);
  }
  else if (errno != ENOENT) return 0;
  else if (!makeroom(dfd, window, records, now)) return 0;
  if (r.count < (unsigned int)-1) r.count++;
  return writerec(dfd, name, &r);
}

static int opendir1(char const *dir, char const *ip, char *name)
{
  if (!pn_failrec_name(ip, name)) return (errno = EINVAL, -1);
  return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int pn_failrec_blocked(char const *dir, char const *ip, unsigned int max, unsigned int window, uint64_t now)
{
  char name[PN_FAILREC_NAME_MAX];
  rec r;
  int ok;
  int fd;
  int dfd = opendir1(dir, ip, name);
  if (dfd < 0) return -1;
  fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  fd_close(dfd);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  ok = readrec(fd, &r);
  fd_close(fd);
  return ok && r.count >= max && now < r.start + window;
}

int pn_failrec_add(char const *dir, char const *ip, unsigned int window, unsigned int records, uint64_t now)
{
  char name[PN_FAILREC_NAME_MAX];
  int ok = 0;
  int lfd;
  int dfd = opendir1(dir, ip, name);
  if (dfd < 0) return 0;
  lfd = lockdir(dfd);
  if (lfd >= 0)
  {
    ok = bump(dfd, name, window, records, now);
    {
      int e = errno;
      fd_close(lfd);
      errno = e;
    }
  }
  {
    int e = errno;
    fd_close(dfd);
    errno = e;
  }
  return ok;
}
