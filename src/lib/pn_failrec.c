/* ISC license: see LICENSE. */

/*
 * The failure record: failed AUTHs per client address across connections.
 * One file per address in the directory, named by pn_failrec_name (an
 * IPv4 address, or an IPv6 /64: pn_failname.c), holding "count start\n":
 * the failures counted in a fixed window that started at the first one
 * (start, in seconds since the epoch; the file's mtime is set to start
 * too, so that a scan need not open each file).  An address's count is
 * its own: no other address's failure changes it.  This is Redis's INCR,
 * then EXPIRE on the first INCR, key for key.
 *
 * Writers (pn_failrec_add) take the directory's lock, ".lock", waiting
 * for it at most PN_FAILREC_LOCKWAIT seconds, and replace a record by
 * writing ".tmp" and renaming it over the record; readers
 * (pn_failrec_blocked) take no lock, since a rename is atomic.  ".lock"
 * also holds the number of records, so that a new record costs no scan
 * below the cap.  At the cap, a scan removes expired records, then drops
 * the oldest (earliest start; ties: the smallest name) down to
 * headroom() below the cap, so that the next scan is that many new
 * records away.  A count that is missing, or too high because records
 * were removed by hand, only makes the scan come early; the scan sets it
 * right.  Only entries whose names are record names are counted or
 * removed.
 *
 * After pn_failrec_useredis, both calls go to pn_failrec_redis.c instead.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
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

#define PN_FAILREC_RECMAX 64        /* "count start\n" */
#define PN_FAILREC_LOCKSTEP 10      /* milliseconds between tries of the lock */

typedef struct rec_s rec;
struct rec_s
{
  unsigned int count;
  uint64_t start;
};

/* A record met by a scan: the oldest ones are kept in a max-heap. */
typedef struct old_s old;
struct old_s
{
  uint64_t start;
  char name[PN_FAILREC_NAME_MAX];
};

/* Closes fd, keeping errno. */
static void closekeep(int fd)
{
  int e = errno;
  fd_close(fd);
  errno = e;
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
  if (write(fd, buf, len) != (ssize_t)len || futimens(fd, ts) < 0) closekeep(fd);
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
  closekeep(fd);
  return -1;
}

/* 1 if a is older than b: earlier start, or the same and a smaller name */
static int older(old const *a, old const *b)
{
  return a->start < b->start || (a->start == b->start && strcmp(a->name, b->name) < 0);
}

static void swap(old *h, unsigned int i, unsigned int j)
{
  old t = h[i];
  h[i] = h[j];
  h[j] = t;
}

/* h[0..n) is a max-heap but for h[i], which may be too young for its place */
static void siftdown(old *h, unsigned int n, unsigned int i)
{
  for (;;)
  {
    unsigned int l = 2 * i + 1;
    unsigned int m = i;
    if (l < n && older(&h[m], &h[l])) m = l;
    if (l + 1 < n && older(&h[m], &h[l + 1])) m = l + 1;
    if (m == i) return;
    swap(h, i, m);
    i = m;
  }
}

/* Keeps e among the PN_FAILREC_EVICTMAX oldest in h (*n of them). */
static void keep(old *h, unsigned int *n, old const *e)
{
  unsigned int i = *n;
  if (i < PN_FAILREC_EVICTMAX)
  {
    h[(*n)++] = *e;
    while (i && older(&h[(i - 1) / 2], &h[i])) { swap(h, i, (i - 1) / 2); i = (i - 1) / 2; }
  }
  else if (older(e, &h[0])) { h[0] = *e; siftdown(h, *n, 0); }
}

/* One pass over dir: removes expired records, counts the live ones
   (*live) and keeps the oldest in h (*n).  1, or 0 with errno. */
static int scandir1(int dfd, unsigned int window, uint64_t now, unsigned int *live, old *h, unsigned int *n)
{
  DIR *d;
  unsigned int i;
  int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  d = fdopendir(fd);
  if (!d) { fd_close(fd); return 0; }
  *live = *n = 0;
  for (i = 0; i < PN_FAILREC_SCANMAX; i++)
  {
    struct stat st;
    struct dirent *e;
    old o;
    errno = 0;
    e = readdir(d);
    if (!e) break;
    if (e->d_name[0] == '.' || !pn_failrec_isname(e->d_name)) continue;
    if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) continue;
    o.start = st.st_mtime > 0 ? (uint64_t)st.st_mtime : 0;
    if (o.start + window <= now) { unlinkat(dfd, e->d_name, 0); continue; }
    (*live)++;
    memcpy(o.name, e->d_name, strlen(e->d_name) + 1);
    keep(h, n, &o);
  }
  if (i == PN_FAILREC_SCANMAX) errno = EFBIG;
  if (errno) { int e = errno; closedir(d); return (errno = e, 0); }
  closedir(d);
  return 1;
}

/* New records a scan at the cap makes room for: a 64th of the cap,
   at least 1, at most PN_FAILREC_EVICTMAX. */
static unsigned int headroom(unsigned int records)
{
  unsigned int r = records / 64;
  return !r ? 1 : r > PN_FAILREC_EVICTMAX ? PN_FAILREC_EVICTMAX : r;
}

/* At the cap: the scan, then the oldest dropped until headroom(records)
   new ones fit.  *count: the records left.  1, or 0 with errno. */
static int makeroom(int dfd, unsigned int window, unsigned int records, uint64_t now, unsigned int *count)
{
  old h[PN_FAILREC_EVICTMAX];
  unsigned int live;
  unsigned int n;
  unsigned int drop;
  if (!scandir1(dfd, window, now, &live, h, &n)) return 0;
  drop = live + headroom(records) > records ? live + headroom(records) - records : 0;
  if (drop > n) drop = n;
  while (n > drop) { h[0] = h[--n]; siftdown(h, n, 0); }
  *count = live;
  while (n--)
  {
    if (unlinkat(dfd, h[n].name, 0) < 0 && errno != ENOENT) return 0;
    (*count)--;
  }
  return 1;
}

/* The number of records, kept in the lock file: -1 if unknown. */
static long getcount(int lfd)
{
  char buf[UINT_FMT + 1];
  unsigned int c;
  size_t len;
  ssize_t r = pread(lfd, buf, sizeof(buf) - 1, 0);
  if (r <= 0) return -1;
  buf[r] = 0;
  len = uint_scan(buf, &c);
  return len && buf[len] == '\n' ? (long)c : -1;
}

static void putcount(int lfd, unsigned int c)
{
  char buf[UINT_FMT + 1];
  size_t len = uint_fmt(buf, c);
  buf[len++] = '\n';
  if (pwrite(lfd, buf, len, 0) == (ssize_t)len) (void)!ftruncate(lfd, (off_t)len);
}

static int bump(int dfd, int lfd, char const *name, unsigned int window, unsigned int records, uint64_t now)
{
  rec r = { .count = 0, .start = now };
  long c = -1;                  /* the new number of records, if it changes */
  int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0)
  {
    if (!readrec(fd, &r) || now >= r.start + window) { r.count = 0; r.start = now; }
    fd_close(fd);
  }
  else if (errno != ENOENT) return 0;
  else
  {
    unsigned int count;
    c = getcount(lfd);
    count = c < 0 ? records : (unsigned int)c;
    if (count >= records && !makeroom(dfd, window, records, now, &count)) return 0;
    c = (long)count + 1;
  }
  if (r.count < (unsigned int)-1) r.count++;
  if (!writerec(dfd, name, &r)) return 0;
  if (c >= 0) putcount(lfd, (unsigned int)c);
  return 1;
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
  int dfd;
  if (pn_failrec_inredis()) return pn_failrec_redis_blocked(ip, max);
  dfd = opendir1(dir, ip, name);
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
  int dfd;
  if (pn_failrec_inredis()) return pn_failrec_redis_add(ip, window);
  dfd = opendir1(dir, ip, name);
  if (dfd < 0) return 0;
  lfd = lockdir(dfd);
  if (lfd >= 0)
  {
    ok = bump(dfd, lfd, name, window, records, now);
    closekeep(lfd);
  }
  closekeep(dfd);
  return ok;
}
