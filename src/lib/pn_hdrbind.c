/* ISC license: see LICENSE. */

/*
 * pn_hdrbind: with SMTPSENDERS set, the message's From: and Sender: must
 * name only allowed addresses, by the rule of the envelope sender
 * (pn_addr_sender_ok), else the submission could still show another
 * person as its author.  The header is walked as pn_hdr_scan walks it
 * (a field is a name of printable bytes, optional blanks, a colon; lines
 * starting with a blank continue it; the header ends at an empty line or
 * at a line that is no field), so that both agree on where it ends.
 */

#include <string.h>
#include <strings.h>

#include "pn_hdrbind.h"
#include "pn_addr.h"
#include "pn_hdrfrom.h"
#include "pn_msg.h"

#define F_OTHER 0
#define F_FROM 1
#define F_SENDER 2

static char const *const replies[PN_HDRBIND_N] =
{
  [PN_HDRBIND_OK] = "250 2.0.0 OK",
  [PN_HDRBIND_EFROM] = "550 5.7.1 From: address not allowed for this login, message not delivered",
  [PN_HDRBIND_ESENDER] = "550 5.7.1 Sender: address not allowed for this login, message not delivered",
  [PN_HDRBIND_ETWO] = "550 5.7.1 Two From: fields in the header, message not delivered",
  [PN_HDRBIND_ESYNTAX] = "550 5.7.1 From: or Sender: field cannot be parsed, message not delivered",
  [PN_HDRBIND_ELONG] = "550 5.7.1 Header too long to check its From: field, message not delivered",
};

static char const *const reasons[PN_HDRBIND_N] =
{
  [PN_HDRBIND_OK] = "none",
  [PN_HDRBIND_EFROM] = "from-not-allowed",
  [PN_HDRBIND_ESENDER] = "sender-not-allowed",
  [PN_HDRBIND_ETWO] = "two-from",
  [PN_HDRBIND_ESYNTAX] = "from-unparsable",
  [PN_HDRBIND_ELONG] = "header-too-long",
};

char const *pn_hdrbind_reply(int r)
{
  return replies[r >= 0 && r < PN_HDRBIND_N ? r : PN_HDRBIND_ESYNTAX];
}

char const *pn_hdrbind_reason(int r)
{
  return reasons[r >= 0 && r < PN_HDRBIND_N ? r : PN_HDRBIND_ESYNTAX];
}

static int allowed(void *senders, pn_envarg const *a)
{
  return pn_addr_sender_ok((char const *)senders, a);
}

static int any(void *ctx, pn_envarg const *a)
{
  (void)ctx;
  (void)a;
  return 1;
}

/* The field starting at s[i] (a line that does not start with a blank):
   its kind, the offset of its value in *v; 0 if it is no field. */
static int field(char const *s, size_t end, size_t i, size_t *v)
{
  size_t start = i;
  size_t namelen;
  while (i < end && s[i] != ':' && s[i] != ' ' && s[i] != '\t')
  {
    if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126) return -1;
    i++;
  }
  namelen = i - start;
  while (i < end && (s[i] == ' ' || s[i] == '\t')) i++;
  if (i >= end || s[i] != ':') return -1;
  *v = i + 1;
  if (namelen == 4 && !strncasecmp(s + start, "from", 4)) return F_FROM;
  if (namelen == 6 && !strncasecmp(s + start, "sender", 6)) return F_SENDER;
  return F_OTHER;
}

/* The end of the field whose line starts at i: the LF of its last line
   (or end), continuation lines included. */
static size_t fieldend(char const *s, size_t end, size_t i)
{
  for (;;)
  {
    char const *lf = memchr(s + i, '\n', end - i);
    if (!lf) return end;
    i = (size_t)(lf - s) + 1;
    if (i >= end || (s[i] != ' ' && s[i] != '\t')) return i - 1;
  }
}

int pn_hdrbind_check(char const *senders, char const *hdr, size_t len, int complete)
{
  pn_hdrscan h = PN_HDRSCAN_ZERO;
  size_t end;
  size_t i = 0;
  unsigned int nfrom = 0;
  if (!complete) return PN_HDRBIND_ELONG;
  end = pn_hdr_scan(&h, hdr, len);
  while (i < end)
  {
    size_t v = 0;
    size_t fe = fieldend(hdr, end, i);
    int kind = hdr[i] == ' ' || hdr[i] == '\t' ? F_OTHER : field(hdr, end, i, &v);
    if (kind == F_FROM || kind == F_SENDER)
    {
      int r;
      if (kind == F_FROM && ++nfrom > 1) return PN_HDRBIND_ETWO;
      /* the syntax first, so that the reason does not depend on where
         the first bad address is */
      if (pn_hdrfrom_list(hdr + v, fe - v, &any, 0) < 0) return PN_HDRBIND_ESYNTAX;
      r = pn_hdrfrom_list(hdr + v, fe - v, &allowed, (void *)senders);
      if (r < 0) return kind == F_FROM ? PN_HDRBIND_EFROM : PN_HDRBIND_ESENDER;
    }
    i = fe + 1;
  }
  return PN_HDRBIND_OK;
}
