package detect

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/dmarcrpt"
	"github.com/bouncewatch/bouncewatch/store"
)

// dmarcWindow is how far before a surge's onset the DMARC reports cited
// may begin: a report covers a day and arrives the next.
const dmarcWindow = 48 * time.Hour

// dmarcCitations are the evidence lines the stored DMARC aggregate
// reports give a spoofing (or mixed) verdict: per reporter, the forged
// mail that claimed the account's domain (RFC 7489 section 7.2).
func (d *Detector) dmarcCitations(ctx context.Context, ar *diagnose.AccountReport, now time.Time) []string {
	if ar.Surge == nil || (ar.Verdict != advice.Spoofed && ar.Verdict != advice.Mixed) {
		return nil
	}
	_, dom, ok := strings.Cut(ar.Account, "@")
	if !ok || dom == "" {
		return nil
	}
	forg, err := d.st.DMARCForgeries(ctx, dom, ar.Surge.Onset.Add(-dmarcWindow), now.Add(time.Minute), dmarcrpt.OurSources(d.cfg.Analyzer.Attrib.Relays))
	if err != nil {
		d.cfg.Log.Warn("dmarc reports", "account", ar.Account, "err", err)
		return nil
	}
	var out []string
	for _, f := range forg {
		out = append(out, CiteForgery(f, d.cfg.Analyzer.Lang))
	}
	return out
}

// CiteForgery is the sentence a spoofing incident's evidence gets from
// one reporter's DMARC aggregate reports.
func CiteForgery(f store.Forgery, lang advice.Lang) string {
	b, e := f.Begin.UTC(), f.End.UTC().Add(-time.Second) // end is inclusive of its last second
	if e.Before(b) {
		e = b
	}
	if lang == advice.Japanese {
		span := fmt.Sprintf("%d月%d日", b.Month(), b.Day())
		if e.YearDay() != b.YearDay() || e.Year() != b.Year() {
			span += fmt.Sprintf("〜%d月%d日", e.Month(), e.Day())
		}
		return fmt.Sprintf("%s の DMARC 集計レポートによれば、%s を名乗り SPF と DKIM の両方に失敗したメールが %s 通、%d 個の IP アドレスから送られています（%s）",
			orgName(f.Org), f.Domain, thousands(f.Messages), f.IPs, span)
	}
	span := fmt.Sprintf("%d %s", b.Day(), b.Format("Jan"))
	switch {
	case e.YearDay() == b.YearDay() && e.Year() == b.Year():
	case e.Month() == b.Month():
		span = fmt.Sprintf("%d–%d %s", b.Day(), e.Day(), b.Format("Jan"))
	default:
		span += fmt.Sprintf(" – %d %s", e.Day(), e.Format("Jan"))
	}
	return fmt.Sprintf("%s reports %s messages from %d IP addresses claiming %s that failed SPF and DKIM, %s",
		orgName(f.Org), thousands(f.Messages), f.IPs, f.Domain, span)
}

// orgName shows a reporter as users know it: "google.com" as Google.
func orgName(org string) string {
	known := map[string]string{"google.com": "Google", "outlook.com": "Microsoft", "yahoo": "Yahoo", "yahoo.com": "Yahoo"}
	if n, ok := known[strings.ToLower(org)]; ok {
		return n
	}
	return org
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// withCitations adds the citations the evidence lacks.
func withCitations(ev, cites []string) ([]string, bool) {
	added := false
	for _, c := range cites {
		if !slices.Contains(ev, c) {
			ev = append(slices.Clip(ev), c)
			added = true
		}
	}
	return ev, added
}
