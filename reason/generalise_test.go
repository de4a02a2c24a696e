package reason

import "testing"

// TestGeneralisePhrases: the wordings added for bounces of other public
// collections than the shared corpus (issue 7 section 3), each as the
// diagnostic of a DSN with a generic status, the way a decoder hands it
// over.
func TestGeneralisePhrases(t *testing.T) {
	cases := []struct {
		name string
		f    Facts
		want Reason
	}{
		{"mailbox closed for disuse, Spanish", Facts{Diagnostic: "Esta casilla ha expirado por falta de uso."}, Suspend},
		{"account expired, English, after RCPT", Facts{Status: "5.0.0", ReplyCode: "550", Command: "RCPT", Diagnostic: "550 sorry, this mailbox has expired"}, Suspend},
		{"Domino: several directory matches", Facts{Status: "5.0.0", DiagnosticType: "X-Notes",
			Diagnostic: "Recipient user name kenji (kenji@example.jp) not unique.  Several matches found in Domino Directory."}, SystemError},
		{"sender verification refused, under a 5.1.1 status", Facts{Status: "5.1.1", ReplyCode: "550", Command: "DATA",
			Diagnostic: "550-Verification failed for <news@example.com> 550-The account or domain may not exist 550 Sender verify failed"}, Rejected},
		{"a bare 'address rejected' under 5.1.1 stays the recipient's", Facts{Status: "5.1.1", ReplyCode: "550",
			Diagnostic: "550 5.1.1 Address rejected taro@example.jp"}, UserUnknown},
		{"a Spamhaus zone listing in the receiver's words", Facts{Status: "5.0.0", ReplyCode: "550", Command: "RCPT",
			Diagnostic: "550 zen.example.net Listed by CSS"}, Blocked},
		{"client listed in a Spamhaus zone", Facts{Status: "5.7.1", ReplyCode: "554",
			Diagnostic: "554 5.7.1 Service unavailable; client 192.0.2.8 is listed in zen.spamhaus.org"}, Blocked},
		{"no To: header", Facts{Status: "5.0.0", Diagnostic: "Messages without To: fields are not accepted here"}, NotCompliantRFC},
		{"5.1.10 from Exchange Online, any host", Facts{Status: "5.1.10", ReplyCode: "550",
			Diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"}, UserUnknown},
		{"5.1.10 as RFC 7505 means it: null MX", Facts{Status: "5.1.10", ReplyCode: "556",
			Diagnostic: "556 5.1.10 Recipient address has null MX"}, NotAccept},
		{"an expired account at AUTH is the sender's, not suspend", Facts{Status: "5.7.8", ReplyCode: "535", Command: "AUTH",
			Diagnostic: "535 5.7.8 Authentication failed: account has expired"}, SecurityError},
		{"French: the e-mail address referred to does not exist", Facts{Status: "5.0.0", Command: "RCPT", Diagnostic: "L'adresse de messagerie référencée ci-dessus n'existe pas. Veuillez en vérifier l'orthographe."}, UserUnknown},
		{"French: the electronic address does not exist", Facts{Status: "5.0.0", Command: "RCPT", Diagnostic: "L'adresse électronique kenji@example.jp n'existe pas"}, UserUnknown},
		{"the L-Soft transcript's 'no such user here'", Facts{Status: "5.1.1", ReplyCode: "550", Diagnostic: "Mailer mx1.example.net said: 550 5.1.1 Requested action not taken: no such user here"}, UserUnknown},
		{"phquery: no directory entry", Facts{Status: "5.0.0", Command: "RCPT", Diagnostic: "kenji    No matches to nameserver query"}, UserUnknown},
		{"phquery: no mailbox behind the entry", Facts{Status: "5.0.0", Command: "RCPT", Diagnostic: "Does not have a final email delivery point, please contact this person by alternate means."}, UserUnknown},
		{"queue lifetime is still expired, not suspend", Facts{Status: "4.4.7", Action: "delayed", Diagnostic: "delivery time expired"}, Expired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.f); got != tc.want {
				t.Errorf("Classify = %s, want %s", got, tc.want)
			}
		})
	}
}
