// Package policy is bouncewatch's Postfix policy delegation service
// (Postfix SMTPD_POLICY_README): it holds the mail of accounts the
// detector found hijacked or an admin blocked, and counts each
// authenticated account's mail in rate windows so that a hijack trips a
// limit before its bounces come back. It fails open: whatever goes wrong
// inside, the answer is DUNNO.
package policy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of one request (SMTPD_POLICY_README: attributes are name=value
// lines, the request ends with an empty line).
const (
	maxLine  = 8 << 10
	maxAttrs = 128
)

// Request is one policy request's attributes.
type Request map[string]string

// errTooLong: a line or a request past the limits.
var errTooLong = errors.New("policy: request too long")

// ReadRequest reads one request. io.EOF means the client closed the
// connection between requests.
func ReadRequest(r *bufio.Reader) (Request, error) {
	req := Request{}
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errTooLong
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) == 0 && len(req) == 0 {
				return nil, io.EOF
			}
			if errors.Is(err, io.EOF) {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		s := strings.TrimRight(string(line), "\r\n")
		if s == "" {
			if len(req) == 0 {
				continue // stray empty line between requests
			}
			return req, nil
		}
		name, value, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("policy: attribute without '=': %.60q", s)
		}
		if len(req) >= maxAttrs {
			return nil, errTooLong
		}
		req[name] = value
	}
}

// Response is the answer: an access(5) action and its text.
type Response struct {
	Action string // DUNNO, DEFER_IF_PERMIT, HOLD, REJECT
	Text   string
}

// Dunno is the answer that lets the next restriction decide.
var Dunno = Response{Action: "DUNNO"}

// Write sends the answer: "action=…", then an empty line.
func (r Response) Write(w io.Writer) error {
	line := "action=" + r.Action
	if r.Text != "" {
		line += " " + strings.NewReplacer("\r", " ", "\n", " ").Replace(r.Text)
	}
	_, err := io.WriteString(w, line+"\n\n")
	return err
}
