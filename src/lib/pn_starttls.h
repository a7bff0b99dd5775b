/* ISC license: see LICENSE. */

#ifndef PN_STARTTLS_H
#define PN_STARTTLS_H

#include "pn_envmod.h"
#include "pn_smtp.h"
#include "pn_ucspitls.h"


/* pn_starttls: STARTTLS (RFC 3207) in the front's dialogue, over the
   UCSPI-TLS control (pn_ucspitls, postern-tls(8)): from the client's
   command to TLS on fds 0 and 1.  Whether STARTTLS is allowed, and what
   the dialogue forgets after it, the front decides.  Used by
   postern-smtpd only; no TLS library here. */

#define PN_STARTTLS_GRACE 10      /* s: the TLS answer, beyond SMTPTIMEOUT */

/* The control's descriptors (when SSLCTLFD names them) made
   close-on-exec, and SSLCTLFD, SSLREADFD and SSLWRITEFD unset in e: the
   chain never gets the descriptors or their names.  1, or 0 when e is
   full. */
extern int pn_starttls_setup(pn_ucspitls *, pn_envmod *);

/* The exchange: "Y" on the control, and if that fails, 454 4.7.0 (the
   log line "starttls fail reason=control") and 0: the session goes on
   in cleartext.  From the "Y" on, fd 0 is never read again and what is
   buffered of it is dropped: bytes the client sent after STARTTLS are
   the handshake's, which fails on them.  Then 220, the answer under
   timeout + PN_STARTTLS_GRACE seconds, and the TLS session's
   descriptors moved onto fds 0 and 1; a failure there is logged and
   ends the session (pn_smtp_quit, no reply, reason=starttls).  1: TLS
   is on, and the caller must re-init its pn_io.  ip: the client, for
   the log lines. */
extern int pn_starttls_run(pn_smtp *, pn_ucspitls *, unsigned int, char const *);

/* The chain's variables once TLS is on: SMTPTLS=1, and the answer's
   SSL_PROTOCOL, SSL_CIPHER and SSL_TLS_SNI_SERVERNAME (each unset when
   the answer had no usable value).  1, or 0 when e is full. */
extern int pn_starttls_env(pn_envmod *, pn_ucspitls const *);

#endif
