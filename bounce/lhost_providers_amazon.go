package bounce

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Amazon SES event notifications (sent through SNS to an e-mail
// subscription) and Amazon WorkMail non-delivery reports.
//
// An SES notification is JSON in the message body, either bare
// ({"notificationType":"Bounce",...}) or wrapped in an SNS envelope whose
// "Message" member holds the notification as a string. Long lines may have
// been cut by an MTA at 998 octets with "!\n " inserted.

// maxSESJSON bounds the JSON read from one notification.
const maxSESJSON = 512 << 10

type sesHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type sesMail struct {
	Timestamp     string      `json:"timestamp"`
	Source        string      `json:"source"`
	MessageID     string      `json:"messageId"`
	Destination   []string    `json:"destination"`
	Headers       []sesHeader `json:"headers"`
	CommonHeaders struct {
		From      []string `json:"from"`
		To        []string `json:"to"`
		Date      string   `json:"date"`
		MessageID string   `json:"messageId"`
		Subject   string   `json:"subject"`
	} `json:"commonHeaders"`
}

type sesNotification struct {
	NotificationType string  `json:"notificationType"`
	EventType        string  `json:"eventType"` // SES event publishing uses this name
	Mail             sesMail `json:"mail"`
	Bounce           *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Action         string `json:"action"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
		Timestamp    string `json:"timestamp"`
		RemoteMTAIP  string `json:"remoteMtaIp"`
		ReportingMTA string `json:"reportingMTA"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
		Timestamp             string `json:"timestamp"`
		UserAgent             string `json:"userAgent"`
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		ComplaintSubType      string `json:"complaintSubType"`
	} `json:"complaint"`
	Delivery *struct {
		Timestamp    string   `json:"timestamp"`
		Recipients   []string `json:"recipients"`
		SMTPResponse string   `json:"smtpResponse"`
		RemoteMTAIP  string   `json:"remoteMtaIp"`
		ReportingMTA string   `json:"reportingMTA"`
	} `json:"delivery"`
}

// sesBounceSubTypes maps the bounce subtypes of Amazon SES that name a
// cause to the reason; "General" and "Undetermined" say nothing.
var sesBounceSubTypes = map[string]reason.Reason{
	"Suppressed":               reason.Suppressed,
	"OnAccountSuppressionList": reason.Suppressed,
	"MailboxFull":              reason.MailboxFull,
	"MessageTooLarge":          reason.MesgTooBig,
	"ContentRejected":          reason.ContentError,
	"AttachmentRejected":       reason.SecurityError,
}

// scanAmazonSESJSON reads an SES bounce, complaint or delivery notification.
func scanAmazonSESJSON(m *flat) *scan {
	if !providerHeaderHas(m, "From", "amazonaws.com", "amazonses.com") && !m.hhas("x-amz-sns-message-id") &&
		!providerHeaderHas(m, "Subject", "aws notification") {
		return nil
	}
	body := m.Body
	if len(body) > maxSESJSON {
		body = body[:maxSESJSON]
	}
	if !strings.Contains(body, "notificationType") && !strings.Contains(body, "eventType") {
		return nil
	}
	if i := strings.Index(body, "\n\n--\n"); i > 0 {
		body = body[:i] // the SNS footer
	}
	body = strings.ReplaceAll(body, "!\n ", "")
	start, end := strings.IndexByte(body, '{'), strings.LastIndexByte(body, '}')
	if start < 0 || end <= start {
		return nil
	}
	js := body[start : end+1]
	var n sesNotification
	if strings.Contains(js, `"Message"`) {
		var env struct {
			Type    string `json:"Type"`
			Message string `json:"Message"`
		}
		if json.Unmarshal([]byte(js), &env) == nil && env.Message != "" {
			js = env.Message
		}
	}
	if json.Unmarshal([]byte(js), &n) != nil {
		return nil
	}
	kind := n.NotificationType
	if kind == "" {
		kind = n.EventType
	}
	var recs []Record
	switch kind {
	case "Bounce":
		b := n.Bounce
		if b == nil {
			return nil
		}
		_, reporting := typedValue(b.ReportingMTA)
		ts := parseSESTime(b.Timestamp)
		for _, br := range b.BouncedRecipients {
			r := Record{
				Recipient:    br.EmailAddress,
				Action:       br.Action,
				Status:       br.Status,
				RemoteMTA:    b.RemoteMTAIP,
				ReportingMTA: reporting,
				Timestamp:    ts,
				Reason:       sesBounceSubTypes[b.BounceSubType],
			}
			if br.DiagnosticCode != "" {
				t, v := typedValue(br.DiagnosticCode)
				if t == "" || strings.Contains(t, " ") {
					t, v = "", br.DiagnosticCode
				}
				r.DiagnosticType = strings.ToUpper(t)
				r.DiagnosticCode = strings.Join(strings.Fields(v), " ")
				r.Command = findCommand(r.DiagnosticCode)
			}
			if r.Action == "" {
				r.Action = "failed"
			}
			recs = append(recs, r)
		}
	case "Complaint":
		c := n.Complaint
		if c == nil {
			return nil
		}
		ts := parseSESTime(c.Timestamp)
		for _, cr := range c.ComplainedRecipients {
			recs = append(recs, Record{
				Recipient:    cr.EmailAddress,
				Reason:       reason.Feedback,
				FeedbackType: c.ComplaintFeedbackType,
				Timestamp:    ts,
			})
		}
	case "Delivery":
		d := n.Delivery
		if d == nil {
			return nil
		}
		ts := parseSESTime(d.Timestamp)
		_, reporting := typedValue(d.ReportingMTA)
		for _, rcpt := range d.Recipients {
			recs = append(recs, Record{
				Recipient:      rcpt,
				Reason:         reason.Delivered,
				Action:         "delivered",
				DiagnosticCode: d.SMTPResponse,
				DiagnosticType: "SMTP",
				RemoteMTA:      d.RemoteMTAIP,
				ReportingMTA:   reporting,
				Timestamp:      ts,
			})
		}
	default:
		return nil
	}
	if len(recs) == 0 {
		return nil
	}
	return &scan{
		records:  recs,
		original: sesOriginal(&n.Mail),
		evidence: []string{"Amazon SES notification (JSON, notificationType '" + kind + "')"},
	}
}

func parseSESTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// sesOriginal rebuilds the header block of the sent message from the
// notification's copy of it.
func sesOriginal(ml *sesMail) []byte {
	var sb strings.Builder
	seen := map[string]bool{}
	for _, h := range ml.Headers {
		if h.Name == "" || strings.ContainsAny(h.Name, ":\n") {
			continue
		}
		seen[strings.ToLower(h.Name)] = true
		sb.WriteString(h.Name + ": " + strings.ReplaceAll(h.Value, "\n", " ") + "\n")
	}
	add := func(name, v string) {
		if v != "" && !seen[strings.ToLower(name)] {
			sb.WriteString(name + ": " + strings.ReplaceAll(v, "\n", " ") + "\n")
		}
	}
	add("From", strings.Join(ml.CommonHeaders.From, ", "))
	add("To", strings.Join(ml.CommonHeaders.To, ", "))
	add("Subject", ml.CommonHeaders.Subject)
	add("Date", ml.CommonHeaders.Date)
	add("Message-ID", ml.CommonHeaders.MessageID)
	if sb.Len() == 0 {
		return nil
	}
	return []byte(sb.String())
}

// scanAmazonWorkMail reads the reports of Amazon WorkMail: a text part
// "An error occurred while trying to deliver the mail to the following
// recipients:" whose "Technical report:" holds DSN fields as plain text.
func scanAmazonWorkMail(m *flat) *scan {
	if !providerHeaderHas(m, "X-Mailer", "amazon workmail") && !providerHeaderHas(m, "X-Original-Mailer", "amazon workmail") {
		return nil
	}
	if !providerFromDaemon(m) {
		return nil
	}
	for _, p := range m.Parts {
		if p.Type != "text/plain" {
			continue
		}
		_, report, ok := cutAt(p.Text, "Technical report:")
		if !ok {
			continue
		}
		if !strings.Contains(p.Text, "while trying to deliver the mail") && !strings.Contains(report, "Final-Recipient:") {
			continue
		}
		sc := scanTextDSN(m, report, p.Text)
		if sc == nil {
			continue
		}
		sc.evidence = []string{"X-Mailer: Amazon WorkMail and a 'Technical report:' of DSN fields"}
		return sc
	}
	return nil
}

// scanTextDSN reads RFC 3464 fields that a format writes into a text part
// rather than a message/delivery-status part, by giving them to the DSN
// reader as if they were one; prose is the text that speaks of them.
func scanTextDSN(m *flat, fields, prose string) *scan {
	if !strings.Contains(fields, "Final-Recipient") && !strings.Contains(fields, "Original-Recipient") {
		return nil
	}
	view := &flat{
		Header: m.Header,
		Parts: []part{
			{Type: "text/plain", Text: prose},
			{Type: "message/delivery-status", Text: fields},
		},
	}
	sc := scanRFC3464(view)
	if sc == nil || len(sc.records) == 0 {
		return nil
	}
	return sc
}
