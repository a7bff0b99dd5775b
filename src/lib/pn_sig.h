/* ISC license: see LICENSE. */

#ifndef PN_SIG_H
#define PN_SIG_H


/* pn_sig: the signal state a program of the chain starts from */

/* What a program wants for SIGPIPE: its default (death), or a write to a
   closed pipe or socket returning EPIPE.  PN_SIG_PIPE_EPIPE catches the
   signal with a handler that does nothing, so that a program the caller
   later executes starts with the default again. */
#define PN_SIG_PIPE_DEFAULT 0
#define PN_SIG_PIPE_EPIPE 1

/* Called first in main, whatever the launcher left: unblocks every
   signal, and sets SIGCHLD, SIGTERM and SIGALRM to their default (an
   ignored SIGCHLD makes the kernel reap children, and wait then fails)
   and SIGPIPE as asked.  Nothing here can fail for these signals. */
extern void pn_sig_reset(int);

#endif
