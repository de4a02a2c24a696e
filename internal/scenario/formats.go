package scenario

import (
	"fmt"
	"mime/quotedprintable"
	"strings"
	"time"
)

// failure is one recipient a notice reports.
type failure struct {
	rcpt    string
	status  string // RFC 3463 enhanced status code
	diag    string // the reply or the reporter's own wording
	mx      string // the host that refused in the SMTP dialogue; "" when the reporter's own delivery failed
	mxIP    string
	command string // "RCPT TO", "end of DATA", …
}

// notice is a delivery failure notice to be written by a mail system.
type notice struct {
	kind        mta
	at          time.Time
	reporter    string // host name of the system writing it
	zone        *time.Location
	to          string // the notice's recipient: the original's envelope sender
	fails       []failure
	orig        *message // the message as the reporter holds it
	arrival     time.Time
	qid         string // the reporter's queue ID for the original
	bqid        string // the notice's own queue ID (Postfix)
	peer        string // where the reporter received the original from
	peerIP      string
	headersOnly bool // only the original's header came back
}

// write returns the notice as the reporter sends it, in its own format.
func (w *world) write(n *notice) []byte {
	switch n.kind {
	case mtaSendmail:
		return w.sendmailNotice(n)
	case mtaExim:
		return w.eximNotice(n)
	case mtaQmail:
		return w.qmailNotice(n)
	case mtaM365:
		return w.m365Notice(n)
	case mtaGmail:
		return w.gmailNotice(n)
	}
	return w.postfixNotice(n)
}

// wrapText folds s at about width columns, continuation lines indented,
// as Postfix folds the diagnostic in its notices.
func wrapText(s string, width int, indent string) string {
	words := strings.Fields(s)
	var b strings.Builder
	col := 0
	for i, wd := range words {
		if i > 0 {
			if col+1+len(wd) > width {
				b.WriteString("\n" + indent)
				col = len(indent)
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(wd)
		col += len(wd)
	}
	return b.String()
}

func (n *notice) original() []byte {
	if n.headersOnly {
		return n.orig.headerBytes()
	}
	return n.orig.bytes()
}

// postfixNotice is Postfix's bounce(8) notice (RFC 3464 multipart/report).
func (w *world) postfixNotice(n *notice) []byte {
	bnd := fmt.Sprintf("%s.%d/%s", n.qid, n.at.Unix(), n.reporter)
	var b strings.Builder
	fmt.Fprintf(&b, "Received: by %s (Postfix)\n\tid %s; %s\n", n.reporter, n.bqid, postfixDate(n.at, n.zone))
	fmt.Fprintf(&b, "Date: %s\n", postfixDate(n.at, n.zone))
	fmt.Fprintf(&b, "From: MAILER-DAEMON@%s (Mail Delivery System)\n", n.reporter)
	b.WriteString("Subject: Undelivered Mail Returned to Sender\n")
	fmt.Fprintf(&b, "To: %s\n", n.to)
	b.WriteString("Auto-Submitted: auto-replied\nMIME-Version: 1.0\n")
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"%s\"\n", bnd)
	b.WriteString("Content-Transfer-Encoding: 8bit\n")
	fmt.Fprintf(&b, "Message-Id: <%s.%s@%s>\n\n", n.at.In(n.zone).Format("20060102150405"), n.bqid, n.reporter)
	b.WriteString("This is a MIME-encapsulated message.\n\n")
	fmt.Fprintf(&b, "--%s\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n", bnd)
	fmt.Fprintf(&b, "This is the mail system at host %s.\n\n", n.reporter)
	b.WriteString("I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\n")
	b.WriteString("For further assistance, please send mail to postmaster.\n\n")
	b.WriteString("If you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n")
	b.WriteString("                   The mail system\n\n")
	for _, f := range n.fails {
		var line string
		switch {
		case f.mx != "":
			line = fmt.Sprintf("<%s>: host %s[%s] said: %s (in reply to %s command)", f.rcpt, f.mx, f.mxIP, f.diag, f.command)
		case strings.HasPrefix(f.diag, "5") || strings.HasPrefix(f.diag, "4"):
			line = fmt.Sprintf("<%s>: host %s[private/dovecot-lmtp] said: %s (in reply to %s command)", f.rcpt, n.reporter, f.diag, f.command)
		default:
			line = fmt.Sprintf("<%s>: %s", f.rcpt, f.diag)
		}
		b.WriteString(wrapText(line, 72, "    ") + "\n\n")
	}
	fmt.Fprintf(&b, "--%s\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n", bnd)
	fmt.Fprintf(&b, "Reporting-MTA: dns; %s\nX-Postfix-Queue-ID: %s\nX-Postfix-Sender: rfc822; %s\nArrival-Date: %s\n", n.reporter, n.qid, n.to, postfixDate(n.arrival, n.zone))
	for _, f := range n.fails {
		fmt.Fprintf(&b, "\nFinal-Recipient: rfc822; %s\nOriginal-Recipient: rfc822;%s\nAction: failed\nStatus: %s\n", f.rcpt, f.rcpt, f.status)
		dtype := "smtp"
		if f.mx != "" {
			fmt.Fprintf(&b, "Remote-MTA: dns; %s\n", f.mx)
		} else if !strings.HasPrefix(f.diag, "5") {
			dtype = "x-unix"
		} else {
			fmt.Fprintf(&b, "Remote-MTA: dns; %s\n", n.reporter)
		}
		fmt.Fprintf(&b, "Diagnostic-Code: %s; %s\n", dtype, wrapText(f.diag, 72, "    "))
	}
	b.WriteByte('\n')
	if n.headersOnly {
		fmt.Fprintf(&b, "--%s\nContent-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\nContent-Transfer-Encoding: 8bit\n\n", bnd)
	} else {
		fmt.Fprintf(&b, "--%s\nContent-Description: Undelivered Message\nContent-Type: message/rfc822\nContent-Transfer-Encoding: 8bit\n\n", bnd)
	}
	b.Write(n.original())
	fmt.Fprintf(&b, "\n--%s--\n", bnd)
	return []byte(b.String())
}

// sendmailNotice is Sendmail's DSN ("Returned mail: see transcript for
// details").
func (w *world) sendmailNotice(n *notice) []byte {
	sq := n.bqid
	bnd := fmt.Sprintf("%s.%d/%s", sq, n.at.Unix(), n.reporter)
	date := rfc5322(n.at, n.zone)
	var b strings.Builder
	fmt.Fprintf(&b, "Received: from localhost (localhost)\n\tby %s (8.15.2/8.15.2) id %s;\n\t%s\n", n.reporter, sq, date)
	fmt.Fprintf(&b, "Date: %s\nFrom: Mail Delivery Subsystem <MAILER-DAEMON@%s>\n", date, n.reporter)
	fmt.Fprintf(&b, "Message-Id: <%s.%s@%s>\nTo: <%s>\nMIME-Version: 1.0\n", n.at.In(n.zone).Format("200601021504"), sq, n.reporter, n.to)
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"%s\"\n", bnd)
	b.WriteString("Subject: Returned mail: see transcript for details\nAuto-Submitted: auto-generated (failure)\n\n")
	b.WriteString("This is a MIME-encapsulated message\n\n")
	fmt.Fprintf(&b, "--%s\n\n", bnd)
	fmt.Fprintf(&b, "The original message was received at %s\nfrom %s [%s]\n\n", rfc5322(n.arrival, n.zone), n.peer, n.peerIP)
	b.WriteString("   ----- The following addresses had permanent fatal errors -----\n")
	for _, f := range n.fails {
		fmt.Fprintf(&b, "<%s>\n    (reason: %s)\n", f.rcpt, f.diag)
	}
	b.WriteString("\n   ----- Transcript of session follows -----\n")
	for _, f := range n.fails {
		if f.mx != "" {
			fmt.Fprintf(&b, "... while talking to %s.:\n>>> %s:<%s>\n<<< %s\n", f.mx, strings.SplitN(f.command, " ", 2)[0], f.rcpt, f.diag)
		}
		fmt.Fprintf(&b, "%s\n", f.diag)
	}
	fmt.Fprintf(&b, "\n--%s\nContent-Type: message/delivery-status\n\n", bnd)
	fmt.Fprintf(&b, "Reporting-MTA: dns; %s\nReceived-From-MTA: DNS; %s\nArrival-Date: %s\n", n.reporter, n.peer, rfc5322(n.arrival, n.zone))
	for _, f := range n.fails {
		fmt.Fprintf(&b, "\nFinal-Recipient: RFC822; %s\nAction: failed\nStatus: %s\n", f.rcpt, f.status)
		if f.mx != "" {
			fmt.Fprintf(&b, "Remote-MTA: DNS; %s\n", f.mx)
		}
		fmt.Fprintf(&b, "Diagnostic-Code: SMTP; %s\nLast-Attempt-Date: %s\n", f.diag, date)
	}
	if n.headersOnly {
		fmt.Fprintf(&b, "\n--%s\nContent-Type: text/rfc822-headers\n\n", bnd)
	} else {
		fmt.Fprintf(&b, "\n--%s\nContent-Type: message/rfc822\n\n", bnd)
	}
	b.Write(n.original())
	fmt.Fprintf(&b, "\n--%s--\n", bnd)
	return []byte(b.String())
}

// eximNotice is Exim's plain-text bounce message.
func (w *world) eximNotice(n *notice) []byte {
	id := n.bqid
	date := n.at.In(n.zone).Format("Mon, 02 Jan 2006 15:04:05 -0700")
	var b strings.Builder
	fmt.Fprintf(&b, "Received: from mail by %s with local (Exim 4.96)\n\tid %s\n\tfor %s;\n\t%s\n", n.reporter, id, n.to, date)
	var rcpts []string
	for _, f := range n.fails {
		rcpts = append(rcpts, f.rcpt)
	}
	fmt.Fprintf(&b, "X-Failed-Recipients: %s\nAuto-Submitted: auto-replied\n", strings.Join(rcpts, ", "))
	fmt.Fprintf(&b, "From: Mail Delivery System <Mailer-Daemon@%s>\nTo: %s\n", n.reporter, n.to)
	if n.orig.mid != "" {
		fmt.Fprintf(&b, "References: <%s>\n", n.orig.mid)
	}
	fmt.Fprintf(&b, "Subject: Mail delivery failed: returning message to sender\nMessage-Id: <E%s@%s>\nDate: %s\n\n", id, n.reporter, date)
	b.WriteString("This message was created automatically by mail delivery software.\n\n")
	b.WriteString("A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n")
	for _, f := range n.fails {
		fmt.Fprintf(&b, "  %s\n", f.rcpt)
		if f.mx != "" {
			fmt.Fprintf(&b, "    host %s [%s]\n    SMTP error from remote mail server after %s:<%s>:\n    %s\n", f.mx, f.mxIP, f.command, f.rcpt, f.diag)
		} else {
			fmt.Fprintf(&b, "    %s\n", f.diag)
		}
	}
	if n.headersOnly {
		b.WriteString("\n------ This is a copy of the message's headers. ------\n\n")
	} else {
		b.WriteString("\n------ This is a copy of the message, including all the headers. ------\n\n")
	}
	b.Write(n.original())
	return []byte(b.String())
}

// qmailNotice is qmail-send's bounce ("Hi. This is the qmail-send
// program at …"); qmail dates in GMT with "-0000".
func (w *world) qmailNotice(n *notice) []byte {
	date := n.at.UTC().Format("2 Jan 2006 15:04:05 -0000")
	var b strings.Builder
	fmt.Fprintf(&b, "Received: (qmail %d invoked for bounce); %s\n", 10000+w.rng.IntN(89999), date)
	fmt.Fprintf(&b, "Date: %s\nFrom: MAILER-DAEMON@%s\nTo: %s\nSubject: failure notice\n\n", date, n.reporter, n.to)
	fmt.Fprintf(&b, "Hi. This is the qmail-send program at %s.\n", n.reporter)
	b.WriteString("I'm afraid I wasn't able to deliver your message to the following addresses.\n")
	b.WriteString("This is a permanent error; I've given up. Sorry it didn't work out.\n\n")
	for _, f := range n.fails {
		fmt.Fprintf(&b, "<%s>:\n", f.rcpt)
		if f.mx != "" {
			fmt.Fprintf(&b, "%s does not like recipient.\nRemote host said: %s\nGiving up on %s.\n\n", f.mxIP, f.diag, f.mxIP)
		} else {
			fmt.Fprintf(&b, "%s\n\n", f.diag)
		}
	}
	b.WriteString("--- Below this line is a copy of the message.\n\n")
	b.Write(n.original())
	return []byte(b.String())
}

// m365Notice is Exchange Online's non-delivery report.
func (w *world) m365Notice(n *notice) []byte {
	server := w.m365Server()
	bnd := w.uuid()
	alt := w.uuid()
	date := n.at.UTC().Format("Mon, 2 Jan 2006 15:04:05 -0700")
	sender := "postmaster@" + n.reporter
	var b strings.Builder
	fmt.Fprintf(&b, "Received: from %s (2603:1096:4:%x::%x) by %s with HTTPS; %s\n", server, w.rng.IntN(0xfff), w.rng.IntN(0xff), server, date)
	fmt.Fprintf(&b, "From: Microsoft Outlook <%s>\nTo: <%s>\nDate: %s\n", sender, n.to, date)
	fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"%s\"\n", bnd)
	b.WriteString("X-MS-Exchange-Message-Is-Ndr:\nContent-Language: en-US\n")
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\n", w.uuid(), server)
	if n.orig.mid != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\nReferences: <%s>\n", n.orig.mid, n.orig.mid)
	}
	fmt.Fprintf(&b, "Thread-Topic: %s\nSubject: %s\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n\n", encodeWord(n.orig.subject), encodeWord("Undeliverable: "+n.orig.subject))
	fmt.Fprintf(&b, "--%s\nContent-Type: multipart/alternative; differences=Content-Type;\n\tboundary=\"%s\"\n\n", bnd, alt)
	var text strings.Builder
	text.WriteString("Delivery has failed to these recipients or groups:\n\n")
	for _, f := range n.fails {
		fmt.Fprintf(&text, "%s (%s)<mailto:%s>\n", f.rcpt, f.rcpt, f.rcpt)
		if f.status == "5.2.2" {
			text.WriteString("The recipient's mailbox is full and can't accept messages now. Please try resending your message later, or contact the recipient directly.\n\n")
		} else {
			text.WriteString("The email address you entered couldn't be found. Please check the recipient's email address and try to resend the message. If the problem continues, please contact your helpdesk.\n\n")
		}
	}
	fmt.Fprintf(&text, "\n\n\nDiagnostic information for administrators:\n\nGenerating server: %s\n\n", server)
	for _, f := range n.fails {
		fmt.Fprintf(&text, "%s\nRemote Server returned '%s'\n\n", f.rcpt, f.diag)
	}
	text.WriteString("Original message headers:\n\n")
	text.Write(n.orig.headerBytes())
	fmt.Fprintf(&b, "--%s\nContent-Type: text/plain; charset=\"us-ascii\"\nContent-Transfer-Encoding: quoted-printable\n\n", alt)
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(text.String()))
	qp.Close()
	fmt.Fprintf(&b, "\n\n--%s\nContent-Type: text/html; charset=\"us-ascii\"\nContent-Transfer-Encoding: quoted-printable\n\n", alt)
	qp = quotedprintable.NewWriter(&b)
	fmt.Fprintf(qp, "<html><head></head><body><p><b><font color=\"#000066\" size=\"3\" face=\"Arial\">Delivery has failed to these recipients or groups:</font></b></p>")
	for _, f := range n.fails {
		fmt.Fprintf(qp, "<font color=\"#000000\" size=\"2\" face=\"Tahoma\"><p><a href=\"mailto:%s\">%s</a><br></font></p>", f.rcpt, f.rcpt)
	}
	fmt.Fprintf(qp, "</body></html>")
	qp.Close()
	fmt.Fprintf(&b, "\n\n--%s--\n\n", alt)
	fmt.Fprintf(&b, "--%s\nContent-Type: message/delivery-status\n\n", bnd)
	fmt.Fprintf(&b, "Reporting-MTA: dns;%s\nReceived-From-MTA: dns;%s\nArrival-Date: %s\n", server, n.peer, n.arrival.UTC().Format("Mon, 2 Jan 2006 15:04:05 -0700"))
	for _, f := range n.fails {
		fmt.Fprintf(&b, "\nOriginal-Recipient: rfc822;%s\nFinal-Recipient: rfc822;%s\nAction: failed\nStatus: %s\nDiagnostic-Code: smtp;%s\n", f.rcpt, f.rcpt, f.status, f.diag)
	}
	if n.headersOnly {
		fmt.Fprintf(&b, "\n--%s\nContent-Type: text/rfc822-headers\n\n", bnd)
	} else {
		fmt.Fprintf(&b, "\n--%s\nContent-Type: message/rfc822\n\n", bnd)
	}
	b.Write(n.original())
	fmt.Fprintf(&b, "\n--%s--\n", bnd)
	return []byte(b.String())
}

// gmailNotice is Gmail's "Delivery Status Notification (Failure)".
func (w *world) gmailNotice(n *notice) []byte {
	bnd := "000000000000" + w.hex(12)
	alt := "000000000000" + w.hex(12)
	date := n.at.In(n.zone).Format("Mon, 02 Jan 2006 15:04:05 -0700 (MST)")
	var b strings.Builder
	fmt.Fprintf(&b, "Received: by 2002:a05:6a20:%x:b0:%x:%x:%x with SMTP id %s;\n        %s\n", w.rng.IntN(0xffff), w.rng.IntN(0xfff), w.rng.IntN(0xfff), w.rng.IntN(0xfff), w.alnum(10), date)
	b.WriteString("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n")
	fmt.Fprintf(&b, "To: %s\nAuto-Submitted: auto-replied\nSubject: Delivery Status Notification (Failure)\n", n.to)
	if n.orig.mid != "" {
		fmt.Fprintf(&b, "References: <%s>\nIn-Reply-To: <%s>\n", n.orig.mid, n.orig.mid)
	}
	var rcpts []string
	for _, f := range n.fails {
		rcpts = append(rcpts, f.rcpt)
	}
	fmt.Fprintf(&b, "X-Failed-Recipients: %s\nMessage-ID: <%s.%s.%d@mx.google.com>\nDate: %s\nMIME-Version: 1.0\n", strings.Join(rcpts, ", "), w.hex(8), w.hex(12), w.rng.IntN(1000), date)
	fmt.Fprintf(&b, "Content-Type: multipart/report; boundary=\"%s\"; report-type=delivery-status\n\n", bnd)
	fmt.Fprintf(&b, "--%s\nContent-Type: multipart/alternative; boundary=\"%s\"\n\n", bnd, alt)
	fmt.Fprintf(&b, "--%s\nContent-Type: text/plain; charset=\"UTF-8\"\n\n\n", alt)
	f := n.fails[0]
	full := f.status == "5.2.2"
	if full {
		fmt.Fprintf(&b, "** Message not delivered **\n\nThere was a problem delivering your message to %s. The recipient's inbox is full.\n\n", f.rcpt)
		b.WriteString("Learn more here: https://support.google.com/mail/?p=OverQuotaPerm\n\n")
	} else {
		fmt.Fprintf(&b, "** Address not found **\n\nYour message wasn't delivered to %s because the address couldn't be found, or is unable to receive mail.\n\n", f.rcpt)
		b.WriteString("Learn more here: https://support.google.com/mail/?p=NoSuchUser\n\n")
	}
	fmt.Fprintf(&b, "The response was:\n\n%s\n\n", strings.TrimPrefix(strings.TrimPrefix(f.diag, "550 5.1.1 "), "552 5.2.2 "))
	fmt.Fprintf(&b, "--%s\nContent-Type: text/html; charset=\"UTF-8\"\n\n", alt)
	title := "Address not found"
	if full {
		title = "Message not delivered"
	}
	fmt.Fprintf(&b, "<html><head></head><body><h2>%s</h2><p>Your message wasn't delivered to <a style=\"color:#212121;text-decoration:none\"><b>%s</b></a>.</p><p><a href=\"https://support.google.com/mail/?p=NoSuchUser\">Learn more</a></p></body></html>\n\n", title, f.rcpt)
	fmt.Fprintf(&b, "--%s--\n\n", alt)
	fmt.Fprintf(&b, "--%s\nContent-Type: message/delivery-status\n\n", bnd)
	fmt.Fprintf(&b, "Reporting-MTA: dns; googlemail.com\nArrival-Date: %s\n", n.arrival.In(n.zone).Format("Mon, 02 Jan 2006 15:04:05 -0700 (MST)"))
	if n.orig.mid != "" {
		fmt.Fprintf(&b, "X-Original-Message-ID: <%s>\n", n.orig.mid)
	}
	for _, f := range n.fails {
		fmt.Fprintf(&b, "\nFinal-Recipient: rfc822; %s\nAction: failed\nStatus: %s\nDiagnostic-Code: smtp; %s\nLast-Attempt-Date: %s\n", f.rcpt, f.status, wrapText(f.diag, 70, " "), date)
	}
	if n.headersOnly {
		fmt.Fprintf(&b, "\n--%s\nContent-Type: text/rfc822-headers\n\n", bnd)
	} else {
		fmt.Fprintf(&b, "\n--%s\nContent-Type: message/rfc822\n\n", bnd)
	}
	b.Write(n.original())
	fmt.Fprintf(&b, "\n--%s--\n", bnd)
	return []byte(b.String())
}
