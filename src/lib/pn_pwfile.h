/* ISC license: see LICENSE. */

#ifndef PN_PWFILE_H
#define PN_PWFILE_H

#include <stddef.h>

#include <skalibs/genalloc.h>

#include "pn_pwdb.h"


/* pn_pwfile: the password file, the text postern-passwd edits and
   compiles: one line per user, user:hash[:account[:senders[:limits]]],
   # comments.  Parsed and packed here, for postern-passwd only (the
   verifier reads records with pn_pwdb.h).  Pure functions. */

/* 1 if an account field is usable (empty, or a name as
   pn_pwdb_user_ok's of at most PN_PWDB_ACCOUNT_MAX bytes), else 0. */
extern int pn_pwfile_account_ok(char const *, size_t);

/* 1 if a senders field is usable (empty, or space-separated entries
   each with an '@' and something after the last '@'), else 0. */
extern int pn_pwfile_senders_ok(char const *, size_t);

/* 1 if a limits field is usable (empty, or what pn_limit_scanset
   accepts: "msgs=N/WINDOW rcpts=N/WINDOW", either or both), else 0. */
extern int pn_pwfile_limits_ok(char const *, size_t);

/* Parses one source line of len bytes, without its LF.  1: an entry, in
   *e (pointers into the line); 0: a blank line or a comment; -1: not
   parsable, *err says why. */
extern int pn_pwfile_parse(char const *, size_t, pn_pwent *, char const **);

/* A parsed line: its entry, where the line is in the text (LF
   excluded), its number from 1. */
typedef struct pn_pwline_s pn_pwline;
struct pn_pwline_s
{
  pn_pwent e;
  size_t off;
  size_t len;
  unsigned int lineno;
};

/* Parses every line of the text s (len bytes) into ents, a genalloc of
   pn_pwline pointing into s.  1: all good.  0: refused, *lineno is the
   first bad line and *err why, or, when *other is set, the later of two
   lines for the same user and *other the earlier.  -1: out of memory. */
extern int pn_pwfile_parseall(char const *s, size_t len, genalloc *ents, unsigned int *lineno, char const **err, unsigned int *other);

/* The line of ents for user (len bytes), or 0. */
extern pn_pwline const *pn_pwfile_find(genalloc const *ents, char const *user, size_t len);

/* Packs e's fields into the cdb data format (pn_pwdb.h); dst has
   PN_PWDB_DATA_MAX bytes.  Returns the length. */
extern size_t pn_pwfile_pack(char *, pn_pwent const *);

#endif
