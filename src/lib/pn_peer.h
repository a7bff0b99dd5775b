/* ISC license: see LICENSE. */

#ifndef PN_PEER_H
#define PN_PEER_H

#include <stddef.h>


/* pn_peer: the connection's addresses */

#define PN_IP_MAX 64            /* a formatted IPv4 or IPv6 address */
#define PN_PORT_MAX 8

/* getpeername (or, with local set, getsockname) of fd, formatted into ip
   (PN_IP_MAX) and port (PN_PORT_MAX).  1 found, 0 none (not an IP
   socket), -1 error. */
extern int pn_peer_name(int, int, char *, char *);

/* 1 if ip is in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104, else 0. */
extern int pn_peer_isloopback(char const *);

#endif
