/* ISC license: see LICENSE. */

#ifndef PN_UCSPITLS_H
#define PN_UCSPITLS_H

#include <stddef.h>
#include <skalibs/tai.h>


/* pn_ucspitls: the program's side of the UCSPI-TLS control protocol
   (postern-tls without -i, s6-ucspitlsd, sslserver -n): SSLCTLFD,
   SSLREADFD, SSLWRITEFD; "Y" to start TLS; the answer
   "VAR=value\0...\0\0" after the handshake; then the cleartext of the
   TLS session on SSLREADFD and SSLWRITEFD. */

#define PN_UCSPITLS_ANSWER_MAX 1024   /* the answer, both NULs included */
#define PN_UCSPITLS_VALUE_MAX 255     /* a value kept from it */

typedef struct pn_ucspitls_s pn_ucspitls;
struct pn_ucspitls_s
{
  int ctl;                  /* SSLCTLFD */
  int rfd;                  /* SSLREADFD */
  int wfd;                  /* SSLWRITEFD */
  char const *protocol;     /* from the answer, 0 if absent or unusable */
  char const *cipher;
  char const *sni;
  char answer[PN_UCSPITLS_ANSWER_MAX + 1];
};

/* The descriptors named by SSLCTLFD, SSLREADFD, SSLWRITEFD: 1 when all
   three are numbers >= 3 and open; 0 when SSLCTLFD is unset or empty;
   -1 otherwise (errno EINVAL, or EBADF). */
extern int pn_ucspitls_fds(pn_ucspitls *);

/* Marks the three descriptors close-on-exec: a program the front starts
   (the verifier, the session) never inherits them. */
extern void pn_ucspitls_coe(pn_ucspitls const *);

/* Writes "Y" on the control: 1, or 0 with errno (EPIPE: the other side
   is gone). */
extern int pn_ucspitls_start(pn_ucspitls *);

/* Reads the answer until the deadline and keeps SSL_PROTOCOL,
   SSL_CIPHER and SSL_TLS_SNI_SERVERNAME when their values are 1 to
   PN_UCSPITLS_VALUE_MAX printable ASCII bytes without spaces; other
   names are ignored.  1: TLS is on; 0: the control closed without an
   answer (the handshake failed); -1 with errno: ETIMEDOUT, EPROTO (an
   answer cut short or too long), a read error. */
extern int pn_ucspitls_answer(pn_ucspitls *, tain const *);

/* Puts SSLREADFD on fd 0 and SSLWRITEFD on fd 1, and on fd 2 when fd 2
   was the same socket as fd 0 (inetd); closes the three.  1, or 0 with
   errno. */
extern int pn_ucspitls_swap(pn_ucspitls *);

#endif
