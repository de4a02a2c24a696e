package dmarcrpt

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// Errors a caller classifies with errors.Is.
var (
	// ErrNotReport: the input holds no aggregate report (not XML of the
	// feedback schema, no report attachment).
	ErrNotReport = errors.New("dmarcrpt: not a DMARC aggregate report")
	// ErrMalformed: the input is a report that cannot be read (broken
	// XML, a missing report id or domain, a bad address or count).
	ErrMalformed = errors.New("dmarcrpt: malformed report")
	// ErrTooLarge: the report expands past MaxSize.
	ErrTooLarge = errors.New("dmarcrpt: report too large")
)

// MaxSize bounds a report's XML after decompression (a gzip or zip bomb
// stops here). The largest real reports (a big receiver, a busy day) are
// a few megabytes.
const MaxSize = 64 << 20

// maxRecords bounds the rows of one report.
const maxRecords = 1 << 20

// Parse reads one report from data: XML, gzip'd XML or a zip archive
// holding the XML (RFC 7489 section 7.2.1.1 names these three).
func Parse(data []byte) (*Report, error) {
	x, err := Unpack(data)
	if err != nil {
		return nil, err
	}
	return parseXML(x)
}

// Unpack returns the XML inside data: data itself, or its gzip or zip
// content, limited to MaxSize.
func Unpack(data []byte) ([]byte, error) {
	switch {
	case len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b:
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %w", ErrMalformed, err)
		}
		return readLimited(zr, "gzip")
	case len(data) >= 4 && string(data[:4]) == "PK\x03\x04":
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, fmt.Errorf("%w: zip: %w", ErrMalformed, err)
		}
		for _, f := range zr.File {
			if f.FileInfo().IsDir() || !strings.EqualFold(path.Ext(f.Name), ".xml") {
				continue
			}
			if f.UncompressedSize64 > MaxSize {
				return nil, fmt.Errorf("%w: zip member %s is %d bytes", ErrTooLarge, f.Name, f.UncompressedSize64)
			}
			rc, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("%w: zip member %s: %w", ErrMalformed, f.Name, err)
			}
			defer rc.Close()
			return readLimited(rc, "zip member "+f.Name)
		}
		return nil, fmt.Errorf("%w: the zip archive holds no .xml file", ErrNotReport)
	}
	return data, nil
}

func readLimited(r io.Reader, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, what, err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: %s expands past %d bytes", ErrTooLarge, what, MaxSize)
	}
	return b, nil
}

// xmlFeedback follows RFC 7489 appendix C; the DMARCbis elements (np,
// testing, discovery_method, human_result, generator) sit beside. The
// tags carry no namespace, so both schemas' documents fit.
type xmlFeedback struct {
	XMLName  xml.Name `xml:"feedback"`
	Version  string   `xml:"version"`
	Metadata struct {
		OrgName   string `xml:"org_name"`
		Email     string `xml:"email"`
		ReportID  string `xml:"report_id"`
		DateRange struct {
			Begin string `xml:"begin"`
			End   string `xml:"end"`
		} `xml:"date_range"`
		Errors []string `xml:"error"`
	} `xml:"report_metadata"`
	Policy struct {
		Domain    string `xml:"domain"`
		ADKIM     string `xml:"adkim"`
		ASPF      string `xml:"aspf"`
		P         string `xml:"p"`
		SP        string `xml:"sp"`
		NP        string `xml:"np"`
		Pct       string `xml:"pct"`
		Testing   string `xml:"testing"`
		Discovery string `xml:"discovery_method"`
	} `xml:"policy_published"`
	Records []struct {
		Row struct {
			SourceIP  string `xml:"source_ip"`
			Count     string `xml:"count"`
			Evaluated struct {
				Disposition string `xml:"disposition"`
				DKIM        string `xml:"dkim"`
				SPF         string `xml:"spf"`
				Reasons     []struct {
					Type    string `xml:"type"`
					Comment string `xml:"comment"`
				} `xml:"reason"`
			} `xml:"policy_evaluated"`
		} `xml:"row"`
		Identifiers struct {
			HeaderFrom   string `xml:"header_from"`
			EnvelopeFrom string `xml:"envelope_from"`
			EnvelopeTo   string `xml:"envelope_to"`
		} `xml:"identifiers"`
		Auth struct {
			DKIM []struct {
				Domain   string `xml:"domain"`
				Selector string `xml:"selector"`
				Result   string `xml:"result"`
			} `xml:"dkim"`
			SPF []struct {
				Domain string `xml:"domain"`
				Scope  string `xml:"scope"`
				Result string `xml:"result"`
			} `xml:"spf"`
		} `xml:"auth_results"`
	} `xml:"record"`
}

const nsDMARCbis = "urn:ietf:params:xml:ns:dmarc-2.0"

func parseXML(data []byte) (*Report, error) {
	trim := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(trim) == 0 || trim[0] != '<' {
		return nil, ErrNotReport
	}
	var f xmlFeedback
	dec := xml.NewDecoder(bytes.NewReader(trim))
	dec.CharsetReader = charset.NewReaderLabel
	if err := dec.Decode(&f); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) || bytes.Contains(trim, []byte("<feedback")) {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotReport, err)
	}
	r := &Report{
		Schema:   RFC7489,
		OrgName:  clean(f.Metadata.OrgName),
		Email:    clean(f.Metadata.Email),
		ReportID: clean(f.Metadata.ReportID),
		Policy: Policy{
			Domain: strings.ToLower(clean(f.Policy.Domain)), ADKIM: clean(f.Policy.ADKIM), ASPF: clean(f.Policy.ASPF),
			P: clean(f.Policy.P), SP: clean(f.Policy.SP), NP: clean(f.Policy.NP), Pct: -1,
			Testing: clean(f.Policy.Testing), Discovery: clean(f.Policy.Discovery),
		},
	}
	if f.XMLName.Space == nsDMARCbis || r.Policy.NP != "" || r.Policy.Testing != "" || r.Policy.Discovery != "" {
		r.Schema = DMARCbis
	}
	for _, e := range f.Metadata.Errors {
		if e = clean(e); e != "" {
			r.Errors = append(r.Errors, e)
		}
	}
	if r.ReportID == "" {
		return nil, fmt.Errorf("%w: no report_id", ErrMalformed)
	}
	if r.OrgName == "" {
		return nil, fmt.Errorf("%w: report %s: no org_name", ErrMalformed, r.ReportID)
	}
	if r.Policy.Domain == "" {
		return nil, fmt.Errorf("%w: report %s: no policy_published/domain", ErrMalformed, r.ReportID)
	}
	var err error
	if r.Begin, err = unixTime(f.Metadata.DateRange.Begin); err != nil {
		return nil, fmt.Errorf("%w: report %s: date_range/begin: %w", ErrMalformed, r.ReportID, err)
	}
	if r.End, err = unixTime(f.Metadata.DateRange.End); err != nil {
		return nil, fmt.Errorf("%w: report %s: date_range/end: %w", ErrMalformed, r.ReportID, err)
	}
	if p := clean(f.Policy.Pct); p != "" {
		if n, err := strconv.Atoi(p); err == nil && n >= 0 && n <= 100 {
			r.Policy.Pct = n
		}
	}
	if len(f.Records) > maxRecords {
		return nil, fmt.Errorf("%w: report %s has %d records", ErrTooLarge, r.ReportID, len(f.Records))
	}
	for i, x := range f.Records {
		ip, err := netip.ParseAddr(clean(x.Row.SourceIP))
		if err != nil {
			return nil, fmt.Errorf("%w: report %s: record %d: source_ip: %w", ErrMalformed, r.ReportID, i+1, err)
		}
		n, err := strconv.ParseInt(clean(x.Row.Count), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: report %s: record %d: count %q", ErrMalformed, r.ReportID, i+1, clean(x.Row.Count))
		}
		rec := Record{
			SourceIP: ip.Unmap(), Count: n,
			Disposition:  Disposition(lower(x.Row.Evaluated.Disposition)),
			DKIM:         Result(lower(x.Row.Evaluated.DKIM)),
			SPF:          Result(lower(x.Row.Evaluated.SPF)),
			HeaderFrom:   strings.ToLower(clean(x.Identifiers.HeaderFrom)),
			EnvelopeFrom: strings.ToLower(clean(x.Identifiers.EnvelopeFrom)),
			EnvelopeTo:   strings.ToLower(clean(x.Identifiers.EnvelopeTo)),
		}
		if rec.HeaderFrom == "" {
			rec.HeaderFrom = r.Policy.Domain
		}
		for _, rs := range x.Row.Evaluated.Reasons {
			rec.Reasons = append(rec.Reasons, Reason{Type: lower(rs.Type), Comment: clean(rs.Comment)})
		}
		for _, d := range x.Auth.DKIM {
			rec.AuthDKIM = append(rec.AuthDKIM, AuthDKIM{Domain: strings.ToLower(clean(d.Domain)), Selector: clean(d.Selector), Result: Result(lower(d.Result))})
		}
		for _, s := range x.Auth.SPF {
			rec.AuthSPF = append(rec.AuthSPF, AuthSPF{Domain: strings.ToLower(clean(s.Domain)), Scope: lower(s.Scope), Result: Result(lower(s.Result))})
		}
		r.Records = append(r.Records, rec)
	}
	return r, nil
}

func clean(s string) string { return strings.TrimSpace(s) }
func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// unixTime reads a date_range bound: seconds since the epoch, UTC.
func unixTime(s string) (time.Time, error) {
	n, err := strconv.ParseInt(clean(s), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a Unix time: %q", clean(s))
	}
	return time.Unix(n, 0).UTC(), nil
}
