package dmarcrpt

import (
	"net/netip"
	"strings"
	"time"
)

// Schema tells which aggregate format a report was written in.
type Schema string

// Schemas.
const (
	// RFC7489 is the schema of RFC 7489 appendix C (no namespace, or
	// version 0.1).
	RFC7489 Schema = "rfc7489"
	// DMARCbis is the aggregate schema of DMARCbis
	// (urn:ietf:params:xml:ns:dmarc-2.0): np, testing and
	// discovery_method in the published policy, human_result in the
	// authentication results.
	DMARCbis Schema = "dmarcbis"
)

// Disposition is what the receiver did with the messages (RFC 7489
// appendix C, DispositionType).
type Disposition string

// Dispositions.
const (
	DispositionNone       Disposition = "none"
	DispositionQuarantine Disposition = "quarantine"
	DispositionReject     Disposition = "reject"
)

// Result is a DMARC-aligned verdict of DKIM or SPF (DMARCResultType) or
// a raw authentication result (DKIMResultType, SPFResultType).
type Result string

// Results.
const (
	Pass Result = "pass"
	Fail Result = "fail"
)

// Report is one aggregate report: who wrote it, for which domain, over
// which interval, and one Record per source address and identifier set.
type Report struct {
	Schema   Schema    `json:"schema"`
	OrgName  string    `json:"org_name"`
	Email    string    `json:"email"`
	ReportID string    `json:"report_id"`
	Begin    time.Time `json:"begin"`
	End      time.Time `json:"end"`
	// Errors are the reporter's own remarks (report_metadata/error).
	Errors  []string `json:"errors,omitempty"`
	Policy  Policy   `json:"policy"`
	Records []Record `json:"records"`
}

// Policy is the DMARC record the receiver found (policy_published).
type Policy struct {
	Domain string `json:"domain"`
	ADKIM  string `json:"adkim,omitempty"`
	ASPF   string `json:"aspf,omitempty"`
	P      string `json:"p"`
	SP     string `json:"sp,omitempty"`
	NP     string `json:"np,omitempty"`
	// Pct is RFC 7489's pct (-1 when absent); DMARCbis has Testing.
	Pct       int    `json:"pct"`
	Testing   string `json:"testing,omitempty"`
	Discovery string `json:"discovery_method,omitempty"`
}

// Record is one row of the report: Count messages from SourceIP with the
// same identifiers and results.
type Record struct {
	SourceIP    netip.Addr  `json:"source_ip"`
	Count       int64       `json:"count"`
	Disposition Disposition `json:"disposition"`
	// DKIM and SPF are the policy-evaluated (aligned) results.
	DKIM    Result   `json:"dkim"`
	SPF     Result   `json:"spf"`
	Reasons []Reason `json:"reasons,omitempty"`

	HeaderFrom   string `json:"header_from"`
	EnvelopeFrom string `json:"envelope_from,omitempty"`
	EnvelopeTo   string `json:"envelope_to,omitempty"`

	AuthDKIM []AuthDKIM `json:"auth_dkim,omitempty"`
	AuthSPF  []AuthSPF  `json:"auth_spf,omitempty"`
}

// Reason is a PolicyOverrideReason (forwarded, mailing_list, …).
type Reason struct {
	Type    string `json:"type"`
	Comment string `json:"comment,omitempty"`
}

// AuthDKIM is one DKIM signature's raw result.
type AuthDKIM struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector,omitempty"`
	Result   Result `json:"result"`
}

// AuthSPF is the raw SPF result.
type AuthSPF struct {
	Domain string `json:"domain"`
	Scope  string `json:"scope,omitempty"`
	Result Result `json:"result"`
}

// Aligned reports whether the record passed DMARC: DKIM or SPF passed
// aligned (RFC 7489 section 6.6.2).
func (r Record) Aligned() bool { return r.DKIM == Pass || r.SPF == Pass }

// Total is the number of messages the report covers.
func (r *Report) Total() int64 {
	var n int64
	for _, rec := range r.Records {
		n += rec.Count
	}
	return n
}

// Domain is the reported domain, lower case.
func (r *Report) Domain() string { return strings.ToLower(r.Policy.Domain) }
