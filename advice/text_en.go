package advice

import "github.com/bouncewatch/bouncewatch/reason"

// Sentences shared by several English entries.
const (
	forgedEN = "If you never sent this mail, your address may be forged or your mail account taken over: " +
		"change your mail password and run `bouncewatch scan`."
	carrierEN = "Addresses at Japanese mobile carriers (docomo.ne.jp, ezweb.ne.jp/au.com, softbank.ne.jp/i.softbank.jp and others) " +
		"stop working when the owner moves to a budget SIM plan (格安SIM)."
)

// english holds the English texts. It is never written after
// initialisation.
var english = map[reason.Reason]text{
	reason.AuthFailure: {
		title:   "Sender authentication (SPF/DKIM/DMARC) failed",
		summary: "The recipient's server could not confirm that the mail really came from your domain.",
		meaning: "Receiving servers use SPF, DKIM and DMARC records to check that a message really comes from the domain in its From address. " +
			"Your message failed these checks, so it was refused. " +
			"Usually your domain's DNS settings do not list the server or service that sent the mail, " +
			"for example a new mail provider, a web shop system or a newsletter service.",
		action: "Ask whoever manages your domain (or your mail provider) to check the SPF, DKIM and DMARC records in DNS " +
			"and to add every service that sends mail in your name, then send again. " + forgedEN,
	},
	reason.BadReputation: {
		title:   "Sending server has a poor reputation",
		summary: "The recipient's server does not trust the server your mail was sent from.",
		meaning: "Mail providers keep a score for every sending server (IP address). " +
			"Your mail came from a server with a poor score, often because it, or another customer sharing it, " +
			"sent spam or many messages to dead addresses. The problem is the sending server, not this message.",
		action: "Tell your mail provider or IT contact about this bounce: they can check whether the server is on a blocklist and ask for removal. " +
			"Make sure SPF, DKIM and DMARC are set up for your domain, and remove dead addresses from your lists. " + forgedEN,
	},
	reason.Blocked: {
		title:   "Sending server was refused",
		summary: "The recipient's server refused the connection from the server your mail was sent from.",
		meaning: "The recipient's server refused to deal with the sending server at all, before looking at your message. " +
			"Common causes: the sending server's IP address is on a spam blocklist, it has no proper host name (PTR record, reverse DNS), " +
			"or the recipient's side blocks whole countries or networks.",
		action: "Give the bounce text to your mail provider or IT contact: they can look up the blocklists and the PTR record of the sending server " +
			"and ask for removal. Check that SPF, DKIM and DMARC are set up for your domain. " +
			"Meanwhile, reach the recipient by phone or another address. " + forgedEN,
	},
	reason.ContentError: {
		title:   "Message format was refused",
		summary: "The recipient's server refused the message because of its format or headers.",
		meaning: "The message itself was refused because of how it is built, not because of the address: " +
			"a broken or unusual header, an encoding the server does not accept, " +
			"or a message split into several parts (message/partial, \"split sending\"), which many servers refuse.",
		action: "If your mail program splits large messages into parts (a \"split\" or \"break apart messages\" setting), turn that off " +
			"and share large files as a download link instead. Otherwise send the message again as plain text, or from another mail program. " +
			"If it keeps happening, show the bounce text to your mail provider.",
	},
	reason.Delivered: {
		title:   "Delivered (not an error)",
		summary: "The message was delivered; this is only a notice.",
		meaning: "This is not a bounce. The receiving side reports that your message was delivered, " +
			"usually because a delivery receipt was requested.",
		action: "Nothing to do.",
	},
	reason.ExceedLimit: {
		title:   "Recipient's limit exceeded",
		summary: "The message went over a limit on the recipient's side, such as the largest message they accept.",
		meaning: "The recipient's mailbox or server has a limit that this message exceeded: " +
			"most often the largest message that recipient may receive, sometimes how many messages they may receive in a day. " +
			"The address itself is fine.",
		action: "If the message had large attachments, make it smaller (compress the files, or share them as a download link) and send again. " +
			"Otherwise wait and send again later; if it keeps failing, contact the recipient another way.",
	},
	reason.Expired: {
		title:   "Not delivered in time (gave up)",
		summary: "Your mail server kept retrying for days, could not deliver, and gave up.",
		meaning: "Your mail server could not reach the recipient's server, or was told to try later, and kept retrying " +
			"for a long time, usually about five days, before giving up. " +
			"This usually means the recipient's mail server is down, misconfigured, or unreachable. The address itself may be fine.",
		action: "Contact the recipient by phone or another address and ask them (or their IT contact or mail provider) " +
			"to check that their mail server is working. Send again once they confirm it is. " +
			"If mail to several different domains expires at the same time, ask your own mail provider instead.",
	},
	reason.FailedSTARTTLS: {
		title:   "Secure connection (TLS) failed",
		summary: "The servers could not set up an encrypted connection, so the mail was not delivered.",
		meaning: "Mail between servers is normally encrypted with TLS. Either the encryption could not be set up, " +
			"or one side requires it and the other could not provide it, so the message was not delivered. " +
			"This is a setting or certificate problem on one of the servers, not a problem with your message.",
		action: "Pass the bounce text to your mail provider or IT contact, and tell the recipient: " +
			"one of the servers needs its TLS settings or certificate fixed. Send again after it is fixed.",
	},
	reason.Feedback: {
		title:   "Recipient reported your mail as spam",
		summary: "A recipient marked your message as spam.",
		meaning: "This is a complaint report (feedback loop), not a delivery failure: the message was delivered, " +
			"but the recipient marked it as spam or junk. Mail providers count these complaints, " +
			"and many complaints make all your mail more likely to be refused.",
		action: "Stop mailing this recipient: remove them from your mailing lists now. " +
			"Send newsletters only to people who agreed to receive them, and put a clear unsubscribe link in every one.",
	},
	reason.Filtered: {
		title:   "Refused by the recipient's filter",
		summary: "A filter on the recipient's side refused the message.",
		meaning: "The recipient's server accepted the address, but a filter refused the message afterwards. " +
			"The filter may be the recipient's own setting (for example, accept mail only from certain senders or domains) " +
			"or one set by their organisation.",
		action: "Contact the recipient another way and ask them to allow your address or domain " +
			"(add it to their safe senders or allowed list), then send again.",
	},
	reason.HasMoved: {
		title:   "Recipient's address has moved",
		summary: "The recipient no longer uses this address and has moved to another one.",
		meaning: "The recipient's server says this address is no longer in use and the person has moved to another address. " +
			"Sending to the old address again will never work. " + carrierEN,
		action: "Ask the recipient for their new address (the bounce sometimes shows it) and send to that. " +
			"Replace the old address in your address book and mailing lists.",
	},
	reason.HostUnknown: {
		title:   "Recipient's domain does not exist",
		summary: "The part of the address after the @ is wrong, or that domain no longer exists.",
		meaning: "The part after the @ (the domain) could not be found on the internet, or it has no mail server. " +
			"Usually it is a typo (for example \"gmial.com\", or \".co.jp\" written as \".jp\"), " +
			"or the company has changed or given up its domain. Sending again unchanged will never work.",
		action: "Check the spelling of the part after the @ carefully. If it looks right, ask the recipient by phone or another way " +
			"for their current address, then send again. Correct or remove the address in your address book and mailing lists.",
	},
	reason.MailboxFull: {
		title:   "Recipient's mailbox is full",
		summary: "The recipient's mailbox is full and cannot take more mail right now.",
		meaning: "The address is correct, but the recipient's mailbox has reached its size limit, " +
			"so new mail is refused until they delete some messages. A mailbox that stays full for weeks has often been abandoned.",
		action: "Tell the recipient, by phone or another address, that their mailbox is full and ask them to make room. " +
			"Send again later. If it stays full for weeks, the address is probably no longer used: ask for a current one.",
	},
	reason.MailerError: {
		title:   "Delivery program failed on the recipient's side",
		summary: "A program that delivers mail on the recipient's server failed.",
		meaning: "The recipient's server accepted the message, but the program that puts it into the mailbox (or forwards it) failed. " +
			"This is a fault on the recipient's side, not yours.",
		action: "Tell the recipient (or their IT contact) another way and pass on the bounce text so they can fix it. Send again later.",
	},
	reason.MesgTooBig: {
		title:   "Message too large",
		summary: "The message, with its attachments, is larger than the recipient's server accepts.",
		meaning: "Every mail server has a largest message it accepts, often 10 to 25 MB and sometimes much less. " +
			"Attachments also grow by about a third when sent by mail. Your message was over the limit.",
		action: "Make the message smaller: compress images and files, attach them to separate messages, or, best, " +
			"upload them to a file-sharing service and send a download link. Then send again. " +
			"Do not use your mail program's \"split sending\" feature: many servers refuse split messages.",
	},
	reason.NetworkError: {
		title:   "Network or DNS problem",
		summary: "The recipient's server could not be reached because of a network or DNS problem.",
		meaning: "The mail could not be delivered because of a network problem: the recipient's domain could not be looked up in DNS at that moment, " +
			"the connection failed, or the mail went round in a loop between servers. It is often temporary.",
		action: "Wait a while and send again. If it keeps failing, ask the recipient (another way) to have their domain's DNS and mail server checked; " +
			"if it happens with many recipients, ask your own mail provider.",
	},
	reason.NoRelaying: {
		title:   "Server refused to pass the mail on (relaying denied)",
		summary: "A mail server refused to pass your message on, because it does not handle mail for you or for that address.",
		meaning: "A mail server passes on mail only for its own users and domains. This one did not recognise you as a user, " +
			"or does not handle the recipient's domain. Most often your mail program is not logging in to your outgoing server " +
			"(SMTP authentication is off); sometimes the recipient's domain points at the wrong server.",
		action: "In your mail program's account settings, check the outgoing (SMTP) server name and turn on " +
			"\"my outgoing server requires authentication\" with your user name and password, then send again. " +
			"If those are right, ask the recipient to check their domain's mail settings (MX records).",
	},
	reason.NotAccept: {
		title:   "Recipient's domain accepts no mail",
		summary: "The recipient's domain does not receive email at all.",
		meaning: "The domain after the @ exists, but it has declared that it receives no email (for example a domain used only for a website), " +
			"or its mail server refuses all mail. Sending again will never work.",
		action: "Check the address for typos. Ask the recipient, by phone or another way, for an address that receives mail, and send to that. " +
			"Remove this address from your lists.",
	},
	reason.NotCompliantRFC: {
		title:   "Message breaks the email standards",
		summary: "The message was refused because it does not follow the email standards (RFCs).",
		meaning: "The recipient's server checks that messages follow the email standards. Yours did not: for example duplicated or malformed headers, " +
			"over-long lines, or a message split into several parts (message/partial, \"split sending\"), which many servers refuse. " +
			"This is usually caused by the mail program or system that made the message.",
		action: "If your mail program splits large messages into parts, turn that setting off and share large files as a download link instead. " +
			"If the mail came from a web shop, a contact form or another system, show the bounce text to whoever maintains it. Then send again.",
	},
	reason.OnHold: {
		title:   "Cause not yet clear",
		summary: "An error was reported, but without enough detail to tell why.",
		meaning: "The bounce says delivery failed, but it does not say enough to tell why. " +
			"The problem may be temporary or permanent.",
		action: "Look for hints in the error text of the bounce, or wait and send once more. " +
			"If it fails again, confirm the address with the recipient another way, or show the bounce to your mail provider.",
	},
	reason.PolicyViolation: {
		title:   "Refused by the recipient's rules",
		summary: "The message broke a rule set by the recipient's organisation.",
		meaning: "The recipient's organisation has rules about the mail it accepts, for example no attachments of certain kinds " +
			"(such as .exe files or password-protected zip files), mail only from known senders, " +
			"or no mail from outside for some addresses. Your message broke such a rule.",
		action: "Read the bounce text for the rule that applied. Remove the kind of attachment it mentions (share files as a download link instead), " +
			"or ask the recipient another way what their organisation accepts, then send again.",
	},
	reason.Rejected: {
		title:   "Your sender address was refused",
		summary: "The recipient's server refused mail from your sender address.",
		meaning: "The message was refused because of your sender address (the From or return address), not the recipient's. " +
			"Common causes: the recipient has blocked your address or domain, your domain's DNS settings are missing or broken, " +
			"or the sender address in your mail program is mistyped.",
		action: "Check that the sender address in your mail program's account settings is correct, and that your domain is still registered and paid for. " +
			"Ask the recipient, another way, whether they block your address or domain. " + forgedEN,
	},
	reason.RequirePTR: {
		title:   "Sending server has no proper host name (PTR)",
		summary: "The sending server's IP address has no valid reverse DNS (PTR) name, so the mail was refused.",
		meaning: "Many servers accept mail only from servers whose IP address has a proper host name registered (a PTR or \"reverse DNS\" record). " +
			"The server your mail left from has none, or one that does not match. " +
			"This is a setting of the sending server or its internet line, not of your message.",
		action: "Ask your mail provider, internet provider or IT contact to set a correct PTR (reverse DNS) record for the sending server's IP address, " +
			"and to check SPF, DKIM and DMARC and that the address is on no blocklist. " +
			"If you run your own mail server, you can send through your provider's server instead. " + forgedEN,
	},
	reason.SecurityError: {
		title:   "Security check failed",
		summary: "The mail was refused because a security check, such as logging in to the mail server, failed.",
		meaning: "A security check failed while sending. Most often your mail program could not log in to your outgoing mail server " +
			"(wrong or changed password); sometimes a server refused because of another security setting.",
		action: "Check the user name and password for the outgoing (SMTP) server in your mail program, and enter the password again if you changed it recently. " +
			"If you changed nothing, change your password anyway in case someone else is using your account, and ask your mail provider to check.",
	},
	reason.SpamDetected: {
		title:   "Refused as spam",
		summary: "The recipient's server judged the message to be spam.",
		meaning: "The recipient's spam filter decided your message looks like spam. Typical triggers: SPF, DKIM or DMARC missing or failing, " +
			"a sending server on a blocklist or without a PTR record, many links or shortened URLs, or wording common in spam. " +
			"The address is fine.",
		action: "Check that SPF, DKIM and DMARC are set up for your domain, and that your sending server is on no blocklist and has a PTR record " +
			"(your mail provider can check). Write the message plainly, with few links and no URL shorteners, and send again. " + forgedEN,
	},
	reason.Speeding: {
		title:   "Sending too fast",
		summary: "You sent too many messages in a short time, so the recipient's server asked you to slow down.",
		meaning: "The recipient's server limits how many messages it accepts from one sender in a short time. " +
			"You went over that limit, typically while sending a newsletter or many messages at once. The limit is temporary.",
		action: "Wait and send again later, and spread bulk sending out over time in smaller batches. " +
			"If you did not send many messages, your account may be sending spam without your knowledge: " +
			"change your password and run `bouncewatch scan`.",
	},
	reason.Suppressed: {
		title:   "Address is on a suppression list",
		summary: "Your sending service did not send the message, because the address is on its do-not-send list.",
		meaning: "Your sending service (for example a newsletter or bulk-mail service) keeps a list of addresses that bounced before " +
			"or complained, and no longer sends to them. The message never went to the recipient.",
		action: "Check why the address was put on the list (an earlier bounce or a spam complaint). If you have confirmed with the recipient " +
			"that the address works again, remove it from the suppression list of your sending service; otherwise remove it from your mailing list.",
	},
	reason.Suspend: {
		title:   "Recipient's account is suspended",
		summary: "The recipient's mail account is suspended or disabled.",
		meaning: "The address exists, but the account is suspended or disabled, for example because of unpaid fees, a long time without use, " +
			"or the person leaving the company. It may come back, or it may be closed for good.",
		action: "Contact the recipient another way and ask whether the address will be used again, or what their current address is. " +
			"Until then, stop sending to it.",
	},
	reason.SyntaxError: {
		title:   "Mail server command error",
		summary: "The mail servers did not understand each other: a command was malformed.",
		meaning: "While passing the message on, one mail server sent a command that the other did not accept. " +
			"This is a fault in mail software (yours, a server on the way, or the recipient's), not in your message or the address.",
		action: "Try sending again. If it keeps failing, give the bounce text to your mail provider or IT contact. " +
			"If the mail came from a web shop, a contact form or another system, tell whoever maintains it.",
	},
	reason.SystemError: {
		title:   "Error on the recipient's server",
		summary: "The recipient's mail server had an internal error.",
		meaning: "Something went wrong on the recipient's mail server itself: a software fault, a configuration error, or maintenance. " +
			"You did not cause it, and it is often temporary.",
		action: "Wait a few hours and send again. If it keeps failing, tell the recipient by phone or another address so they can have their mail server checked.",
	},
	reason.SystemFull: {
		title:   "Recipient's server is out of space",
		summary: "The recipient's mail server has run out of disk space.",
		meaning: "Not just one mailbox but the whole mail server on the recipient's side is full, so it cannot store new mail. " +
			"The problem is on their side and usually temporary.",
		action: "Wait and send again later. If it keeps failing, tell the recipient another way so that their administrator frees up space.",
	},
	reason.TooManyConn: {
		title:   "Too many connections",
		summary: "The sending server had too many connections open to the recipient's server, which refused more.",
		meaning: "The recipient's server limits how many connections it accepts at once from one sending server. " +
			"The limit was reached, usually during bulk sending or because the sending server is shared with many other users. It is temporary.",
		action: "Wait and send again later; your mail server usually retries by itself. " +
			"If it happens often, spread bulk sending out over time and tell your mail provider.",
	},
	reason.Undefined: {
		title:   "Unknown cause",
		summary: "The message bounced, but the cause could not be determined.",
		meaning: "The bounce did not contain enough information, or used wording bouncewatch does not recognise, so the cause is unknown.",
		action: "Look for hints in the error text of the bounce. Check the address for typos and send once more. " +
			"If it fails again, contact the recipient another way, or show the bounce to your mail provider.",
	},
	reason.UserUnknown: {
		title:   "Recipient address does not exist",
		summary: "There is no such address at the recipient's domain: a typo, or the address was closed.",
		meaning: "The recipient's server says this address does not exist. Usually the part before the @ is mistyped, " +
			"or the address was closed, for example when the person left the company or changed provider. " + carrierEN +
			" Some carriers also answer \"does not exist\" when the recipient's spam settings refuse your mail. " +
			"Sending again unchanged will never work.",
		action: "Check the spelling of the address. If it is correct, ask the recipient by phone or another way for their current address, " +
			"then send again. Remove the old address from your address book and mailing lists.",
	},
	reason.Vacation: {
		title:   "Automatic reply (not an error)",
		summary: "An automatic reply, such as an out-of-office notice; your message was delivered.",
		meaning: "This is not an error. The recipient has set up an automatic reply, for example while on holiday or away from the office. " +
			"Your message was delivered.",
		action: "Nothing to do. If the matter is urgent, use the other contact or the return date given in the reply.",
	},
	reason.VirusDetected: {
		title:   "Virus found in the message",
		summary: "The recipient's server found a virus or other malware in the message or an attachment.",
		meaning: "A virus scanner on the recipient's side found malicious software in your message, usually in an attachment. " +
			"The file may come from an infected computer; sometimes a harmless file (for example an Office file with macros) is mistaken for a virus.",
		action: "Scan your computer with up-to-date antivirus software and remove anything it finds. " +
			"Then send the message again without the infected file (or with a clean copy of it). " + forgedEN,
	},
}
