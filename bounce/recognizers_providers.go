package bounce

// providerRecognizers are the recognisers of this family, in the order tried.
// Each rejects a message of another format from its header fields (From,
// Subject, X-Mailer) before it reads the body.
var providerRecognizers = []recognizer{
	{"amazonses", scanAmazonSESJSON},
	{"amazonworkmail", scanAmazonWorkMail},
	{"gmx", scanGMX},
	{"mailru", scanMailRu},
	{"notes", scanNotes},
	{"domino", scanDomino},
	{"verizon", scanVerizon},
	{"zoho", scanZoho},
	{"providerdsn", scanSelfReportedDSN},
}
