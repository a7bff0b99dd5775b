/* ISC license: see LICENSE. */

/*
 * fuzz_checkpw: postern-checkpw's fd 3 reader and its use of the
 * compiled database, in process.  src/postern-checkpw.c is compiled into
 * the harness with main renamed and pn_crypt_check replaced by a fast
 * stand-in (the password "secret" matches any usable hash); its steps
 * are called as main calls them, up to the account switch (which is
 * never reached: the harness runs as whoever started it).
 *
 * First input byte even: the rest is what comes on fd 3, checked against
 * a small well-formed database.  The outcome is compared with a model
 * of the checkpassword interface: more than 512 bytes, fewer than two
 * NULs, or a third field without its NUL exit 2; an empty user or
 * password exits 1; else the user name and password handed on are the
 * first two fields, NUL-terminated, inside the buffer.
 *
 * Odd: the rest is the database file itself (a corrupt one, mostly), and
 * fd 3 has alice/secret.  The outcome must be one of the documented
 * ones: 111 (unreadable, not ours, corrupt), 1 (no such user, locked),
 * or an entry whose fields are NUL-terminated inside the file.
 */

#include <sys/types.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/cdb.h>
#include <skalibs/cdbmake.h>
#include <skalibs/djbunix.h>
#include <skalibs/env.h>
#include <skalibs/exec.h>
#include <skalibs/setgroups.h>
#include <skalibs/sgetopt.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "lib/pn_crypt.h"
#include "lib/pn_limits.h"
#include "lib/pn_pwdb.h"
#include "lib/pn_pwfile.h"
#include "fuzz.h"

/* The credentials come on fd 3, but fd 3 may be libFuzzer's own (its
   merge control file): the harness gives them on FUZZ_FD3 instead, and
   the program's reads and close of fd 3 are sent there. */
#define FUZZ_FD3 103

static int fuzz_crypt_check(char const *, char const *);
static size_t fuzz_allread(int, char *, size_t);
static void fuzz_fd_close(int);

/* main, renamed, loses the implicit "return 0" */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wreturn-type"
#define main checkpw_main
#define pn_crypt_check fuzz_crypt_check
#define allread(fd, s, n) fuzz_allread((fd), (s), (n))
#define fd_close(fd) fuzz_fd_close(fd)
#include "../../src/postern-checkpw.c"
#pragma GCC diagnostic pop
#undef main
#undef pn_crypt_check
#undef allread
#undef fd_close

static size_t fuzz_allread(int fd, char *s, size_t n)
{
  if (fd != 3) fuzz_fail("a read from another fd than 3");
  return allread(FUZZ_FD3, s, n);
}

static void fuzz_fd_close(int fd)
{
  if (fd != 3) fuzz_fail("a close of another fd than 3");
  fd_close(FUZZ_FD3);
}

#define GOOD_HASH "$6$saltsalt$6b0hNi9V5tXTXaw3nkVEA0HZYsmAv8fZBW/lHVPxVRFHymfLHmiZcI6A.Y2O0QWhnfxgLhl3z9nnNcRv4ptXO."

extern int __real_cdb_init(cdb *, char const *);
extern int __wrap_cdb_init(cdb *, char const *);

#define GOODDB_FD 100              /* out of the way of fd 3 */
#define DB_FD 101

static char dbpath[64];
static char gooddb[64];

/* A memory file with the database, as fd high, named by its path. */
static void dbfile(int high, char *path)
{
  memcpy(path, "/proc/self/fd/", 14);
  path[14 + uint_fmt(path + 14, (unsigned int)high)] = 0;
}

static int fdhigh(int fd, int high)
{
  if (fd < 0 || dup2(fd, high) < 0) fuzz_fail("dup2");
  close(fd);
  return high;
}

static int fuzz_crypt_check(char const *pw, char const *hash)
{
  (void)strlen(pw);
  if (!hash) return 0;
  (void)strlen(hash);
  return !strcmp(pw, "secret");
}

/* check_pwdb maps the database into a static cdb each time: the
   previous map is released first, or the runs would pile them up. */
int __wrap_cdb_init(cdb *c, char const *file)
{
  if (c->map) cdb_free(c);
  return __real_cdb_init(c, file);
}

static void add(cdbmaker *c, char const *user, char const *hash, char const *account, char const *senders)
{
  char data[PN_PWDB_DATA_MAX];
  pn_pwent e = PN_PWENT_ZERO;
  e.hash = hash; e.hashlen = strlen(hash);
  e.account = account; e.accountlen = strlen(account);
  e.senders = senders; e.senderslen = strlen(senders);
  if (!cdbmake_add(c, user, strlen(user), data, pn_pwfile_pack(data, &e))) fuzz_fail("cdbmake_add");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  cdbmaker c = CDBMAKER_ZERO;
  int fd = fdhigh(memfd_create("gooddb", 0), GOODDB_FD);
  (void)argc; (void)argv;
  if (fd < 0 || !cdbmake_start(&c, fd)
   || !cdbmake_add(&c, PN_PWDB_MARKER_KEY, sizeof(PN_PWDB_MARKER_KEY) - 1, PN_PWDB_MARKER_DATA, sizeof(PN_PWDB_MARKER_DATA) - 1))
    fuzz_fail("cdbmake_start");
  add(&c, "alice", GOOD_HASH, "", "");
  add(&c, "bob", GOOD_HASH, "nobody", "bob@example.org @example.net");
  add(&c, "locked", "!" GOOD_HASH, "", "");
  add(&c, "a:b", GOOD_HASH, "", "");
  if (!cdbmake_finish(&c)) fuzz_fail("cdbmake_finish");
  dbfile(fd, gooddb);
  PROG = "postern-checkpw";
  return 0;
}

/* What the checkpassword interface says of these bytes: 2 malformed,
   1 empty user or password, 0 good. */
static int model(char const *s, size_t len)
{
  char const *p;
  char const *q;
  if (len > PN_FD3_MAX) return 2;
  p = memchr(s, 0, len);
  q = p ? memchr(p + 1, 0, len - (size_t)(p + 1 - s)) : 0;
  if (!q) return 2;
  if (q + 1 < s + len && !memchr(q + 1, 0, len - (size_t)(q + 1 - s))) return 2;
  if (p == s || q == p + 1) return 1;
  return 0;
}

static void creds_check(cred const *c, char const *s, size_t len)
{
  size_t pwlen;
  if (c->user != creds || c->userlen > PN_FD3_MAX || c->user[c->userlen]) fuzz_fail("user name not in the buffer");
  if (c->pw != c->user + c->userlen + 1) fuzz_fail("password not after the user name");
  pwlen = strlen(c->pw);
  if (c->userlen + pwlen + 2 > len) fuzz_fail("password past the input");
  if (memcmp(c->user, s, c->userlen) || memcmp(c->pw, s + c->userlen + 1, pwlen)) fuzz_fail("fields differ from the input");
}

static void entry_check(pn_pwent const *e)
{
  if (e->hash[e->hashlen] || e->account[e->accountlen] || e->senders[e->senderslen])
    fuzz_fail("an entry field not NUL-terminated");
  if (strlen(e->hash) != e->hashlen || strlen(e->account) != e->accountlen || strlen(e->senders) != e->senderslen)
    fuzz_fail("an entry field with a NUL inside");
  if (!pn_crypt_usable(e->hash)) fuzz_fail("an unusable hash accepted");
}

static void one(char const *s, size_t len, char const *db, int want)
{
  cred c = { .user = 0, .userlen = 0, .pw = 0 };
  pn_pwent e = PN_PWENT_ZERO;
  int fdbase = fuzz_lowfd();
  int read = 0;
  fuzz_memfd_onto(FUZZ_FD3, s, len);
  FUZZ_RUN(
    readcreds(&c);
    read = 1;
    if (!c.userlen || !*c.pw) fail(&c, "empty");
    check_pwdb(&c, db, &e)
  );
  /* checkpassword: fd 3 is closed once read */
  if (read && fcntl(FUZZ_FD3, F_GETFD) >= 0) fuzz_fail("fd 3 still open after it was read");
  close(FUZZ_FD3);
  if (fuzz_lowfd() != fdbase) fuzz_leak(fdbase);
  if (want >= 0)
  {
    if (want && fuzz_status != want) fuzz_fail("fd 3: the outcome is not the interface's");
    if (!want && fuzz_status != -1 && fuzz_status != 1) fuzz_fail("fd 3: good credentials refused as malformed");
  }
  else if (fuzz_status != -1 && fuzz_status != 1 && fuzz_status != 111) fuzz_fail("database: an undocumented exit status");
  if (fuzz_status == -1)
  {
    creds_check(&c, s, len);
    entry_check(&e);
  }
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  if (!size || size > 65536) return 0;
  if (!(data[0] & 1))
  {
    size_t len = size - 1 > PN_FD3_MAX + 1 ? PN_FD3_MAX + 1 : size - 1;
    one((char const *)data + 1, size - 1, gooddb, model((char const *)data + 1, len));
  }
  else
  {
    int fd = fdhigh(memfd_create("db", 0), DB_FD);
    if (allwrite(fd, (char const *)data + 1, size - 1) < size - 1) fuzz_fail("memfd");
    dbfile(fd, dbpath);
    one("alice\0secret\0", 14, dbpath, -1);
    close(fd);
  }
  return 0;
}
