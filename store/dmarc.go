package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/dmarcrpt"
)

// KindDMARC is the kind of a stored message that is a DMARC aggregate
// report (its rows are in dmarc_reports and dmarc_records).
const KindDMARC = "dmarc"

// dmarcOf reads the DMARC aggregate report a message that is not a bounce
// may be: the report, or its error when it is a report that cannot be
// read; ok is false when it is no report at all.
func dmarcOf(data []byte) (rep *dmarcrpt.Report, perr error, ok bool) {
	rep, err := dmarcrpt.ParseMessage(data)
	switch {
	case err == nil:
		return rep, nil, true
	case errors.Is(err, dmarcrpt.ErrNotReport):
		return nil, nil, false
	default:
		return nil, err, true
	}
}

// PutDMARC stores a DMARC aggregate report file (XML, .gz or .zip; see
// dmarcrpt.Parse) read from source (a file name). It tells whether the
// report was new: a report is stored once per organisation and report
// ID, a malformed one once per content, kept with its error. Data that
// is no report at all is an error wrapping dmarcrpt.ErrNotReport.
func (s *Store) PutDMARC(ctx context.Context, source string, data []byte) (bool, error) {
	rep, err := dmarcrpt.Parse(data)
	if errors.Is(err, dmarcrpt.ErrNotReport) {
		return false, fmt.Errorf("store: %s: %w", source, err)
	}
	tx, terr := s.db.BeginTx(ctx, nil)
	if terr != nil {
		return false, fmt.Errorf("store: %w", terr)
	}
	w := &batchWriter{s: s, tx: tx, now: ms(s.now())}
	defer w.close()
	added, werr := w.dmarc(ctx, 0, source, data, rep, err)
	if werr != nil {
		tx.Rollback()
		return false, fmt.Errorf("store: %s: %w", source, werr)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: commit: %w", err)
	}
	return added, nil
}

// dmarc writes one report (or a malformed one's error) in the batch's
// transaction; msgID is the message it came in (0 for a file).
func (w *batchWriter) dmarc(ctx context.Context, msgID int64, source string, data []byte, rep *dmarcrpt.Report, perr error) (bool, error) {
	var mid any
	if msgID != 0 {
		mid = msgID
	}
	if rep == nil {
		sum := sha256.Sum256(data)
		msg := "malformed report"
		if perr != nil {
			msg = perr.Error()
		}
		res, err := w.exec(ctx, `INSERT INTO dmarc_reports (org, report_id, domain, begin_at, end_at, schema_name, policy, source, message_id, stored_at, error)
			VALUES ('', ?, '', 0, 0, '', '{}', ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			"malformed:"+hex.EncodeToString(sum[:]), text(source), mid, w.now, text(oneLine(msg, 1000)))
		if err != nil {
			return false, err
		}
		n, _ := res.RowsAffected()
		return n > 0, nil
	}
	pol, _ := json.Marshal(rep.Policy)
	st, err := w.stmt(ctx, `INSERT INTO dmarc_reports (org, report_id, domain, begin_at, end_at, schema_name, policy, source, message_id, stored_at, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '') ON CONFLICT DO NOTHING RETURNING id`)
	if err != nil {
		return false, err
	}
	var id int64
	err = st.QueryRowContext(ctx, text(strings.ToLower(rep.OrgName)), text(rep.ReportID), text(rep.Domain()), ms(rep.Begin), ms(rep.End),
		string(rep.Schema), text(string(pol)), text(source), mid, w.now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // this organisation's report is stored already
	}
	if err != nil {
		return false, err
	}
	day := ms(rep.Begin.UTC().Truncate(24 * time.Hour))
	for _, r := range rep.Records {
		if _, err := w.exec(ctx, `INSERT INTO dmarc_records (report, domain, day, source_ip, count, disposition, dkim, spf, header_from, envelope_from)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, text(rep.Domain()), day, r.SourceIP.String(), r.Count, text(string(r.Disposition)), text(string(r.DKIM)), text(string(r.SPF)),
			text(r.HeaderFrom), text(r.EnvelopeFrom)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// DMARCReport is a stored report's summary.
type DMARCReport struct {
	ID       int64           `json:"id"`
	Org      string          `json:"org"`
	ReportID string          `json:"report_id"`
	Domain   string          `json:"domain"`
	Begin    time.Time       `json:"begin"`
	End      time.Time       `json:"end"`
	Schema   string          `json:"schema"`
	Policy   json.RawMessage `json:"policy"`
	Source   string          `json:"source"`
	Error    string          `json:"error,omitempty"`
	StoredAt time.Time       `json:"stored_at"`
}

// DMARCReports lists the stored reports of domain ("" for all, malformed
// ones included) overlapping [from, to) (zero bounds do not filter),
// newest first, at most limit (default 100).
func (s *Store) DMARCReports(ctx context.Context, domain string, from, to time.Time, limit int) ([]DMARCReport, error) {
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT id, org, report_id, domain, begin_at, end_at, schema_name, policy, source, error, stored_at FROM dmarc_reports WHERE 1=1`
	var args []any
	if domain != "" {
		q += ` AND domain = ?`
		args = append(args, strings.ToLower(domain))
	}
	if !from.IsZero() {
		q += ` AND end_at >= ?`
		args = append(args, ms(from))
	}
	if !to.IsZero() {
		q += ` AND begin_at < ?`
		args = append(args, ms(to))
	}
	q += ` ORDER BY begin_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: dmarc reports: %w", err)
	}
	defer rows.Close()
	out := []DMARCReport{}
	for rows.Next() {
		var r DMARCReport
		var b, e, at int64
		var pol string
		if err := rows.Scan(&r.ID, &r.Org, &r.ReportID, &r.Domain, &b, &e, &r.Schema, &pol, &r.Source, &r.Error, &at); err != nil {
			return nil, fmt.Errorf("store: dmarc reports: %w", err)
		}
		r.Begin, r.End, r.StoredAt, r.Policy = fromMS(b), fromMS(e), fromMS(at), json.RawMessage(pol)
		out = append(out, r)
	}
	return out, rows.Err()
}

// SourceClass tells who a sending address is, as seen in DMARC reports.
type SourceClass string

// Source classes.
const (
	// SourceOurs: one of our relays.
	SourceOurs SourceClass = "ours"
	// SourceForgery: a foreign address whose mail failed both SPF and
	// DKIM alignment — someone else sending as our domain.
	SourceForgery SourceClass = "forgery"
	// SourceThirdParty: a foreign address that passed one of them (a
	// mailing service we use, a forwarder).
	SourceThirdParty SourceClass = "third_party"
)

// DMARCSource is one sending address of one day, summed over reporters.
type DMARCSource struct {
	IP          string           `json:"source_ip"`
	Class       SourceClass      `json:"class"`
	Messages    int64            `json:"messages"`
	DKIMAligned int64            `json:"dkim_aligned"`
	SPFAligned  int64            `json:"spf_aligned"`
	FailedBoth  int64            `json:"failed_both"`
	Disposition map[string]int64 `json:"disposition"`
	Reporters   []string         `json:"reporters"`
}

// DMARCDay is what the reports say of one domain on one (UTC) day.
type DMARCDay struct {
	Domain    string    `json:"domain"`
	Day       time.Time `json:"day"`
	Messages  int64     `json:"messages"`
	Forged    int64     `json:"forged"`
	ForgedIPs int       `json:"forged_ips"`
	// Policy is the DMARC policy (p=) the reporters found in force that
	// day, the strictest when they differ.
	Policy  string        `json:"policy"`
	Sources []DMARCSource `json:"sources"`
}

// policyRank orders p= values, strictest last.
var policyRank = map[string]int{"none": 1, "quarantine": 2, "reject": 3}

// DMARCDays sums the stored records of domain by day and source address
// over [from, to) (zero bounds do not filter). ours tells our relays (nil:
// none known).
func (s *Store) DMARCDays(ctx context.Context, domain string, from, to time.Time, ours func(netip.Addr) bool) ([]DMARCDay, error) {
	q := `SELECT r.day, r.source_ip, r.disposition, r.dkim, r.spf, r.count, p.org, p.policy FROM dmarc_records r JOIN dmarc_reports p ON p.id = r.report WHERE r.domain = ?`
	args := []any{strings.ToLower(domain)}
	if !from.IsZero() {
		q += ` AND r.day >= ?`
		args = append(args, ms(from.UTC().Truncate(24*time.Hour)))
	}
	if !to.IsZero() {
		q += ` AND r.day < ?`
		args = append(args, ms(to))
	}
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: dmarc days: %w", err)
	}
	defer rows.Close()
	type key struct {
		day int64
		ip  string
	}
	days := map[int64]*DMARCDay{}
	srcs := map[key]*DMARCSource{}
	orgs := map[key]map[string]bool{}
	for rows.Next() {
		var day, n int64
		var ip, disp, dkim, spf, org, pol string
		if err := rows.Scan(&day, &ip, &disp, &dkim, &spf, &n, &org, &pol); err != nil {
			return nil, fmt.Errorf("store: dmarc days: %w", err)
		}
		d := days[day]
		if d == nil {
			d = &DMARCDay{Domain: strings.ToLower(domain), Day: fromMS(day)}
			days[day] = d
		}
		var p struct {
			P string `json:"p"`
		}
		if json.Unmarshal([]byte(pol), &p) == nil && policyRank[p.P] > policyRank[d.Policy] {
			d.Policy = p.P
		}
		k := key{day, ip}
		src := srcs[k]
		if src == nil {
			src = &DMARCSource{IP: ip, Disposition: map[string]int64{}}
			srcs[k], orgs[k] = src, map[string]bool{}
		}
		src.Messages += n
		d.Messages += n
		if dkim == string(dmarcrpt.Pass) {
			src.DKIMAligned += n
		}
		if spf == string(dmarcrpt.Pass) {
			src.SPFAligned += n
		}
		if dkim != string(dmarcrpt.Pass) && spf != string(dmarcrpt.Pass) {
			src.FailedBoth += n
		}
		src.Disposition[disp] += n
		orgs[k][org] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: dmarc days: %w", err)
	}
	for k, src := range srcs {
		for o := range orgs[k] {
			src.Reporters = append(src.Reporters, o)
		}
		sort.Strings(src.Reporters)
		addr, _ := netip.ParseAddr(src.IP)
		switch {
		case ours != nil && ours(addr):
			src.Class = SourceOurs
		case src.FailedBoth == src.Messages:
			src.Class = SourceForgery
			days[k.day].Forged += src.Messages
			days[k.day].ForgedIPs++
		default:
			src.Class = SourceThirdParty
		}
		days[k.day].Sources = append(days[k.day].Sources, *src)
	}
	out := make([]DMARCDay, 0, len(days))
	for _, d := range days {
		sort.Slice(d.Sources, func(i, j int) bool {
			if d.Sources[i].Messages != d.Sources[j].Messages {
				return d.Sources[i].Messages > d.Sources[j].Messages
			}
			return d.Sources[i].IP < d.Sources[j].IP
		})
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day.Before(out[j].Day) })
	return out, nil
}

// Forgery is what one reporter says of the mail that claimed our domain
// from foreign addresses and failed both SPF and DKIM.
type Forgery struct {
	Org      string    `json:"org"`
	Domain   string    `json:"domain"`
	Messages int64     `json:"messages"`
	IPs      int       `json:"ips"`
	Begin    time.Time `json:"begin"`
	End      time.Time `json:"end"`
}

// DMARCForgeries sums, per reporting organisation, the forged mail of
// domain in reports overlapping [from, to): the figures a spoofing
// incident cites. Largest first.
func (s *Store) DMARCForgeries(ctx context.Context, domain string, from, to time.Time, ours func(netip.Addr) bool) ([]Forgery, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT p.org, p.begin_at, p.end_at, r.source_ip, r.count FROM dmarc_records r JOIN dmarc_reports p ON p.id = r.report
		WHERE r.domain = ? AND p.end_at >= ? AND p.begin_at < ? AND r.dkim <> 'pass' AND r.spf <> 'pass'`),
		strings.ToLower(domain), ms(from), ms(to))
	if err != nil {
		return nil, fmt.Errorf("store: dmarc forgeries: %w", err)
	}
	defer rows.Close()
	by := map[string]*Forgery{}
	ips := map[string]map[string]bool{}
	for rows.Next() {
		var org, ip string
		var b, e, n int64
		if err := rows.Scan(&org, &b, &e, &ip, &n); err != nil {
			return nil, fmt.Errorf("store: dmarc forgeries: %w", err)
		}
		if a, err := netip.ParseAddr(ip); err == nil && ours != nil && ours(a) {
			continue
		}
		f := by[org]
		if f == nil {
			f = &Forgery{Org: org, Domain: strings.ToLower(domain), Begin: fromMS(b), End: fromMS(e)}
			by[org], ips[org] = f, map[string]bool{}
		}
		f.Messages += n
		ips[org][ip] = true
		if t := fromMS(b); t.Before(f.Begin) {
			f.Begin = t
		}
		if t := fromMS(e); t.After(f.End) {
			f.End = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: dmarc forgeries: %w", err)
	}
	out := make([]Forgery, 0, len(by))
	for org, f := range by {
		f.IPs = len(ips[org])
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Messages != out[j].Messages {
			return out[i].Messages > out[j].Messages
		}
		return out[i].Org < out[j].Org
	})
	return out, nil
}

// DMARCCount counts the stored reports (malformed ones included).
func (s *Store) DMARCCount(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM dmarc_reports`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: dmarc count: %w", err)
	}
	return n, nil
}
