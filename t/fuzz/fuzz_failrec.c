/* ISC license: see LICENSE. */

/*
 * fuzz_failrec: the failure record's names (pn_failname.c:
 * pn_failrec_name, pn_failrec_isname), which become file names in AUTHFAILDIR.  The
 * input, NUL-terminated in an exact-size heap buffer, is taken as a
 * client address (TCPREMOTEIP) and as a directory entry.
 *
 * Invariants: a name is NUL-terminated, its length is the one returned,
 * shorter than PN_FAILREC_NAME_MAX, made of [0-9a-f.:_] only, never
 * starting with '.' (so never ".", "..", ".lock" or ".tmp") and never
 * holding '/': one path component of the directory; pn_failrec_isname
 * takes it; the address part of a name names itself again (one record
 * per address, whatever its spelling); and an entry that isname takes
 * is such a name.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pn_failrec.h"
#include "fuzz.h"

#define INPUT_MAX 256

static void name_check(char const *name, size_t len)
{
  char ip[PN_FAILREC_NAME_MAX];
  char again[PN_FAILREC_NAME_MAX];
  size_t i;
  if (len >= PN_FAILREC_NAME_MAX) fuzz_fail("name too long");
  if (strlen(name) != len) fuzz_fail("name length or terminator");
  if (!len || name[0] == '.') fuzz_fail("name empty or starting with a dot");
  for (i = 0; i < len; i++)
    if (!strchr("0123456789abcdef.:_", name[i])) fuzz_fail("a byte outside [0-9a-f.:_] in a name");
  if (!pn_failrec_isname(name)) fuzz_fail("isname refuses a name");
  memcpy(ip, name, len + 1);
  if (len > 3 && !memcmp(ip + len - 3, "_64", 3)) ip[len - 3] = 0;
  if (pn_failrec_name(ip, again) != len || memcmp(again, name, len + 1))
    fuzz_fail("a name's address names something else");
}

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  char name[PN_FAILREC_NAME_MAX];
  char *s;
  size_t len;
  if (size > INPUT_MAX) return 0;
  s = malloc(size + 1);
  if (!s) fuzz_fail("malloc");
  memcpy(s, data, size);
  s[size] = 0;
  len = pn_failrec_name(s, name);
  if (len) name_check(name, len);
  if (pn_failrec_isname(s)) name_check(s, strlen(s));
  free(s);
  return 0;
}
