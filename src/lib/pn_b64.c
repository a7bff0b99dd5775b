/* ISC license: see LICENSE. */

#include <errno.h>

#include "pn_b64.h"

static char const alphabet[64] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value(unsigned char c)
{
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* RFC 4648 section 3.5: padding bits must be zero, or the encoding is
   not canonical and is refused, as is anything but the alphabet. */
ssize_t pn_b64_decode(char *dst, size_t max, char const *s, size_t len)
{
  size_t w = 0;
  size_t i;
  if (len & 3) return (errno = EINVAL, -1);
  for (i = 0; i < len; i += 4)
  {
    int v[4];
    unsigned int npad = 0;
    unsigned int j;
    unsigned long x;
    for (j = 0; j < 4; j++)
    {
      unsigned char c = s[i+j];
      if (c == '=' && i + 4 == len && j >= 2) { v[j] = 0; npad++; continue; }
      if (npad) return (errno = EINVAL, -1);
      v[j] = value(c);
      if (v[j] < 0) return (errno = EINVAL, -1);
    }
    x = ((unsigned long)v[0] << 18) | ((unsigned long)v[1] << 12) | ((unsigned long)v[2] << 6) | (unsigned long)v[3];
    if ((npad == 1 && (x & 0xff)) || (npad == 2 && (x & 0xffff))) return (errno = EINVAL, -1);
    if (w + 3 - npad > max) return (errno = ENOBUFS, -1);
    dst[w++] = (char)(x >> 16);
    if (npad < 2) dst[w++] = (char)(x >> 8);
    if (npad < 1) dst[w++] = (char)x;
  }
  return (ssize_t)w;
}

size_t pn_b64_encode(char *dst, char const *s, size_t len)
{
  unsigned char const *u = (unsigned char const *)s;
  size_t w = 0;
  size_t i;
  for (i = 0; i + 2 < len; i += 3)
  {
    dst[w++] = alphabet[u[i] >> 2];
    dst[w++] = alphabet[((u[i] & 3) << 4) | (u[i+1] >> 4)];
    dst[w++] = alphabet[((u[i+1] & 15) << 2) | (u[i+2] >> 6)];
    dst[w++] = alphabet[u[i+2] & 63];
  }
  if (len - i == 1)
  {
    dst[w++] = alphabet[u[i] >> 2];
    dst[w++] = alphabet[(u[i] & 3) << 4];
    dst[w++] = '='; dst[w++] = '=';
  }
  else if (len - i == 2)
  {
    dst[w++] = alphabet[u[i] >> 2];
    dst[w++] = alphabet[((u[i] & 3) << 4) | (u[i+1] >> 4)];
    dst[w++] = alphabet[(u[i+1] & 15) << 2];
    dst[w++] = '=';
  }
  return w;
}
