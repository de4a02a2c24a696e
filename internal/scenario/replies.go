package scenario

import (
	"fmt"
	"strings"
)

// refusal is how a remote system refuses a recipient during the SMTP
// dialogue with our server: the enhanced status code, the reply as our
// Postfix logs it (multi-line replies joined by spaces), and the command
// it answered.
func (w *world) refusal(r *remote, rcpt string, y why) (status, reply, command string) {
	gid := fmt.Sprintf("d9443c01a7336-%ssi%d%s.%d", w.hex(10), 100000+w.rng.IntN(899999), w.alnum(3), w.rng.IntN(999))
	switch y {
	case whySpam:
		switch r.mta {
		case mtaGmail:
			return "5.7.1", "550-5.7.1 [" + MailIP + "] Gmail has detected that this message is likely unsolicited mail. To reduce 550-5.7.1 the amount of spam sent to Gmail, this message has been blocked. For more 550-5.7.1 information, go to 550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError " + gid + " - gsmtp", "end of DATA"
		case mtaM365:
			return "5.7.1", "550 5.7.1 Service unavailable, Client host [" + MailIP + "] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/" + MailIP + " (AS3130). [" + w.m365Server() + " " + "2026-11-01T17:14:09.000Z 08DD1A2B3C4D5E6F]", "RCPT TO"
		case mtaYahooJP:
			return "5.7.9", "554 5.7.9 Message not accepted for policy reasons.  See https://help.yahoo.co.jp/", "end of DATA"
		case mtaDocomo, mtaAU, mtaSoftBank:
			return "5.7.1", "550 5.7.1 Message rejected as spam by Content Filtering", "end of DATA"
		}
		return "5.7.1", "554 5.7.1 Service unavailable; Client host [" + MailIP + "] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/" + MailIP, "RCPT TO"
	case whyFull:
		switch r.mta {
		case mtaGmail:
			return "5.2.2", "552-5.2.2 The recipient's inbox is out of storage space. Please direct the 552-5.2.2 recipient to 552 5.2.2  https://support.google.com/mail/?p=OverQuotaPerm " + gid + " - gsmtp", "RCPT TO"
		case mtaDocomo, mtaSoftBank:
			return "5.2.2", "552 5.2.2 <" + rcpt + ">... Mailbox Full", "RCPT TO"
		case mtaAU:
			return "5.2.2", "552 <" + rcpt + ">: Mailbox full", "RCPT TO"
		}
		return "5.2.2", "552 5.2.2 <" + rcpt + ">: Recipient address rejected: Mailbox full", "RCPT TO"
	}
	switch r.mta {
	case mtaGmail:
		return "5.1.1", "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser " + gid + " - gsmtp", "RCPT TO"
	case mtaM365:
		return "5.4.1", "550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [" + w.m365Server() + " 2026-11-01T17:14:09.000Z 08DD1A2B3C4D5E6F]", "RCPT TO"
	case mtaYahooJP:
		return "5.1.1", "550 5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown", "RCPT TO"
	case mtaDocomo, mtaSoftBank:
		return "5.1.1", "550 Unknown user " + rcpt, "RCPT TO"
	case mtaAU:
		return "5.1.1", "550 <" + rcpt + ">: User unknown", "RCPT TO"
	case mtaSendmail:
		return "5.1.1", "550 5.1.1 <" + rcpt + ">... User unknown", "RCPT TO"
	case mtaExim:
		return "5.1.1", "550 No Such User Here", "RCPT TO"
	case mtaQmail:
		return "5.1.1", "511 sorry, no mailbox here by that name (#5.1.1 - chkuser)", "RCPT TO"
	}
	return "5.1.1", "550 5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown in virtual mailbox table", "RCPT TO"
}

// acceptReply is what a remote system answers when it takes a message.
func (w *world) acceptReply(r *remote) string {
	switch r.mta {
	case mtaGmail:
		return fmt.Sprintf("250 2.0.0 OK  %d %s - gsmtp", 1793500000+w.rng.IntN(100000), "d9443c01a7336-"+w.hex(10)+"si"+fmt.Sprint(w.rng.IntN(999999)))
	case mtaM365:
		return "250 2.6.0 <…> [InternalId=" + fmt.Sprint(w.rng.Int64N(1e13)) + ", Hostname=" + w.m365Server() + "] Queued mail for delivery"
	case mtaSendmail:
		return "250 2.0.0 " + w.sendmailQID() + " Message accepted for delivery"
	case mtaExim:
		return "250 OK id=" + b62(w.rng.Int64N(1<<35), 6) + "-" + b62(w.rng.Int64N(1<<35), 6) + "-" + b62(w.rng.Int64N(3844), 2)
	case mtaQmail:
		return "250 ok 1793583249 qp " + fmt.Sprint(10000+w.rng.IntN(89999))
	case mtaYahooJP:
		return "250 ok dirdel"
	}
	return "250 2.0.0 Ok: queued as " + w.upperHex(10)
}

func (w *world) m365Server() string {
	return fmt.Sprintf("TYCPR01MB%d.jpnprd01.prod.outlook.com", 10000+w.rng.IntN(9000))
}

// sendmailQID is a Sendmail queue ID: year, month, day, hour, minute and
// second in base 60, two letters and the process ID.
func (w *world) sendmailQID() string {
	const c = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
	return fmt.Sprintf("%c%c%c%c%c%c%c%c%06d", c[56], c[10], c[1+w.rng.IntN(28)], c[w.rng.IntN(24)], c[w.rng.IntN(60)],
		c[w.rng.IntN(60)], c[10+w.rng.IntN(26)], c[36+w.rng.IntN(24)], w.rng.IntN(999999))
}

// laterFailure is how a remote system that accepted a message words its
// failure to deliver it (the diagnostic of its own bounce).
func laterFailure(r *remote, rcpt string, y why) (status, diag string) {
	local := rcpt[:strings.IndexByte(rcpt, '@')]
	switch r.mta {
	case mtaM365:
		if y == whyFull {
			return "5.2.2", "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot open mailbox.[EndDiagnosticData]"
		}
		return "5.1.10", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
	case mtaGmail:
		if y == whyFull {
			return "5.2.2", "552 5.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm"
		}
		return "5.1.1", "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser"
	case mtaSendmail:
		if y == whyFull {
			return "5.2.2", "552 5.2.2 <" + rcpt + ">... Mailbox full"
		}
		return "5.1.1", "550 5.1.1 <" + rcpt + ">... User unknown"
	case mtaExim:
		if y == whyFull {
			return "5.2.2", "mailbox is full (MTA-imposed quota exceeded while writing to tmp/)"
		}
		return "5.1.1", "Unrouteable address"
	case mtaQmail:
		if y == whyFull {
			return "5.2.2", "user is over quota"
		}
		return "5.1.1", "Sorry, no mailbox here by that name. (#5.1.1)"
	}
	// Postfix handing the message to Dovecot over LMTP.
	if y == whyFull {
		return "5.2.2", "552 5.2.2 <" + rcpt + "> Quota exceeded (mailbox for user is full)"
	}
	return "5.1.1", "550 5.1.1 <" + rcpt + "> User doesn't exist: " + local + "@" + r.domain
}
