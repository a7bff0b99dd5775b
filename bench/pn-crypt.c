/* ISC license: see LICENSE. */

/*
 * pn-crypt: the crypt floor of bench/run.  Not installed; libc and libcrypt.
 *
 *   pn-crypt [ -n count ] hash password
 *
 * Runs crypt_r(password, hash) once to warm up, then count times, and
 * prints the mean: "crypt_ms=X".  The hash is the account's, so the cost
 * is the one postern-checkpw pays for each AUTH.  Exits 0, 1 if the
 * password does not match the hash, 100 on usage, 111 on a system error.
 */

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define USAGE "pn-crypt [ -n count ] hash password"
#define PC_COUNT_MAX 100000

static void dieusage(void)
{
  fprintf(stderr, "pn-crypt: usage: %s\n", USAGE);
  exit(100);
}

int main(int argc, char *const *argv)
{
  static struct crypt_data cd;
  unsigned long count = 10;
  unsigned long i;
  struct timespec t0;
  struct timespec t1;
  char *end;
  char const *h;
  int opt;
  while ((opt = getopt(argc, argv, "n:")) != -1)
  {
    switch (opt)
    {
      case 'n':
        errno = 0;
        count = strtoul(optarg, &end, 10);
        if (errno || end == optarg || *end || !count || count > PC_COUNT_MAX) dieusage();
        break;
      default: dieusage();
    }
  }
  argv += optind;
  if (!argv[0] || !argv[1] || argv[2]) dieusage();
  h = crypt_r(argv[1], argv[0], &cd);
  if (!h || h[0] == '*')
  {
    fprintf(stderr, "pn-crypt: fatal: crypt_r: %s\n", strerror(errno));
    return 111;
  }
  if (strcmp(h, argv[0])) return 1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (i = 0; i < count; i++) crypt_r(argv[1], argv[0], &cd);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("crypt_ms=%.3f\n", ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / (double)count);
  return 0;
}
