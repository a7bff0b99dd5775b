/* ISC license: see LICENSE. */

/*
 * pn-floor: the process-spawn floor of bench/run.  Not installed; libc only.
 *
 *   pn-floor [ -d maildir ] [ hash password ]
 *
 * Under tcpserver (or on any stdin/stdout), exchanges the lines of a
 * postern session with canned replies and no checks: the greeting, the
 * EHLO reply postern sends, 235 to AUTH, 250 to MAIL and RCPT, 354 to
 * DATA, the body read up to CRLF.CRLF with large reads, 250, 221 to QUIT.
 * Replies are flushed only before a read, as postern does with pipelined
 * commands.  With hash and password, each AUTH also runs
 * crypt_r(password, hash), as a verifier must.  It is what one exec'd
 * process costs for the dialogue and nothing more: W1's time over this
 * one's is the price of postern's chain (a fork, three execs, the cdb
 * lookup, the Maildir delivery).
 *
 * The crypt runs with huge pages, as postern-checkpw's does: the same
 * interposed mmap (src/lib/pn_hugemmap.c, linked in) places libxcrypt's working memory (16 MiB for the
 * default yescrypt) on a 2 MiB boundary and advises MADV_HUGEPAGE while
 * crypt_r runs, so that W1's floor is the best a one-process server
 * could do with the same hash here.
 *
 * With -d, each body is also written as it is read (as received, one
 * write per read) to maildir/tmp/, fsync'd, renamed into maildir/new/,
 * and new/ fsync'd before the 250: the session and disk floor of W2 and
 * W4, a delivery with nothing of postern's in it.
 */

#include <crypt.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/pn_hugemmap.h"

#define PF_IN_MAX 65536
#define PF_OUT_MAX 4096
#define PF_PATH_MAX 4096

static char const greeting[] = "220 bench.example ESMTP postern\r\n";
static char const ehlo[] =
  "250-bench.example\r\n"
  "250-PIPELINING\r\n"
  "250-ENHANCEDSTATUSCODES\r\n"
  "250-8BITMIME\r\n"
  "250-SIZE 26214400\r\n"
  "250-SMTPUTF8\r\n"
  "250-CHUNKING\r\n"
  "250 AUTH PLAIN LOGIN\r\n";

static char in[PF_IN_MAX];
static size_t inpos;
static size_t inlen;
static char out[PF_OUT_MAX];
static size_t outlen;
static char const *dir = 0;
static int newfd = -1;
static unsigned int count = 0;

static void flush(void)
{
  size_t w = 0;
  while (w < outlen)
  {
    ssize_t r = write(1, out + w, outlen - w);
    if (r <= 0) _exit(0);
    w += (size_t)r;
  }
  outlen = 0;
}

static void reply(char const *s)
{
  size_t len = strlen(s);
  if (outlen + len > sizeof(out)) flush();
  memcpy(out + outlen, s, len);
  outlen += len;
}

static void fill(void)
{
  ssize_t r;
  flush();
  r = read(0, in, sizeof(in));
  if (r <= 0) _exit(0);
  inpos = 0;
  inlen = (size_t)r;
}

/* One command line into line (truncated at max), CRLF removed. */
static size_t getline_(char *line, size_t max)
{
  size_t len = 0;
  for (;;)
  {
    char *lf;
    size_t n;
    if (inpos == inlen) fill();
    lf = memchr(in + inpos, '\n', inlen - inpos);
    n = lf ? (size_t)(lf - (in + inpos)) + 1 : inlen - inpos;
    if (len < max)
    {
      size_t c = n < max - len ? n : max - len;
      memcpy(line + len, in + inpos, c);
      len += c;
    }
    inpos += n;
    if (lf) break;
  }
  while (len && (line[len-1] == '\n' || line[len-1] == '\r')) len--;
  return len;
}

static void put(int fd, char const *s, size_t len)
{
  while (fd >= 0 && len)
  {
    ssize_t r = write(fd, s, len);
    if (r <= 0) _exit(111);
    s += r;
    len -= (size_t)r;
  }
}

/* Skips the body up to and including CRLF.CRLF, writing it to fd if
   fd >= 0; the state survives reads. */
static void body(int fd)
{
  static char const end[] = "\r\n.\r\n";
  unsigned int state = 2;       /* DATA's own CRLF counts as the first two */
  for (;;)
  {
    size_t start;
    if (inpos == inlen) fill();
    start = inpos;
    while (inpos < inlen)
    {
      char const *p;
      if (state == 0)
      {
        p = memchr(in + inpos, '\r', inlen - inpos);
        if (!p)
        {
          inpos = inlen;
          break;
        }
        inpos = (size_t)(p - in);
      }
      if (in[inpos] == end[state]) state++;
      else state = in[inpos] == '\r' ? 1 : 0;
      inpos++;
      if (state == 5)
      {
        put(fd, in + start, inpos - start);
        return;
      }
    }
    put(fd, in + start, inpos - start);
  }
}

/* The body into dir, durably, as a Maildir delivery would. */
static void deliver(void)
{
  char tmp[PF_PATH_MAX];
  char new[PF_PATH_MAX];
  int fd;
  count++;
  snprintf(tmp, sizeof(tmp), "%s/tmp/floor.%ld.%u", dir, (long)getpid(), count);
  snprintf(new, sizeof(new), "%s/new/floor.%ld.%u", dir, (long)getpid(), count);
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) _exit(111);
  body(fd);
  if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, new) < 0) _exit(111);
  if (newfd < 0)
  {
    snprintf(tmp, sizeof(tmp), "%s/new", dir);
    newfd = open(tmp, O_RDONLY | O_DIRECTORY);
    if (newfd < 0) _exit(111);
  }
  if (fsync(newfd) < 0) _exit(111);
}

int main(int argc, char const *const *argv)
{
  static struct crypt_data cd;
  char line[512];
  if (argc >= 3 && !strcmp(argv[1], "-d"))
  {
    dir = argv[2];
    argv += 2;
    argc -= 2;
  }
  reply(greeting);
  for (;;)
  {
    size_t len = getline_(line, sizeof(line));
    if (len < 4) reply("500 5.5.1 what?\r\n");
    else if (!strncasecmp(line, "EHLO", 4)) reply(ehlo);
    else if (!strncasecmp(line, "AUTH", 4))
    {
      if (argc == 3)
      {
        char const *h;
        pn_hugemmap(1);
        h = crypt_r(argv[2], argv[1], &cd);
        pn_hugemmap(0);
        if (!h || strcmp(h, argv[1])) reply("535 5.7.8 Authentication credentials invalid\r\n");
        else reply("235 2.7.0 Authentication successful\r\n");
      }
      else reply("235 2.7.0 Authentication successful\r\n");
    }
    else if (!strncasecmp(line, "MAIL", 4)) reply("250 2.1.0 Sender OK\r\n");
    else if (!strncasecmp(line, "RCPT", 4)) reply("250 2.1.5 Recipient OK\r\n");
    else if (!strncasecmp(line, "DATA", 4))
    {
      reply("354 End data with <CR><LF>.<CR><LF>\r\n");
      if (dir) deliver();
      else body(-1);
      reply("250 2.0.0 Ok: queued as floor\r\n");
    }
    else if (!strncasecmp(line, "QUIT", 4))
    {
      reply("221 2.0.0 Bye\r\n");
      flush();
      return 0;
    }
    else reply("250 2.0.0 Ok\r\n");
  }
}
