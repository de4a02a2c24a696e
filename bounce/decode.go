package bounce

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/smtpcode"
)

// MaxMessageSize is the largest message Decode reads; a larger one is
// decoded from its first MaxMessageSize bytes and ErrTruncated is returned
// beside the result.
const MaxMessageSize = 64 << 20

// Errors the caller can classify with errors.Is. A decode error comes with
// whatever could be read: the Result is never nil when the error is
// ErrTruncated or ErrInternal.
var (
	ErrEmpty     = errors.New("empty message")
	ErrNoHeader  = errors.New("no header fields: not a mail message")
	ErrTruncated = errors.New("message larger than the decoder's limit: read in part")
	ErrInternal  = errors.New("internal decoder error")
)

// Decode reads one message from r and decodes it. Ordinary mail gives a
// Result of KindNotBounce and no error.
func Decode(r io.Reader) (*Result, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading message: %w", err)
	}
	return DecodeBytes(b)
}

// DecodeBytes decodes one message held in memory. b is not modified or kept.
func DecodeBytes(b []byte) (res *Result, err error) {
	var truncated bool
	if len(b) > MaxMessageSize {
		b, truncated = b[:MaxMessageSize], true
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, ErrEmpty
	}
	b = trimLeading(normalizeLineEnds(b))
	f := flatten(b)
	if len(f.Header) == 0 {
		return nil, ErrNoHeader
	}
	defer func() {
		// A bug in one recogniser must not take a batch down: report it
		// as an error beside what was read.
		if p := recover(); p != nil {
			res = &Result{Kind: KindNotBounce}
			err = fmt.Errorf("%w: %v", ErrInternal, p)
		}
	}()
	res = decodeFlat(f)
	if truncated {
		return res, ErrTruncated
	}
	return res, nil
}

// maxResultParts bounds Result.Parts.
const maxResultParts = 32

// cutUTF8 returns s cut to at most n bytes, not inside a UTF-8 sequence.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// normalizeLineEnds turns CRLF and lone CR into LF, so that the three
// line-end conventions decode alike. b is returned as it is when it has no CR.
func normalizeLineEnds(b []byte) []byte {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		return b
	}
	out := make([]byte, i, len(b))
	copy(out, b[:i])
	for i < len(b) {
		// b[i] is a CR: dropped before an LF, else an LF itself; then
		// the run up to the next CR at once.
		if i+1 >= len(b) || b[i+1] != '\n' {
			out = append(out, '\n')
		}
		i++
		j := bytes.IndexByte(b[i:], '\r')
		if j < 0 {
			j = len(b) - i
		}
		out = append(out, b[i:i+j]...)
		i += j
	}
	return out
}

// scan is what a recogniser read from a message.
type scan struct {
	records  []Record
	original []byte    // the returned message, when the recogniser cut it from the text
	evidence []string  // why this is a bounce of this format
	warnings []Warning // what the recogniser left out past its own limits
}

// recognizer reads one family of formats. scan returns nil when the
// message is not of its family.
type recognizer struct {
	name string
	scan func(m *flat) *scan
}

func decodeFlat(f *flat) *Result {
	res := &Result{
		Kind:    KindNotBounce,
		Subject: decodeWords(f.hget("Subject")),
		From:    decodeWords(f.hget("From")),
	}
	// The parsed header itself (nothing changes it once parsed), its
	// capacity cut so that an append by the caller copies it.
	res.Headers = slices.Clip([]Field(f.Header))
	res.Attachments = f.attached
	prose := proseText(f)
	res.Prose = prose
	if len(prose) > MaxProse {
		// A copy of the start, so that the result does not hold the rest.
		res.Prose = strings.Clone(cutUTF8(prose, MaxProse))
	}
	np := len(f.Parts)
	if f.Original != nil {
		np++
	}
	if np > 0 {
		res.Parts = make([]string, 0, min(np, maxResultParts))
	}
	for _, p := range f.Parts {
		if len(res.Parts) < maxResultParts {
			res.Parts = append(res.Parts, p.Type)
		}
	}
	if f.Original != nil && len(res.Parts) < maxResultParts {
		res.Parts = append(res.Parts, f.OrigType)
	}
	res.Links = findLinks(prose, maxLinks)
	for _, l := range f.links {
		if len(res.Links) < maxLinks && !slices.Contains(res.Links, l) {
			res.Links = append(res.Links, l)
		}
	}
	res.Warnings = f.warnings
	var sc *scan
	var by string
	for _, r := range recognizers {
		if s := r.scan(f); s != nil && len(s.records) > 0 {
			// A recipient that is not an address (no '@', control
			// characters) is dropped, with a warning; a recogniser that
			// named no address at all gives way to the next one.
			s.records = slices.DeleteFunc(s.records, func(rec Record) bool {
				if a := cleanAddress(rec.Recipient); !isAddress(a) {
					res.Warnings = addWarning(res.Warnings, Warning{Kind: WarnNotAddress, Detail: quoteDetail(a)})
					return true
				}
				return false
			})
			if len(s.records) == 0 {
				continue
			}
			sc, by = s, r.name
			break
		}
	}
	if sc == nil {
		return res
	}
	for _, w := range sc.warnings {
		res.Warnings = addWarning(res.Warnings, w)
	}
	res.Kind = KindBounce
	res.DecodedBy = by
	raw := sc.original
	if raw == nil {
		raw = f.Original
	}
	res.Original = f.original(raw)
	date := parseDate(f.hget("Date"))
	for i := range sc.records {
		r := &sc.records[i]
		finish(r, f, date)
		r.DecodedBy = by
		r.Original = res.Original
		r.Evidence = evidenceOf(sc.evidence, r.Evidence, res.Warnings)
	}
	res.Records = dedupe(sc.records)
	return res
}

// finish completes one record: addresses cleaned, codes found in the
// diagnostic text, the reason classified and the hard/soft flag set.
func finish(r *Record, f *flat, date time.Time) {
	r.Recipient = cleanAddress(r.Recipient)
	r.Alias = cleanAddress(r.Alias)
	if strings.EqualFold(r.Alias, r.Recipient) {
		r.Alias = ""
	}
	r.DiagnosticCode = strings.TrimSpace(r.DiagnosticCode)
	r.Action = strings.ToLower(strings.TrimSpace(r.Action))
	r.Command = strings.ToUpper(strings.TrimSpace(r.Command))
	r.Status = cleanStatus(r.Status)
	if s := smtpcode.FindStatus(r.DiagnosticCode); s != "" {
		// A DSN's Status is often generic ("5.0.0") where the text that the
		// remote server sent says more.
		if r.Status == "" || strings.HasSuffix(r.Status, ".0.0") && s[0] == r.Status[0] && !strings.HasSuffix(s, ".0.0") {
			r.Status = s
		}
	}
	if r.ReplyCode == "" {
		r.ReplyCode = smtpcode.FindReplyCode(r.DiagnosticCode)
	}
	if r.Timestamp.IsZero() {
		r.Timestamp = date
	}
	if r.Reason == "" || !r.Reason.Valid() || retried(r.Reason) {
		r.Reason = reason.Classify(reason.Facts{
			Status:          r.Status,
			ReplyCode:       r.ReplyCode,
			DiagnosticType:  r.DiagnosticType,
			Diagnostic:      r.DiagnosticCode,
			Action:          r.Action,
			Command:         r.Command,
			Reason:          r.Reason,
			RemoteMTA:       r.RemoteMTA,
			ReportingMTA:    r.ReportingMTA,
			RecipientDomain: recipientDomain(r.Recipient),
		})
	}
	if r.Reason == reason.Expired && r.ExpiredAfter == 0 {
		r.ExpiredAfter = expiryDays(r.DiagnosticCode)
		if r.ExpiredAfter == 0 {
			r.ExpiredAfter = expiryDays(f.Body)
		}
	}
	r.HardBounce = reason.HardBounce(r.Reason, r.Status, r.ReplyCode)
	if r.Evidence == nil {
		r.Evidence = []string{}
	}
}

// recipientDomain is the domain part of an address, or "".
func recipientDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

// retried lists the reasons that a recogniser may give but the classifier
// may refine from the codes and the text.
func retried(r reason.Reason) bool {
	switch r {
	case reason.Undefined, reason.OnHold, reason.SystemError, reason.SecurityError,
		reason.Expired, reason.NetworkError, reason.HostUnknown, reason.UserUnknown:
		return true
	}
	return false
}

// dedupe drops repeated records for the same recipient, keeping the first
// one that has the most detail.
func dedupe(rs []Record) []Record {
	if len(rs) < 2 {
		return rs
	}
	seen := make(map[string]int, len(rs))
	out := rs[:0]
	for _, r := range rs {
		k := strings.ToLower(r.Recipient)
		if j, ok := seen[k]; ok {
			if out[j].DiagnosticCode == "" && r.DiagnosticCode != "" {
				out[j] = r
			}
			continue
		}
		seen[k] = len(out)
		out = append(out, r)
	}
	return out
}

// cleanAddress reduces "rfc822; <User@Example.com>" or "Name <a@b>" to the
// bare address.
func cleanAddress(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ';'); i >= 0 && i < 12 {
		s = strings.TrimSpace(s[i+1:])
	}
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	// A quoted local part ("john..doe"@example.com, RFC 5321 section
	// 4.1.2) keeps its quotes.
	quoted := strings.HasPrefix(strings.TrimLeft(s, " \t<"), `"`) && strings.Contains(s, `"@`)
	s = strings.Trim(s, " \t<>\"'.,:;()[]")
	if quoted && strings.Contains(s, `"@`) {
		s = `"` + s
	}
	if strings.HasPrefix(strings.ToLower(s), "mailto:") {
		s = s[7:]
	}
	return s
}

func cleanStatus(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if st := smtpcode.FindStatus(s); st != "" {
		return st
	}
	return ""
}
