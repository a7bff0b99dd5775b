/* ISC license: see LICENSE. */

/*
 * pn-t-pam.so: a PAM module for t/27-checkpw-pam.t, built by make check,
 * never installed.  Its arguments, in the order given:
 *   user=NAME     sets PAM_USER to NAME (a module that maps names)
 *   ask=off|on|N  one prompt of style echo off, echo on or N; the answer
 *                 must be want=... (off) or the user name (on), else
 *                 PAM_AUTH_ERR; a refused conversation: its status
 *   want=PW       the password ask=off expects
 *   say=TEXT      a PAM_TEXT_INFO message; sayerr=TEXT a PAM_ERROR_MSG
 *   saypw         a PAM_TEXT_INFO message holding the answer to ask=off
 *   rhost=FILE    writes PAM_RHOST (or "unset") to FILE
 *   pid=FILE      writes the pid of the process that runs the module
 *   hang          sleeps for ever, in the process that called it
 *   crash         dies of SIGSEGV
 *   ret=NAME      returns that status (auth_err, user_unknown, maxtries,
 *                 cred_insufficient, acct_expired, new_authtok_reqd,
 *                 perm_denied, authinfo_unavail, system_err, buf_err,
 *                 abort, service_err, success), by default success
 * The same for the auth and the account steps.
 */

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_modules.h>

static struct { char const *name; int e; } const rets[] =
{
  { "success", PAM_SUCCESS }, { "auth_err", PAM_AUTH_ERR },
  { "user_unknown", PAM_USER_UNKNOWN }, { "maxtries", PAM_MAXTRIES },
  { "cred_insufficient", PAM_CRED_INSUFFICIENT }, { "acct_expired", PAM_ACCT_EXPIRED },
  { "new_authtok_reqd", PAM_NEW_AUTHTOK_REQD }, { "perm_denied", PAM_PERM_DENIED },
  { "authinfo_unavail", PAM_AUTHINFO_UNAVAIL }, { "system_err", PAM_SYSTEM_ERR },
  { "buf_err", PAM_BUF_ERR }, { "abort", PAM_ABORT }, { "service_err", PAM_SERVICE_ERR },
};

static char answer[512];

static int talk(pam_handle_t *h, int style, char const *text, char *out, size_t max)
{
  struct pam_conv const *cv = 0;
  struct pam_message m = { .msg_style = style, .msg = text };
  struct pam_message const *mp = &m;
  struct pam_response *r = 0;
  int e = pam_get_item(h, PAM_CONV, (void const **)&cv);
  if (e != PAM_SUCCESS || !cv) return PAM_SYSTEM_ERR;
  e = cv->conv(1, &mp, &r, cv->appdata_ptr);
  if (e != PAM_SUCCESS) return e;
  if (out) { out[0] = 0; if (r && r->resp) strncat(out, r->resp, max - 1); }
  if (r) { if (r->resp) { memset(r->resp, 0, strlen(r->resp)); free(r->resp); } free(r); }
  return PAM_SUCCESS;
}

static int ask(pam_handle_t *h, char const *how, char const *want)
{
  void const *u = 0;
  int style = !strcmp(how, "off") ? PAM_PROMPT_ECHO_OFF : !strcmp(how, "on") ? PAM_PROMPT_ECHO_ON : atoi(how);
  int e = talk(h, style, "Answer: ", answer, sizeof(answer));
  if (e != PAM_SUCCESS) return e;
  if (style == PAM_PROMPT_ECHO_OFF) return want && !strcmp(answer, want) ? PAM_SUCCESS : PAM_AUTH_ERR;
  if (pam_get_item(h, PAM_USER, &u) != PAM_SUCCESS || !u) return PAM_SYSTEM_ERR;
  return !strcmp(answer, u) ? PAM_SUCCESS : PAM_AUTH_ERR;
}

static void put(char const *file, char const *s)
{
  int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  if (write(fd, s, strlen(s)) < 0) { }
  close(fd);
}

static void rhost(pam_handle_t *h, char const *file)
{
  void const *v = 0;
  put(file, pam_get_item(h, PAM_RHOST, &v) == PAM_SUCCESS && v ? v : "unset");
}

static void pid(char const *file)
{
  char s[32];
  unsigned long n = (unsigned long)getpid();
  size_t i = sizeof(s) - 1;
  s[i] = 0;
  do { s[--i] = (char)('0' + n % 10); n /= 10; } while (n);
  put(file, s + i);
}

static int run(pam_handle_t *h, int argc, char const **argv)
{
  char const *want = 0;
  int i;
  for (i = 0; i < argc; i++)
    if (!strncmp(argv[i], "want=", 5)) want = argv[i] + 5;
  for (i = 0; i < argc; i++)
  {
    char const *a = argv[i];
    int e = PAM_SUCCESS;
    if (!strncmp(a, "user=", 5)) e = pam_set_item(h, PAM_USER, a + 5);
    else if (!strncmp(a, "ask=", 4)) e = ask(h, a + 4, want);
    else if (!strncmp(a, "say=", 4)) e = talk(h, PAM_TEXT_INFO, a + 4, 0, 0);
    else if (!strncmp(a, "sayerr=", 7)) e = talk(h, PAM_ERROR_MSG, a + 7, 0, 0);
    else if (!strcmp(a, "saypw")) e = talk(h, PAM_TEXT_INFO, answer, 0, 0);
    else if (!strncmp(a, "rhost=", 6)) rhost(h, a + 6);
    else if (!strncmp(a, "pid=", 4)) pid(a + 4);
    else if (!strcmp(a, "hang")) for (;;) pause();
    else if (!strcmp(a, "crash")) raise(SIGSEGV);
    else if (!strncmp(a, "ret=", 4))
    {
      size_t j;
      for (j = 0; j < sizeof(rets) / sizeof(rets[0]); j++)
        if (!strcmp(a + 4, rets[j].name)) return rets[j].e;
      return PAM_SERVICE_ERR;
    }
    if (e != PAM_SUCCESS) return e;
  }
  return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *h, int flags, int argc, char const **argv)
{
  (void)flags;
  return run(h, argc, argv);
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *h, int flags, int argc, char const **argv)
{
  (void)h; (void)flags; (void)argc; (void)argv;
  return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *h, int flags, int argc, char const **argv)
{
  (void)flags;
  return run(h, argc, argv);
}
