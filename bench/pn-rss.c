/* ISC license: see LICENSE. */

/*
 * pn-rss: peak RSS of each program image, for bench/run.  Not installed;
 * libc only.  Linux: ptrace(2), /proc.
 *
 *   pn-rss -o log prog [args...]
 *
 * Runs prog and every process it starts under ptrace, and each time a
 * program image ends (at the entry of execve, or when its process exits)
 * appends one line to log:
 *
 *   exe=NAME pid=N hwm_kb=N minflt=N majflt=N syscalls=N cpu_us=N how=exec|exit
 *
 * NAME is the image's comm (15 bytes at most), hwm_kb VmHWM from
 * /proc/PID/status: the peak resident set of that image's own address
 * space.  Unlike ru_maxrss, which carries over an execve and takes in
 * reaped children, it is one program's peak: postern-smtpd, postern-checkpw
 * and postern-queue, which follow each other in one process, are measured
 * apart.  minflt and majflt (page faults, /proc/PID/stat), cpu_us (time
 * on a CPU, /proc/PID/schedstat) and syscalls (system calls entered,
 * counted here) are the image's own: the process's counts less those at
 * the image's start (its fork, or the execve that began it), so the
 * execve's own faults count for the new image.  Times are inflated by
 * the tracing (each system call stops twice); counts are not.  Nothing
 * is added to the measured processes (an LD_PRELOAD shim
 * adds its own pages); they only run slower.  Exits with prog's status, or
 * 111 on a system error, 100 on usage.
 */

#include <sys/types.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USAGE "pn-rss -o log prog [args...]"
#define PR_STATUS_MAX 4096
#define PR_FIELD_MAX 32
#define PR_PIDS 4096                  /* processes followed at once */

/* Per process: the counts at its image's start, and its system calls. */
struct pc { pid_t pid; unsigned long minflt, majflt, cpu_us, sys; };
static struct pc pcs[PR_PIDS];

static struct pc *pcof(pid_t pid)
{
  unsigned int i = (unsigned int)pid % PR_PIDS;
  unsigned int k;
  for (k = 0; k < PR_PIDS; k++, i = (i + 1) % PR_PIDS)
    if (pcs[i].pid == pid) return &pcs[i];
  for (k = 0, i = (unsigned int)pid % PR_PIDS; k < PR_PIDS; k++, i = (i + 1) % PR_PIDS)
    if (!pcs[i].pid)
    {
      memset(&pcs[i], 0, sizeof(pcs[i]));
      pcs[i].pid = pid;
      return &pcs[i];
    }
  return 0;
}

/* /proc/PID/NAME into buf (at most max - 1 bytes, then a 0): its
   length, or 0 if it cannot be read. */
static size_t readproc(pid_t pid, char const *name, char *buf, size_t max)
{
  char path[64];
  ssize_t r;
  int fd;
  snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, name);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  r = read(fd, buf, max - 1);
  close(fd);
  if (r <= 0) return 0;
  buf[r] = 0;
  return (size_t)r;
}

/* minflt and majflt from /proc/PID/stat (fields 10 and 12), after the
   comm in parentheses; cpu_us from /proc/PID/schedstat. */
static void counts(pid_t pid, unsigned long *minflt, unsigned long *majflt, unsigned long *cpu_us)
{
  char buf[PR_STATUS_MAX];
  char const *p;
  unsigned long long ns = 0;
  *minflt = *majflt = *cpu_us = 0;
  if (!readproc(pid, "stat", buf, sizeof(buf))) return;
  p = strrchr(buf, ')');
  if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %lu %*u %lu", minflt, majflt) != 2) *minflt = *majflt = 0;
  if (readproc(pid, "schedstat", buf, sizeof(buf)) && sscanf(buf, "%llu", &ns) == 1)
    *cpu_us = (unsigned long)(ns / 1000);
}

static int logfd = -1;

static void dieusage(void)
{
  fprintf(stderr, "pn-rss: usage: %s\n", USAGE);
  exit(100);
}

static void diesys(char const *what)
{
  fprintf(stderr, "pn-rss: fatal: %s: %s\n", what, strerror(errno));
  exit(111);
}

/* The value of field key ("\nVmHWM:") in s, blanks skipped, up to the end
   of its line (or a space, with stopspace). */
static void field(char *dst, char const *s, char const *key, int stopspace)
{
  char const *p = strstr(s, key);
  size_t n = 0;
  if (p)
  {
    p += strlen(key);
    while (*p == ' ' || *p == '\t') p++;
    while (*p && *p != '\n' && (!stopspace || *p != ' ') && n < PR_FIELD_MAX - 1) dst[n++] = *p++;
  }
  dst[n] = 0;
}

static void record(pid_t pid, char const *how)
{
  char st[PR_STATUS_MAX];
  char name[PR_FIELD_MAX];
  char hwm[PR_FIELD_MAX];
  char line[PR_FIELD_MAX * 2 + 160];
  unsigned long minflt, majflt, cpu_us;
  struct pc *c = pcof(pid);
  int n;
  st[0] = '\n';
  if (!readproc(pid, "status", st + 1, sizeof(st) - 1)) return;
  field(name, st, "\nName:", 0);
  field(hwm, st, "\nVmHWM:", 1);
  if (!hwm[0]) return;
  counts(pid, &minflt, &majflt, &cpu_us);
  if (!c) return;
  n = snprintf(line, sizeof(line), "exe=%s pid=%ld hwm_kb=%s minflt=%lu majflt=%lu syscalls=%lu cpu_us=%lu how=%s\n",
    name, (long)pid, hwm, minflt - c->minflt, majflt - c->majflt, c->sys, cpu_us - c->cpu_us, how);
  c->minflt = minflt;
  c->majflt = majflt;
  c->cpu_us = cpu_us;
  c->sys = 0;
  if (n > 0 && (size_t)n < sizeof(line) && write(logfd, line, (size_t)n) < 0) diesys("write");
}

static void child(char *const *argv)
{
  if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) _exit(111);
  raise(SIGSTOP);
  execvp(argv[0], argv);
  _exit(111);
}

static int trace(pid_t top)
{
  unsigned int tracees = 1;
  int topstatus = 111;
  int st;
  if (waitpid(top, &st, 0) < 0) diesys("waitpid");
  if (!WIFSTOPPED(st)) return 111;
  if (ptrace(PTRACE_SETOPTIONS, top, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK
      | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) < 0)
    diesys("ptrace");
  if (ptrace(PTRACE_SYSCALL, top, 0, 0) < 0) diesys("ptrace");
  while (tracees)
  {
    int sig = 0;
    pid_t pid = waitpid(-1, &st, __WALL);
    if (pid < 0)
    {
      if (errno == EINTR) continue;
      diesys("waitpid");
    }
    if (WIFEXITED(st) || WIFSIGNALED(st))
    {
      struct pc *c = pcof(pid);
      if (c) c->pid = 0;
      tracees--;
      if (pid == top) topstatus = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      continue;
    }
    if (!WIFSTOPPED(st)) continue;
    if (WSTOPSIG(st) == (SIGTRAP | 0x80))
    {
      struct __ptrace_syscall_info si;
      if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), &si) > 0
       && si.op == PTRACE_SYSCALL_INFO_ENTRY)
      {
        struct pc *c = pcof(pid);
        if (si.entry.nr == SYS_execve || si.entry.nr == SYS_execveat) record(pid, "exec");
        if (c) c->sys++;
      }
    }
    else if (WSTOPSIG(st) == SIGTRAP && st >> 16)
    {
      switch (st >> 16)
      {
        case PTRACE_EVENT_FORK:
        case PTRACE_EVENT_VFORK:
        case PTRACE_EVENT_CLONE: tracees++; break;
        case PTRACE_EVENT_EXIT: record(pid, "exit"); break;
        default: break;
      }
    }
    else if (WSTOPSIG(st) == SIGSTOP && (st >> 16) == 0)
    {
      /* a new tracee's first stop, or a real SIGSTOP: both swallowed */
    }
    else sig = WSTOPSIG(st);
    if (ptrace(PTRACE_SYSCALL, pid, 0, sig) < 0 && errno != ESRCH) diesys("ptrace");
  }
  return topstatus;
}

int main(int argc, char *const *argv)
{
  char const *log = 0;
  pid_t pid;
  int opt;
  while ((opt = getopt(argc, argv, "+o:")) != -1)
  {
    switch (opt)
    {
      case 'o': log = optarg; break;
      default: dieusage();
    }
  }
  argv += optind;
  if (!log || !argv[0]) dieusage();
  logfd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (logfd < 0) diesys(log);
  pid = fork();
  if (pid < 0) diesys("fork");
  if (!pid) child(argv);
  return trace(pid);
}
