/* ISC license: see LICENSE. */

/*
 * pn-t-ucspitls file: a UCSPI-TLS program for the tests of postern-tls
 * without -i.  Greets "220 ucspitls ready", then reads fd 0 one byte at
 * a time (so that it never holds a byte after the STARTTLS line) and
 * answers each line "250 clear", until "STARTTLS": then writes Y on
 * SSLCTLFD, sends "220 go ahead", reads postern-tls's answer up to its
 * empty string, moves SSLREADFD and SSLWRITEFD onto fds 0 and 1 and
 * answers each line "250 tls" until "QUIT" ("221 bye", exit 0).
 * Writes to file "clear LINE" and "tls LINE" for each line, "answer
 * VAR=value" for each string of the answer, "ctl eof" when the control
 * descriptor ends before the answer does, "eof" at the end of input,
 * and "env VAR=value" for SSLCTLFD, SMTPTLS and SSL_PROTOCOL at start.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/djbunix.h>
#include <skalibs/types.h>

#define LINE_MAX_ 1024
#define ANSWER_MAX 4096

static int rep;

static void put(char const *s, size_t len)
{
  if (allwrite(rep, s, len) < len) _exit(111);
}

static void puts_(char const *s)
{
  put(s, strlen(s));
}

/* One write per reply: a client may read the first segment alone.
   1, or 0 if it could not be written. */
static int tryreply(char const *s)
{
  char buf[LINE_MAX_ + 2];
  size_t l = strlen(s);
  memcpy(buf, s, l);
  buf[l++] = '\r'; buf[l++] = '\n';
  return allwrite(1, buf, l) == l;
}

static void reply(char const *s)
{
  if (!tryreply(s)) _exit(111);
}

/* One line from fd 0, one byte at a time; CR LF stripped.  -1 at EOF. */
static ssize_t getline_(char *s)
{
  size_t n = 0;
  for (;;)
  {
    char c;
    ssize_t r = read(0, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    if (c == '\n') break;
    if (n < LINE_MAX_ - 1) s[n++] = c;
  }
  if (n && s[n-1] == '\r') n--;
  s[n] = 0;
  return n;
}

static void envline(char const *var)
{
  char const *x = getenv(var);
  puts_("env "); puts_(var); puts_("=");
  puts_(x ? x : "(unset)"); puts_("\n");
}

static int fdvar(char const *var)
{
  char const *x = getenv(var);
  unsigned int u;
  if (!x || !uint0_scan(x, &u)) _exit(100);
  return u;
}

/* The answer: strings ending with NUL, the last one empty. */
static void answer(int ctl)
{
  char buf[ANSWER_MAX];
  size_t n = 0;
  size_t start = 0;
  for (;;)
  {
    ssize_t r = read(ctl, buf + n, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) { puts_("ctl eof\n"); _exit(1); }
    if (buf[n++]) { if (n >= sizeof(buf)) _exit(111); continue; }
    if (n - 1 == start) break;
    puts_("answer "); put(buf + start, n - 1 - start); puts_("\n");
    start = n;
  }
}

int main(int argc, char const *const *argv)
{
  char line[LINE_MAX_];
  int tls = 0;
  if (argc < 2) _exit(100);
  signal(SIGPIPE, SIG_IGN);
  rep = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (rep < 0) _exit(111);
  envline("SSLCTLFD"); envline("SMTPTLS"); envline("SSL_PROTOCOL");
  reply("220 ucspitls ready");
  while (getline_(line) >= 0)
  {
    puts_(tls ? "tls " : "clear "); puts_(line); puts_("\n");
    if (!strcmp(line, "QUIT")) { reply("221 bye"); _exit(0); }
    if (!tls && !strcmp(line, "STARTTLS"))
    {
      int ctl = fdvar("SSLCTLFD");
      if (allwrite(ctl, "Y", 1) < 1) _exit(111);
      /* postern-tls may have cut the connection already (a failed
         handshake on bytes the client sent too early): the answer
         tells. */
      tryreply("220 go ahead");
      answer(ctl);
      close(ctl);
      if (fd_move(0, fdvar("SSLREADFD")) < 0 || fd_move(1, fdvar("SSLWRITEFD")) < 0) _exit(111);
      tls = 1;
      continue;
    }
    reply(tls ? "250 tls" : "250 clear");
  }
  puts_("eof\n");
  return 0;
}
