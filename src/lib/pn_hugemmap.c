/* ISC license: see LICENSE. */

/*
 * libxcrypt's yescrypt maps its working memory itself (16 MiB at the
 * default cost), a fresh anonymous mapping for each hash, and unmaps it
 * after.  This definition of mmap, in the executable, comes before
 * libc's for libcrypt's calls (ELF symbol interposition), so while the
 * caller says a hash runs (and only then) a large private anonymous
 * mapping is placed on a huge-page boundary and advised MADV_HUGEPAGE.
 * Everything else goes to the system call unchanged.  Where the kernel
 * gives no transparent huge pages (THP "never", PR_SET_THP_DISABLE, no
 * THP support) the advice has no effect or fails, and is ignored: the
 * same memory, in small pages.  libcrypt itself stays Debian's, updates
 * included.
 */

#include <sys/mman.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <unistd.h>

#include "pn_hugemmap.h"

/* volatile: set just before a call that crypt.h declares a leaf
   (__THROW), and read from inside it */
static volatile int on = 0;

void pn_hugemmap(int x)
{
  on = x;
}

static void *sysmmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
  return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t rlen;
  uintptr_t a;
  size_t head;
  char *p;
  if (!on || addr || fd != -1 || (flags & (MAP_FIXED | MAP_SHARED))
   || !(flags & MAP_ANONYMOUS) || len < PN_HUGEMMAP_SIZE || len > SIZE_MAX / 2
   || !page || PN_HUGEMMAP_SIZE % page)
    return sysmmap(addr, len, prot, flags, fd, off);
  p = sysmmap(0, len + PN_HUGEMMAP_SIZE, prot, flags, fd, off);
  if (p == MAP_FAILED) return sysmmap(addr, len, prot, flags, fd, off);
  rlen = (len + page - 1) / page * page;
  a = ((uintptr_t)p + PN_HUGEMMAP_SIZE - 1) & ~(uintptr_t)(PN_HUGEMMAP_SIZE - 1);
  head = (size_t)(a - (uintptr_t)p);
  if (head) munmap(p, head);
  munmap((char *)a + rlen, PN_HUGEMMAP_SIZE - head);
  madvise((void *)a, rlen, MADV_HUGEPAGE);
  return (void *)a;
}
