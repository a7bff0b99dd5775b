/* ISC license: see LICENSE. */

#ifndef PN_TLS_H
#define PN_TLS_H

#include <stddef.h>
#include <tls.h>
#include <skalibs/tai.h>


/* pn_tls: a TLS connection on two non-blocking descriptors, driven by
   libtls under deadlines.  Only postern-tls includes this header and
   links libtls. */

#define PN_TLS_RELAYBUF 65536   /* bytes buffered in each direction */
#define PN_TLS_INBUF 65536      /* bytes of TLS records read at once */

/* Why a relay ended. */
#define PN_TLS_END_PROG 0       /* prog closed its side (or died) */
#define PN_TLS_END_NET 1        /* the client closed and prog then did */
#define PN_TLS_END_TIMEOUT 2    /* a write stayed blocked SMTPTIMEOUT */
#define PN_TLS_END_TLS 3        /* a TLS error (tls_error() says which) */
#define PN_TLS_END_SYS 4        /* a read or write on prog's side failed */

typedef struct pn_tls_fds_s pn_tls_fds;
struct pn_tls_fds_s
{
  int netin;                    /* the client: fd 0 */
  int netout;                   /* fd 1 */
  int fromprog;                 /* what prog writes, to encrypt */
  int toprog;                   /* what the client sent, decrypted; may be
                                   fromprog (a socket: then half-closed) */
};

/* tls_accept_fds for one connection of a process, with the network side
   read in pieces of up to PN_TLS_INBUF bytes (several records at once).
   The descriptors must be non-blocking. */
extern int pn_tls_accept(struct tls *, struct tls **, int, int);

/* Runs tls_handshake until done or the deadline.  1, or 0 with errno:
   ETIMEDOUT, EPIPE (the client closed), EPROTO (the TLS library refused:
   tls_error(ctx) says why). */
extern int pn_tls_handshake(struct tls *, int, int, tain const *);

/* Moves bytes both ways until prog's side closes, or the client's side
   closes and prog's then does, or an error.  A write (to either side)
   that makes no progress for timeout seconds ends it.  toprog is closed
   (shut down for writing when it is fromprog) as soon as the client's
   side ends, so that prog reads EOF; both are closed on return.  Returns a PN_TLS_END_* code. */
extern int pn_tls_relay(struct tls *, pn_tls_fds *, unsigned int);

/* "SSL_PROTOCOL=...\0SSL_CIPHER=...\0SSL_TLS_SNI_SERVERNAME=...\0" of a
   connection after its handshake, the SNI name bare (which unsets it)
   when the client sent none, into s (max bytes): the variables a program
   gets from postern-tls.  Their length, or 0 if they do not fit. */
extern size_t pn_tls_vars(struct tls *, char *, size_t);

/* Sends close_notify, under the deadline; best effort. */
extern void pn_tls_close(struct tls *, int, int, tain const *);

#endif
