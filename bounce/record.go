package bounce

import (
	"net/mail"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/reason"
)

// FirstAddress is the first mail address in a header value (a
// Return-Path, From, To or Delivered-To), lower-cased; "" when the value
// holds none or is the null path "<>". A value net/mail cannot parse is
// still read when it is a lone addr-spec, with or without angle brackets.
func FirstAddress(v string) string {
	v = strings.TrimSpace(v)
	if v == "" || v == "<>" {
		return ""
	}
	if l, err := mail.ParseAddressList(v); err == nil && len(l) > 0 {
		return strings.ToLower(l[0].Address)
	}
	v = strings.Trim(v, "<> ")
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		v = strings.TrimRight(v[i+1:], "> ")
	}
	if strings.Count(v, "@") == 1 && !strings.ContainsAny(v, " \t,;") {
		return strings.ToLower(v)
	}
	return ""
}

// Kind says what a decoded message is.
type Kind string

// Kinds of decoded message.
const (
	KindBounce    Kind = "bounce"     // a delivery failure, delay, success notice, auto-reply or feedback report
	KindNotBounce Kind = "not_bounce" // ordinary mail
)

// Record is what was learnt about one recipient of a bounce.
type Record struct {
	Recipient      string        `json:"recipient"`
	Alias          string        `json:"alias,omitempty"` // Original-Recipient, when it differs
	Reason         reason.Reason `json:"reason"`
	HardBounce     bool          `json:"hard_bounce"`
	Status         string        `json:"status"`     // RFC 3463 enhanced status code, e.g. "5.1.1"
	ReplyCode      string        `json:"reply_code"` // SMTP reply code, e.g. "550"
	Action         string        `json:"action"`     // failed, delayed, delivered, relayed, expanded
	DiagnosticCode string        `json:"diagnostic_code"`
	DiagnosticType string        `json:"diagnostic_type"` // "SMTP", "X-Unix", ...
	Command        string        `json:"command"`         // the last SMTP command: MAIL, RCPT, DATA, ...
	RemoteMTA      string        `json:"remote_mta"`
	ReportingMTA   string        `json:"reporting_mta"`
	Timestamp      time.Time     `json:"timestamp"`
	DecodedBy      string        `json:"decoded_by"`              // the recogniser that read the format
	FeedbackType   string        `json:"feedback_type,omitempty"` // ARF Feedback-Type
	ExpiredAfter   int           `json:"expired_after,omitempty"` // days the server kept trying, when the text says so
	Evidence       []string      `json:"evidence"`                // why the message was taken for a bounce
	Original       *Original     `json:"original"`
}

// Original holds the headers of the message that bounced, as far as the
// bounce returned them.
type Original struct {
	From                  string     `json:"from"`
	To                    string     `json:"to"`
	Subject               string     `json:"subject"`
	MessageID             string     `json:"message_id"`
	Date                  string     `json:"date"`
	ReturnPath            string     `json:"return_path"`
	Sender                string     `json:"sender,omitempty"`
	ReplyTo               string     `json:"reply_to,omitempty"`
	ListID                string     `json:"list_id,omitempty"`
	FeedbackID            string     `json:"feedback_id,omitempty"`
	XMailer               string     `json:"x_mailer,omitempty"`
	Received              []Received `json:"received"`
	DKIM                  []DKIM     `json:"dkim"`
	AuthenticationResults []string   `json:"authentication_results"`
	BodyReturned          bool       `json:"body_returned"` // the whole message came back, not only its headers
	Headers               []Field    `json:"-"`             // every raw header field, in order
	// Raw is the returned message as it came back (LF line ends, at most
	// 1 MiB): what a DKIM verification of the original needs.
	Raw []byte `json:"-"`
}

// Field is one raw header field.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Received is one parsed Received: header field (RFC 5321 section 4.4).
type Received struct {
	From string    `json:"from,omitempty"` // the host name the client gave
	By   string    `json:"by,omitempty"`   // the host that added the field
	IP   string    `json:"ip,omitempty"`   // the client's IP address
	With string    `json:"with,omitempty"` // protocol: SMTP, ESMTPSA, LMTP, ...
	ID   string    `json:"id,omitempty"`
	For  string    `json:"for,omitempty"`
	Date time.Time `json:"date,omitzero"`
	Raw  string    `json:"raw"`
}

// DKIM is the identity of one DKIM-Signature (RFC 6376 section 3.5).
type DKIM struct {
	Domain   string `json:"d"`
	Selector string `json:"s"`
}

// Result is everything decoded from one message.
type Result struct {
	Kind      Kind      `json:"kind"`
	DecodedBy string    `json:"decoded_by,omitempty"`
	Records   []Record  `json:"records,omitempty"`
	Original  *Original `json:"original,omitempty"`
	Subject   string    `json:"subject,omitempty"` // the bounce's own Subject, decoded
	From      string    `json:"from,omitempty"`    // the bounce's own From

	// What the bounce itself carries, for telling a real notice from a
	// fake one (phishing posing as a mailer-daemon).
	Headers     []Field  `json:"-"` // the bounce's own header fields, in order
	Attachments []string `json:"-"` // media types of its non-text attachments
	Links       []string `json:"-"` // URLs in its text (at most 50)
	// Prose is the start (at most MaxProse bytes) of the text a person
	// reads in it: its text parts in order, transfer and charset decoded,
	// HTML stripped; a returned message's header block is not included.
	Prose string `json:"-"`
	// Parts are the media types of its leaf parts (at most 32), with the
	// returned message's ("message/rfc822", "text/rfc822-headers", …)
	// when a MIME part carries one: is there a DSN, is it HTML only.
	Parts []string `json:"-"`

	// Warnings says what the decoder left out: parts past one of its
	// limits, recipients that were not addresses. Each is in the records'
	// Evidence too.
	Warnings []Warning `json:"-"`
}

// MaxProse bounds Result.Prose.
const MaxProse = 8 << 10

// Returned gives the headers of the message that bounced: the result's,
// or else the first record's that has them; nil when none came back.
func (r *Result) Returned() *Original {
	if r == nil {
		return nil
	}
	if r.Original != nil {
		return r.Original
	}
	for i := range r.Records {
		if r.Records[i].Original != nil {
			return r.Records[i].Original
		}
	}
	return nil
}

// Time is when the bounce was made: its own Date header, else the first
// record's timestamp (a DSN's Arrival-Date or Last-Attempt-Date); ok is
// false when the message tells neither.
func (r *Result) Time() (t time.Time, ok bool) {
	if r == nil {
		return time.Time{}, false
	}
	for _, f := range r.Headers {
		if strings.EqualFold(f.Name, "Date") {
			if t, err := ParseMailDate(strings.TrimSpace(f.Value)); err == nil {
				return t, true
			}
		}
	}
	for _, rec := range r.Records {
		if !rec.Timestamp.IsZero() {
			return rec.Timestamp, true
		}
	}
	return time.Time{}, false
}
