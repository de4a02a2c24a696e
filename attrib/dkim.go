package attrib

import (
	"bytes"
	"fmt"

	"github.com/emersion/go-msgauth/dkim"
)

// DKIMStatus is the outcome of verifying one DKIM-Signature.
type DKIMStatus string

// DKIM outcomes (RFC 6376 section 6.1, RFC 8601 section 2.7.1).
const (
	DKIMPass      DKIMStatus = "pass"
	DKIMFail      DKIMStatus = "fail"      // bad signature, body hash mismatch, bad key: forged or altered
	DKIMTempError DKIMStatus = "temperror" // the key could not be fetched now
)

// DKIMResult is the outcome for one DKIM-Signature of a message.
type DKIMResult struct {
	Domain string // d=
	Status DKIMStatus
	Err    error // why it did not pass
}

// DKIMVerifier verifies the DKIM signatures of a message.
type DKIMVerifier interface {
	// Verify checks every DKIM-Signature of raw (a whole message; LF or
	// CRLF line ends). The error is for a message that cannot be read
	// at all; one result per signature otherwise.
	Verify(raw []byte) ([]DKIMResult, error)
}

// MsgauthVerifier is a DKIMVerifier using github.com/emersion/go-msgauth.
type MsgauthVerifier struct {
	// LookupTXT returns the TXT records of a name; nil: the system
	// resolver (net.LookupTXT). Tests serve their keys here.
	LookupTXT func(name string) ([]string, error)
	// MaxVerifications caps the signatures checked per message (0: 5).
	MaxVerifications int
}

// Verify implements DKIMVerifier.
func (v MsgauthVerifier) Verify(raw []byte) ([]DKIMResult, error) {
	max := v.MaxVerifications
	if max <= 0 {
		max = 5
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(toCRLF(raw)), &dkim.VerifyOptions{
		LookupTXT:        v.LookupTXT,
		MaxVerifications: max,
	})
	if err != nil {
		return nil, fmt.Errorf("verifying DKIM signatures: %w", err)
	}
	out := make([]DKIMResult, 0, len(vs))
	for _, r := range vs {
		res := DKIMResult{Domain: normDomain(r.Domain), Status: DKIMPass, Err: r.Err}
		switch {
		case r.Err == nil:
		case dkim.IsTempFail(r.Err):
			res.Status = DKIMTempError
		default:
			res.Status = DKIMFail
		}
		out = append(out, res)
	}
	return out, nil
}

// toCRLF turns LF line ends into CRLF, as DKIM canonicalization (RFC 6376
// section 3.4) expects; the decoder keeps returned messages with LF.
func toCRLF(b []byte) []byte {
	n := bytes.Count(b, []byte("\n"))
	out := make([]byte, 0, len(b)+n)
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
