/* ISC license: see LICENSE. */

#include "pn_ct.h"

/* The accumulator is volatile so that the compiler cannot stop early. */
int pn_ct_memeq(void const *a, void const *b, size_t n)
{
  unsigned char const *x = a;
  unsigned char const *y = b;
  unsigned char volatile acc = 0;
  size_t i;
  for (i = 0; i < n; i++) acc |= x[i] ^ y[i];
  return acc == 0;
}
