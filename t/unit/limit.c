/* ISC license: see LICENSE. */

/*
 * Unit tests, printing TAP, of the sending limits: the parsers of
 * MSGLIMIT, RCPTLIMIT and SMTPLIMITS (pn_limit), and the counts in a
 * temporary LIMITDIR (pn_limitdb) with the clock as a parameter: each
 * limit at its boundary, windows that end, giving back, user names that
 * are no safe file names, a corrupt record, a lock held past the wait,
 * expiry, and 20 processes of one user taking at once.  Run by
 * t/39-limit-units.t.
 */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/types.h>

#include "lib/pn_limit.h"
#include "lib/pn_limitdb.h"
#include "tap.h"

#define PROCS 20

static char dir[] = "/tmp/pn-unit-limit.XXXXXX";

static int scans(char const *s, uint32_t max, uint32_t window)
{
  pn_limit l = { .max = 7, .window = 7 };
  int r = pn_limit_scan(s, strlen(s), &l);
  if (!window) return !r && errno == EINVAL && l.max == 7 && l.window == 7;
  return r && l.max == max && l.window == window;
}

static int fmts(uint32_t max, uint32_t window, char const *want)
{
  char s[PN_LIMIT_FMT];
  pn_limit l = { .max = max, .window = window };
  return pn_limit_fmt(s, &l) == strlen(want) && !strcmp(s, want);
}

static void test_scan(void)
{
  static char const *const bad[] =
  {
    "", "200", "200/", "200/h", "/1h", "200/1", "200/1x", "200/0h", "-1/1h", " 200/1h",
    "200/1h ", "200/367d", "10000001/1h", "200/1H", "99999999999999999999/1h", "2 00/1h",
    "200/1h1", "200//1h", "0x10/1h", 0
  };
  unsigned int i;
  result(scans("200/1h", 200, 3600), "200/1h");
  result(scans("1000/1d", 1000, 86400), "1000/1d");
  result(scans("5/30m", 5, 1800), "5/30m");
  result(scans("1/10s", 1, 10), "1/10s");
  result(scans("0/1d", 0, 86400), "0/1d: nothing allowed");
  result(scans("10000000/366d", 10000000, 366 * 86400), "the caps themselves");
  for (i = 0; bad[i]; i++) result(scans(bad[i], 0, 0), "malformed, refused as a whole");
  {
    pn_limits l = { .msgs = { 200, 3600 }, .rcpts = { 1000, 86400 } };
    result(pn_limit_scanset("msgs=5/1h", &l) && l.msgs.max == 5 && l.rcpts.max == 1000, "SMTPLIMITS replaces key by key");
    result(pn_limit_scanset("  rcpts=10/1d\tmsgs=6/2h ", &l) && l.msgs.max == 6 && l.msgs.window == 7200 && l.rcpts.max == 10, "both keys, any order, blanks");
    result(!pn_limit_scanset("", &l) && errno == EINVAL, "an empty SMTPLIMITS is malformed");
    result(!pn_limit_scanset("msgs=5/1h msgs=6/1h", &l) && l.msgs.max == 6, "a repeated key is malformed, nothing changed");
    result(!pn_limit_scanset("msgs=1/1h mails=6/1h", &l) && l.msgs.max == 6, "an unknown key");
    result(!pn_limit_scanset("msgs=", &l), "an empty limit");
    result(!pn_limit_scanset("msgs=5/1h,rcpts=5/1h", &l), "commas are no separators");
    result(!pn_limit_scanset("MSGS=5/1h", &l), "keys are lower case");
  }
  {
    char r[PN_LIMIT_REPLY_MAX];
    pn_limit a = { .max = 200, .window = 3600 };
    pn_limit b = { .max = 0, .window = 86400 };
    pn_limit_reply(r, PN_LIMIT_MSGS, 0, &a, 2000, 1246);
    result(!strcmp(r, "451 4.7.1 Sending limit reached: 200 messages per 1h; try again in 754 seconds"), "the reply at MAIL");
    pn_limit_reply(r, PN_LIMIT_RCPTS, 1, &a, 2000, 1246);
    result(!strcmp(r, "452 4.5.3 Sending limit reached: 200 recipients per 1h; try again in 754 seconds"), "the reply at RCPT");
    a.max = PN_LIMIT_MAX;
    a.window = PN_LIMIT_WINDOW_MAX - 1;
    result(pn_limit_reply(r, PN_LIMIT_RCPTS, 0, &a, (uint64_t)-1, 0) < PN_LIMIT_REPLY_MAX, "the longest reply fits");
    pn_limit_reply(r, PN_LIMIT_MSGS, 0, &b, 0, 1246);
    result(!strcmp(r, "451 4.7.1 Sending limit reached: 0 messages per 1d"), "a limit of 0 never frees: no time");
  }
  result(fmts(200, 3600, "200/1h") && fmts(90, 90, "90/90s") && fmts(1, 7200, "1/2h") && fmts(3, 86400, "3/1d") && fmts(0, 0, "none"), "pn_limit_fmt");
}

static int conf(char const *dir, char const *msg, char const *rcpt, char const *set, char const *max, char const *want_bad, pn_limitconf *c)
{
  char const *bad = 0;
  int r;
  if (dir) setenv("LIMITDIR", dir, 1); else unsetenv("LIMITDIR");
  if (msg) setenv("MSGLIMIT", msg, 1); else unsetenv("MSGLIMIT");
  if (rcpt) setenv("RCPTLIMIT", rcpt, 1); else unsetenv("RCPTLIMIT");
  if (set) setenv("SMTPLIMITS", set, 1); else unsetenv("SMTPLIMITS");
  if (max) setenv("MAXMSGS", max, 1); else unsetenv("MAXMSGS");
  r = pn_limitconf_read(c, &bad);
  if (want_bad) return !r && bad && !strcmp(bad, want_bad);
  return r;
}

static void test_conf(void)
{
  pn_limitconf c;
  char e[PN_LIMIT_EHLO_MAX];
  unsetenv("RECEIVEDPRIVATE");
  result(conf(0, 0, 0, 0, 0, 0, &c) && !c.dir && !c.limits.msgs.window && !c.limits.rcpts.window && c.maxmsgs == 100 && !c.receivedprivate, "defaults: no limits, MAXMSGS 100");
  result(conf("/x", "200/1h", "1000/1d", 0, "7", 0, &c) && !strcmp(c.dir, "/x") && c.limits.msgs.max == 200 && c.limits.rcpts.window == 86400 && c.maxmsgs == 7, "LIMITDIR, MSGLIMIT, RCPTLIMIT, MAXMSGS");
  result(conf("/x", "200/1h", "1000/1d", "rcpts=5/1m", 0, 0, &c) && c.limits.msgs.max == 200 && c.limits.rcpts.max == 5 && c.limits.rcpts.window == 60, "SMTPLIMITS over the defaults, key by key (per-user values against defaults)");
  result(conf("", "", "", 0, 0, 0, &c) && !c.dir && !c.limits.msgs.window, "empty is unset");
  result(conf(0, "200", 0, 0, 0, "MSGLIMIT", &c), "a malformed MSGLIMIT names it");
  result(conf(0, 0, "1/1y", 0, 0, "RCPTLIMIT", &c), "a malformed RCPTLIMIT");
  result(conf(0, 0, 0, "", 0, "SMTPLIMITS", &c), "an empty SMTPLIMITS is malformed");
  result(conf(0, 0, 0, 0, "0", "MAXMSGS", &c) && conf(0, 0, 0, 0, "10001", "MAXMSGS", &c) && conf(0, 0, 0, 0, "x", "MAXMSGS", &c), "MAXMSGS 1 to 10000");
  setenv("RECEIVEDPRIVATE", "", 1);
  result(conf(0, 0, 0, 0, 0, 0, &c) && c.receivedprivate, "RECEIVEDPRIVATE set, even empty");
  unsetenv("RECEIVEDPRIVATE");
  result(pn_limit_ehlo(e, 100, 50) == 29 && !strcmp(e, "LIMITS RCPTMAX=100 MAILMAX=50"), "the EHLO keyword (RFC 9422)");
}

static pn_limitdb db = { .dir = dir, .waitms = 2000 };

static int take(char const *user, uint64_t now, pn_limits const *l, unsigned int m, unsigned int r, int want)
{
  pn_limitst st;
  return pn_limitdb_take(&db, user, now, l, m, r, &st) == want;
}

static void recpath(char *p, char const *user)
{
  size_t d = strlen(dir);
  memcpy(p, dir, d);
  p[d] = '/';
  pn_limitdb_name(p + d + 1, user, strlen(user));
}

static void test_counts(void)
{
  pn_limits l = { .msgs = { 3, 3600 }, .rcpts = { 5, 86400 } };
  pn_limitst st;
  unsigned int i;
  int ok = 1;
  for (i = 0; i < 3; i++) ok &= take("alice", 1000 + i, &l, 1, 0, PN_LIMITDB_OK);
  result(ok, "3 messages of 3/1h taken");
  result(pn_limitdb_take(&db, "alice", 1010, &l, 1, 0, &st) == PN_LIMITDB_EMSGS && pn_limitdb_frees(&st, PN_LIMITDB_EMSGS) == 4600, "the 4th refused; frees an hour after the first");
  result(take("alice", 4599, &l, 1, 0, PN_LIMITDB_EMSGS), "still refused the second before");
  result(pn_limitdb_take(&db, "alice", 4600, &l, 1, 0, &st) == PN_LIMITDB_OK && st.mend == 8200 && st.mcount == 1, "taken when the window ends; a new one starts");
  result(take("bob", 1010, &l, 1, 0, PN_LIMITDB_OK), "another user has his own count");
  result(take("alice", 4601, &l, 0, 2, PN_LIMITDB_OK) && take("alice", 4602, &l, 0, 3, PN_LIMITDB_OK), "5 recipients of 5/1d");
  result(pn_limitdb_take(&db, "alice", 4603, &l, 0, 1, &st) == PN_LIMITDB_ERCPTS && pn_limitdb_frees(&st, PN_LIMITDB_ERCPTS) == 4601 + 86400, "the 6th refused (452 at RCPT)");
  result(take("alice", 4604, &l, 1, 0, PN_LIMITDB_ERCPTS), "MAIL refused when the recipients are spent");
  result(take("alice", 4601 + 86400, &l, 0, 1, PN_LIMITDB_OK), "the recipients' window ends on its own");
  /* giving back */
  {
    pn_limits g = { .msgs = { 2, 3600 }, .rcpts = { 0, 0 } };
    pn_limitst t;
    result(pn_limitdb_take(&db, "carol", 100, &g, 1, 0, &t) == PN_LIMITDB_OK && take("carol", 101, &g, 1, 0, PN_LIMITDB_OK), "2 of 2 taken");
    result(pn_limitdb_give(&db, "carol", 1, 0, &t) && take("carol", 102, &g, 1, 0, PN_LIMITDB_OK), "one given back (transaction not accepted) frees one");
    result(take("carol", 103, &g, 1, 0, PN_LIMITDB_EMSGS), "and only one");
    result(take("carol", 104, &g, 0, 50, PN_LIMITDB_OK), "an unset limit is not counted");
    result(pn_limitdb_give(&db, "carol", 1, 0, &t) && pn_limitdb_give(&db, "carol", 5, 0, &t) && take("carol", 105, &g, 1, 0, PN_LIMITDB_OK) && take("carol", 106, &g, 1, 0, PN_LIMITDB_OK) && take("carol", 107, &g, 1, 0, PN_LIMITDB_EMSGS), "giving back more never goes below zero");
    result(take("carol", 3700, &g, 1, 0, PN_LIMITDB_OK) && pn_limitdb_give(&db, "carol", 1, 0, &t) && take("carol", 3701, &g, 1, 0, PN_LIMITDB_OK) && take("carol", 3702, &g, 1, 0, PN_LIMITDB_EMSGS), "what an ended window took is not given back to the next");
    result(pn_limitdb_give(&db, "nobody-here", 1, 1, &t), "giving back with no record is fine");
  }
  {
    pn_limits z = { .msgs = { 0, 86400 }, .rcpts = { 0, 0 } };
    result(pn_limitdb_take(&db, "frozen", 1, &z, 1, 0, &st) == PN_LIMITDB_EMSGS && !pn_limitdb_frees(&st, PN_LIMITDB_EMSGS), "0/1d: refused, never frees");
  }
  {
    pn_limits big = { .msgs = { 100, 3600 }, .rcpts = { 0, 0 } };
    ok = 1;
    for (i = 0; i < 100; i++) ok &= take("dave", 50, &big, 1, 0, PN_LIMITDB_OK);
    result(ok && take("dave", 50, &big, 1, 0, PN_LIMITDB_EMSGS), "100/1h: 100 accepted, the 101st refused");
    big.msgs.window = 60;
    result(pn_limitdb_take(&db, "dave", 51, &big, 1, 0, &st) == PN_LIMITDB_EMSGS && st.mend == 111, "a lowered window cuts the current one");
  }
}

static void test_names(void)
{
  pn_limits l = { .msgs = { 3, 3600 }, .rcpts = { 0, 0 } };
  char u[300];
  char p[4096];
  struct stat st;
  memset(u, 'x', sizeof(u));
  u[255] = 0;
  result(take("../../etc/passwd", 1, &l, 1, 0, PN_LIMITDB_OK) && take("a/b", 1, &l, 1, 0, PN_LIMITDB_OK) && take("\xff\x01 \n", 1, &l, 1, 0, PN_LIMITDB_OK) && take(u, 1, &l, 1, 0, PN_LIMITDB_OK), "names with /, .., controls, 255 bytes");
  recpath(p, "../../etc/passwd");
  result(!stat(p, &st) && S_ISREG(st.st_mode) && strlen(strrchr(p, '/')) == 66, "stored under u + SHA-256 in hex, in the directory");
  u[255] = 'x';
  u[256] = 0;
  result(take(u, 1, &l, 1, 0, -1) && errno == EINVAL, "256 bytes: EINVAL");
  result(take("", 1, &l, 1, 0, -1) && errno == EINVAL, "an empty name: EINVAL");
}

static int writefile(char const *p, char const *s)
{
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int ok = fd >= 0 && allwrite(fd, s, strlen(s)) == strlen(s);
  if (fd >= 0) close(fd);
  return ok;
}

static void test_errors(void)
{
  pn_limits l = { .msgs = { 3, 3600 }, .rcpts = { 5, 3600 } };
  char p[4096];
  char q[4096];
  int fd;
  recpath(p, "eve");
  result(writefile(p, "garbage\n") && take("eve", 1, &l, 1, 0, -1) && errno == EPROTO, "a corrupt record: an error (451 4.3.0), not a fresh count");
  result(writefile(p, "pnlimit1 657665 100 1 100 1\nmore\n") && take("eve", 1, &l, 1, 0, -1) && errno == EPROTO, "trailing junk: an error");
  result(writefile(p, "pnlimit1 657665 100 1 100") && take("eve", 1, &l, 1, 0, -1) && errno == EPROTO, "a torn record: an error");
  recpath(q, "mallory");
  result(writefile(q, "pnlimit1 657665 100 1 100 1\n") && take("mallory", 1, &l, 1, 0, -1) && errno == EPROTO, "another user's record under one's name: an error");
  result(writefile(p, "pnlimit1 657665 100 3 100 1\n") && take("eve", 1, &l, 1, 0, PN_LIMITDB_EMSGS), "a record written by hand is read");
  unlink(p);
  result(mkdir(p, 0700) == 0 && take("eve", 1, &l, 1, 0, -1), "a directory in the record's place: an error");
  rmdir(p);
  fd = open(p, O_RDWR | O_CREAT, 0600);
  result(fd >= 0 && !flock(fd, LOCK_EX), "the record locked by another");
  db.waitms = 200;
  result(take("eve", 1, &l, 1, 0, -1) && errno == ETIMEDOUT, "a lock held past the wait: ETIMEDOUT, no count");
  db.waitms = 2000;
  close(fd);
  result(take("eve", 1, &l, 1, 0, PN_LIMITDB_OK), "free again once released");
  {
    pn_limitdb none = { .dir = "/nonexistent/pn-limit", .waitms = 100 };
    pn_limitst st;
    result(pn_limitdb_take(&none, "eve", 1, &l, 1, 0, &st) == -1 && errno == ENOENT, "a missing LIMITDIR: an error");
  }
}

static void test_expire(void)
{
  pn_limits l = { .msgs = { 3, 100 }, .rcpts = { 3, 200 } };
  char p[4096];
  struct stat st;
  int r;
  result(take("old", 1000, &l, 1, 1, PN_LIMITDB_OK) && take("new", 1150, &l, 1, 0, PN_LIMITDB_OK), "two records");
  r = pn_limitdb_expire(&db, 1199, 100000);
  recpath(p, "old");
  result(r >= 0 && !stat(p, &st), "not expired while a window lasts");
  r = pn_limitdb_expire(&db, 1200, 100000);
  result(r >= 1 && stat(p, &st) < 0 && errno == ENOENT, "expired when all its windows have ended");
  recpath(p, "new");
  result(!stat(p, &st), "the other stays");
  result(take("old", 1201, &l, 1, 0, PN_LIMITDB_OK), "an expired user starts afresh");
}

/* PROCS processes take tries times each at once; the total they got. */
static unsigned int race(char const *user, pn_limits const *l, unsigned int m, unsigned int r, unsigned int tries)
{
  int p[2];
  unsigned int i;
  unsigned int total = 0;
  if (pipe(p) < 0) return 0;
  for (i = 0; i < PROCS; i++)
  {
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (!pid)
    {
      unsigned int k;
      char got = 0;
      close(p[0]);
      for (k = 0; k < tries; k++)
      {
        pn_limitst st;
        int x = pn_limitdb_take(&db, user, 10, l, m, r, &st);
        if (x == PN_LIMITDB_OK) got++;
        else if (x < 0) got = 100;   /* an error is a failure here */
      }
      allwrite(p[1], &got, 1);
      _exit(0);
    }
  }
  close(p[1]);
  for (;;)
  {
    char c;
    if (read(p[0], &c, 1) != 1) break;
    total += (unsigned char)c;
  }
  close(p[0]);
  while (wait(0) > 0);
  return total;
}

static void test_race(void)
{
  pn_limits lm = { .msgs = { 30, 3600 }, .rcpts = { 0, 0 } };
  pn_limits lr = { .msgs = { 0, 0 }, .rcpts = { 100, 3600 } };
  pn_limitst st;
  result(race("racer", &lm, 1, 0, 5) == 30, "20 processes, 100 MAILs at once: exactly 30 of 30/1h taken");
  result(pn_limitdb_take(&db, "racer", 11, &lm, 1, 0, &st) == PN_LIMITDB_EMSGS && st.mcount == 30, "the record holds 30: no update lost");
  result(race("racer2", &lr, 0, 1, 10) == 100, "20 processes, 200 RCPTs at once: exactly 100 of 100/1h taken");
}

static void cleanup(void)
{
  DIR *d = opendir(dir);
  size_t dl = strlen(dir);
  if (!d) return;
  for (;;)
  {
    char p[4096];
    struct dirent *e = readdir(d);
    if (!e) break;
    if (e->d_name[0] == '.' || dl + strlen(e->d_name) + 2 > sizeof(p)) continue;
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, e->d_name, strlen(e->d_name) + 1);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

int main(void)
{
  if (!mkdtemp(dir)) { put("Bail out! mkdtemp\n"); return 1; }
  test_scan();
  test_conf();
  test_counts();
  test_names();
  test_errors();
  test_expire();
  test_race();
  plan();
  cleanup();
  return failed ? 1 : 0;
}
