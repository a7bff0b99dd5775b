/* ISC license: see LICENSE. */

#ifndef PN_RELAY_H
#define PN_RELAY_H

#include <sys/types.h>
#include <stddef.h>
#include <skalibs/buffer.h>
#include <skalibs/tai.h>
#include "pn_data.h"


/* pn_relay: a downstream program speaking SMTP on its stdin and stdout */

#define PN_RELAY_LINE_MAX 512     /* a reply line from the program, CRLF included */
#define PN_RELAY_LINES_MAX 32     /* lines in one reply */
#define PN_RELAY_TEXT_MAX 4096    /* text of one reply */
#define PN_RELAY_BUF 65536

typedef struct pn_reply_s pn_reply;
struct pn_reply_s
{
  unsigned int code;
  unsigned int nlines;
  size_t len;
  char text[PN_RELAY_TEXT_MAX];   /* each line's text, '\n'-separated */
};

typedef struct pn_relay_s pn_relay;
struct pn_relay_s
{
  pid_t pid;                /* 0: no program */
  buffer in;                /* the program's stdout */
  buffer out;               /* the program's stdin */
  tain tto;
  int bol;                  /* pn_data_stuff state */
  unsigned int size : 1;    /* EHLO offered SIZE */
  unsigned int eightbit : 1;
  unsigned int smtputf8 : 1;
  char inbuf[PN_RELAY_BUF];
  char outbuf[PN_RELAY_BUF];
};

/* 1 if the variable (NAME=value) is passed to the program: not PROTO,
   RELAYCLIENT, nor TCP*, SMTP*, SSL_*. */
extern int pn_relay_envok(char const *);

/* Starts argv with the filtered environment, reads its 220, sends EHLO
   helo (HELO if EHLO fails) and notes SIZE, 8BITMIME, SMTPUTF8.  1, or 0
   with errno (EPROTO: it answered garbage); the program is stopped. */
extern int pn_relay_start(pn_relay *, char const *const *, char const *, unsigned int);

/* Sends one command line (no CRLF) and reads the reply.  1, or 0 with
   errno: the program is dead or misbehaving (stop it). */
extern int pn_relay_cmd(pn_relay *, char const *, size_t, pn_reply *);

/* The body sink (ctx: the pn_relay): re-dot-stuffs and writes. */
extern int pn_relay_put(void *, char const *, size_t);

/* Ends the body (".") and reads the reply.  1, or 0 with errno. */
extern int pn_relay_enddata(pn_relay *, pn_reply *);

/* Stops the program: QUIT first when quit is set, then closes its pipes,
   waits for it (killing it past the deadline). */
extern void pn_relay_stop(pn_relay *, int);

#define PN_RELAY_FMT_MAX (PN_RELAY_LINE_MAX + 16)   /* a line from pn_relay_fmtline */

/* Line i of a reply, as passed back to the client, without CRLF: the
   code, "-" or " ", the program's enhanced code, or ecode for a 2xx
   without one (4.0.0, 5.0.0 for the others), the text with bytes outside
   printable ASCII written "?".  dst has PN_RELAY_FMT_MAX bytes.  Returns
   the length. */
extern size_t pn_relay_fmtline(char *, pn_reply const *, unsigned int, char const *);

#endif
