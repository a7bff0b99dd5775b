/* ISC license: see LICENSE. */

#include <errno.h>
#include <stdint.h>

#include <tls.h>

#include "pn_tlskeys.h"

int pn_tlskeys_config(struct tls_config **cfg, char const *protocols, char const *ciphers)
{
  uint32_t protos = TLS_PROTOCOL_TLSv1_2 | TLS_PROTOCOL_TLSv1_3;
  *cfg = tls_config_new();
  if (!*cfg) return PN_TLSKEYS_INIT;
  if (protocols && tls_config_parse_protocols(&protos, protocols) < 0) return PN_TLSKEYS_PROTOCOLS;
  /* tls_config_new starts with "secure"; setting it again would build
     and free one more SSL_CTX at each connection, to check the list. */
  if (tls_config_set_protocols(*cfg, protos) < 0
   || (ciphers && tls_config_set_ciphers(*cfg, ciphers) < 0)) return PN_TLSKEYS_CIPHERS;
  return PN_TLSKEYS_OK;
}

/* With several pairs, which one tls_configure refused: each alone. */
static unsigned int badpair(char const *const *cert, char const *const *key, unsigned int n)
{
  unsigned int i;
  for (i = 0; i < n; i++)
  {
    struct tls_config *one = tls_config_new();
    struct tls *srv = tls_server();
    int bad = !one || !srv || tls_config_set_keypair_file(one, cert[i], key[i]) < 0
      || tls_configure(srv, one) < 0;
    if (one) { tls_config_clear_keys(one); tls_config_free(one); }
    if (srv) tls_free(srv);
    if (bad) return i;
  }
  return 0;
}

int pn_tlskeys_server(struct tls **srv, struct tls_config *cfg, char const *const *cert, char const *const *key, unsigned int n, unsigned int *bad)
{
  unsigned int i;
  *srv = tls_server();
  if (!*srv) return PN_TLSKEYS_INIT;
  for (i = 0; i < n; i++)
  {
    int r;
    errno = 0;
    r = i ? tls_config_add_keypair_file(cfg, cert[i], key[i]) : tls_config_set_keypair_file(cfg, cert[i], key[i]);
    if (r < 0)
    {
      tls_config_clear_keys(cfg);
      *bad = i;
      return PN_TLSKEYS_READ;
    }
  }
  errno = 0;
  if (tls_configure(*srv, cfg) < 0)
  {
    tls_config_clear_keys(cfg);
    *bad = n > 1 ? badpair(cert, key, n) : 0;
    return PN_TLSKEYS_USE;
  }
  tls_config_clear_keys(cfg);
  tls_config_free(cfg);
  return PN_TLSKEYS_OK;
}
