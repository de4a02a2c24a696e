package detect_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/store"
)

// reportXML is a Google-style aggregate report for domain over the day of
// begin: ours passes, nForged foreign addresses fail both.
func reportXML(domain, id string, begin time.Time, nForged int, each int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0"?><feedback><report_metadata><org_name>google.com</org_name><email>noreply-dmarc-support@google.com</email>
<report_id>%s</report_id><date_range><begin>%d</begin><end>%d</end></date_range></report_metadata>
<policy_published><domain>%s</domain><p>none</p></policy_published>
<record><row><source_ip>203.0.113.10</source_ip><count>50</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>%s</header_from></identifiers></record>`,
		id, begin.Unix(), begin.Add(24*time.Hour-time.Second).Unix(), domain, domain)
	for i := range nForged {
		fmt.Fprintf(&b, `<record><row><source_ip>198.51.%d.%d</source_ip><count>%d</count><policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>%s</header_from></identifiers></record>`,
			i/250, i%250+1, each, domain)
	}
	b.WriteString(`</feedback>`)
	return b.String()
}

// TestSpoofCitesDMARC: a spoofing incident's evidence cites the DMARC
// aggregate reports of the forged domain, in the configured language.
func TestSpoofCitesDMARC(t *testing.T) {
	sc, err := scenario.Spoof(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []advice.Lang{advice.English, advice.Japanese} {
		t.Run(string(lang), func(t *testing.T) {
			engines(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				importScenario(t, st, sc)
				cfg := diagnose.Config{Location: sc.Location, Now: sc.Now, Lang: lang}
				cfg.Attrib.Relays = []string{"203.0.113.10"}
				// Kept open (the surge is history to the scenario's clock).
				d := detect.New(st, detect.Config{Analyzer: cfg, CloseAfter: 72 * time.Hour, Now: func() time.Time { return sc.Now }})
				rep, err := d.Pass(ctx)
				if err != nil {
					t.Fatal(err)
				}
				var spoofed *diagnose.AccountReport
				for i := range rep.Verdicts {
					if rep.Verdicts[i].Verdict == advice.Spoofed && rep.Verdicts[i].Surge != nil {
						spoofed = &rep.Verdicts[i]
					}
				}
				if spoofed == nil {
					t.Fatalf("no spoofed account in the scenario: %+v", rep.Verdicts)
				}
				dom := spoofed.Account[strings.IndexByte(spoofed.Account, '@')+1:]
				day := spoofed.Surge.Onset.UTC().Truncate(24 * time.Hour)
				// Reports arrive after the incident opened: the next pass cites them.
				for i, begin := range []time.Time{day, day.Add(24 * time.Hour)} {
					if _, err := st.PutDMARC(ctx, "r.xml", []byte(reportXML(dom, fmt.Sprint("r", i), begin, 300, 60))); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := d.Pass(ctx); err != nil {
					t.Fatal(err)
				}
				incs, err := st.Incidents(ctx, store.IncidentFilter{Account: spoofed.Account})
				if err != nil || len(incs) != 1 {
					t.Fatalf("incidents %+v, %v", incs, err)
				}
				want := fmt.Sprintf("Google reports 36,000 messages from 300 IP addresses claiming %s that failed SPF and DKIM, %d–%d %s",
					dom, day.Day(), day.Add(24*time.Hour).Day(), day.Format("Jan"))
				if lang == advice.Japanese {
					want = fmt.Sprintf("Google の DMARC 集計レポートによれば、%s を名乗り SPF と DKIM の両方に失敗したメールが 36,000 通、300 個の IP アドレスから送られています", dom)
				}
				found := false
				for _, e := range incs[0].Evidence {
					if strings.HasPrefix(e, want) {
						found = true
					}
				}
				if !found {
					t.Errorf("evidence lacks %q:\n%s", want, strings.Join(incs[0].Evidence, "\n"))
				}
				hist, _ := st.History(ctx, incs[0].ID)
				if len(hist) < 2 {
					t.Errorf("the citation is not in the incident's history: %+v", hist)
				}
			})
		})
	}
}
