/* ISC license: see LICENSE. */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <skalibs/types.h>

#include "pn_peer.h"

int pn_peer_name(int fd, int local, char *ip, char *port)
{
  struct sockaddr_storage ss;
  socklen_t sslen = sizeof(ss);
  int r = local ? getsockname(fd, (struct sockaddr *)&ss, &sslen) : getpeername(fd, (struct sockaddr *)&ss, &sslen);
  void const *addr;
  uint16_t p;
  if (r < 0) return errno == ENOTSOCK || errno == ENOTCONN || errno == EINVAL ? 0 : -1;
  if (ss.ss_family == AF_INET)
  {
    struct sockaddr_in const *s = (struct sockaddr_in const *)&ss;
    addr = &s->sin_addr;
    p = ntohs(s->sin_port);
  }
  else if (ss.ss_family == AF_INET6)
  {
    struct sockaddr_in6 const *s = (struct sockaddr_in6 const *)&ss;
    addr = &s->sin6_addr;
    p = ntohs(s->sin6_port);
  }
  else return 0;
  if (!inet_ntop(ss.ss_family, addr, ip, PN_IP_MAX)) return -1;
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
