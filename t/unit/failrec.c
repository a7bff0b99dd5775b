/* ISC license: see LICENSE. */

/*
 * Unit tests of the failure record (pn_failrec), printing TAP: the
 * records' names (pn_failrec_name, pn_failrec_isname: one per IPv4
 * address, one per IPv6 /64, IPv4-mapped as IPv4), and, in a fresh
 * directory, counting with chosen times: windows, addresses that never
 * touch each other's counts, the cap with the oldest dropped first and
 * expired records removed.  Run by t/16-smtpd-failrec-units.t.
 */

#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/pn_failrec.h"
#include "tap.h"

#define PATH_MAX_T 4096

static char dir[PATH_MAX_T];

static void name(char const *ip, char const *want)
{
  char got[PN_FAILREC_NAME_MAX];
  size_t len = pn_failrec_name(ip, got);
  int okay = want ? len == strlen(want) && !memcmp(got, want, len + 1) : !len;
  put("# name of \"");
  put(ip);
  put("\": ");
  put(len ? got : "(none)");
  put("\n");
  result(okay && (!len || pn_failrec_isname(got)), want ? want : "not an address");
}

static void test_names(void)
{
  char a[PN_FAILREC_NAME_MAX];
  char b[PN_FAILREC_NAME_MAX];
  char longip[200];
  name("192.0.2.7", "192.0.2.7");
  name("::ffff:192.0.2.7", "192.0.2.7");
  name("::FFFF:192.0.2.7", "192.0.2.7");
  name("::ffff:c000:207", "192.0.2.7");
  name("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::_64");
  name("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::_64");
  name("2001:db8::1", "2001:db8::_64");
  name("2001:0:0:1::5", "2001:0:0:1::_64");
  name("1:2:3:4:5:6:7:8", "1:2:3:4::_64");
  name("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff::_64");
  name("fe80::1%eth0", "fe80::_64");
  name("::1", "::_64");
  name("", 0);
  name("192.0.2", 0);
  name("192.0.2.256", 0);
  name("192.0.2.7 ", 0);
  name("example.org", 0);
  name("2001:db8::1/64", 0);
  name("2001:db8::_64", 0);
  memset(longip, '1', sizeof(longip) - 1);
  longip[sizeof(longip) - 1] = 0;
  name(longip, 0);
  pn_failrec_name("198.51.100.178", a);
  pn_failrec_name("198.51.100.206", b);
  result(strcmp(a, b) != 0, "198.51.100.178 and 198.51.100.206 have records of their own");
  result(pn_failrec_isname("2001:db8::_64") && pn_failrec_isname("10.0.0.1"), "isname: record names");
  result(!pn_failrec_isname("s0a3") && !pn_failrec_isname(".lock") && !pn_failrec_isname(".tmp")
    && !pn_failrec_isname("2001:db8::1_64") && !pn_failrec_isname("2001:db8::")
    && !pn_failrec_isname("::ffff:1.2.3.4_64") && !pn_failrec_isname("2001:DB8::_64")
    && !pn_failrec_isname(""), "isname: other files are not records");
}

/* count of the record file name in dir: -1 if absent */
static int count(char const *rname)
{
  char path[PATH_MAX_T];
  char buf[64];
  unsigned int c;
  ssize_t r;
  int fd;
  memcpy(path, dir, strlen(dir));
  path[strlen(dir)] = '/';
  memcpy(path + strlen(dir) + 1, rname, strlen(rname) + 1);
  fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  r = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (r <= 0) return -2;
  buf[r] = 0;
  if (!uint_scan(buf, &c)) return -2;
  return (int)c;
}

static int nrecords(void)
{
  int c = 0;
  char const *const all[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "2001:db8::_64", "192.0.2.5" };
  unsigned int i;
  for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) c += count(all[i]) >= 0;
  return c;
}

static void test_counts(void)
{
  unsigned int i;
  int okay = 1;
  for (i = 0; i < 4; i++) okay &= pn_failrec_add(dir, i & 1 ? "198.51.100.206" : "198.51.100.178", 900, 100, 1000 + i);
  result(okay && count("198.51.100.178") == 2 && count("198.51.100.206") == 2, "two addresses alternating: each counts its own");
  result(pn_failrec_blocked(dir, "198.51.100.178", 2, 900, 1004) == 1 && pn_failrec_blocked(dir, "198.51.100.178", 3, 900, 1004) == 0,
    "blocked at max, not below");
  result(pn_failrec_blocked(dir, "198.51.100.178", 2, 900, 1900) == 0, "not blocked once the window has passed");
  pn_failrec_add(dir, "198.51.100.178", 900, 100, 1900);
  result(count("198.51.100.178") == 1 && count("198.51.100.206") == 2, "an expired record starts over; the other is untouched");
  pn_failrec_add(dir, "2001:db8::1", 900, 100, 1000);
  pn_failrec_add(dir, "2001:db8::ffff:2", 900, 100, 1000);
  pn_failrec_add(dir, "::ffff:198.51.100.206", 900, 100, 1001);
  result(count("2001:db8::_64") == 2 && count("198.51.100.206") == 3, "a /64 is one record; IPv4-mapped counts as IPv4");
  result(pn_failrec_blocked(dir, "2001:db8::abcd", 2, 900, 1001) == 1, "another address of the /64 is blocked");
  result(pn_failrec_blocked(dir, "example.org", 2, 900, 1001) == -1 && errno == EINVAL, "not an address: an error");
  result(!pn_failrec_add(dir, "example.org", 900, 100, 1001) && errno == EINVAL, "not an address: not counted");
}

static void clean(void)
{
  char const *const all[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5",
    "2001:db8::_64", "198.51.100.178", "198.51.100.206", "s0a3", ".lock" };
  unsigned int i;
  int dfd = open(dir, O_RDONLY | O_DIRECTORY);
  for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) unlinkat(dfd, all[i], 0);
  close(dfd);
}

static void test_cap(void)
{
  int fd;
  char path[PATH_MAX_T];
  clean();
  /* a file that is not a record, old: never counted nor removed */
  memcpy(path, dir, strlen(dir));
  memcpy(path + strlen(dir), "/s0a3", 6);
  fd = open(path, O_WRONLY | O_CREAT, 0600);
  close(fd);
  pn_failrec_add(dir, "192.0.2.2", 900, 3, 1001);
  pn_failrec_add(dir, "192.0.2.1", 900, 3, 1002);
  pn_failrec_add(dir, "192.0.2.3", 900, 3, 1003);
  pn_failrec_add(dir, "192.0.2.2", 900, 3, 1004);
  result(nrecords() == 3 && count("192.0.2.2") == 2, "three records at a cap of 3");
  pn_failrec_add(dir, "192.0.2.4", 900, 3, 1005);
  result(nrecords() == 3 && count("192.0.2.2") == -1 && count("192.0.2.1") == 1 && count("192.0.2.4") == 1,
    "a fourth address: the oldest window (192.0.2.2, started first) is dropped");
  pn_failrec_add(dir, "192.0.2.1", 900, 3, 1006);
  result(nrecords() == 3 && count("192.0.2.1") == 2, "a known address is counted without dropping anyone");
  pn_failrec_add(dir, "192.0.2.5", 900, 3, 1904);
  result(nrecords() == 2 && count("192.0.2.1") == -1 && count("192.0.2.3") == -1 && count("192.0.2.4") == 1 && count("192.0.2.5") == 1,
    "expired records are removed first, nothing live is dropped");
  result(access(path, F_OK) == 0, "a file that is not a record is left alone");
  pn_failrec_add(dir, "2001:db8::1", 900, 1, 1905);
  result(nrecords() == 1 && count("2001:db8::_64") == 1, "a cap lowered to 1: the older records go");
  unlink(path);
}

/* files in dir that are records */
static unsigned int nfiles(void)
{
  unsigned int c = 0;
  DIR *d = opendir(dir);
  struct dirent *e;
  if (!d) return 0;
  while ((e = readdir(d))) c += pn_failrec_isname(e->d_name);
  closedir(d);
  return c;
}

static void ipof(unsigned int i, char *ip)
{
  size_t len;
  memcpy(ip, "10.0.", 5);
  len = 5 + uint_fmt(ip + 5, i / 256);
  ip[len++] = '.';
  ip[len + uint_fmt(ip + len, i % 256)] = 0;
}

/* A cap of 128: a scan drops the 2 oldest (128 / 64), so the next new
   address needs none; the number of records is kept in .lock. */
static void test_headroom(void)
{
  char ip[32];
  char path[PATH_MAX_T];
  char buf[32];
  unsigned int i;
  int okay = 1;
  int fd;
  ssize_t r;
  for (i = 0; i < 130; i++)
  {
    ipof(i, ip);
    okay &= pn_failrec_add(dir, ip, 900, 128, 2000 + i);
  }
  result(okay && nfiles() == 128, "a cap of 128: 130 addresses leave 128 records");
  result(count("10.0.0.0") == -1 && count("10.0.0.1") == -1 && count("10.0.0.2") == 1 && count("10.0.0.129") == 1,
    "the 129th dropped the 2 oldest, the 130th none");
  memcpy(path, dir, strlen(dir));
  memcpy(path + strlen(dir), "/.lock", 7);
  fd = open(path, O_RDONLY);
  r = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
  if (fd >= 0) close(fd);
  buf[r > 0 ? r : 0] = 0;
  result(!strcmp(buf, "128\n"), ".lock holds the number of records");
  for (i = 0; i < 130; i++)
  {
    char rpath[PATH_MAX_T];
    ipof(i, ip);
    memcpy(rpath, dir, strlen(dir));
    rpath[strlen(dir)] = '/';
    memcpy(rpath + strlen(dir) + 1, ip, strlen(ip) + 1);
    unlink(rpath);
  }
}

int main(void)
{
  char const *t = getenv("TMPDIR");
  size_t len;
  if (!t || !*t) t = "/tmp";
  len = strlen(t);
  if (len + 32 > sizeof(dir)) return 111;
  memcpy(dir, t, len);
  memcpy(dir + len, "/pn-failrec.XXXXXX", 19);
  if (!mkdtemp(dir)) return 111;
  test_names();
  test_counts();
  test_cap();
  clean();
  test_headroom();
  clean();
  rmdir(dir);
  plan();
  return failed ? 1 : 0;
}
