/* ISC license: see LICENSE. */

/*
 * fuzz_smtpd: postern-smtpd's command-line reader and dispatcher, and
 * its AUTH exchanges, in process.  src/postern-smtpd.c is compiled into
 * the harness with main renamed; the input, after a first byte that
 * picks a configuration, is what the client sends (fd 0 is a socket
 * whose peer has sent the input and closed: the program reads it, as it
 * does under tcpserver, to EOF, and ends the session).
 *
 * The checkpassword call is simulated: pn_child_spawn and pn_child_wait
 * are replaced,
 * and the bytes the front writes for fd 3 are checked to be exactly
 * user\0password\0\0 with a non-empty user and password and at most
 * PN_FD3_MAX bytes.  The verifier's answer depends on the password:
 * "secret" for alice is a success (the session runs in the "child"), a
 * password starting with T, M, K or Z exits 111, 2, dies by SIGKILL or
 * exits 7; anything else exits 1.
 *
 * Oracles: ASan and UBSan; the replies are well-formed SMTP lines and
 * never 235 (the front never says it); no log line has CR or LF; no
 * descriptor is leaked.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <skalibs/allreadwrite.h>
#include <skalibs/bytestr.h>
#include <skalibs/djbunix.h>
#include <skalibs/env.h>
#include <skalibs/exec.h>
#include <skalibs/iopause.h>
#include <skalibs/sig.h>
#include <skalibs/tai.h>
#include <skalibs/types.h>
#include <skalibs/unix-timed.h>

#include "lib/pn_limits.h"
#include "fuzz.h"

#define FUZZ_PID 4242

static pid_t fuzz_child_spawn(char const *const *, char const *const *, int const *, unsigned int, int);
static int fuzz_child_wait(pid_t, int *, tain const *);
static size_t fuzz_allwrite(int, char const *, size_t);

#define main smtpd_main
#define pn_child_spawn fuzz_child_spawn
#define pn_child_wait fuzz_child_wait
#define allwrite fuzz_allwrite
#include "../../src/postern-smtpd.c"
#undef main
#undef pn_child_spawn
#undef pn_child_wait
#undef allwrite

static int fuzz_cred_status = -1;

/* The credentials the front gives the verifier: checked, then the
   verifier's answer is chosen from them. */
static size_t fuzz_allwrite(int fd, char const *s, size_t n)
{
  char const *z1;
  size_t ulen;
  size_t pwlen;
  (void)fd;
  if (n > PN_FD3_MAX) fuzz_fail("fd 3: over PN_FD3_MAX bytes");
  if (n < 5 || s[n-1] || s[n-2]) fuzz_fail("fd 3: not ended by \\0\\0");
  z1 = memchr(s, 0, n);
  ulen = (size_t)(z1 - s);
  pwlen = n - ulen - 3;
  if (!ulen) fuzz_fail("fd 3: empty user name");
  if (!pwlen) fuzz_fail("fd 3: empty password");
  if (memchr(z1 + 1, 0, pwlen)) fuzz_fail("fd 3: a NUL inside the password");
  if (z1[1 + pwlen]) fuzz_fail("fd 3: fields misplaced");
  if (ulen == 5 && !memcmp(s, "alice", 5) && pwlen == 6 && !memcmp(z1 + 1, "secret", 6)) fuzz_cred_status = 0;
  else switch (z1[1])
  {
    case 'T': fuzz_cred_status = 111 << 8; break;
    case 'M': fuzz_cred_status = 2 << 8; break;
    case 'K': fuzz_cred_status = SIGKILL; break;
    case 'Z': fuzz_cred_status = 7 << 8; break;
    default: fuzz_cred_status = 1 << 8; break;
  }
  return n;
}

static pid_t fuzz_child_spawn(char const *const *argv, char const *const *envp, int const *fds, unsigned int n, int devnull2)
{
  (void)argv; (void)envp; (void)devnull2;
  if (fuzz_cred_status < 0) fuzz_fail("verifier started without credentials");
  if (n != 4 || fds[3] < 0) fuzz_fail("verifier started without its fd 3");
  return FUZZ_PID;
}

static int fuzz_child_wait(pid_t pid, int *wstat, tain const *deadline)
{
  (void)deadline;
  if (pid != FUZZ_PID) fuzz_fail("wait for an unknown child");
  *wstat = fuzz_cred_status;
  fuzz_cred_status = -1;
  return 1;
}

static void fuzz_env(char const *name, int on, char const *value)
{
  if (on) setenv(name, value, 1);
  else unsetenv(name);
}

static void fuzz_config(unsigned char c)
{
  fuzz_env("AUTHMECHS", c & 1, "LOGIN");
  fuzz_env("AUTHMAXFAIL", c & 2, "100");
  fuzz_env("TCPREMOTEIP", c & 4, "192.0.2.7");
  fuzz_env("AUTHINSECURE", c & 8, "1");
  fuzz_env("DATABYTES", c & 16, "100");
}

/* The session's state is main's own (on its stack): only the
   harness's needs resetting. */
static void fuzz_reset(void)
{
  fuzz_cred_status = -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc; (void)argv;
  setenv("SMTPHOSTNAME", "fuzz.example", 1);
  setenv("AUTHFAILDELAY", "0", 1);
  unsetenv("SMTPTLS");
  unsetenv("SSL_PROTOCOL");
  unsetenv("TCPLOCALIP");
  fuzz_memfd_onto(0, "", 0);
  fuzz_memfd_onto(1, "", 0);
  return 0;
}

#ifdef FUZZ_AUTH
#define FUZZ_PREFIX "EHLO client.example\r\nAUTH "
#else
#define FUZZ_PREFIX ""
#endif

int LLVMFuzzerTestOneInput(uint8_t const *data, size_t size)
{
  static char const *const argv[] = { "postern-smtpd", "verifier", 0 };
  static char in[sizeof(FUZZ_PREFIX) + 65536];
  size_t n = sizeof(FUZZ_PREFIX) - 1;
  if (!size || size - 1 > sizeof(in) - n) return 0;
#ifdef FUZZ_AUTH
  fuzz_auth_extra(data + 1, size - 1);
#endif
  memcpy(in, FUZZ_PREFIX, n);
  memcpy(in + n, data + 1, size - 1);
  fuzz_config(data[0]);
  fuzz_reset();
  fuzz_sock_onto(0, in, n + size - 1);
  fuzz_fds_begin();
  FUZZ_RUN(smtpd_main(2, argv));
  if (fuzz_status < 0) fuzz_fail("the session returned");
  fuzz_replies(1, "235");
  fuzz_fds_end();
  return 0;
}
