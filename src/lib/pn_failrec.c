/* ISC license: see LICENSE. */

/*
 * The failure record: failed AUTHs per client address across connections.
 * The directory holds at most PN_FAILREC_SLOTS files; an address hashes to
 * one of them, which holds one record "ip count start\n".  Each update is
 * made under an exclusive lock on the slot file, so concurrent sessions do
 * not lose counts.  On a collision with another live address, the record
 * with more failures stays: an attacker's record is not evicted by an
 * innocent neighbour.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/types.h>

#include "pn_failrec.h"
#include "pn_peer.h"

#define PN_FAILREC_RECMAX 128
#define PN_FAILREC_PATHMAX 4096

typedef struct rec_s rec;
struct rec_s
{
  char ip[PN_IP_MAX];
  unsigned int count;
  uint64_t start;
};

static unsigned int slot(char const *ip)
{
  uint32_t h = 2166136261u;
  for (; *ip; ip++) h = (h ^ (unsigned char)*ip) * 16777619u;
  return h % PN_FAILREC_SLOTS;
}

/* Opens and locks the slot file of ip; -1 with errno on failure. */
static int openslot(char const *dir, char const *ip, int create)
{
  char path[PN_FAILREC_PATHMAX];
  size_t dlen = strlen(dir);
  unsigned int s = slot(ip);
  static char const hex[16] = "0123456789abcdef";
  int fd;
  if (dlen + 6 > sizeof(path)) return (errno = ENAMETOOLONG, -1);
  memcpy(path, dir, dlen);
  path[dlen] = '/';
  path[dlen + 1] = 's';
  path[dlen + 2] = hex[(s >> 8) & 15];
  path[dlen + 3] = hex[(s >> 4) & 15];
  path[dlen + 4] = hex[s & 15];
  path[dlen + 5] = 0;
  fd = open(path, create ? O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC : O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  if (flock(fd, create ? LOCK_EX : LOCK_SH) < 0) { fd_close(fd); return -1; }
  return fd;
}

/* 1 if a record was read, 0 if the file holds none (or garbage). */
static int readrec(int fd, rec *r)
{
  char buf[PN_FAILREC_RECMAX];
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  char *sp;
  size_t len;
  size_t i;
  if (n <= 0) return 0;
  buf[n] = 0;
  sp = memchr(buf, ' ', (size_t)n);
  if (!sp || sp == buf || (size_t)(sp - buf) >= PN_IP_MAX) return 0;
  memcpy(r->ip, buf, (size_t)(sp - buf));
  r->ip[sp - buf] = 0;
  i = (size_t)(sp - buf) + 1;
  len = uint_scan(buf + i, &r->count);
  if (!len || buf[i + len] != ' ') return 0;
  i += len + 1;
  len = uint64_scan(buf + i, &r->start);
  if (!len || buf[i + len] != '\n') return 0;
  return 1;
}

static int writerec(int fd, rec const *r)
{
  char buf[PN_FAILREC_RECMAX];
  size_t len = strlen(r->ip);
  memcpy(buf, r->ip, len);
  buf[len++] = ' ';
  len += uint_fmt(buf + len, r->count);
  buf[len++] = ' ';
  len += uint64_fmt(buf + len, r->start);
  buf[len++] = '\n';
  if (pwrite(fd, buf, len, 0) != (ssize_t)len) return 0;
  return ftruncate(fd, (off_t)len) == 0;
}

int pn_failrec_blocked(char const *dir, char const *ip, unsigned int max, unsigned int window, uint64_t now)
{
  rec r;
  int blocked;
  int fd = openslot(dir, ip, 0);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  blocked = readrec(fd, &r) && !strcmp(r.ip, ip) && r.count >= max && now < r.start + window;
  fd_close(fd);
  return blocked;
}

int pn_failrec_add(char const *dir, char const *ip, unsigned int window, uint64_t now)
{
  rec r;
  int live;
  int ok = 1;
  int fd;
  if (strlen(ip) >= PN_IP_MAX) return (errno = EINVAL, 0);
  fd = openslot(dir, ip, 1);
  if (fd < 0) return 0;
  live = readrec(fd, &r) && now < r.start + window;
  if (live && strcmp(r.ip, ip) && r.count > 1)
  {
    /* a busier neighbour keeps the slot */
    fd_close(fd);
    return 1;
  }
  if (!live || strcmp(r.ip, ip))
  {
    memcpy(r.ip, ip, strlen(ip) + 1);
    r.count = 0;
    r.start = now;
  }
  r.count++;
  ok = writerec(fd, &r);
  fd_close(fd);
  return ok;
}
