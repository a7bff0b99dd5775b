/* ISC license: see LICENSE. */

#ifndef PN_REPLY_H
#define PN_REPLY_H

#include <stddef.h>


/* pn_reply: every reply postern-smtpd and postern-queue send themselves,
   defined once (code, RFC 3463 enhanced code, text).  Both programs use
   the same entry for the same event, so that they answer a shared
   command byte for byte alike.  Add a reply: an id here, a line in
   pn_reply.c, a row in the man page of each program that sends it. */

#define PN_REPLY_MAX 104          /* a line of the table, CRLF included */

/* No pointers: the table needs no relocation at start (the programs are
   static PIEs, and every relocation is paid by every session). */
typedef struct pn_rdef_s pn_rdef;
struct pn_rdef_s
{
  unsigned short code;      /* 250, 501...: what the dialogue counts by */
  unsigned char elen;       /* the enhanced code's length (at line + 4), 0 if none */
  unsigned char len;        /* the line's length, CRLF included */
  char line[PN_REPLY_MAX];  /* code SP ecode SP text CRLF, not NUL-terminated */
};

enum pn_r_e
{
  PN_R_NONE = 0,            /* no reply: "nothing to refuse" */
  /* both programs */
  PN_R_OK, PN_R_BYE, PN_R_HELP, PN_R_VRFY,
  PN_R_UNKNOWN, PN_R_NUL, PN_R_TOOLONG, PN_R_ARGS, PN_R_NOHELO, PN_R_NEEDAUTH,
  PN_R_TIMEOUT, PN_R_TOOMANYBAD, PN_R_TOOMANYCMDS, PN_R_BDATSIZE, PN_R_BDATBIG, PN_R_CONFIG, PN_R_TEMPCLOSE,
  /* the front: AUTH */
  PN_R_334, PN_R_334USER, PN_R_334PASS,
  PN_R_AUTHSYNTAX, PN_R_AUTHMECH, PN_R_AUTHTLS, PN_R_AUTHB64, PN_R_AUTHCANCEL,
  PN_R_AUTHLONG, PN_R_AUTHFAIL, PN_R_AUTHTEMP, PN_R_AUTHCRASH, PN_R_TOOMANYAUTH, PN_R_BLOCKED,
  /* STARTTLS (RFC 3207): TLSACTIVE and NOSTARTTLS in both programs */
  PN_R_TLSREADY, PN_R_TLSTEMP, PN_R_NEEDTLS, PN_R_TLSACTIVE, PN_R_NOSTARTTLS,
  /* postern-queue: the session and the transaction */
  PN_R_AUTHOK, PN_R_NOVERIFIER, PN_R_NOAUTH,
  PN_R_SENDEROK, PN_R_RCPTOK, PN_R_DATA, PN_R_TEMP, PN_R_TOOMANYRCPT,
  PN_R_MAILSYNTAX, PN_R_RCPTSYNTAX, PN_R_BADSENDER, PN_R_BADRCPT, PN_R_BADPARAM,
  PN_R_NESTED, PN_R_NOMAIL, PN_R_NORCPTYET, PN_R_INBDAT,
  PN_R_TOOBIG, PN_R_UTF8, PN_R_NOUTF8, PN_R_SENDER, PN_R_NOVALID, PN_R_BARE, PN_R_UNKPARAM,
  /* postern-queue: limits and identity */
  PN_R_LIMITSTATE, PN_R_MAXMSGS, PN_R_NULDATA,
  PN_R_N
};

extern pn_rdef const pn_replies[PN_R_N];

/* 1 if a reply with this code counts as a bad command (DESIGN.md:
   500 to 504 and 530), else 0. */
extern int pn_reply_isbad(unsigned int);

#endif
