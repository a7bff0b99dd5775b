/* ISC license: see LICENSE. */

#include <errno.h>
#include <string.h>

#include <skalibs/buffer.h>
#include <skalibs/tai.h>

#include "pn_starttls.h"
#include "pn_io.h"
#include "pn_log.h"
#include "pn_reply.h"

int pn_starttls_setup(pn_ucspitls *u, pn_envmod *e)
{
  if (pn_ucspitls_fds(u) > 0) pn_ucspitls_coe(u);
  return pn_envmod_sets(e, "SSLCTLFD", 0) && pn_envmod_sets(e, "SSLREADFD", 0) && pn_envmod_sets(e, "SSLWRITEFD", 0);
}

/* The "Y" goes before the 220, so that a control failure is still a
   454 and the session goes on in cleartext. */
int pn_starttls_run(pn_smtp *s, pn_ucspitls *u, unsigned int timeout, char const *ip)
{
  tain deadline;
  int r;
  if (pn_ucspitls_fds(u) <= 0 || !pn_ucspitls_start(u))
  {
    pn_warn("starttls fail reason=control ip=", ip, ": ", strerror(errno));
    pn_smtp_reply(s, PN_R_TLSTEMP);
    return 0;
  }
  buffer_rseek(&s->io.in, buffer_len(&s->io.in));
  pn_smtp_send(s, PN_R_TLSREADY);
  if (!pn_io_flush(&s->io))
  {
    pn_info("starttls fail reason=write ip=", ip);
    pn_smtp_quit(s, PN_R_NONE, "starttls");
  }
  tain_addsec_g(&deadline, timeout + PN_STARTTLS_GRACE);
  r = pn_ucspitls_answer(u, &deadline);
  if (r <= 0)
  {
    pn_info("starttls fail reason=", !r ? "handshake" : errno == ETIMEDOUT ? "timeout" : "answer", " ip=", ip);
    pn_smtp_quit(s, PN_R_NONE, "starttls");
  }
  if (!pn_ucspitls_swap(u))
  {
    pn_warn("starttls fail reason=descriptors ip=", ip, ": ", strerror(errno));
    pn_smtp_quit(s, PN_R_NONE, "starttls");
  }
  return 1;
}

int pn_starttls_env(pn_envmod *e, pn_ucspitls const *u)
{
  return pn_envmod_sets(e, "SMTPTLS", "1") && pn_envmod_sets(e, "SSL_PROTOCOL", u->protocol)
    && pn_envmod_sets(e, "SSL_CIPHER", u->cipher) && pn_envmod_sets(e, "SSL_TLS_SNI_SERVERNAME", u->sni);
}
