/* ISC license: see LICENSE. */

/*
 * The failure record's names: one per IPv4 address (IPv4-mapped IPv6
 * included), one per IPv6 /64.  Pure: no I/O, no state; fuzzed by
 * fuzz_failrec.  pn_failrec.c keeps the records under these names.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

#include "pn_failrec.h"
#include "pn_peer.h"

size_t pn_failrec_name(char const *ip, char *name)
{
  char buf[PN_IP_MAX];
  char tmp[INET6_ADDRSTRLEN];
  unsigned char a[16];
  char const *z;
  size_t len;
  len = strnlen(ip, PN_IP_MAX);
  if (len == PN_IP_MAX) return 0;
  memcpy(buf, ip, len + 1);
  if (inet_pton(AF_INET, buf, a) != 1)
  {
    z = memchr(buf, '%', len);
    if (z) buf[z - buf] = 0;
    if (inet_pton(AF_INET6, buf, a) != 1) return 0;
    if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a)) memmove(a, a + 12, 4);
    else
    {
      memset(a + 8, 0, 8);
      if (!inet_ntop(AF_INET6, a, tmp, sizeof(tmp))) return 0;
      len = strlen(tmp);
      if (len + 4 > PN_FAILREC_NAME_MAX) return 0;
      memcpy(name, tmp, len);
      memcpy(name + len, "_64", 4);
      return len + 3;
    }
  }
  if (!inet_ntop(AF_INET, a, tmp, sizeof(tmp))) return 0;
  len = strlen(tmp);
  memcpy(name, tmp, len + 1);
  return len;
}

int pn_failrec_isname(char const *s)
{
  char ip[PN_IP_MAX];
  char name[PN_FAILREC_NAME_MAX];
  size_t len = strnlen(s, PN_FAILREC_NAME_MAX);
  if (len == PN_FAILREC_NAME_MAX) return 0;
  memcpy(ip, s, len + 1);
  if (len > 3 && !memcmp(ip + len - 3, "_64", 3)) ip[len - 3] = 0;
  return len && pn_failrec_name(ip, name) == len && !memcmp(name, s, len);
}
