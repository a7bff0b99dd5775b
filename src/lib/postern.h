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

/* Flushes pending replies, then reads one line of at most max bytes, LF
   included, into s; *len gets the length without the CRLF or LF.
   Returns 1 for a line, 0 for EOF (a partial line is dropped), -1 with
   errno: ERANGE (the line was longer than max: read to its LF and
   dropped), ETIMEDOUT, or a read error. */
extern int pn_io_getline(pn_io *, char *, size_t, size_t *);

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

#endif
