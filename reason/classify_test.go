package reason

import (
	"testing"
	"unicode/utf8"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		f    Facts
		want Reason
	}{
		// a recogniser's reason
		{"recogniser wins", Facts{Reason: Feedback, Status: "5.1.1"}, Feedback},
		{"weak recogniser reason retried", Facts{Reason: UserUnknown, Status: "5.2.2", Diagnostic: "Mailbox full"}, MailboxFull},
		{"weak recogniser reason kept", Facts{Reason: SystemError, DiagnosticType: "SMTP", Diagnostic: "something odd"}, SystemError},
		{"invalid recogniser reason ignored", Facts{Reason: "nonsense", Status: "5.1.1"}, UserUnknown},
		{"delivered", Facts{Status: "2.1.5", Action: "delivered"}, Delivered},

		// status code only
		{"status 5.1.1", Facts{Status: "5.1.1"}, UserUnknown},
		{"status 5.2.2", Facts{Status: "5.2.2"}, MailboxFull},
		{"status 4.2.2", Facts{Status: "4.2.2"}, MailboxFull},
		{"status 5.1.2", Facts{Status: "5.1.2"}, HostUnknown},
		{"status 5.3.4", Facts{Status: "5.3.4"}, MesgTooBig},
		{"status 5.7.26", Facts{Status: "5.7.26"}, AuthFailure},
		{"status 5.7.1 alone", Facts{Status: "5.7.1", DiagnosticType: "SMTP"}, SecurityError},
		{"status 5.6.99 subject", Facts{Status: "5.6.99"}, ContentError},
		{"status 4.4.7", Facts{Status: "4.4.7"}, Expired},
		{"nothing", Facts{}, Undefined},
		{"text only", Facts{Diagnostic: "something we cannot read"}, OnHold},

		// English phrases
		{"postfix user unknown", Facts{Status: "5.1.1", ReplyCode: "550", DiagnosticType: "SMTP",
			Diagnostic: "host mx.example.jp[192.0.2.1] said: 550 5.1.1 <a@example.jp>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)"}, UserUnknown},
		{"mailbox full text", Facts{Status: "5.0.0", Diagnostic: "552 Requested mail action aborted: mailbox full"}, MailboxFull},
		{"quota", Facts{Diagnostic: "user is over quota"}, MailboxFull},
		{"message too big", Facts{Status: "5.0.0", Diagnostic: "552 message size exceeds fixed maximum message size"}, MesgTooBig},
		{"refused at the greeting", Facts{Diagnostic: "554 IP=192.0.2.254 - A problem occurred. (BL)", Command: "CONN"}, Blocked},
		{"the system's disk, not a mailbox", Facts{Status: "4.4.5", Diagnostic: "452 4.4.5 Insufficient disk space; try again later", Command: "MAIL"}, SystemFull},
		{"size words under 5.2.3 are an exceeded limit", Facts{Status: "5.2.3", Diagnostic: "552 5.2.3 Message size exceeds fixed maximum message size (10485760)"}, ExceedLimit},
		{"relay denied", Facts{Status: "5.7.1", Command: "RCPT", Diagnostic: "554 5.7.1 <a@example.org>: Relay access denied"}, NoRelaying},
		{"spf", Facts{Status: "5.7.1", Diagnostic: "550 5.7.1 SPF check: fail"}, AuthFailure},
		{"ptr", Facts{Status: "5.7.1", Diagnostic: "550 5.7.1 Client host rejected: cannot find your hostname"}, RequirePTR},
		{"blocked rbl", Facts{Status: "5.7.1", Diagnostic: "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org"}, Blocked},
		{"spam at data", Facts{Status: "5.7.1", Command: "DATA", Diagnostic: "550 5.7.1 Message rejected as spam"}, SpamDetected},
		{"spam words before data", Facts{Status: "5.7.1", Command: "RCPT", Diagnostic: "550 5.7.1 Message rejected as spam"}, SpamDetected}, // second pass
		{"sender rejected at mail", Facts{Command: "MAIL", Status: "5.0.0", Diagnostic: "553 sender verify failed"}, Rejected},
		{"host unknown", Facts{Diagnostic: "Host or domain name not found. Name service error"}, HostUnknown},
		{"network loop", Facts{DiagnosticType: "X-Postfix", Diagnostic: "mail forwarding loop for a@example.jp"}, NetworkError},
		{"expired action delayed", Facts{Action: "delayed", Status: "4.0.0"}, Expired},
		{"x-unix", Facts{DiagnosticType: "X-Unix", Diagnostic: "; 75"}, MailerError},
		{"helo refused", Facts{Command: "EHLO", Status: "5.0.0", DiagnosticType: "SMTP", Diagnostic: "550 Rejected"}, Blocked},
		{"suspended", Facts{Status: "5.2.1", Diagnostic: "550 5.2.1 The email account that you tried to reach is disabled"}, Suspend},
		{"has moved", Facts{Status: "5.1.6", Diagnostic: "550 5.1.6 recipient no longer on server"}, HasMoved},
		{"Mimecast spam signature, not its generic policy words", Facts{Status: "5.0.0", Command: "DATA",
			Diagnostic: "554 email rejected due to security policies - MCSpamSignature.sa.9.12"}, SpamDetected},
		{"GroupWise account expiration", Facts{Diagnostic: "User account is expired"}, Suspend},
		{"AOL refusal of attachments for several recipients", Facts{
			Diagnostic: "Your mail to the following recipients could not be delivered because they are not accepting mail with attachments or embedded images:"}, PolicyViolation},
		{"vacation", Facts{DiagnosticType: "X-Unix", Diagnostic: "I am out of the office until Monday"}, MailerError},
		{"too many connections", Facts{Status: "4.0.0", Diagnostic: "421 Too many connections"}, TooManyConn},
		{"command in text", Facts{Status: "5.2.1", Diagnostic: "550 5.2.1 <a@b.jp>... User Unknown (in reply to RCPT TO command)"}, UserUnknown},

		// a generic status code must not win over a text that says more
		{"5.1.1 but rate limited", Facts{Status: "5.1.1", ReplyCode: "550", Command: "RCPT",
			Diagnostic: "550 5.1.1 Too many recipients this hour, please try again later"}, Speeding},
		{"5.1.1 but mailbox full", Facts{Status: "5.1.1", Diagnostic: "550 5.1.1 Mailbox full"}, MailboxFull},
		{"5.1.1 but relay", Facts{Status: "5.1.1", Diagnostic: "550 5.1.1 Relaying denied"}, NoRelaying},

		// Japanese
		{"japanese no such user", Facts{Diagnostic: "このメールアドレスは存在しません", Command: "RCPT"}, UserUnknown},
		{"japanese mailbox full", Facts{Diagnostic: "メールボックスの容量を超えています"}, MailboxFull},
		{"japanese filter", Facts{Diagnostic: "受信拒否設定により配信できません", Command: "DATA"}, Filtered},

		// remote hosts
		{"google no such user", Facts{Status: "5.1.1", ReplyCode: "550", RemoteMTA: "gmail-smtp-in.l.google.com",
			Diagnostic: "550-5.1.1 The email account that you tried to reach does not exist."}, UserUnknown},
		{"google rate", Facts{Status: "4.2.1", ReplyCode: "450", RemoteMTA: "dns; gmail-smtp-in.l.google.com",
			Diagnostic: "450-4.2.1 The user you are trying to contact is receiving mail too quickly."}, Speeding},
		{"kddi filter", Facts{Status: "5.0.0", RemoteMTA: "dns; lsean.ezweb.ne.jp", Diagnostic: "550 : User unknown"}, Filtered},
		{"orange code", Facts{Status: "5.5.0", RemoteMTA: "smtp-in.orange.fr", Diagnostic: "550 5.5.0 Boite du destinataire archivee. Archived recipient. LPN007_420"}, Suspend},
		{"microsoft banned ip", Facts{Status: "5.7.606", RemoteMTA: "x.mail.protection.outlook.com",
			Diagnostic: "550 5.7.606 Access denied, banned sending IP [192.0.2.1]"}, Blocked},
		{"microsoft 5.4.316 connection refused is the network", Facts{Status: "5.4.316", ReplyCode: "550", RemoteMTA: "SG2APC01HT007.mail.protection.outlook.com",
			Diagnostic: "550 5.4.316 Message expired, connection refused"}, NetworkError},
		{"microsoft 5.4.300 stays expired", Facts{Status: "5.4.300", ReplyCode: "550", RemoteMTA: "x.mail.protection.outlook.com",
			Diagnostic: "550 5.4.300 Message expired"}, Expired},
		{"microsoft 5.1.351 by the reporting host", Facts{Status: "5.1.351", ReplyCode: "550", RemoteMTA: "example.ne.jp",
			ReportingMTA: "SG2APC01HT099.mail.protection.outlook.com",
			Diagnostic:   "550 5.1.351 Remote server returned unknown recipient or mailbox unavailable -> 550 Unknown user a@example.ne.jp"}, UserUnknown},
		{"zoho spam verdict at rcpt", Facts{Status: "5.7.1", ReplyCode: "554", Command: "RCPT", RemoteMTA: "smtpin.zoho.com",
			Diagnostic: "554 5.7.1 Email cannot be delivered. Reason: Email flagged as Spam."}, SecurityError},
		{"zoho 5.7.7 policy violation", Facts{Status: "5.7.7", ReplyCode: "554", Command: "DATA", RemoteMTA: "smtpin.zoho.com",
			Diagnostic: "554 5.7.7 Email policy violation detected"}, SecurityError},
		{"zoho destination domain filter", Facts{Status: "5.4.1", ReplyCode: "541", Command: "RCPT", RemoteMTA: "mx.zoho.com",
			Diagnostic: "541 5.4.1 Mail rejected by destination domain"}, OnHold},
		{"mimecast geographical restriction", Facts{Status: "5.0.0", ReplyCode: "554", Command: "RCPT", RemoteMTA: "us-smtp-inbound-1.mimecast.com",
			Diagnostic: "554 Host network not allowed - https://community.mimecast.com/docs/DOC-1369#554"}, PolicyViolation},
		{"mimecast signature", Facts{Status: "5.0.0", ReplyCode: "554", Command: "DATA", RemoteMTA: "service222.mimecast.com",
			Diagnostic: "554 email rejected due to security policies - MCSpamSignature.sa.2.2"}, VirusDetected},
		{"messagelabs reports its customer's refusal", Facts{Status: "5.0.0", ReplyCode: "550", DiagnosticType: "SMTP",
			RemoteMTA: "mail.neko.example.org", ReportingMTA: "server-00.bemta-0.messagelabs.com",
			Diagnostic: "550 kijitora@neko.example.org... No such user"}, UserUnknown},
		{"no such user, command unknown, no provider", Facts{Status: "5.0.0", ReplyCode: "550", DiagnosticType: "SMTP",
			RemoteMTA: "mail.neko.example.org", ReportingMTA: "mx.example.net",
			Diagnostic: "550 kijitora@neko.example.org... No such user"}, Filtered},
		{"messagelabs 542 rejected", Facts{Status: "5.0.0", ReplyCode: "542", DiagnosticType: "SMTP",
			RemoteMTA: "server-00.bemta-0.messagelabs.com", Diagnostic: "542 kijitora@example.com Rejected"}, UserUnknown},
		{"docomo filter after data", Facts{Status: "5.0.0", ReplyCode: "550", Command: "DATA", RemoteMTA: "mfsmax.docomo.ne.jp",
			Diagnostic: "550 Unknown user a@docomo.ne.jp"}, Rejected},
		{"docomo unknown user at rcpt", Facts{Status: "5.0.0", ReplyCode: "550", Command: "RCPT", RemoteMTA: "mfsmax.docomo.ne.jp",
			Diagnostic: "550 Unknown user a@docomo.ne.jp"}, UserUnknown},
		{"docomo syntax error after data", Facts{Status: "5.0.0", ReplyCode: "504", Command: "DATA", RecipientDomain: "docomo.ne.jp",
			Diagnostic: "504 Command parameter not implemented"}, SyntaxError},
		{"cox code by the recipient's domain", Facts{Status: "5.1.0", ReplyCode: "550", Command: "MAIL", RemoteMTA: "cxr.mx.a.cloudfilter.net",
			RecipientDomain: "cox.net", Diagnostic: "550 5.1.0 <a@example.com> sender rejected. Refer to Error Codes section at https://www.cox.com/residential/support/email-error-codes.html for more information. AUP#CDRBL"}, Blocked},
		{"spectrum code range", Facts{Status: "5.1.0", ReplyCode: "550", RecipientDomain: "charter.net",
			Diagnostic: "550 5.1.0 <a@example.com> sender rejected. Please see https://www.spectrum.net/support/internet/understanding-email-error-codes for more information. AUP#In-1310"}, TooManyConn},
		{"spectrum outgoing code", Facts{Status: "5.0.0", ReplyCode: "554", RemoteMTA: "mta.charter.net", Diagnostic: "554 AUP#O-1000"}, Blocked},
		{"kddi by the recipient's domain", Facts{RecipientDomain: "ezweb.ne.jp",
			Diagnostic: "550: <a@ezweb.ne.jp>: User unknown"}, UserUnknown},
		{"kddi filter by the recipient's domain", Facts{RecipientDomain: "ezweb.ne.jp", Diagnostic: "550 : User unknown"}, Filtered},
		// Zoho's table knows no AUP# code: the general rules read the text,
		// Cox's table (of the recipient's domain) is not consulted.
		{"the remote host's provider before the domain's", Facts{Status: "5.1.0", ReplyCode: "550", Command: "MAIL", RemoteMTA: "mx.zoho.com",
			RecipientDomain: "cox.net", Diagnostic: "550 5.1.0 <a@example.com> sender rejected. AUP#CDRBL"}, Rejected},
		{"the domain's provider before the reporting host's", Facts{Status: "5.1.0", ReplyCode: "550", Command: "MAIL",
			RecipientDomain: "cox.net", ReportingMTA: "mx.zoho.com", Diagnostic: "550 5.1.0 <a@example.com> sender rejected. AUP#CDRBL"}, Blocked},
		{"cloudflare upstream error", Facts{Status: "4.3.0", ReplyCode: "421", Command: "DATA", RemoteMTA: "route3.mx.cloudflare.net",
			Diagnostic: "421 4.3.0 Upstream error, please check https://developers.cloudflare.com/email-routing/postmaster for possible reasons why."}, OnHold},
		{"yahoo tss04 is reputation", Facts{Status: "4.7.0", ReplyCode: "421", Command: "MAIL", RemoteMTA: "mta6.am0.yahoodns.net",
			Diagnostic: "421 4.7.0 [TSS04] Messages from 192.0.2.192 temporarily deferred due to unexpected volume or user complaints"}, BadReputation},

		// general rules
		{"bare 554 transaction failed", Facts{Status: "5.0.0", ReplyCode: "554", Command: "MAIL", DiagnosticType: "SMTP",
			Diagnostic: "554 Transaction failed"}, SystemError},
		{"sendmail access db refuses the sender", Facts{Status: "5.7.1", ReplyCode: "550", Command: "MAIL", DiagnosticType: "SMTP",
			Diagnostic: "550 5.7.1 <root@example.jp>... Access denied"}, Rejected},
		{"access denied for a recipient stays security", Facts{Status: "5.7.1", ReplyCode: "550", Command: "RCPT", DiagnosticType: "SMTP",
			Diagnostic: "550 5.7.1 <a@example.jp>... Access denied"}, SecurityError},
		{"exim null mx", Facts{Diagnostic: "an MX or SRV record indicated no SMTP service"}, NotAccept},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.f); got != c.want {
				t.Errorf("Classify(%+v) = %q, want %q", c.f, got, c.want)
			}
		})
	}
}

func TestProviderOfDomain(t *testing.T) {
	cases := []struct {
		name, domain, want string
	}{
		{"suffix with a dot", "ezweb.ne.jp", "KDDI"},
		{"host name of the domain", "au.com", "KDDI"},
		{"exact suffix", "cox.net", "Cox"},
		{"upper case and root dot", "Charter.NET.", "Spectrum"},
		{"docomo", "docomo.ne.jp", "NTTdocomo"},
		{"unknown domain", "example.jp", ""},
		{"subdomain of a provider's domain", "mail.cox.net.example", ""},
		{"one label", "net", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if p := providerOfDomain(c.domain); p != nil {
				got = p.name
			}
			if got != c.want {
				t.Errorf("providerOfDomain(%q) = %q, want %q", c.domain, got, c.want)
			}
		})
	}
}

func TestSpectrumCode(t *testing.T) {
	cases := []struct {
		name, text string
		want       int
	}{
		{"incoming", "550 5.1.0 sender rejected. aup#in-1310", 1310},
		{"outgoing", "554 aup#o-1000 blocked", 1000},
		{"letter prefix only", "aup#i1520.", 1520},
		{"no digits", "aup#cxbl", 0},
		{"three digits", "aup#in-131", 0},
		{"five digits", "aup#in-13100", 0},
		{"none", "550 no such recipient", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := spectrumCode(c.text); got != c.want {
				t.Errorf("spectrumCode(%q) = %d, want %d", c.text, got, c.want)
			}
		})
	}
}

func TestFromStatus(t *testing.T) {
	cases := []struct {
		name, status string
		want         Reason
	}{
		{"user unknown", "5.1.1", UserUnknown},
		{"null mx", "5.1.10", NotAccept},
		{"generic", "5.0.0", ""},
		{"temporary generic", "4.7.0", ""},
		{"internal code", "5.0.911", ""},
		{"empty", "", ""},
		{"garbage", "hello", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FromStatus(c.status); got != c.want {
				t.Errorf("FromStatus(%q) = %q, want %q", c.status, got, c.want)
			}
		})
	}
}

func TestFromText(t *testing.T) {
	cases := []struct {
		name, text string
		want       Reason
	}{
		{"user unknown", "550 5.1.1 <a@b>... User Unknown", UserUnknown},
		{"folded lines", "550 Recipient address\n   rejected: User unknown", UserUnknown},
		{"upper case", "MAILBOX FULL", MailboxFull},
		{"rate over user", "550 5.1.1 too many recipients this hour", Speeding},
		{"virus", "554 Virus detected", VirusDetected},
		{"japanese host", "ドメインが存在しません", HostUnknown},
		{"nothing", "hello world", ""},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := FromText(c.text); got != c.want {
				t.Errorf("FromText(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestHardBounce(t *testing.T) {
	cases := []struct {
		name              string
		r                 Reason
		status, replyCode string
		want              bool
	}{
		{"user unknown", UserUnknown, "5.1.1", "550", true},
		{"host unknown no codes", HostUnknown, "", "", true},
		{"has moved", HasMoved, "5.1.6", "551", true},
		{"not accept", NotAccept, "5.1.10", "556", true},
		{"temporary status", NotAccept, "4.0.0", "", false},
		{"temporary reply", UserUnknown, "5.1.1", "450", false},
		{"mailbox full", MailboxFull, "5.2.2", "552", false},
		{"blocked", Blocked, "5.7.1", "554", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := HardBounce(c.r, c.status, c.replyCode); got != c.want {
				t.Errorf("HardBounce(%q, %q, %q) = %v, want %v", c.r, c.status, c.replyCode, got, c.want)
			}
		})
	}
}

func FuzzClassify(f *testing.F) {
	f.Add("5.1.1", "550", "SMTP", "550 5.1.1 User unknown", "failed", "RCPT", "", "mx.example.jp")
	f.Add("4.2.2", "452", "", "mailbox full", "delayed", "", "userunknown", "gmail-smtp-in.l.google.com")
	f.Add("", "", "X-Unix", "", "", "", "", "")
	f.Add("5.5.0", "550", "SMTP", "LPN007_420", "failed", "DATA", "", "smtp.orange.fr")
	f.Fuzz(func(t *testing.T, status, reply, dtype, diag, action, cmd, r, rmta string) {
		got := Classify(Facts{Status: status, ReplyCode: reply, DiagnosticType: dtype, Diagnostic: diag,
			Action: action, Command: cmd, Reason: Reason(r), RemoteMTA: rmta})
		if got == "" || !got.Valid() {
			t.Fatalf("Classify gave %q", got)
		}
		if HardBounce(got, status, reply) && (len(status) > 0 && status[0] == '4' || len(reply) > 0 && reply[0] == '4') {
			t.Fatalf("hard bounce with a temporary code")
		}
		if utf8.ValidString(diag) {
			_ = FromText(diag)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	f := Facts{Status: "5.1.1", ReplyCode: "550", DiagnosticType: "SMTP", Command: "RCPT",
		Diagnostic: "host mx.example.jp[192.0.2.1] said: 550 5.1.1 <kijitora@example.jp>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)"}
	for b.Loop() {
		Classify(f)
	}
}
