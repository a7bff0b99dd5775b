/* ISC license: see LICENSE. */

#include <stdlib.h>
#include <string.h>

#include "pn_envmod.h"
#include "pn_peer.h"

int pn_envmod_set(pn_envmod *e, char const *key, char const *val, size_t vallen)
{
  size_t klen = strlen(key);
  if (e->len + klen + vallen + 2 > sizeof(e->s)) return 0;
  memcpy(e->s + e->len, key, klen);
  e->len += klen;
  if (val)
  {
    e->s[e->len++] = '=';
    memcpy(e->s + e->len, val, vallen);
    e->len += vallen;
  }
  e->s[e->len++] = 0;
  e->n++;
  return 1;
}

int pn_envmod_sets(pn_envmod *e, char const *key, char const *val)
{
  return pn_envmod_set(e, key, val, val ? strlen(val) : 0);
}

/* The launcher's TCPREMOTEIP, or the socket's peer, exported. */
static int remote(pn_envmod *e, char *ip, int *havepeer)
{
  char const *x = getenv("TCPREMOTEIP");
  char port[PN_PORT_MAX];
  int r;
  *havepeer = 1;
  if (x && *x)
  {
    size_t n = strlen(x);
    if (n >= PN_IP_MAX) n = PN_IP_MAX - 1;
    memcpy(ip, x, n);
    ip[n] = 0;
    return 1;
  }
  r = pn_peer_name(0, 0, ip, port);
  if (r < 0) return 0;
  *havepeer = r;
  if (!r)
  {
    memcpy(ip, "none", 5);
    return 1;
  }
  return pn_envmod_sets(e, "TCPREMOTEIP", ip) && pn_envmod_sets(e, "TCPREMOTEPORT", port);
}

int pn_envmod_peer(pn_envmod *e, char *ip, int *havepeer)
{
  char const *x;
  char lip[PN_IP_MAX];
  char port[PN_PORT_MAX];
  int r;
  if (!remote(e, ip, havepeer)) return 0;
  x = getenv("TCPLOCALIP");
  if (x && *x) return 1;
  r = pn_peer_name(0, 1, lip, port);
  if (r < 0) return 0;
  return !r || (pn_envmod_sets(e, "TCPLOCALIP", lip) && pn_envmod_sets(e, "TCPLOCALPORT", port));
}
