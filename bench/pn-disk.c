/* ISC license: see LICENSE. */

/*
 * pn-disk: the disk floor of bench/run.  Not installed; libc only.
 *
 *   pn-disk [ -c conc ] [ -n files ] [ -s size ] dir
 *
 * Writes -n files of -s bytes, -c at a time (one process each), the way a
 * Maildir delivery does at best: a new file in dir/tmp, large writes
 * (PD_WRITE_MAX bytes each) from a buffer already in memory, fsync, close,
 * rename into dir/new, fsync of dir/new.  Nothing else: no network, no
 * parsing.  Prints one line: files, bytes, seconds, files_per_s, mb_per_s
 * (10^6 bytes a MB), file_mb_per_s (the bytes over the time spent in each
 * file, open to directory fsync: what one writer does).  Exits 0, 100 on usage, 111 on a system error.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define USAGE "pn-disk [ -c conc ] [ -n files ] [ -s size ] dir"
#define PD_CONC_MAX 256
#define PD_FILES_MAX 1000000
#define PD_SIZE_MAX 1000000000
#define PD_WRITE_MAX 1048576
#define PD_PATH_MAX 4096

static void dieusage(void)
{
  fprintf(stderr, "pn-disk: usage: %s\n", USAGE);
  exit(100);
}

static void diesys(char const *what)
{
  fprintf(stderr, "pn-disk: fatal: %s: %s\n", what, strerror(errno));
  exit(111);
}

static unsigned long scan_num(char const *s, unsigned long max)
{
  char *end;
  unsigned long n;
  errno = 0;
  n = strtoul(s, &end, 10);
  if (errno || end == s || *end || n > max) dieusage();
  return n;
}

/* Returns the time it took, in seconds. */
static double deliver(char const *dir, int newfd, unsigned int i, char const *buf, size_t size)
{
  struct timespec t0;
  struct timespec t1;
  char tmp[PD_PATH_MAX];
  char new[PD_PATH_MAX];
  size_t w = 0;
  int fd;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  snprintf(tmp, sizeof(tmp), "%s/tmp/floor.%u.%ld", dir, i, (long)getpid());
  snprintf(new, sizeof(new), "%s/new/floor.%u.%ld", dir, i, (long)getpid());
  fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) diesys(tmp);
  while (w < size)
  {
    size_t n = size - w > PD_WRITE_MAX ? PD_WRITE_MAX : size - w;
    ssize_t r = write(fd, buf + w, n);
    if (r < 0)
    {
      if (errno == EINTR) continue;
      diesys("write");
    }
    w += (size_t)r;
  }
  if (fsync(fd) < 0) diesys("fsync");
  if (close(fd) < 0) diesys("close");
  if (rename(tmp, new) < 0) diesys("rename");
  if (fsync(newfd) < 0) diesys("fsync new");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Each worker writes its time in files, in microseconds, on the pipe p. */
static void worker(char const *dir, unsigned int first, unsigned int step, unsigned int n, size_t size, int p)
{
  char num[32];
  double busy = 0;
  int len;
  char path[PD_PATH_MAX];
  char *buf = malloc(size);
  size_t i;
  int newfd;
  if (!buf) diesys("malloc");
  for (i = 0; i < size; i++) buf[i] = (i % 78) == 77 ? '\n' : (char)('a' + i % 26);
  snprintf(path, sizeof(path), "%s/new", dir);
  newfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (newfd < 0) diesys(path);
  for (; first < n; first += step) busy += deliver(dir, newfd, first, buf, size);
  len = snprintf(num, sizeof(num), "%.0f\n", busy * 1e6);
  if (write(p, num, (size_t)len) != len) diesys("write");
  _exit(0);
}

int main(int argc, char *const *argv)
{
  char path[PD_PATH_MAX];
  unsigned int conc = 1;
  unsigned int files = 1;
  size_t size = 1000000;
  unsigned int i;
  unsigned int bad = 0;
  struct timespec t0;
  struct timespec t1;
  double secs;
  double busy = 0;
  char rbuf[PD_CONC_MAX * 24];
  size_t rlen = 0;
  char *q;
  int p[2];
  int opt;
  while ((opt = getopt(argc, argv, "c:n:s:")) != -1)
  {
    switch (opt)
    {
      case 'c': conc = (unsigned int)scan_num(optarg, PD_CONC_MAX); break;
      case 'n': files = (unsigned int)scan_num(optarg, PD_FILES_MAX); break;
      case 's': size = scan_num(optarg, PD_SIZE_MAX); break;
      default: dieusage();
    }
  }
  argv += optind;
  if (!argv[0] || argv[1] || !conc || !files) dieusage();
  if (conc > files) conc = files;
  if (mkdir(argv[0], 0700) < 0 && errno != EEXIST) diesys(argv[0]);
  snprintf(path, sizeof(path), "%s/tmp", argv[0]);
  if (mkdir(path, 0700) < 0 && errno != EEXIST) diesys(path);
  snprintf(path, sizeof(path), "%s/new", argv[0]);
  if (mkdir(path, 0700) < 0 && errno != EEXIST) diesys(path);
  if (pipe(p) < 0) diesys("pipe");
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (i = 0; i < conc; i++)
  {
    pid_t pid = fork();
    if (pid < 0) diesys("fork");
    if (!pid)
    {
      close(p[0]);
      worker(argv[0], i, conc, files, size, p[1]);
    }
  }
  close(p[1]);
  for (;;)
  {
    ssize_t r = read(p[0], rbuf + rlen, sizeof(rbuf) - 1 - rlen);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) diesys("read");
    if (!r) break;
    rlen += (size_t)r;
  }
  rbuf[rlen] = 0;
  for (q = rbuf; *q; )
  {
    char *end;
    busy += strtod(q, &end) / 1e6;
    if (end == q) break;
    q = end;
  }
  for (i = 0; i < conc; i++)
  {
    int st;
    if (wait(&st) < 0) diesys("wait");
    if (!WIFEXITED(st) || WEXITSTATUS(st)) bad++;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (bad) return 111;
  secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("files=%u bytes=%llu seconds=%.3f files_per_s=%.1f mb_per_s=%.2f file_mb_per_s=%.2f\n",
    files, (unsigned long long)files * size, secs, files / secs, (double)files * (double)size / 1e6 / secs,
    busy > 0 ? (double)files * (double)size / 1e6 / busy : 0.0);
  return 0;
}
