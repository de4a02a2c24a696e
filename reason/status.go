package reason

// statusReasons maps RFC 3463 enhanced status codes (with the codes added
// since: RFC 5248, 7505, 7372, 8689) to the reason they mean. Codes that say
// nothing specific (x.0.0, x.5.0, 4.3.0, 4.7.0, ...) are absent. Read only.
var statusReasons = map[string]Reason{
	"2.1.5": Delivered, // destination address valid

	// Temporary (4.x.x)
	"4.1.6":  HasMoved,      // mailbox has moved, no forwarding address
	"4.1.7":  Rejected,      // bad sender's mailbox address syntax
	"4.1.8":  Rejected,      // bad sender's system address
	"4.1.9":  SystemError,   // relayed to non-compliant mailer
	"4.2.1":  Blocked,       // mailbox disabled, not accepting messages
	"4.2.2":  MailboxFull,   // mailbox full
	"4.2.3":  ExceedLimit,   // message length exceeds administrative limit
	"4.2.4":  Filtered,      // mailing list expansion problem
	"4.3.1":  SystemFull,    // mail system full
	"4.3.2":  NotAccept,     // system not accepting network messages
	"4.3.3":  SystemError,   // system not capable of selected features
	"4.3.5":  SystemError,   // system incorrectly configured
	"4.4.1":  Expired,       // no answer from host
	"4.4.2":  NetworkError,  // bad connection
	"4.4.3":  SystemError,   // directory server failure
	"4.4.4":  NetworkError,  // unable to route
	"4.4.5":  SystemFull,    // mail system congestion
	"4.4.6":  NetworkError,  // routing loop detected
	"4.4.7":  Expired,       // delivery time expired
	"4.4.8":  NetworkError,  // retry on IPv4
	"4.5.3":  SystemError,   // too many recipients
	"4.5.5":  SystemError,   // wrong protocol version
	"4.6.0":  ContentError,  // other media error
	"4.6.2":  ContentError,  // conversion required and prohibited
	"4.6.5":  ContentError,  // conversion failed
	"4.7.1":  Blocked,       // delivery not authorized, message refused
	"4.7.2":  Blocked,       // mailing list expansion prohibited
	"4.7.5":  SecurityError, // cryptographic failure
	"4.7.6":  SecurityError, // cryptographic algorithm not supported
	"4.7.7":  SecurityError, // message integrity failure
	"4.7.12": SecurityError, // a password transition is needed
	"4.7.15": SecurityError, // priority level is too low
	"4.7.16": MesgTooBig,    // message too big for the specified priority
	"4.7.24": AuthFailure,   // SPF validation error
	"4.7.25": RequirePTR,    // reverse DNS validation failed
	"4.7.26": AuthFailure,   // multiple authentication checks failed

	// Permanent (5.x.x)
	"5.1.0":  UserUnknown,    // other address status
	"5.1.1":  UserUnknown,    // bad destination mailbox address
	"5.1.2":  HostUnknown,    // bad destination system address
	"5.1.3":  UserUnknown,    // bad destination mailbox address syntax
	"5.1.4":  Filtered,       // destination mailbox address ambiguous
	"5.1.6":  HasMoved,       // mailbox has moved, no forwarding address
	"5.1.7":  Rejected,       // bad sender's mailbox address syntax
	"5.1.8":  Rejected,       // bad sender's system address
	"5.1.9":  SystemError,    // relayed to non-compliant mailer
	"5.1.10": NotAccept,      // recipient address has null MX (RFC 7505)
	"5.2.0":  Filtered,       // other mailbox status
	"5.2.1":  Filtered,       // mailbox disabled, not accepting messages
	"5.2.2":  MailboxFull,    // mailbox full
	"5.2.3":  ExceedLimit,    // message length exceeds administrative limit
	"5.2.4":  Filtered,       // mailing list expansion problem
	"5.3.0":  SystemError,    // other mail system status
	"5.3.1":  SystemFull,     // mail system full
	"5.3.2":  NotAccept,      // system not accepting network messages
	"5.3.3":  SystemError,    // system not capable of selected features
	"5.3.4":  MesgTooBig,     // message too big for system
	"5.3.5":  SystemError,    // system incorrectly configured
	"5.4.0":  NetworkError,   // other network or routing status
	"5.4.3":  SystemError,    // directory server failure
	"5.4.4":  HostUnknown,    // unable to route
	"5.5.2":  SyntaxError,    // syntax error
	"5.5.3":  TooManyConn,    // too many recipients
	"5.5.4":  SystemError,    // invalid command arguments
	"5.5.5":  SystemError,    // wrong protocol version
	"5.5.6":  SyntaxError,    // authentication exchange line too long (RFC 4954)
	"5.6.0":  ContentError,   // other media error
	"5.6.1":  ContentError,   // media not supported
	"5.6.2":  ContentError,   // conversion required and prohibited
	"5.6.3":  ContentError,   // conversion required but not supported
	"5.6.5":  ContentError,   // conversion failed
	"5.6.6":  ContentError,   // message content not available
	"5.6.7":  ContentError,   // non-ASCII addresses not permitted
	"5.6.8":  ContentError,   // UTF-8 reply required
	"5.6.9":  ContentError,   // UTF-8 header cannot be transferred
	"5.7.0":  SecurityError,  // other security or policy status
	"5.7.1":  SecurityError,  // delivery not authorized, message refused
	"5.7.2":  SecurityError,  // mailing list expansion prohibited
	"5.7.3":  SecurityError,  // security conversion required but not possible
	"5.7.4":  SecurityError,  // security features not supported
	"5.7.5":  SecurityError,  // cryptographic failure
	"5.7.6":  SecurityError,  // cryptographic algorithm not supported
	"5.7.7":  SecurityError,  // message integrity failure
	"5.7.8":  SecurityError,  // authentication credentials invalid
	"5.7.9":  SecurityError,  // authentication mechanism too weak
	"5.7.10": SecurityError,  // encryption needed
	"5.7.11": SecurityError,  // encryption required for the mechanism
	"5.7.13": Suspend,        // user account disabled
	"5.7.14": SecurityError,  // trust relationship required
	"5.7.15": SecurityError,  // priority level is too low
	"5.7.16": MesgTooBig,     // message too big for the specified priority
	"5.7.17": HasMoved,       // mailbox owner has changed
	"5.7.18": HasMoved,       // domain owner has changed
	"5.7.19": SecurityError,  // RRVS test cannot be completed
	"5.7.20": AuthFailure,    // no passing DKIM signature
	"5.7.21": AuthFailure,    // no acceptable DKIM signature
	"5.7.22": AuthFailure,    // no valid author-matched DKIM signature
	"5.7.23": AuthFailure,    // SPF validation failed
	"5.7.24": AuthFailure,    // SPF validation error
	"5.7.25": RequirePTR,     // reverse DNS validation failed
	"5.7.26": AuthFailure,    // multiple authentication checks failed
	"5.7.27": NotAccept,      // sender address has null MX
	"5.7.28": SpamDetected,   // mail flood of similar abusive messages
	"5.7.29": AuthFailure,    // ARC validation failure
	"5.7.30": FailedSTARTTLS, // REQUIRETLS support required
}

// FromStatus returns the reason an enhanced status code means, or "" when the
// code says nothing specific (such as 5.0.0 or 4.7.0) or is not a code.
func FromStatus(status string) Reason {
	if len(status) < 5 || len(status) > 7 {
		return ""
	}
	return statusReasons[status]
}
