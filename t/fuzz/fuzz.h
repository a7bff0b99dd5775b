/* ISC license: see LICENSE. */

/*
 * t/fuzz/fuzz.h: what the libFuzzer harnesses share.  Included once, by
 * one harness source, so everything here is static but the link-time
 * wrappers.
 *
 * The programs end sessions with _exit; the harnesses are linked with
 * -Wl,--wrap=_exit, and while a run is armed (FUZZ_RUN) an _exit
 * returns to the harness by longjmp instead.  pn_logv is wrapped too
 * (--wrap=pn_logv): nothing is written, but every piece of every log
 * line is checked to be a string without CR or LF (no log injection).
 * strerr_diev (--wrap=strerr_diev) is silenced the same way.
 * pn_sig_reset (--wrap=pn_sig_reset) keeps SIGALRM's handler: libFuzzer
 * times its inputs (-timeout) with SIGALRM, and the default action the
 * programs restore would kill the harness after timeout/2+1 seconds.
 *
 * Oracles common to the harnesses: the sanitizers; fuzz_fail() for an
 * invariant that does not hold (it aborts, libFuzzer saves the input);
 * fuzz_replies() for SMTP replies; fuzz_fds_begin() and fuzz_fds_end()
 * for descriptor leaks.
 */

#ifndef POSTERN_FUZZ_H
#define POSTERN_FUZZ_H

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/gccattributes.h>

#define FUZZ_REPLYLINE_MAX 512    /* a reply line we send, CRLF included */
#define FUZZ_READ_CHUNK 8192

extern void __real__exit(int) gccattr_noreturn;
extern void __wrap__exit(int) gccattr_noreturn;
extern void __wrap_pn_logv(int, char const *const *, unsigned int);
extern void __wrap_strerr_diev(int, char const *const *, unsigned int) gccattr_noreturn;
extern void __real_pn_sig_reset(int);
extern void __wrap_pn_sig_reset(int);

static jmp_buf fuzz_jb;
static int volatile fuzz_armed = 0;
static int volatile fuzz_status = -1;

/* Runs the statement; an _exit inside it ends up here, its status in
   fuzz_status (-1 if the statement returned). */
#define FUZZ_RUN(stmt) do \
{ \
  fuzz_status = -1; \
  if (!setjmp(fuzz_jb)) \
  { \
    fuzz_armed = 1; \
    stmt; \
    fuzz_armed = 0; \
  } \
} while (0)

static void fuzz_fail(char const *why) gccattr_noreturn;
static void fuzz_fail(char const *why)
{
  allwrite(2, "\nfuzz: invariant broken: ", 25);
  allwrite(2, why, strlen(why));
  allwrite(2, "\n", 1);
  abort();
}

void __wrap__exit(int e)
{
  if (!fuzz_armed) __real__exit(e);
  fuzz_armed = 0;
  fuzz_status = e;
  longjmp(fuzz_jb, 1);
}

void __wrap_pn_logv(int level, char const *const *v, unsigned int n)
{
  unsigned int i;
  (void)level;
  for (i = 0; i < n; i++)
  {
    size_t len = strlen(v[i]);
    if (memchr(v[i], '\n', len) || memchr(v[i], '\r', len)) fuzz_fail("CR or LF in a log line");
  }
}

void __wrap_strerr_diev(int e, char const *const *v, unsigned int n)
{
  unsigned int i;
  for (i = 0; i < n; i++) if (v[i]) (void)strlen(v[i]);
  __wrap__exit(e);
}

void __wrap_pn_sig_reset(int pipe)
{
  struct sigaction sa;
  if (sigaction(SIGALRM, 0, &sa) < 0) fuzz_fail("sigaction");
  __real_pn_sig_reset(pipe);
  if (sigaction(SIGALRM, &sa, 0) < 0) fuzz_fail("sigaction");
}

/* A memory file holding s, at offset 0, moved to fd target. */
static inline void fuzz_memfd_onto(int target, char const *s, size_t len)
{
  int fd = memfd_create("fuzz", 0);
  if (fd < 0) fuzz_fail("memfd_create");
  if (allwrite(fd, s, len) < len || lseek(fd, 0, SEEK_SET) < 0) fuzz_fail("memfd write");
  if (fd != target)
  {
    if (dup2(fd, target) < 0) fuzz_fail("dup2");
    close(fd);
  }
}

/* A socket whose peer has sent s and closed, moved to fd target: what
   postern-smtpd reads on a socket (MSG_PEEK, not a byte at a time).
   len must fit in the socket buffer (FUZZ_SOCKBUF). */
#define FUZZ_SOCKBUF 262144

static inline void fuzz_sock_onto(int target, char const *s, size_t len)
{
  int sv[2];
  int size = FUZZ_SOCKBUF;
  if (len > FUZZ_SOCKBUF / 2) fuzz_fail("input too large for the socket");
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) fuzz_fail("socketpair");
  if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) < 0) fuzz_fail("SO_SNDBUF");
  if (allwrite(sv[1], s, len) < len) fuzz_fail("socket write");
  close(sv[1]);
  if (sv[0] != target)
  {
    if (dup2(sv[0], target) < 0) fuzz_fail("dup2");
    close(sv[0]);
  }
}

/* The lowest free descriptor: it grows when a run leaks one.  Taken at
   the start of each run, not once: libFuzzer itself opens pipes to its
   symbolizer between runs. */
static inline int fuzz_lowfd(void)
{
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) fuzz_fail("open /dev/null");
  close(fd);
  return fd;
}

static int fuzz_fdbase = -1;

static inline void fuzz_fds_begin(void)
{
  fuzz_fdbase = fuzz_lowfd();
}

/* Says which file the leaked descriptor fd is, then fails. */
static void fuzz_leak(int fd) gccattr_noreturn;
static void fuzz_leak(int fd)
{
  char path[32] = "/proc/self/fd/";
  char target[256];
  ssize_t r;
  size_t n = 14;
  int k = fd;
  char digits[12];
  size_t d = 0;
  do { digits[d++] = '0' + k % 10; k /= 10; } while (k);
  while (d) path[n++] = digits[--d];
  path[n] = 0;
  r = readlink(path, target, sizeof(target) - 1);
  if (r < 0) r = 0;
  allwrite(2, "\nfuzz: leaked: ", 16);
  allwrite(2, path, n);
  allwrite(2, " -> ", 4);
  allwrite(2, target, (size_t)r);
  fuzz_fail("a descriptor was leaked");
}

static inline void fuzz_fds_end(void)
{
  if (fuzz_lowfd() != fuzz_fdbase) fuzz_leak(fuzz_fdbase);
}

/*
 * The bytes written to fd as SMTP replies: every line is "ddd" then SP,
 * "-" or the end, at most FUZZ_REPLYLINE_MAX bytes with its CRLF, has
 * no CR, LF, NUL or other control character inside, and the lines of a
 * multiline reply share their code.  Replies with code forbid (e.g.
 * 235 from the front) are refused too.  Returns the number of lines.
 */
static inline unsigned int fuzz_replies(int fd, char const *forbid)
{
  static char buf[FUZZ_READ_CHUNK];
  char line[FUZZ_REPLYLINE_MAX + 1];
  char code[3] = { 0, 0, 0 };
  size_t len = 0;
  unsigned int nlines = 0;
  int cont = 0;
  if (lseek(fd, 0, SEEK_SET) < 0) fuzz_fail("lseek");
  for (;;)
  {
    ssize_t r = read(fd, buf, sizeof(buf));
    ssize_t i;
    if (r < 0) fuzz_fail("read replies");
    if (!r) break;
    for (i = 0; i < r; i++)
    {
      unsigned char c = buf[i];
      if (len >= FUZZ_REPLYLINE_MAX) fuzz_fail("reply line too long");
      line[len++] = c;
      if (c != '\n') continue;
      if (len < 5 || line[len-2] != '\r') fuzz_fail("reply line not ended by CRLF, or too short");
      if (line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9')
        fuzz_fail("reply line without a code");
      if (len > 5 && line[3] != ' ' && line[3] != '-') fuzz_fail("reply code not followed by SP or -");
      {
        size_t k;
        for (k = 3; k < len - 2; k++)
          if ((unsigned char)line[k] < 32 || (unsigned char)line[k] == 127) fuzz_fail("control character in a reply");
      }
      if (cont && memcmp(code, line, 3)) fuzz_fail("multiline reply with two codes");
      if (forbid && !memcmp(line, forbid, 3)) fuzz_fail("a forbidden reply code");
      memcpy(code, line, 3);
      cont = len > 5 && line[3] == '-';
      nlines++;
      len = 0;
    }
  }
  if (len) fuzz_fail("a partial reply line");
  if (cont) fuzz_fail("a multiline reply without its last line");
  if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) fuzz_fail("ftruncate");
  return nlines;
}

/* A small generator for chunk sizes: the same seed, the same cuts. */
static inline uint32_t fuzz_rand(uint32_t *x)
{
  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x;
}

#endif
