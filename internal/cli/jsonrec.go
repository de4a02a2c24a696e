package cli

import (
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bouncewatch/bouncewatch/bounce"
)

// appendRecord appends the JSON of one decode --json line (a jsonRecord)
// to dst, byte for byte what encoding/json writes for it with HTML escaping
// off, newline included: the reflection-driven encoder was the largest cost
// of the command after the decoder itself (BenchmarkDecodeCLI);
// TestAppendRecordMatchesEncodingJSON holds the two equal.
func appendRecord(dst []byte, source string, r *bounce.Record) ([]byte, error) {
	var err error
	dst = append(dst, `{"source":`...)
	dst = appendString(dst, source)
	dst = append(dst, `,"kind":`...)
	dst = appendString(dst, string(bounce.KindBounce))
	dst = append(dst, `,"recipient":`...)
	dst = appendString(dst, r.Recipient)
	if r.Alias != "" {
		dst = append(dst, `,"alias":`...)
		dst = appendString(dst, r.Alias)
	}
	dst = append(dst, `,"reason":`...)
	dst = appendString(dst, string(r.Reason))
	dst = append(dst, `,"hard_bounce":`...)
	dst = strconv.AppendBool(dst, r.HardBounce)
	dst = append(dst, `,"status":`...)
	dst = appendString(dst, r.Status)
	dst = append(dst, `,"reply_code":`...)
	dst = appendString(dst, r.ReplyCode)
	dst = append(dst, `,"action":`...)
	dst = appendString(dst, r.Action)
	dst = append(dst, `,"diagnostic_code":`...)
	dst = appendString(dst, r.DiagnosticCode)
	dst = append(dst, `,"diagnostic_type":`...)
	dst = appendString(dst, r.DiagnosticType)
	dst = append(dst, `,"command":`...)
	dst = appendString(dst, r.Command)
	dst = append(dst, `,"remote_mta":`...)
	dst = appendString(dst, r.RemoteMTA)
	dst = append(dst, `,"reporting_mta":`...)
	dst = appendString(dst, r.ReportingMTA)
	dst = append(dst, `,"timestamp":`...)
	if dst, err = appendTime(dst, r.Timestamp); err != nil {
		return dst, err
	}
	dst = append(dst, `,"decoded_by":`...)
	dst = appendString(dst, r.DecodedBy)
	if r.FeedbackType != "" {
		dst = append(dst, `,"feedback_type":`...)
		dst = appendString(dst, r.FeedbackType)
	}
	if r.ExpiredAfter != 0 {
		dst = append(dst, `,"expired_after":`...)
		dst = strconv.AppendInt(dst, int64(r.ExpiredAfter), 10)
	}
	dst = append(dst, `,"evidence":`...)
	dst = appendStrings(dst, r.Evidence)
	dst = append(dst, `,"original":`...)
	if dst, err = appendOriginal(dst, r.Original); err != nil {
		return dst, err
	}
	return append(dst, "}\n"...), nil
}

func appendOriginal(dst []byte, o *bounce.Original) ([]byte, error) {
	if o == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, `{"from":`...)
	dst = appendString(dst, o.From)
	dst = append(dst, `,"to":`...)
	dst = appendString(dst, o.To)
	dst = append(dst, `,"subject":`...)
	dst = appendString(dst, o.Subject)
	dst = append(dst, `,"message_id":`...)
	dst = appendString(dst, o.MessageID)
	dst = append(dst, `,"date":`...)
	dst = appendString(dst, o.Date)
	dst = append(dst, `,"return_path":`...)
	dst = appendString(dst, o.ReturnPath)
	for _, f := range [...]struct{ name, v string }{
		{`,"sender":`, o.Sender}, {`,"reply_to":`, o.ReplyTo}, {`,"list_id":`, o.ListID},
		{`,"feedback_id":`, o.FeedbackID}, {`,"x_mailer":`, o.XMailer},
	} {
		if f.v != "" {
			dst = append(dst, f.name...)
			dst = appendString(dst, f.v)
		}
	}
	dst = append(dst, `,"received":`...)
	if o.Received == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i := range o.Received {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendReceived(dst, &o.Received[i]); err != nil {
				return dst, err
			}
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"dkim":`...)
	if o.DKIM == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, '[')
		for i, d := range o.DKIM {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"d":`...)
			dst = appendString(dst, d.Domain)
			dst = append(dst, `,"s":`...)
			dst = appendString(dst, d.Selector)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"authentication_results":`...)
	dst = appendStrings(dst, o.AuthenticationResults)
	dst = append(dst, `,"body_returned":`...)
	dst = strconv.AppendBool(dst, o.BodyReturned)
	return append(dst, '}'), nil
}

func appendReceived(dst []byte, r *bounce.Received) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	for _, f := range [...]struct{ name, v string }{
		{`"from":`, r.From}, {`"by":`, r.By}, {`"ip":`, r.IP}, {`"with":`, r.With}, {`"id":`, r.ID}, {`"for":`, r.For},
	} {
		if f.v != "" {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, f.name...)
			dst = appendString(dst, f.v)
		}
	}
	if !r.Date.IsZero() {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, `"date":`...)
		var err error
		if dst, err = appendTime(dst, r.Date); err != nil {
			return dst, err
		}
	}
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, `"raw":`...)
	dst = appendString(dst, r.Raw)
	return append(dst, '}'), nil
}

func appendStrings(dst []byte, ss []string) []byte {
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	return append(dst, ']')
}

// appendTime writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds), with the same error for a year outside [0,9999].
func appendTime(dst []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y >= 10000 {
		return dst, errors.New("json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]")
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"'), nil
}

const hexDigits = "0123456789abcdef"

// jsonPlain tells the bytes that appendString copies as they are: printable
// ASCII other than '"' and '\\'.
var jsonPlain = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendString writes s as a JSON string the way encoding/json does with
// HTML escaping off: '"', '\\' and control bytes escaped (\b \f \n \r \t
// by name), invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Runs of bytes that need nothing are passed over with one
		// table lookup a byte: this loop was most of the writer's time.
		for i < len(s) && jsonPlain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
