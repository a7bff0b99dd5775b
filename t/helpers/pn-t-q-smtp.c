/* ISC license: see LICENSE. */

/*
 * pn-t-q-smtp file [knob...]: a downstream SMTP server for postern-queue's
 * relay tests, speaking on stdin and stdout like sendmail -bs.  Appends to
 * file its environment ("env NAME=value"), every command ("cmd LINE") and
 * every message ("data" then the lines as received, dot-stuffed, then
 * "end").  Knobs:
 *   die=VERB      exit 0 silently on reading command VERB (MAIL, RCPT,
 *                 DATA, DOT for the end of data, EHLO, QUIT)
 *   garbage=VERB  answer VERB with a line that is no SMTP reply
 *   long=VERB     answer VERB with a 2000-byte line
 *   many=VERB     answer VERB with 100 continuation lines
 *   silent=VERB   answer VERB with nothing, and wait
 *   r421=VERB     answer VERB with 421
 *   noutf8        no SMTPUTF8 in the EHLO reply
 *   nogreet       exit at once, without a greeting
 *   reject=WORD   550 5.1.1 to RCPT whose line contains WORD
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/buffer.h>
#include <skalibs/djbunix.h>



#define LINE_MAX_ 4096

extern char **environ;

static int logfd;
static char const *knob_die = "";
static char const *knob_garbage = "";
static char const *knob_long = "";
static char const *knob_many = "";
static char const *knob_silent = "";
static char const *knob_421 = "";
static char const *knob_reject = 0;
static int noutf8 = 0;
static char inbuf[8192];
static buffer in = BUFFER_INIT(&fd_readv, 0, inbuf, sizeof(inbuf));

static void logs(char const *a, char const *b)
{
  if (allwrite(logfd, a, strlen(a)) < strlen(a) || allwrite(logfd, b, strlen(b)) < strlen(b)
    || allwrite(logfd, "\n", 1) < 1) _exit(111);
}

static void out(char const *s)
{
  if (allwrite(1, s, strlen(s)) < strlen(s)) _exit(111);
}

/* One line without its CRLF; 0 at EOF. */
static int getln(char *s)
{
  size_t n = 0;
  for (;;)
  {
    char c;
    ssize_t r = buffer_get(&in, &c, 1);
    if (r <= 0) return 0;
    if (c == '\n') break;
    if (n < LINE_MAX_ - 1) s[n++] = c;
  }
  if (n && s[n-1] == '\r') n--;
  s[n] = 0;
  return 1;
}

/* The knobs for VERB; 1 if the reply was given by a knob. */
static int knobs(char const *verb)
{
  if (!strcasecmp(knob_die, verb)) _exit(0);
  if (!strcasecmp(knob_garbage, verb)) { out("hello there\r\n"); return 1; }
  if (!strcasecmp(knob_421, verb)) { out("421 4.3.2 going down\r\n"); return 1; }
  if (!strcasecmp(knob_silent, verb)) { sleep(3600); _exit(0); }
  if (!strcasecmp(knob_long, verb))
  {
    char big[2001];
    memset(big, 'x', 2000);
    big[2000] = 0;
    out("250 ");
    out(big);
    out("\r\n");
    return 1;
  }
  if (!strcasecmp(knob_many, verb))
  {
    unsigned int i;
    for (i = 0; i < 100; i++) out("250-more\r\n");
    out("250 done\r\n");
    return 1;
  }
  return 0;
}

static void data(void)
{
  char line[LINE_MAX_];
  if (knobs("DATA")) return;
  out("354 go ahead\r\n");
  logs("data", "");
  for (;;)
  {
    if (!getln(line)) _exit(0);
    if (!strcmp(line, ".")) break;
    logs("", line);
  }
  logs("end", "");
  if (knobs("DOT")) return;
  out("250 2.0.0 queued as FAKE1\r\n");
}

static void command(char *line)
{
  char verb[5];
  memcpy(verb, line, 4);
  verb[4] = 0;
  logs("cmd ", line);
  if (!strcasecmp(verb, "DATA")) { data(); return; }
  if (knobs(verb)) return;
  if (!strcasecmp(verb, "EHLO"))
  {
    out("250-fake.example\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n");
    out(noutf8 ? "250 PIPELINING\r\n" : "250 SMTPUTF8\r\n");
  }
  else if (!strcasecmp(verb, "QUIT")) { out("221 2.0.0 bye\r\n"); _exit(0); }
  else if (!strcasecmp(verb, "RCPT") && knob_reject && strstr(line, knob_reject)) out("550 5.1.1 no such user\r\n");
  else if (!strcasecmp(verb, "RCPT")) out("250 recipient ok\r\n");
  else out("250 ok\r\n");
}

static void knob(char const *k)
{
  if (!strncmp(k, "die=", 4)) knob_die = k + 4;
  else if (!strncmp(k, "garbage=", 8)) knob_garbage = k + 8;
  else if (!strncmp(k, "long=", 5)) knob_long = k + 5;
  else if (!strncmp(k, "many=", 5)) knob_many = k + 5;
  else if (!strncmp(k, "silent=", 7)) knob_silent = k + 7;
  else if (!strncmp(k, "r421=", 5)) knob_421 = k + 5;
  else if (!strncmp(k, "reject=", 7)) knob_reject = k + 7;
  else if (!strcmp(k, "noutf8")) noutf8 = 1;
  else if (!strcmp(k, "nogreet")) _exit(0);
  else _exit(100);
}

int main(int argc, char const *const *argv)
{
  char line[LINE_MAX_];
  char **e;
  int i;
  if (argc < 2) _exit(100);
  logfd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (logfd < 0) _exit(111);
  for (e = environ; *e; e++) logs("env ", *e);
  for (i = 2; i < argc; i++) knob(argv[i]);
  out("220 fake.example ESMTP test\r\n");
  while (getln(line)) command(line);
  logs("eof", "");
  return 0;
}
