package domaincheck

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Severity grades a finding.
type Severity string

const (
	OK    Severity = "ok"    // as it should be
	Info  Severity = "info"  // worth knowing, nothing to do
	Warn  Severity = "warn"  // works, but leaves forgeries through or risks breaking
	Error Severity = "error" // broken or missing: receivers cannot use it
)

// Text is a message in English and Japanese.
type Text struct {
	En string `json:"en"`
	Ja string `json:"ja"`
}

// In returns the text in lang: "ja" for Japanese, anything else English.
func (t Text) In(lang string) string {
	if lang == "ja" && t.Ja != "" {
		return t.Ja
	}
	return t.En
}

// tr formats the same arguments into both languages. Japanese formats
// may reorder them with explicit indexes (%[2]s).
func tr(en, ja string, args ...any) Text {
	return Text{En: fmt.Sprintf(en, args...), Ja: fmt.Sprintf(ja, args...)}
}

// Finding is one observation of a check.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code is a stable machine identifier: "<check>.<what>", where check
	// is spf, dmarc, dkim, mx or dns.
	Code    string `json:"code"`
	Message Text   `json:"message"`
}

// Check returns the part of the code before the dot: spf, dmarc, dkim, mx.
func (f Finding) Check() string {
	c, _, _ := strings.Cut(f.Code, ".")
	return c
}

// Record is a DNS record proposed for publication, with the reason.
type Record struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
	// Replaces is the record published now that this one replaces, if any.
	Replaces string `json:"replaces,omitempty"`
	// Template marks a value with a part to fill in (a DKIM key that
	// only the mail provider can generate).
	Template bool `json:"template,omitempty"`
	Why      Text `json:"why"`
}

// Report is the outcome of checking one domain.
type Report struct {
	Domain string `json:"domain"`
	// Resolver is the server that answered the queries.
	Resolver  string       `json:"resolver"`
	SPF       SPFResult    `json:"spf"`
	DMARC     DMARCResult  `json:"dmarc"`
	DKIM      []DKIMResult `json:"dkim"`
	DKIMTried []string     `json:"dkim_selectors_tried"`
	MX        MXResult     `json:"mx"`
	Findings  []Finding    `json:"findings"`
	Proposals []Record     `json:"proposals"`
}

// Worst returns the most severe severity among the findings (OK when
// there are none).
func (r *Report) Worst() Severity {
	worst := OK
	rank := map[Severity]int{OK: 0, Info: 1, Warn: 2, Error: 3}
	for _, f := range r.Findings {
		if rank[f.Severity] > rank[worst] {
			worst = f.Severity
		}
	}
	return worst
}

// Has reports whether a finding with the code is present.
func (r *Report) Has(code string) bool {
	for _, f := range r.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// Options configure a check.
type Options struct {
	Resolver Resolver
	// Selectors are the DKIM selectors to look up. Empty: CommonSelectors.
	Selectors []string
}

// ErrInvalidDomain is returned for a name that cannot be a mail domain.
var ErrInvalidDomain = errors.New("invalid domain name")

// Check queries the DNS for domain's SPF, DMARC, DKIM and MX records and
// reports what it finds. DNS failures on single names become findings
// (code dns.failure); the error is non-nil only for an invalid domain or
// when the resolver cannot be reached at all.
func Check(ctx context.Context, domain string, opt Options) (*Report, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if _, ok := dns.IsDomainName(d); !ok || !strings.Contains(d, ".") || strings.ContainsAny(d, " @/:") {
		return nil, fmt.Errorf("%w: %q", ErrInvalidDomain, domain)
	}
	server, err := opt.Resolver.server()
	if err != nil {
		return nil, err
	}
	c := &checker{ctx: ctx, r: &opt.Resolver, server: server, domain: d}
	rep := &Report{Domain: d, Resolver: server, Findings: []Finding{}, Proposals: []Record{}, DKIM: []DKIMResult{}}

	// MX first: a transport failure here means the resolver is unusable.
	rep.MX, err = c.checkMX()
	if err != nil {
		var de *DNSError
		if errors.As(err, &de) && de.Err != nil {
			return nil, fmt.Errorf("checking %s: resolver %s unreachable: %w", d, server, err)
		}
		c.dnsFailure(err)
	}
	mxFindings := c.findings
	c.findings = nil

	rep.SPF = c.checkSPF()
	rep.DMARC = c.checkDMARC()
	rep.DKIM, rep.DKIMTried = c.checkDKIM(opt.Selectors, sendsNoMail(rep))
	c.findings = append(c.findings, mxFindings...)
	rep.Findings = append(rep.Findings, c.findings...)
	rep.Proposals = append(rep.Proposals, propose(rep)...)
	return rep, nil
}

// checker carries one domain's check.
type checker struct {
	ctx      context.Context
	r        *Resolver
	server   string
	domain   string
	findings []Finding
}

func (c *checker) add(sev Severity, code string, msg Text) {
	c.findings = append(c.findings, Finding{Severity: sev, Code: code, Message: msg})
}

func (c *checker) dnsFailure(err error) {
	c.add(Error, "dns.failure", tr(
		"A DNS query failed, so this check is incomplete: %v. Try again, or use another resolver (--resolver).",
		"DNS の問い合わせに失敗したため、この検査は不完全です: %v。時間をおいて再実行するか、別のリゾルバー (--resolver) を指定してください。",
		err))
}
