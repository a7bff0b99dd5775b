/* ISC license: see LICENSE. */

/*
 * postern-passwd: maintains the password file (user:hash[:account[:senders[:limits]]])
 * and compiles it to FILE.cdb for postern-checkpw.  add, set and del
 * rewrite both files, each written to a temporary file, fsync'd and
 * renamed; a lock keeps a second writer out.  Exits 0, 1 for a refusal
 * (files untouched), 100 for usage, 111 for a system error.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/bytestr.h>
#include <skalibs/cdbmake.h>
#include <skalibs/djbunix.h>
#include <skalibs/genalloc.h>
#include <skalibs/sgetopt.h>
#include <skalibs/sig.h>
#include <skalibs/stralloc.h>
#include <skalibs/strerr.h>
#include <skalibs/types.h>

#include "lib/pn_crypt.h"
#include "lib/pn_ct.h"
#include "lib/pn_limits.h"
#include "lib/pn_log.h"
#include "lib/pn_pwfile.h"
#include "lib/pn_pwstore.h"

#define USAGE "postern-passwd [ -f pwfile ] [ -m yescrypt|sha512crypt|bcrypt ] [ -c cost ] [ -a account ] [ -s senders ] [ -l limits ] add|set|del|check user | list | make"

#define PN_PWFILE_DEFAULT "/etc/postern/passwd"
#define PN_PWFILE_MAX (64UL << 20)    /* bytes in the source file */
#define PN_PWPATH_MAX 4000
#define PN_SUFFIX_MAX 16              /* ".cdb.tmp" and friends */
#define PN_FD3_MAX_TEXT "512"         /* PN_FD3_MAX, for messages */

typedef pn_pwline ent;

typedef struct method_s method;
struct method_s
{
  char const *name;
  char const *prefix;
};

static method const methods[] =
{
  { .name = "yescrypt", .prefix = "$y$" },
  { .name = "sha512crypt", .prefix = "$6$" },
  { .name = "bcrypt", .prefix = "$2b$" },
  { .name = 0, .prefix = 0 }
};

static char const *file = PN_PWFILE_DEFAULT;
static char const *prefix = "$y$";      /* -m */
static unsigned long cost = 0;          /* -c: 0 for the method's default */
static char const *optaccount = 0;      /* -a */
static char const *optsenders = 0;      /* -s */
static char const *optlimits = 0;       /* -l */
static char cdbpath[PN_PWPATH_MAX + PN_SUFFIX_MAX];
static char txttmp[PN_PWPATH_MAX + PN_SUFFIX_MAX];
static char cdbtmp[PN_PWPATH_MAX + PN_SUFFIX_MAX];
static char lockpath[PN_PWPATH_MAX + PN_SUFFIX_MAX];

/* Passwords typed or piped in: wiped by wipe() before any exit. */
static char pwin[2][PN_FD3_MAX + 2];
static struct termios tsaved;
static volatile sig_atomic_t tchanged = 0;

static void wipe(void)
{
  if (tchanged) { tcsetattr(0, TCSANOW, &tsaved); tchanged = 0; }
  byte_zzero(pwin[0], sizeof(pwin[0]));
  byte_zzero(pwin[1], sizeof(pwin[1]));
  pn_crypt_wipe();
}

/* Our temporary files are removed on every error path; only while we
   hold the lock are they ours. */
static int locked = 0;

static void cleanup(void)
{
  if (!locked) return;
  unlink(txttmp);
  unlink(cdbtmp);
}

static void dieusage(void) gccattr_noreturn;
static void dieusage(void)
{
  strerr_dieusage(100, USAGE);
}

static void diesys(char const *what, char const *arg) gccattr_noreturn;
static void diesys(char const *what, char const *arg)
{
  int e = errno;
  wipe();
  cleanup();
  errno = e;
  strerr_diefusys(111, what, arg);
}

static void refuse(char const *a, char const *b, char const *c) gccattr_noreturn;
static void refuse(char const *a, char const *b, char const *c)
{
  wipe();
  strerr_dief(1, a, b, c);
}

static void setpaths(void)
{
  size_t len = strlen(file);
  if (!len || len > PN_PWPATH_MAX) strerr_dief(100, "file name too long or empty");
  memcpy(cdbpath, file, len); memcpy(cdbpath + len, ".cdb", 5);
  memcpy(txttmp, file, len); memcpy(txttmp + len, ".tmp", 5);
  memcpy(cdbtmp, file, len); memcpy(cdbtmp + len, ".cdb.tmp", 9);
  memcpy(lockpath, file, len); memcpy(lockpath + len, ".lock", 6);
}

/* One writer at a time: a lock on FILE.lock, held until exit. */
static void lock(void)
{
  int fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int r;
  if (fd < 0) diesys("open ", lockpath);
  r = fd_lock(fd, 1, 1);
  if (r < 0) diesys("lock ", lockpath);
  if (!r)
  {
    wipe();
    strerr_dief(111, file, " is being changed by another postern-passwd (", lockpath, " is locked): try again");
  }
  locked = 1;
}

/* The source file into sa, and its attributes into *st.  1 read, 0
   absent. */
static int load(stralloc *sa, struct stat *st)
{
  char const *what;
  int r = pn_pwstore_load(file, PN_PWFILE_MAX, sa, st, &what);
  if (r < 0 && errno == EFBIG) { wipe(); strerr_dief(111, file, " is too large"); }
  if (r < 0) diesys(what, file);
  return r;
}

static void dieline(unsigned int lineno, char const *what, char const *more) gccattr_noreturn;
static void dieline(unsigned int lineno, char const *what, char const *more)
{
  char fmt[UINT_FMT];
  fmt[uint_fmt(fmt, lineno)] = 0;
  wipe();
  cleanup();
  strerr_dief(1, file, " line ", fmt, ": ", what, more, " (nothing changed)");
}

/* Every line of s, parsed; refuses the first bad one, or a user on
   two lines, naming the line. */
static void parse(char const *s, size_t len, genalloc *ents)
{
  char const *err = "";
  unsigned int lineno = 0;
  unsigned int other = 0;
  char fmt[UINT_FMT];
  int r = pn_pwfile_parseall(s, len, ents, &lineno, &err, &other);
  if (r < 0) diesys("allocate memory", "");
  if (r) return;
  if (!other) dieline(lineno, err, "");
  fmt[uint_fmt(fmt, other)] = 0;
  dieline(lineno, "duplicate user, also on line ", fmt);
}

static ent const *find(genalloc const *ents, char const *user)
{
  return pn_pwfile_find(ents, user, strlen(user));
}

/* A temporary file with the mode and owner of *like (or 0600 and ours). */
static int mktmp(char const *tmp, struct stat const *like)
{
  char const *what;
  int fd = pn_pwstore_tmp(tmp, like, &what);
  if (fd < 0) diesys(what, tmp);
  return fd;
}

static void closesync(int fd, char const *tmp)
{
  char const *what;
  if (!pn_pwstore_sync(fd, &what)) diesys(what, tmp);
}

static void writetext(stralloc const *sa, struct stat const *like)
{
  int fd = mktmp(txttmp, like);
  if (allwrite(fd, sa->s, sa->len) < sa->len) diesys("write ", txttmp);
  closesync(fd, txttmp);
}

static void writecdb(genalloc const *ents, struct stat const *like)
{
  cdbmaker c = CDBMAKER_ZERO;
  struct stat st;
  size_t n = genalloc_len(ent, ents);
  size_t i;
  int fd;
  if (!stat(cdbpath, &st)) like = &st;
  else if (errno != ENOENT) diesys("stat ", cdbpath);
  fd = mktmp(cdbtmp, like);
  if (!cdbmake_start(&c, fd)
   || !cdbmake_add(&c, PN_PWDB_MARKER_KEY, sizeof(PN_PWDB_MARKER_KEY) - 1, PN_PWDB_MARKER_DATA, sizeof(PN_PWDB_MARKER_DATA) - 1))
    diesys("write ", cdbtmp);
  for (i = 0; i < n; i++)
  {
    ent const *x = genalloc_s(ent, ents) + i;
    char data[PN_PWDB_DATA_MAX];
    size_t len = pn_pwfile_pack(data, &x->e);
    if (!cdbmake_add(&c, x->e.user, x->e.userlen, data, len)) diesys("write ", cdbtmp);
  }
  if (!cdbmake_finish(&c)) diesys("write ", cdbtmp);
  closesync(fd, cdbtmp);
}

/* The renames, then the directory's fsync so that they last. */
static void commit(int text)
{
  char dir[PN_PWPATH_MAX + 2];
  char const *what;
  if (text && !pn_pwstore_rename(txttmp, file, &what)) diesys(what, file);
  if (!pn_pwstore_rename(cdbtmp, cdbpath, &what)) diesys(what, cdbpath);
  if (!pn_pwstore_syncdir(file, dir, &what)) diesys(what, dir);
}

/* Reads one line of at most max bytes from fd 0: the trailing LF or
   CRLF is removed, nothing else.  Returns its length. */
static size_t getline0(char *s, size_t max)
{
  size_t len = 0;
  for (;;)
  {
    char c;
    ssize_t r = read(0, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) diesys("read a password from stdin", "");
    if (!r) { if (!len) refuse("no password given on stdin", "", ""); break; }
    if (c == '\n') break;
    if (len >= max) refuse("password too long: user name and password must fit in ", PN_FD3_MAX_TEXT, " bytes with 3 NULs");
    s[len++] = c;
  }
  if (len && s[len-1] == '\r') len--;
  s[len] = 0;
  if (!len) refuse("empty password", "", "");
  if (memchr(s, 0, len)) refuse("password contains a NUL byte", "", "");
  return len;
}

static void restoretty(int sig)
{
  if (tchanged) tcsetattr(0, TCSANOW, &tsaved);
  byte_zzero(pwin[0], sizeof(pwin[0]));
  byte_zzero(pwin[1], sizeof(pwin[1]));
  allwrite(2, "\n", 1);
  _exit(sig == SIGINT ? 1 : 111);
}

/* The password into pwin[0], from the terminal (twice when twice is
   set) or one line of stdin; it must fit on fd 3 with the user name.
   Echo is off from before the first prompt to after the last answer,
   so that nothing typed is shown or discarded in between. */
static size_t getpassword(char const *user, int twice)
{
  struct termios t;
  size_t max = PN_FD3_MAX - 3 - strlen(user);
  size_t len;
  if (!isatty(0)) return getline0(pwin[0], max);
  if (tcgetattr(0, &tsaved) < 0) diesys("read the terminal settings", "");
  sig_catch(SIGINT, &restoretty);
  sig_catch(SIGTERM, &restoretty);
  sig_catch(SIGHUP, &restoretty);
  sig_catch(SIGQUIT, &restoretty);
  t = tsaved;
  t.c_lflag &= ~(tcflag_t)ECHO;
  t.c_lflag |= ECHONL;
  if (tcsetattr(0, TCSAFLUSH, &t) < 0) diesys("turn off echo on the terminal", "");
  tchanged = 1;
  allwrite(2, "Password: ", 10);
  len = getline0(pwin[0], max);
  if (twice)
  {
    size_t len2;
    allwrite(2, "Again: ", 7);
    len2 = getline0(pwin[1], max);
    if (len2 != len || !pn_ct_memeq(pwin[0], pwin[1], len)) refuse("the passwords do not match", "", "");
  }
  tcsetattr(0, TCSANOW, &tsaved);
  tchanged = 0;
  return len;
}

static char const *prefixof(char const *name)
{
  method const *m = methods;
  for (; m->name; m++) if (!strcmp(m->name, name)) return m->prefix;
  return 0;
}

/* -c: below the method's floor, or a count libxcrypt does not take for
   it, is a refusal. */
static void checkcost(void)
{
  char fmt[ULONG_FMT];
  if (pn_crypt_cost_ok(prefix, cost)) return;
  if (errno == ERANGE)
  {
    fmt[ulong_fmt(fmt, pn_crypt_cost_min(prefix))] = 0;
    refuse("cost below the floor of the method: at least ", fmt, "");
  }
  if (errno == EINVAL) refuse("cost out of the method's range (see crypt_gensalt(3))", "", "");
  diesys("check the cost", "");
}

/* Appends user:hash[:account[:senders[:limits]]] and a LF. */
static void catentry(stralloc *sa, char const *user, char const *hash, pn_pwent const *f)
{
  size_t alen = f->accountlen;
  size_t slen = f->senderslen;
  size_t llen = f->limitslen;
  if (!stralloc_cats(sa, user) || !stralloc_catb(sa, ":", 1) || !stralloc_cats(sa, hash)
   || ((alen || slen || llen) && (!stralloc_catb(sa, ":", 1) || !stralloc_catb(sa, f->account, alen)))
   || ((slen || llen) && (!stralloc_catb(sa, ":", 1) || !stralloc_catb(sa, f->senders, slen)))
   || (llen && (!stralloc_catb(sa, ":", 1) || !stralloc_catb(sa, f->limits, llen)))
   || !stralloc_catb(sa, "\n", 1))
    diesys("allocate memory", "");
}

static void checkname(char const *user)
{
  char q[PN_LOGVAL_SIZE];
  if (!pn_pwdb_user_ok(user, strlen(user)))
    refuse("bad user name ", pn_log_quote(q, user, strlen(user)),
      ": 1 to 255 bytes, no ':', whitespace or control characters, no leading '#'");
}

/* Loads and parses the file, and finds user, refusing when its presence
   is not the one wanted.  Returns 1 if the file exists. */
static int lookup(stralloc *src, genalloc *ents, struct stat *st, char const *user, int want, ent const **x)
{
  int exists = load(src, st);
  if (exists) parse(src->s, src->len, ents);
  else src->len = 0;
  *x = exists ? find(ents, user) : 0;
  if (want && !*x) refuse("no such user: ", user, exists ? "" : " (no password file yet)");
  if (!want && *x) refuse("user already exists: ", user, "");
  return exists;
}

static void do_list(void)
{
  stralloc src = STRALLOC_ZERO;
  genalloc ents = GENALLOC_ZERO;
  struct stat st;
  size_t n;
  size_t i;
  if (!load(&src, &st)) { errno = ENOENT; diesys("open ", file); }
  parse(src.s, src.len, &ents);
  n = genalloc_len(ent, &ents);
  for (i = 0; i < n; i++)
  {
    pn_pwent const *e = &genalloc_s(ent, &ents)[i].e;
    if (buffer_put(buffer_1, e->user, e->userlen) < 0
     || buffer_put(buffer_1, ":", 1) < 0
     || buffer_put(buffer_1, e->account, e->accountlen) < 0
     || buffer_put(buffer_1, ":", 1) < 0
     || buffer_put(buffer_1, e->senders, e->senderslen) < 0
     || (e->limitslen && (buffer_put(buffer_1, ":", 1) < 0 || buffer_put(buffer_1, e->limits, e->limitslen) < 0))
     || buffer_put(buffer_1, "\n", 1) < 0)
      diesys("write to stdout", "");
  }
  if (!buffer_flush(buffer_1)) diesys("write to stdout", "");
  genalloc_free(ent, &ents);
  stralloc_free(&src);
}

static void do_check(char const *user)
{
  stralloc src = STRALLOC_ZERO;
  genalloc ents = GENALLOC_ZERO;
  struct stat st;
  char hash[PN_PWDB_HASH_MAX + 1];
  ent const *x;
  int r;
  checkname(user);
  lookup(&src, &ents, &st, user, 1, &x);
  memcpy(hash, x->e.hash, x->e.hashlen);
  hash[x->e.hashlen] = 0;
  getpassword(user, 0);
  r = pn_crypt_check(pwin[0], hash);
  wipe();
  if (r < 0) diesys("check the password", "");
  if (pn_pwdb_locked(hash, x->e.hashlen)) refuse("account locked: ", user, "");
  if (!r) refuse("wrong password for ", user, "");
  genalloc_free(ent, &ents);
  stralloc_free(&src);
}

static void do_make(void)
{
  stralloc src = STRALLOC_ZERO;
  genalloc ents = GENALLOC_ZERO;
  struct stat st;
  lock();
  if (!load(&src, &st)) { errno = ENOENT; diesys("open ", file); }
  parse(src.s, src.len, &ents);
  writecdb(&ents, &st);
  commit(0);
  genalloc_free(ent, &ents);
  stralloc_free(&src);
}

/* Writes new (the whole new text) to both files. */
static void rewrite(stralloc const *out, int exists, struct stat const *st)
{
  genalloc ents = GENALLOC_ZERO;
  parse(out->s, out->len, &ents);
  writetext(out, exists ? st : 0);
  writecdb(&ents, exists ? st : 0);
  commit(1);
  genalloc_free(ent, &ents);
}

/* Everything after line x, with its LF. */
static int catrest(stralloc *out, stralloc const *src, ent const *x)
{
  size_t end = x->off + x->len;
  if (end < src->len) end++;
  return stralloc_catb(out, src->s + end, src->len - end);
}

static void do_addset(char const *user, int isadd)
{
  stralloc src = STRALLOC_ZERO;
  stralloc out = STRALLOC_ZERO;
  genalloc ents = GENALLOC_ZERO;
  struct stat st;
  char hash[PN_PWDB_HASH_MAX + 1];
  pn_pwent f = PN_PWENT_ZERO;
  ent const *x;
  int exists;
  checkname(user);
  if (optaccount && !pn_pwfile_account_ok(optaccount, strlen(optaccount)))
    refuse("bad account name: ", optaccount, "");
  if (optsenders && !pn_pwfile_senders_ok(optsenders, strlen(optsenders)))
    refuse("bad senders list: ", optsenders, ": space-separated addresses or @domains");
  if (optlimits && !pn_pwfile_limits_ok(optlimits, strlen(optlimits)))
    refuse("bad limits: ", optlimits, ": msgs=N/WINDOW rcpts=N/WINDOW, either or both, WINDOW as 30s, 10m, 1h, 1d");
  lookup(&src, &ents, &st, user, !isadd, &x);
  if (optaccount && *optaccount)
  {
    if (!getpwnam(optaccount)) strerr_warnw("account ", optaccount, " does not exist (yet)");
  }
  getpassword(user, 1);
  if (!pn_crypt_hash(hash, sizeof(hash), prefix, cost, pwin[0])) diesys("hash the password", "");
  wipe();
  lock();
  exists = lookup(&src, &ents, &st, user, !isadd, &x);
  if (!isadd) f = x->e;
  if (optaccount) { f.account = optaccount; f.accountlen = strlen(optaccount); }
  if (optsenders) { f.senders = optsenders; f.senderslen = strlen(optsenders); }
  if (optlimits) { f.limits = optlimits; f.limitslen = strlen(optlimits); }
  if (isadd)
  {
    if (!stralloc_copy(&out, &src)
     || (out.len && out.s[out.len-1] != '\n' && !stralloc_catb(&out, "\n", 1)))
      diesys("allocate memory", "");
    catentry(&out, user, hash, &f);
  }
  else
  {
    if (!stralloc_copyb(&out, src.s, x->off)) diesys("allocate memory", "");
    catentry(&out, user, hash, &f);
    if (!catrest(&out, &src, x)) diesys("allocate memory", "");
  }
  rewrite(&out, exists, &st);
  genalloc_free(ent, &ents);
  stralloc_free(&out);
  stralloc_free(&src);
}

static void do_del(char const *user)
{
  stralloc src = STRALLOC_ZERO;
  stralloc out = STRALLOC_ZERO;
  genalloc ents = GENALLOC_ZERO;
  struct stat st;
  ent const *x;
  checkname(user);
  lock();
  lookup(&src, &ents, &st, user, 1, &x);
  if (!stralloc_copyb(&out, src.s, x->off) || !catrest(&out, &src, x)) diesys("allocate memory", "");
  rewrite(&out, 1, &st);
  genalloc_free(ent, &ents);
  stralloc_free(&out);
  stralloc_free(&src);
}

int main(int argc, char const *const *argv)
{
  char const *cmd;
  PROG = "postern-passwd";
  {
    subgetopt l = SUBGETOPT_ZERO;
    for (;;)
    {
      int opt = subgetopt_r(argc, argv, "f:m:c:a:s:l:", &l);
      if (opt == -1) break;
      switch (opt)
      {
        case 'f': file = l.arg; break;
        case 'm': prefix = prefixof(l.arg); if (!prefix) dieusage(); break;
        case 'c': if (!ulong0_scan(l.arg, &cost)) dieusage(); break;
        case 'a': optaccount = l.arg; break;
        case 's': optsenders = l.arg; break;
        case 'l': optlimits = l.arg; break;
        default: dieusage();
      }
    }
    argc -= l.ind; argv += l.ind;
  }
  if (!argc) dieusage();
  cmd = argv[0];
  checkcost();
  setpaths();
  if (!strcmp(cmd, "list") || !strcmp(cmd, "make"))
  {
    if (argc != 1) dieusage();
    if (cmd[0] == 'l') do_list(); else do_make();
  }
  else
  {
    if (argc != 2) dieusage();
    if (!strcmp(cmd, "add")) do_addset(argv[1], 1);
    else if (!strcmp(cmd, "set")) do_addset(argv[1], 0);
    else if (!strcmp(cmd, "del")) do_del(argv[1]);
    else if (!strcmp(cmd, "check")) do_check(argv[1]);
    else dieusage();
  }
  wipe();
  return 0;
}
