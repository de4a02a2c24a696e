package web

import (
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/store"
)

// A sentence the incident gained after its report (a receiver's DMARC
// report citing forgeries) is shown beside the report's own sentences.
func TestEvidenceKeepsLaterCitations(t *testing.T) {
	cite := "Google reports 41,200 messages from 317 IP addresses claiming example.jp that failed SPF and DKIM, 10–11 Oct"
	in := &store.Incident{
		Account:  "shop@example.jp",
		Verdict:  "spoofed",
		Onset:    time.Date(2026, 10, 10, 2, 0, 0, 0, time.UTC),
		Evidence: []string{"Most bounces are for mail we never sent", cite},
	}
	ar := &diagnose.AccountReport{
		Evidence:        []string{"Most bounces are for mail we never sent"},
		EvidenceSignals: []string{"bounces_not_ours"},
		EvidenceEn:      []string{"Most bounces are for mail we never sent"},
		EvidenceJa:      []string{"ほとんどのバウンスは当社が送っていないメールのものです"},
	}
	for _, l := range []advice.Lang{advice.English, advice.Japanese} {
		rows, _ := evidence(in, ar, l)
		if len(rows) != 2 {
			t.Fatalf("%s: %d rows, want 2: %+v", l, len(rows), rows)
		}
		if rows[1].Text != cite || rows[1].Href == "" {
			t.Errorf("%s: the citation is missing or unlinked: %+v", l, rows[1])
		}
	}
	// Without a report, the incident's own sentences are shown as they are.
	rows, _ := evidence(in, nil, advice.English)
	if len(rows) != 2 || rows[1].Text != cite {
		t.Errorf("no report: %+v", rows)
	}
}
