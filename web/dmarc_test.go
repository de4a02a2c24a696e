package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/domaincheck"
	"github.com/bouncewatch/bouncewatch/web"
)

// brokenRelay is a later report in which our own relay fails both SPF and
// DKIM (a rotated DKIM key): p=reject would refuse its mail. Its org name
// carries markup, shown as text.
const brokenRelay = `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata><org_name>&lt;script&gt;window.__pwned=1&lt;/script&gt;</org_name><email>dmarc@receiver.example</email>
    <report_id>broken-relay-1</report_id><date_range><begin>1728777600</begin><end>1728863999</end></date_range></report_metadata>
  <policy_published><domain>example.jp</domain><p>none</p></policy_published>
  <record><row><source_ip>203.0.113.10</source_ip><count>57</count>
    <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>example.jp</header_from></identifiers>
    <auth_results><spf><domain>example.jp</domain><result>fail</result></spf></auth_results></record>
</feedback>
`

// checkDMARCSenders: the domain page shows, per day, the senders the
// stored DMARC reports name, classed ours (a configured relay), third
// party or forgery, and one sentence that says p=reject is safe — until a
// report shows our relay failing, when it names that sender instead.
func checkDMARCSenders(t *testing.T, f *fixture) {
	ctx := context.Background()
	for _, name := range []string{"google.xml", "microsoft.xml"} {
		data, err := os.ReadFile("../dmarcrpt/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.PutDMARC(ctx, name, data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	w, err := web.New(web.Options{Store: f.st, Token: testToken, Domains: []string{"example.jp"}, Relays: []string{"203.0.113.0/28"},
		Location: time.UTC, CheckDomain: func(context.Context, string) (*domaincheck.Report, error) {
			return &domaincheck.Report{Domain: "example.jp"}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	defer func() { w.Stop(); srv.Close() }()
	get := func(lang string) string {
		rq, _ := http.NewRequest("GET", srv.URL+"/domain?d=example.jp", nil)
		rq.Header.Set("Authorization", "Bearer "+testToken)
		rq.Header.Set("Accept-Language", lang)
		resp, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("domain page: %d %.300s", resp.StatusCode, b)
		}
		return string(b)
	}
	row := func(page, ip, class string) string {
		m := regexp.MustCompile(`<tr class="src-` + class + `[^"]*" data-ip="` + regexp.QuoteMeta(ip) + `">(.*?)</tr>`).FindStringSubmatch(page)
		if m == nil {
			t.Errorf("no %s row for %s", class, ip)
			return ""
		}
		return m[1]
	}
	page := get("en")
	if !strings.Contains(page, "Moving example.jp to p=reject is safe") || !strings.Contains(page, "41,203 forged messages from 3 addresses") {
		t.Errorf("summary:\n%s", regexp.MustCompile(`(?s)<p id="dmarc-summary"[^>]*>.*?</p>`).FindString(page))
	}
	if !strings.Contains(page, "2024-10-10 · 42,448 messages · p=quarantine") {
		t.Errorf("no day heading with its total and the strictest policy")
	}
	if r := row(page, "203.0.113.10", "ours"); !strings.Contains(r, "<td class=\"n\">1,245</td>") {
		t.Errorf("our relay's row: %s", r)
	}
	if r := row(page, "198.51.100.23", "forgery"); !strings.Contains(r, "20,600") || !strings.Contains(r, "google.com") {
		t.Errorf("forgery row: %s", r)
	}
	row(page, "192.0.2.77", "forgery")
	if !strings.Contains(page, `<svg class="dmarcbar"`) {
		t.Errorf("no bar")
	}

	if _, err := f.st.PutDMARC(ctx, "broken.xml", []byte(brokenRelay)); err != nil {
		t.Fatal(err)
	}
	page = get("en")
	if !strings.Contains(page, "Not yet safe to move example.jp to p=reject: legitimate sender 203.0.113.10 (57 messages) still fails both SPF and DKIM") {
		t.Errorf("summary after our relay failed:\n%s", regexp.MustCompile(`(?s)<p id="dmarc-summary"[^>]*>.*?</p>`).FindString(page))
	}
	if !strings.Contains(page, `class="src-ours fails"`) {
		t.Errorf("the failing relay's row is not marked")
	}
	if strings.Contains(page, "<script>window.__pwned") || !strings.Contains(page, "&lt;script&gt;window.__pwned=1&lt;/script&gt;") {
		t.Errorf("the reporter's name is not escaped")
	}
	if ja := get("ja"); !strings.Contains(ja, "example.jp を p=reject にするのはまだ危険です") || !strings.Contains(ja, "自社のサーバー") {
		t.Errorf("no Japanese summary or class")
	}
}
