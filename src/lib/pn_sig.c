/* ISC license: see LICENSE. */

/*
 * A launcher may start a program with signals ignored or blocked (swaks
 * --pipe, perl's $SIG{CHLD} = "IGNORE", a shell script's trap '' ...):
 * both are inherited across exec.  The chain relies on SIGCHLD (the
 * front and the relay wait for their children) and on SIGTERM (a
 * supervisor stops the sessions), and each program decides SIGPIPE.
 */

#include <signal.h>

#include <skalibs/sig.h>

#include "pn_sig.h"

void pn_sig_reset(int pipe)
{
  sig_blocknone();
  sig_restore(SIGCHLD);
  sig_restore(SIGTERM);
  sig_restore(SIGALRM);
  if (pipe == PN_SIG_PIPE_EPIPE) sig_altignore(SIGPIPE);
  else sig_restore(SIGPIPE);
}
