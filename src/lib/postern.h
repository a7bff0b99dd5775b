/* ISC license: see LICENSE. */

/*
 * postern.h: the one internal header.  One section per topic file in
 * src/lib/.  Return conventions follow skalibs: "did it work" functions
 * return 1, or 0 with errno set; syscall-like ones return -1 with errno;
 * lookups return 1 found, 0 absent, -1 error.  Library functions never exit,
 * except those marked gccattr_noreturn.
 */

#ifndef POSTERN_H
#define POSTERN_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#include <skalibs/gccattributes.h>
#include <skalibs/buffer.h>
#include <skalibs/tai.h>

/* Limits fixed by DESIGN.md */
#define PN_CMDLINE_MAX 512        /* a command line, CRLF included */
#define PN_AUTHLINE_MAX 12288     /* an AUTH line or response, CRLF included */
#define PN_FD3_MAX 512            /* credentials on fd 3, all NULs included */
#define PN_BADCMD_MAX 20          /* bad commands before 421 */


/* pn_log: one line per event, on stderr or syslog */

#define PN_LOG_INFO 0
#define PN_LOG_WARN 1
#define PN_LOG_FATAL 2

#define PN_LOGVAL_MAX 64                          /* client bytes shown in a value */
#define PN_LOGVAL_SIZE (PN_LOGVAL_MAX * 4 + 8)    /* room for the quoted form */

/* Picks stderr, or syslog (facility mail) when fd 2 is the client socket. */
extern void pn_log_init(char const *);
extern void pn_logv(int, char const *const *, unsigned int);
#define pn_log(level, ...) do \
{ \
  char const *pn_log_v_[] = { __VA_ARGS__ }; \
  pn_logv((level), pn_log_v_, sizeof(pn_log_v_) / sizeof(char const *)); \
} while (0)
#define pn_info(...) pn_log(PN_LOG_INFO, __VA_ARGS__)
#define pn_warn(...) pn_log(PN_LOG_WARN, __VA_ARGS__)

/* Quotes client bytes for a log line: "..." with \xHH escapes, at most
   PN_LOGVAL_MAX source bytes, then "...".  dst has PN_LOGVAL_SIZE bytes.
   Returns dst. */
extern char *pn_log_quote(char *, char const *, size_t);


/* pn_ct: constant time */

/* 1 if the n bytes are equal, else 0; time depends on n only. */
extern int pn_ct_memeq(void const *, void const *, size_t);


/* pn_b64: strict base64 (RFC 4648 section 4, padding required) */

#define PN_B64_ENCLEN(n) ((((n) + 2) / 3) * 4)

/* Decodes len bytes of s into dst (room for max bytes).  Returns the
   decoded length, or -1 with errno EINVAL (not canonical base64) or
   ENOBUFS (decoded data would exceed max). */
extern ssize_t pn_b64_decode(char *, size_t, char const *, size_t);

/* Encodes; dst has PN_B64_ENCLEN(len) bytes.  Returns that length. */
extern size_t pn_b64_encode(char *, char const *, size_t);


/* pn_io: the client connection, with deadlines */

typedef struct pn_io_s pn_io;
struct pn_io_s
{
  buffer in;
  buffer out;
  tain tto;                 /* SMTPTIMEOUT */
};

/* Sets fds 0 and 1 non-blocking and starts the stopwatch.  With exact
   set, fd 0 is never read past the end of the current line, so that the
   next program in the chain gets every byte after it. */
extern void pn_io_init(pn_io *, int exact, unsigned int timeout, char *, size_t, char *, size_t);

/* Reads one line of at most max bytes, LF
   included, into s; *len gets the length without the CRLF or LF, which
   stay in s after it (s[*len] is the CR of a CRLF, or the LF).
   Pending replies are flushed before any read that may block, not while
   pipelined commands are still buffered (RFC 2920).
   Returns 1 for a line, 0 for EOF (a partial line is dropped), -1 with
   errno: ERANGE (the line was longer than max: read to its LF and
   dropped), ETIMEDOUT, or a read error. */
extern int pn_io_getline(pn_io *, char *, size_t, size_t *);

/* Takes what is buffered in b, up to and including a LF, appending to s
   at *got; bytes beyond max are counted in *got but not stored.  1 when
   the LF was taken, 0 when the buffer ran out first. */
extern int pn_io_take(buffer *, char *, size_t, size_t *);

/* Queue bytes for the client; flushes under the deadline when full.
   1 or 0 with errno. */
extern int pn_io_put(pn_io *, char const *, size_t);
extern int pn_io_puts(pn_io *, char const *);

/* Flush under the deadline: 1, or 0 with errno (ETIMEDOUT, EPIPE...). */
extern int pn_io_flush(pn_io *);

/* Sends the reply line (without CRLF) and the CRLF, flushes, exits 0:
   the end of a session that cannot go on. */
extern void pn_io_quit(pn_io *, char const *) gccattr_noreturn;

/* Puts fds 0 and 1 back in blocking mode, before an exec. */
extern void pn_io_blocking(void);


/* pn_conf: the environment of DESIGN.md, read once */

#define PN_DATABYTES_DEFAULT 26214400
#define PN_MAXRCPTS_DEFAULT 100
#define PN_MAXRCPTS_MAX 10000
#define PN_TIMEOUT_DEFAULT 300
#define PN_TIMEOUT_MAX 86400
#define PN_AUTHMAXFAIL_DEFAULT 3
#define PN_AUTHMAXFAIL_MAX 100
#define PN_AUTHFAILDELAY_DEFAULT 2
#define PN_AUTHFAILDELAY_MAX 60
#define PN_HOSTNAME_MAX 255
#define PN_FAILMAX_DEFAULT 10
#define PN_FAILMAX_MAX 100000
#define PN_FAILWINDOW_DEFAULT 900
#define PN_FAILWINDOW_MAX 604800

#define PN_MECH_PLAIN 1
#define PN_MECH_LOGIN 2
#define PN_MECH_MAX 2

typedef struct pn_conf_s pn_conf;
struct pn_conf_s
{
  char const *hostname;
  uint64_t databytes;           /* 0: no limit */
  unsigned int maxrcpts;
  unsigned int timeout;
  unsigned int authmaxfail;
  unsigned int authfaildelay;
  char const *failrecdir;        /* AUTHFAILDIR; 0: no record */
  unsigned int failrecmax;       /* AUTHFAILMAX */
  unsigned int failrecwindow;    /* AUTHFAILWINDOW, seconds */
  unsigned int nmechs;
  unsigned char mechs[PN_MECH_MAX];
  unsigned int authinsecure : 1;
  unsigned int tls : 1;
  unsigned int relayclient : 1;
};

/* Reads and checks every variable.  1, or 0 with *bad naming the
   variable whose value is unusable. */
extern int pn_conf_read(pn_conf *, char const **);
extern char const *pn_conf_mechname(unsigned int);

/* pn_peer: the connection's addresses */

#define PN_IP_MAX 64            /* a formatted IPv4 or IPv6 address */
#define PN_PORT_MAX 8

/* getpeername (or, with local set, getsockname) of fd, formatted into ip
   (PN_IP_MAX) and port (PN_PORT_MAX).  1 found, 0 none (not an IP
   socket), -1 error. */
extern int pn_peer_name(int, int, char *, char *);

/* 1 if ip is in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104, else 0. */
extern int pn_peer_isloopback(char const *);


/* pn_pwdb: the password database.  Source: one line per user,
   user:hash[:account[:senders]], # comments.  Compiled cdb: key user,
   data hash\0account\0senders\0, plus the marker record below (its key
   cannot be a user name).  Pure functions: no I/O, no crypt(3). */

#define PN_PWDB_USER_MAX 255
#define PN_PWDB_HASH_MAX 383          /* CRYPT_OUTPUT_SIZE - 1 */
#define PN_PWDB_ACCOUNT_MAX 255
#define PN_PWDB_SENDERS_MAX 4096
#define PN_PWDB_LINE_MAX (PN_PWDB_USER_MAX + PN_PWDB_HASH_MAX + PN_PWDB_ACCOUNT_MAX + PN_PWDB_SENDERS_MAX + 3)
#define PN_PWDB_DATA_MAX (PN_PWDB_HASH_MAX + PN_PWDB_ACCOUNT_MAX + PN_PWDB_SENDERS_MAX + 3)
#define PN_PWDB_MARKER_KEY ":postern-pwdb"
#define PN_PWDB_MARKER_DATA "1"

typedef struct pn_pwent_s pn_pwent;
struct pn_pwent_s
{
  char const *user;
  size_t userlen;
  char const *hash;
  size_t hashlen;
  char const *account;
  size_t accountlen;
  char const *senders;
  size_t senderslen;
};
#define PN_PWENT_ZERO { .user = "", .userlen = 0, .hash = "", .hashlen = 0, .account = "", .accountlen = 0, .senders = "", .senderslen = 0 }

/* 1 if the len bytes are a user name postern accepts: 1 to
   PN_PWDB_USER_MAX bytes, no ':', whitespace or control character, not
   starting with '#'; else 0. */
extern int pn_pwdb_user_ok(char const *, size_t);

/* 1 if an account field is usable (empty, or a name as above of at most
   PN_PWDB_ACCOUNT_MAX bytes), else 0. */
extern int pn_pwdb_account_ok(char const *, size_t);

/* 1 if a senders field is usable (empty, or space-separated entries
   each with an '@' and something after the last '@'), else 0. */
extern int pn_pwdb_senders_ok(char const *, size_t);

/* 1 if a hash field means a locked account ("", or starting with '!'
   or '*'), else 0. */
extern int pn_pwdb_locked(char const *, size_t);

/* Parses one source line of len bytes, without its LF.  1: an entry, in
   *e (pointers into the line); 0: a blank line or a comment; -1: not
   parsable, *err says why. */
extern int pn_pwdb_parse(char const *, size_t, pn_pwent *, char const **);

/* Packs e's fields into the cdb data format; dst has PN_PWDB_DATA_MAX
   bytes.  Returns the length. */
extern size_t pn_pwdb_pack(char *, pn_pwent const *);

/* Splits len bytes of cdb data into *e (user untouched); the fields
   point into s and are NUL-terminated there.  1, or 0 if the data is
   not a well-formed record. */
extern int pn_pwdb_unpack(char const *, size_t, pn_pwent *);


/* pn_crypt: crypt(3) (libxcrypt).  Only postern-checkpw and
   postern-passwd reference this file, so only they link -lcrypt. */

/* Checks the NUL-terminated password pw against hash.  With hash null,
   unusable (locked, unknown method) or invalid, it hashes pw against a
   dummy setting of the default method instead, so that the call costs
   the same, and returns 0.  Compares in constant time.  1 match, 0 no
   match, -1 error (errno: ENOMEM...). */
extern int pn_crypt_check(char const *, char const *);

/* 1 if hash is not locked (see pn_pwdb_locked) and libxcrypt can
   verify it (a known, enabled method), else 0. */
extern int pn_crypt_usable(char const *);

/* Hashes pw with a fresh salt for the method whose prefix is given
   ("$y$", "$6$", "$2b$") at libxcrypt's default cost, into dst of max
   bytes.  1, or 0 with errno. */
extern int pn_crypt_hash(char *, size_t, char const *, char const *);

/* Wipes crypt(3)'s working memory.  Call before exiting or exec'ing. */
extern void pn_crypt_wipe(void);


/* pn_addr: MAIL FROM and RCPT TO arguments (RFC 5321 4.1.2, RFC 6531),
   pure functions */

#define PN_PATH_MAX 256           /* a path, brackets included (RFC 5321 4.5.3.1.3) */
#define PN_LOCAL_MAX 64           /* a local part */
#define PN_DOMAIN_MAX 255         /* a domain or address literal */
#define PN_SIZE_DIGITS_MAX 19     /* SIZE= and BDAT sizes: below 10^19 */

#define PN_BODY_NONE 0
#define PN_BODY_7BIT 1
#define PN_BODY_8BITMIME 2

/* What pn_addr_mail and pn_addr_rcpt return */
#define PN_ADDR_OK 0
#define PN_ADDR_ESYNTAX 1         /* no FROM:/TO:, or nothing after: 501 5.5.2 */
#define PN_ADDR_EPATH 2           /* bad path: 501 5.1.7 (sender) or 5.1.3 */
#define PN_ADDR_EPARAM 3          /* bad or repeated parameter: 501 5.5.4 */
#define PN_ADDR_EUNKNOWN 4        /* unknown parameter: 555 5.5.4 */
#define PN_ADDR_EUTF8 5           /* non-ASCII path without SMTPUTF8: 553 5.6.7 */

typedef struct pn_envarg_s pn_envarg;
struct pn_envarg_s
{
  char addr[PN_PATH_MAX];   /* the mailbox, no brackets, no source route, NUL-terminated; "" for <> */
  size_t len;
  size_t at;                /* offset of the '@' before the domain; len for <postmaster> */
  uint64_t size;            /* SIZE=, when hassize */
  unsigned int body;        /* PN_BODY_* */
  unsigned int hassize : 1;
  unsigned int smtputf8 : 1;
  unsigned int auth : 1;    /* AUTH= was given (value checked, then dropped) */
  unsigned int utf8 : 1;    /* the path has non-ASCII bytes */
};

/* s: what follows "MAIL" (or "RCPT") on the command line, without CRLF.
   utf8: the transaction's MAIL had SMTPUTF8.  Return PN_ADDR_*. */
extern int pn_addr_mail(char const *, size_t, pn_envarg *);
extern int pn_addr_rcpt(char const *, size_t, int, pn_envarg *);

/* 1 if SMTPSENDERS (space-separated addresses and @domains) allows the
   sender, else 0.  The null sender is always allowed. */
extern int pn_addr_sender_ok(char const *, pn_envarg const *);

/* Length of the valid UTF-8 sequence at s (1 for ASCII), or 0. */
extern size_t pn_addr_utf8len(char const *, size_t);


/* pn_data: the message body as a pure incremental state machine */

typedef struct pn_data_s pn_data;
struct pn_data_s
{
  uint64_t size;            /* RFC 1870: CRLF line ends, after unstuffing */
  unsigned int state;
  unsigned int dot : 1;     /* DATA: dot-stuffed, ends at CRLF.CRLF; else BDAT */
  unsigned int bare : 1;    /* a bare CR or bare LF was seen */
  unsigned int done : 1;    /* DATA: the terminator has been read */
};
#define PN_DATA_ZERO { .size = 0, .state = 0, .dot = 0, .bare = 0, .done = 0 }

extern void pn_data_init(pn_data *, int);

/* Feeds len bytes of client input.  Writes the message, LF line ends,
   dots unstuffed, to out (room for len bytes) and its length to *outlen.
   Returns the number of bytes consumed: len, or less when the DATA
   terminator ends inside (then done is set and the rest is not the
   message's).  Line ends and stuffing may straddle calls. */
extern size_t pn_data_feed(pn_data *, char const *, size_t, char *, size_t *);

/* BDAT LAST: a message not ending in CRLF gets one (counted in size), a
   trailing CR is a bare CR.  Writes 0 or 1 byte to out; returns it. */
extern size_t pn_data_finish(pn_data *, char *);

/* The reverse, for a downstream SMTP server: LF-ended text to CRLF lines,
   dot-stuffed.  *bol: 1 at the start of a line (start with 1).  out has
   room for 2 * len bytes.  Returns the output length. */
extern size_t pn_data_stuff(int *, char const *, size_t, char *);

/* What follows "BDAT": SP size [ SP "LAST" ] (RFC 3030), size below
   10^19.  1 with *n, *last, and *junk set when something else follows the
   size; 0 when there is no usable size (the chunk cannot be found). */
extern int pn_data_bdatarg(char const *, size_t, uint64_t *, int *, int *);


/* pn_msg: header scan, Received line, ids, dates (pure but for the clock) */

#define PN_HDR_MAX 65536          /* header bytes held and scanned for fix-ups */
#define PN_HDR_DATE 1
#define PN_HDR_MSGID 2
#define PN_HDR_END 4              /* the header ended (empty or non-field line) */
#define PN_HDRNAME_MAX 16

typedef struct pn_hdrscan_s pn_hdrscan;
struct pn_hdrscan_s
{
  unsigned int state;
  unsigned int found;       /* PN_HDR_* */
  size_t namelen;
  char name[PN_HDRNAME_MAX];
};
#define PN_HDRSCAN_ZERO { .state = 0, .found = 0, .namelen = 0, .name = "" }

/* Scans LF-ended message text from its start, call after call.  Returns
   the bytes scanned: len, or fewer once PN_HDR_END is set. */
extern size_t pn_hdr_scan(pn_hdrscan *, char const *, size_t);

#define PN_ID_MAX 48              /* a message id, NUL included */
#define PN_DATE_MAX 40            /* an RFC 5322 date, NUL included */
#define PN_HOSTNAME_SAFE_MAX 255  /* client-supplied names in Received */
#define PN_RECEIVED_MAX 1024      /* the Received field, folded, LF ends */

/* A new id, unique per host: time, pid and a counter.  Returns its length. */
extern size_t pn_msg_id(char *);

/* The RFC 5322 date of t in UTC (+0000).  Returns its length. */
extern size_t pn_msg_date(char *, time_t);

/* Copies a client-supplied name (HELO, TCPREMOTEHOST) for Received:
   characters outside [A-Za-z0-9.:_[]-] become '_', at most
   PN_HOSTNAME_SAFE_MAX bytes.  dst has PN_HOSTNAME_SAFE_MAX + 1 bytes. */
extern size_t pn_msg_safename(char *, char const *);

typedef struct pn_received_s pn_received;
struct pn_received_s
{
  char const *helo;         /* 0 if none */
  char const *host;         /* TCPREMOTEHOST, 0 if none */
  char const *ip;           /* TCPREMOTEIP, 0 if none */
  char const *by;           /* SMTPHOSTNAME */
  char const *proto;        /* ESMTPA ... */
  char const *id;
  char const *date;
};

/* The Received field with LF line ends into dst (PN_RECEIVED_MAX bytes);
   returns its length. */
extern size_t pn_msg_received(char *, pn_received const *);

/* RFC 3848, RFC 6531 3.7.3: "ESMTP", "ESMTPSA", "UTF8SMTPA"... */
extern char const *pn_msg_proto(int esmtp, int tls, int auth, int utf8);


/* pn_maildir: Maildir delivery (tmp/, fsync, link into new/, fsync new/) */

#define PN_MAILDIR_DIR_MAX 2048   /* length of the -m directory */
#define PN_MAILDIR_NAME_MAX 400   /* a unique name, ",S=size" included */
#define PN_MAILDIR_BUF 8192       /* small pieces gathered before a write */

typedef struct pn_maildir_s pn_maildir;
struct pn_maildir_s
{
  char const *dir;
  int fd;                   /* -1: closed */
  int err;                  /* errno of the first failure, 0 if none */
  uint64_t size;            /* bytes in the file */
  uint64_t started;         /* bytes whose writeback was started */
  size_t buflen;
  char name[PN_MAILDIR_NAME_MAX];
  char buf[PN_MAILDIR_BUF];
};

/* Makes DIR/tmp/time.MusecPpid.host with O_EXCL.  1, or 0 with errno
   (also kept in err: the writes that follow then fail the same way). */
extern int pn_maildir_open(pn_maildir *, char const *);

/* Appends to the file: small pieces are gathered, a large one is written
   with them by one writev(2).  1, or 0 with errno.
   The ctx argument is the pn_maildir (a pn_sink put function). */
extern int pn_maildir_put(void *, char const *, size_t);

/* Writes what is buffered, fsyncs and closes the file, links it as
   new/NAME,S=size (never rename: nothing is overwritten), fsyncs new/,
   removes the tmp name.  1 (name has the new/ name), or 0 with errno and
   nothing left behind. */
extern int pn_maildir_commit(pn_maildir *);

/* Closes and removes the tmp file, if any. */
extern void pn_maildir_abort(pn_maildir *);


/* pn_body: a message from the client (DATA or BDAT chunks) into a sink */

typedef struct pn_sink_s pn_sink;
struct pn_sink_s
{
  int (*put)(void *, char const *, size_t);   /* LF-ended text: 1, or 0 with errno */
  int (*prefix)(void *, unsigned int);        /* the added header lines; PN_HDR_* found */
  void *ctx;
};

#define PN_BODY_OK 0
#define PN_BODY_EOVER 1           /* over the limit: 552 5.3.4 */
#define PN_BODY_EBARE 2           /* bare CR or LF: 554 5.6.0 */
#define PN_BODY_ESINK 3           /* the sink failed: 451 4.3.0 */

typedef struct pn_body_s pn_body;
struct pn_body_s
{
  pn_data data;
  pn_hdrscan hdr;
  pn_sink const *sink;      /* 0: read and discard */
  uint64_t limit;           /* 0: none */
  size_t held;              /* header bytes held back */
  size_t outlen;            /* output gathered, not yet handed over */
  int err;                  /* errno of the first sink failure */
  unsigned int released : 1;
  unsigned int over : 1;
};

extern void pn_body_start(pn_body *, int, uint64_t, pn_sink const *);

/* Reads the client's DATA to CRLF.CRLF, or a BDAT chunk of n bytes,
   feeding the sink.  Replies pending on io are flushed before any wait,
   SMTPTIMEOUT bounds each read.  1 when read, or -1 with errno
   (ETIMEDOUT, EPIPE at EOF, ...): the session cannot go on. */
extern int pn_body_data(pn_body *, pn_io *);
extern int pn_body_chunk(pn_body *, pn_io *, uint64_t);

/* The end of the message: releases what is held.  Returns PN_BODY_*. */
extern int pn_body_finish(pn_body *);


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

/* pn_failrec: failed AUTHs per client address, across connections */

#define PN_FAILREC_SLOTS 4096   /* files in the directory, at most */

/* 1 if ip has max or more failures in the window that started at its
   first failure, 0 if not, -1 with errno on error. */
extern int pn_failrec_blocked(char const *, char const *, unsigned int, unsigned int, uint64_t);

/* Counts one failure for ip at time now (seconds).  1, or 0 with errno. */
extern int pn_failrec_add(char const *, char const *, unsigned int, uint64_t);

#endif
