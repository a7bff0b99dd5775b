/* ISC license: see LICENSE. */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <skalibs/ip46.h>
#include <skalibs/types.h>

#include "pn_peer.h"

/* skalibs' socket_remote46 and ip46_fmt do the work (ip6_fmt writes
   the RFC 5952 form, as inet_ntop does). */
int pn_peer_name(int fd, int local, char *ip, char *port)
{
  ip46 a;
  uint16_t p;
  int r = local ? socket_local46(fd, &a, &p) : socket_remote46(fd, &a, &p);
  if (r < 0) return errno == ENOTSOCK || errno == ENOTCONN || errno == EINVAL || errno == EAFNOSUPPORT ? 0 : -1;
  ip[ip46_fmt(ip, &a)] = 0;
  port[uint16_fmt(port, p)] = 0;
  return 1;
}

int pn_peer_isloopback(char const *ip)
{
  struct in_addr a4;
  struct in6_addr a6;
  if (inet_pton(AF_INET, ip, &a4) == 1)
    return (ntohl(a4.s_addr) >> 24) == 127;
  if (inet_pton(AF_INET6, ip, &a6) != 1) return 0;
  if (IN6_IS_ADDR_LOOPBACK(&a6)) return 1;
  /* ::ffff:127.x.y.z */
  return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}
