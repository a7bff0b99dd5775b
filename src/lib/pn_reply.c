/* ISC license: see LICENSE. */

/*
 * pn_reply: the reply table.  Texts are plain English; the enhanced
 * codes follow RFC 3463 and RFC 5248.  A reply that closes the
 * connection says so in its text.
 */

#include "pn_reply.h"

#define L(c, e, t) #c " " e " " t
#define R(c, e, t) { .code = c, .elen = sizeof(e) - 1, .len = sizeof(L(c, e, t) "\r\n") - 1, .line = L(c, e, t) "\r\n" }
#define N(c, t) { .code = c, .elen = 0, .len = sizeof(#c " " t "\r\n") - 1, .line = #c " " t "\r\n" }

pn_rdef const pn_replies[PN_R_N] =
{
  [PN_R_NONE] = { .code = 0, .elen = 0, .len = 0, .line = "" },
  [PN_R_OK] = R(250, "2.0.0", "OK"),
  [PN_R_BYE] = R(221, "2.0.0", "Bye"),
  [PN_R_HELP] = R(214, "2.0.0", "Commands: EHLO HELO AUTH MAIL RCPT DATA BDAT RSET NOOP VRFY HELP QUIT"),
  [PN_R_VRFY] = R(252, "2.5.0", "Cannot VRFY user, but will accept a message and attempt delivery"),
  [PN_R_UNKNOWN] = R(500, "5.5.1", "Unrecognized command"),
  [PN_R_NUL] = R(500, "5.5.2", "NUL character in command"),
  [PN_R_TOOLONG] = R(500, "5.5.6", "Line too long"),
  [PN_R_ARGS] = R(501, "5.5.4", "Syntax error in arguments"),
  [PN_R_NOHELO] = R(503, "5.5.1", "Send EHLO or HELO first"),
  [PN_R_NEEDAUTH] = R(530, "5.7.0", "Authentication required"),
  [PN_R_TIMEOUT] = R(421, "4.4.2", "Timeout, closing connection"),
  [PN_R_TOOMANYBAD] = R(421, "4.7.0", "Too many errors, closing connection"),
  [PN_R_TOOMANYCMDS] = R(421, "4.7.0", "Too many commands, closing connection"),
  [PN_R_BDATSIZE] = R(421, "4.5.2", "Unusable BDAT chunk size, closing connection"),
  [PN_R_BDATBIG] = R(421, "4.3.4", "BDAT chunk over the size limit, closing connection"),
  [PN_R_CONFIG] = R(421, "4.3.0", "Server configuration error, closing connection"),
  [PN_R_TEMPCLOSE] = R(421, "4.3.0", "Temporary server error, closing connection"),

  [PN_R_334] = N(334, ""),
  [PN_R_334USER] = N(334, "VXNlcm5hbWU6"),
  [PN_R_334PASS] = N(334, "UGFzc3dvcmQ6"),
  [PN_R_AUTHSYNTAX] = R(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"),
  [PN_R_AUTHMECH] = R(504, "5.5.4", "Unrecognized authentication mechanism"),
  [PN_R_AUTHTLS] = R(538, "5.7.11", "Encryption required for requested authentication mechanism"),
  [PN_R_AUTHB64] = R(501, "5.5.2", "Invalid authentication data"),
  [PN_R_AUTHCANCEL] = R(501, "5.7.0", "Authentication cancelled"),
  [PN_R_AUTHLONG] = R(500, "5.5.6", "Authentication line too long"),
  [PN_R_AUTHFAIL] = R(535, "5.7.8", "Authentication credentials invalid"),
  [PN_R_AUTHTEMP] = R(454, "4.7.0", "Temporary authentication failure"),
  [PN_R_AUTHCRASH] = R(421, "4.3.0", "Authentication service failed, closing connection"),
  [PN_R_TOOMANYAUTH] = R(421, "4.7.0", "Too many failed authentications, closing connection"),
  [PN_R_BLOCKED] = R(421, "4.7.0", "Too many failed authentications from your address, try again later"),

  [PN_R_TLSREADY] = R(220, "2.0.0", "Ready to start TLS"),
  [PN_R_TLSTEMP] = R(454, "4.7.0", "TLS not available"),
  [PN_R_NEEDTLS] = R(530, "5.7.0", "Must issue a STARTTLS command first"),
  [PN_R_TLSACTIVE] = R(503, "5.5.1", "TLS already active"),
  [PN_R_NOSTARTTLS] = R(503, "5.5.1", "STARTTLS not available"),

  [PN_R_AUTHOK] = R(235, "2.7.0", "Authentication successful"),
  [PN_R_NOVERIFIER] = R(421, "4.3.5", "Authentication was not verified, closing connection"),
  [PN_R_NOAUTH] = R(503, "5.5.1", "AUTH not available in this session"),
  [PN_R_SENDEROK] = R(250, "2.1.0", "Sender OK"),
  [PN_R_RCPTOK] = R(250, "2.1.5", "Recipient OK"),
  [PN_R_DATA] = N(354, "End data with <CR><LF>.<CR><LF>"),
  [PN_R_TEMP] = R(451, "4.3.0", "Temporary failure, please try again later"),
  [PN_R_TOOMANYRCPT] = R(452, "4.5.3", "Too many recipients"),
  [PN_R_MAILSYNTAX] = R(501, "5.5.2", "Syntax: MAIL FROM:<address> [parameters]"),
  [PN_R_RCPTSYNTAX] = R(501, "5.5.2", "Syntax: RCPT TO:<address>"),
  [PN_R_BADSENDER] = R(501, "5.1.7", "Bad sender address syntax"),
  [PN_R_BADRCPT] = R(501, "5.1.3", "Bad recipient address syntax"),
  [PN_R_BADPARAM] = R(501, "5.5.4", "Bad parameter"),
  [PN_R_NESTED] = R(503, "5.5.1", "Sender already given"),
  [PN_R_NOMAIL] = R(503, "5.5.1", "MAIL first"),
  [PN_R_NORCPTYET] = R(503, "5.5.1", "RCPT first"),
  [PN_R_INBDAT] = R(503, "5.5.1", "Not during BDAT"),
  [PN_R_TOOBIG] = R(552, "5.3.4", "Message too big"),
  [PN_R_UTF8] = R(553, "5.6.7", "Non-ASCII address without SMTPUTF8"),
  [PN_R_NOUTF8] = R(553, "5.6.7", "SMTPUTF8 is not available for this message"),
  [PN_R_SENDER] = R(553, "5.7.1", "Sender address not allowed for this account"),
  [PN_R_NOVALID] = R(554, "5.5.1", "No valid recipients"),
  [PN_R_BARE] = R(554, "5.6.0", "Message refused: bare CR or bare LF in the data (lines must end in CRLF)"),
  [PN_R_UNKPARAM] = R(555, "5.5.4", "Unsupported parameter"),
  [PN_R_LIMITSTATE] = R(451, "4.3.0", "Sending limits cannot be checked, try again later"),
  [PN_R_MAXMSGS] = R(421, "4.7.0", "Too many messages in this session, closing connection"),
  [PN_R_NULDATA] = R(554, "5.6.0", "Message refused: NUL character in the data"),
};

int pn_reply_isbad(unsigned int code)
{
  return (code >= 500 && code <= 504) || code == 530;
}
