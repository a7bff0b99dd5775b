/* ISC license: see LICENSE. */

#ifndef PN_HUGEMMAP_H
#define PN_HUGEMMAP_H

/* pn_hugemmap: huge pages for libcrypt's working memory.  Linking this
   file defines mmap in the executable; between pn_hugemmap(1) and
   pn_hugemmap(0), a large private anonymous mapping is placed on a
   huge-page boundary and advised MADV_HUGEPAGE.  Used by pn_crypt (so
   by postern-checkpw and postern-passwd) and by bench/pn-floor, whose
   floor must hash as postern-checkpw does. */

#define PN_HUGEMMAP_SIZE (2UL << 20)  /* the x86-64 and arm64 PMD size */

extern void pn_hugemmap(int);

#endif
