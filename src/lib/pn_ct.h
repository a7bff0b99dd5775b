/* ISC license: see LICENSE. */

#ifndef PN_CT_H
#define PN_CT_H

#include <stddef.h>


/* pn_ct: constant time */

/* 1 if the n bytes are equal, else 0; time depends on n only. */
extern int pn_ct_memeq(void const *, void const *, size_t);

#endif
