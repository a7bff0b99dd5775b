/* ISC license: see LICENSE. */

/*
 * pn_limitdb: the sending counts, one small record per user in LIMITDIR,
 * named "u" + hex SHA-256 of the user name (any byte string gives one
 * safe name, never a path).  The record is one line,
 * "pnlimit1 <user in hex> <mend> <mcount> <rend> <rcount>\n", read and
 * rewritten in place under an exclusive flock on the file itself, so
 * that the lock and the data stay one inode.  The lock is tried, not
 * waited for: LOCK_NB in a loop with short sleeps, until waitms.  A
 * record that does not read back exactly (torn, edited, another user's)
 * is an error, never a fresh count.  Expiry unlinks a record under its
 * lock; a take that locked a record unlinked meanwhile opens it again.
 *
 * The same semantics map onto Redis: a take is INCRBY on a key per user
 * and limit, EXPIRE at the window's first count, DECRBY back when over;
 * a give is DECRBY while the key lives.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/sha256.h>
#include <skalibs/types.h>

#include "pn_limitdb.h"
#include "pn_limit.h"
#include "pn_limitwin.h"

#define RECMAX 1024               /* a record, bytes, at most */
#define PATHMAX 4096
#define REOPEN_MAX 8              /* reopens after a concurrent expiry */
#define MAGIC "pnlimit1 "

static char const hex[16] = "0123456789abcdef";

void pn_limitdb_name(char *s, char const *user, size_t len)
{
  SHA256Schedule c;
  char d[32];
  unsigned int i;
  sha256_init(&c);
  sha256_update(&c, user, len);
  sha256_final(&c, d);
  s[0] = 'u';
  for (i = 0; i < 32; i++)
  {
    s[1 + 2 * i] = hex[(unsigned char)d[i] >> 4];
    s[2 + 2 * i] = hex[(unsigned char)d[i] & 15];
  }
  s[65] = 0;
}

static int path(char *p, char const *dir, char const *name)
{
  size_t dlen = strlen(dir);
  size_t nlen = strlen(name);
  if (dlen + nlen + 2 > PATHMAX) return (errno = ENAMETOOLONG, 0);
  memcpy(p, dir, dlen);
  p[dlen] = '/';
  memcpy(p + dlen + 1, name, nlen + 1);
  return 1;
}

/* Closes fd keeping errno. */
static void closekeep(int fd)
{
  int e = errno;
  close(fd);
  errno = e;
}

static uint64_t msnow(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* An exclusive lock on fd within waitms: 1, or 0 with errno. */
static int lock(int fd, unsigned int waitms)
{
  uint64_t deadline = msnow() + waitms;
  for (;;)
  {
    struct timespec ts = { .tv_sec = 0, .tv_nsec = 5000000 };
    if (!flock(fd, LOCK_EX | LOCK_NB)) return 1;
    if (errno != EWOULDBLOCK && errno != EINTR) return 0;
    if (msnow() >= deadline) return (errno = ETIMEDOUT, 0);
    nanosleep(&ts, 0);
  }
}

/* Opens and locks the record at p: fd, or -1 with errno (ENOENT when
   absent and not create). */
static int openrec(char const *p, int create, unsigned int waitms)
{
  unsigned int tries;
  for (tries = 0; tries < REOPEN_MAX; tries++)
  {
    struct stat st;
    int fd = open(p, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0) return -1;
    if (!lock(fd, waitms) || fstat(fd, &st) < 0) { closekeep(fd); return -1; }
    if (!S_ISREG(st.st_mode)) { close(fd); return (errno = EPROTO, -1); }
    if (st.st_nlink) return fd;
    close(fd);                    /* expired while we waited: again */
  }
  return (errno = EAGAIN, -1);
}

static size_t userhex(char *s, char const *user, size_t len)
{
  size_t i;
  for (i = 0; i < len; i++)
  {
    s[2 * i] = hex[(unsigned char)user[i] >> 4];
    s[2 * i + 1] = hex[(unsigned char)user[i] & 15];
  }
  return 2 * len;
}

/* Parses a record read whole (n bytes, room for a NUL after): 1 with
   the user's hex at buf + MAGIC, its length in *hl; 0 if malformed. */
static int parse(char *buf, size_t n, size_t *hl, pn_limitst *r)
{
  size_t i = sizeof(MAGIC) - 1;
  size_t k;
  char const *sp;
  if (n > RECMAX || n <= i || buf[n - 1] != '\n' || memchr(buf, '\n', n - 1) || memcmp(buf, MAGIC, i)) return 0;
  buf[n] = 0;
  sp = memchr(buf + i, ' ', n - i);
  if (!sp) return 0;
  *hl = (size_t)(sp - buf) - i;
  i += *hl + 1;
  if (!(k = uint64_scan(buf + i, &r->mend)) || buf[i + k] != ' ') return 0;
  i += k + 1;
  if (!(k = uint32_scan(buf + i, &r->mcount)) || buf[i + k] != ' ') return 0;
  i += k + 1;
  if (!(k = uint64_scan(buf + i, &r->rend)) || buf[i + k] != ' ') return 0;
  i += k + 1;
  if (!(k = uint32_scan(buf + i, &r->rcount)) || buf[i + k] != '\n') return 0;
  return 1;
}

/* Reads the record of user: 1, or 0 with errno (EPROTO: malformed, or
   another user's).  An empty file is a fresh record. */
static int readrec(int fd, char const *user, size_t ulen, pn_limitst *r)
{
  char buf[RECMAX + 1];
  char want[PN_LIMITDB_USER_MAX * 2];
  ssize_t n = pread(fd, buf, sizeof(buf), 0);
  size_t hl;
  pn_limitst z = PN_LIMITST_ZERO;
  *r = z;
  if (n < 0) return 0;
  if (!n) return 1;
  if (!parse(buf, (size_t)n, &hl, r) || hl != 2 * ulen
    || memcmp(buf + sizeof(MAGIC) - 1, want, userhex(want, user, ulen)))
  {
    *r = z;
    return (errno = EPROTO, 0);
  }
  return 1;
}

static int writerec(int fd, char const *user, size_t ulen, pn_limitst const *r)
{
  char buf[RECMAX];
  size_t w = sizeof(MAGIC) - 1;
  memcpy(buf, MAGIC, w);
  w += userhex(buf + w, user, ulen);
  buf[w++] = ' ';
  w += uint64_fmt(buf + w, r->mend);
  buf[w++] = ' ';
  w += uint32_fmt(buf + w, r->mcount);
  buf[w++] = ' ';
  w += uint64_fmt(buf + w, r->rend);
  buf[w++] = ' ';
  w += uint32_fmt(buf + w, r->rcount);
  buf[w++] = '\n';
  if (pwrite(fd, buf, w, 0) != (ssize_t)w) return 0;
  return !ftruncate(fd, (off_t)w);
}

static int userpath(char *p, pn_limitdb const *db, char const *user, size_t *ulen)
{
  char name[PN_LIMITDB_NAME];
  *ulen = strlen(user);
  if (!*ulen || *ulen > PN_LIMITDB_USER_MAX) return (errno = EINVAL, 0);
  pn_limitdb_name(name, user, *ulen);
  return path(p, db->dir, name);
}

int pn_limitdb_take(pn_limitdb const *db, char const *user, uint64_t now, pn_limits const *l, unsigned int msgs, unsigned int rcpts, pn_limitst *st)
{
  char p[PATHMAX];
  size_t ulen;
  int fd;
  int r;
  if (!userpath(p, db, user, &ulen)) return -1;
  fd = openrec(p, 1, db->waitms);
  if (fd < 0) return -1;
  if (!readrec(fd, user, ulen, st)) goto err;
  r = pn_limitwin_decide(st, l, now, msgs, rcpts);
  if (r == PN_LIMITDB_OK && (msgs || rcpts) && !writerec(fd, user, ulen, st)) goto err;
  close(fd);
  return r;
 err:
  closekeep(fd);
  return -1;
}

int pn_limitdb_give(pn_limitdb const *db, char const *user, unsigned int msgs, unsigned int rcpts, pn_limitst const *taken)
{
  char p[PATHMAX];
  pn_limitst r;
  size_t ulen;
  int ok;
  int fd;
  if (!userpath(p, db, user, &ulen)) return 0;
  fd = openrec(p, 0, db->waitms);
  if (fd < 0) return errno == ENOENT;
  ok = readrec(fd, user, ulen, &r);
  if (ok)
  {
    if (msgs && r.mend && r.mend == taken->mend) r.mcount -= msgs < r.mcount ? msgs : r.mcount;
    if (rcpts && r.rend && r.rend == taken->rend) r.rcount -= rcpts < r.rcount ? rcpts : r.rcount;
    ok = writerec(fd, user, ulen, &r);
  }
  closekeep(fd);
  return ok;
}

uint64_t pn_limitdb_frees(pn_limitst const *st, int which)
{
  return which == PN_LIMITDB_EMSGS ? st->mend : which == PN_LIMITDB_ERCPTS ? st->rend : 0;
}

/* Unlinks the record p if it is idle and all its windows have ended. */
static int expire1(char const *p, uint64_t now)
{
  char buf[RECMAX + 1];
  pn_limitst r;
  size_t hl;
  ssize_t n;
  int gone = 0;
  int fd = open(p, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  if (!flock(fd, LOCK_EX | LOCK_NB))
  {
    n = pread(fd, buf, sizeof(buf), 0);
    if (n > 0 && parse(buf, (size_t)n, &hl, &r) && now >= r.mend && now >= r.rend)
      gone = !unlink(p);
  }
  close(fd);
  return gone;
}

int pn_limitdb_expire(pn_limitdb const *db, uint64_t now, unsigned int max)
{
  char p[PATHMAX];
  int removed = 0;
  DIR *d = opendir(db->dir);
  if (!d) return -1;
  while (max--)
  {
    struct dirent *e;
    errno = 0;
    e = readdir(d);
    if (!e) break;
    if (e->d_name[0] != 'u' || strlen(e->d_name) != PN_LIMITDB_NAME - 1) continue;
    if (path(p, db->dir, e->d_name)) removed += expire1(p, now);
  }
  {
    int err = errno;
    closedir(d);
    if (err) return (errno = err, -1);
  }
  return removed;
}
