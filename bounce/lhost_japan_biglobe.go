package bounce

import (
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// BIGLOBE and the cable-TV providers that run its mail system
// (inacatv.ne.jp, tmtv.ne.jp, ttv.ne.jp): From postmaster@<provider>.ne.jp,
// Subject "Returned mail: ...", and
//
//	   ----- The following addresses had delivery problems -----
//	user@example.biglobe.ne.jp
//
//	   ----- Non-delivered information -----
//	The number of messages in recipient's mailbox exceeded the local limit.

var biglobeDomains = []string{"@biglobe.ne.jp", "@inacatv.ne.jp", "@tmtv.ne.jp", "@ttv.ne.jp"}

// biglobeReasons are the provider's documented sentences.
var biglobeReasons = []struct {
	phrase string
	reason reason.Reason
}{
	{"Mail Delivery Failed... User unknown", reason.Filtered},
	{"The number of messages in recipient's mailbox exceeded the local limit.", reason.MailboxFull},
}

// scanBiglobe reads BIGLOBE notices.
func scanBiglobe(m *flat) *scan {
	if !strings.HasPrefix(strings.TrimSpace(m.hget("Subject")), "Returned mail:") {
		return nil
	}
	from := m.hget("From")
	if !jpHasFold(from, "postmaster@") {
		return nil
	}
	ok := false
	for _, d := range biglobeDomains {
		if jpHasFold(from, d) {
			ok = true
			break
		}
	}
	if !ok {
		return nil
	}
	text, original := jpNoticeText(m.Body)
	_, rest, found := cutAt(text, "----- The following addresses had delivery problems -----")
	if !found {
		return nil
	}
	var recs []Record
	var diag []string
	for _, l := range strings.Split(rest, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "-----") || !jpASCII(t) {
			continue
		}
		if strings.Contains(t, "--") && !strings.Contains(t, " ") {
			continue // a MIME boundary
		}
		if !strings.Contains(t, " ") && strings.IndexByte(t, '@') > 0 {
			if a := findAddress(t); a != "" {
				recs = append(recs, Record{Recipient: a, Action: "failed"})
				continue
			}
		}
		if len(recs) > 0 {
			diag = append(diag, t)
		}
	}
	if len(recs) == 0 {
		return nil
	}
	d := strings.Join(diag, " ")
	for i := range recs {
		r := &recs[i]
		r.DiagnosticCode = d
		for _, e := range biglobeReasons {
			if strings.Contains(d, e.phrase) {
				r.Reason = e.reason
				break
			}
		}
	}
	sc := &scan{records: recs, evidence: []string{"From: postmaster@ of a BIGLOBE domain and '----- The following addresses had delivery problems -----' (BIGLOBE)"}}
	if m.Original == nil && original != "" {
		sc.original = []byte(original)
	}
	return sc
}
