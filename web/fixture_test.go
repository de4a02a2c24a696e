package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/api"
	"github.com/bouncewatch/bouncewatch/backfill"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/bouncewatch/bouncewatch/web"
	"golang.org/x/crypto/bcrypt"
)

const (
	testToken    = "test-token-0123456789abcdef"
	testUser     = "owner"
	testPassword = "correct horse battery staple"
)

// fixture is a dashboard over a store holding the hijack scenario, after
// one detector pass: the verdict is in, the incident open.
type fixture struct {
	st  *store.Store
	det *detect.Detector
	sc  *scenario.Scenario
	srv *httptest.Server
	web *web.Server
}

func newFixture(t testing.TB) *fixture { return newFixtureOf(t, scenario.Hijack) }

// newFixtureOf is a dashboard over a store holding the scenario
// mk writes, after one detector pass.
func newFixtureOf(t testing.TB, mk func(dir string) (*scenario.Scenario, error)) *fixture {
	t.Helper()
	ctx := context.Background()
	sc, err := mk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := backfill.Logs(ctx, st, sc.SendLogs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := backfill.Mail(ctx, st, sc.Mail, backfill.Options{}); err != nil {
		t.Fatal(err)
	}
	now := sc.Now
	det := detect.New(st, detect.Config{Analyzer: diagnose.Config{Location: sc.Location, Now: sc.Now, Lang: advice.English},
		Now: func() time.Time { return now }})
	if _, err := det.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	a := &api.Server{Store: st, Report: det.Report, Token: testToken}
	w, err := web.New(web.Options{Store: st, Report: det.Report, Attribute: det.Attribution, Token: testToken, Users: map[string]string{testUser: string(hash)},
		Location: sc.Location, API: a.Handler(), Domains: []string{"example.jp"}, Poll: 200 * time.Millisecond,
		Sources: func() []ingest.Health {
			return []ingest.Health{{Source: "maildir:/var/mail/bounces", Kind: "maildir", Connected: true, LastItem: now, Items: 42}}
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(func() { w.Stop(); srv.Close() })
	return &fixture{st: st, det: det, sc: sc, srv: srv, web: w}
}

// bearer GETs path with the API token.
func (f *fixture) bearer(t testing.TB, path string) *http.Response {
	t.Helper()
	rq, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	rq.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// bearerLang GETs path with the API token, asking for language lang.
func (f *fixture) bearerLang(t testing.TB, path, lang string) *http.Response {
	t.Helper()
	rq, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	rq.Header.Set("Authorization", "Bearer "+testToken)
	rq.Header.Set("Accept-Language", lang)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// hostile is a bounce whose Subject, From and diagnostic carry markup
// and script URLs: the dashboard must show them as text.
func hostile(rcpt string, at time.Time) []byte {
	const xss = `<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=1">javascript:window.__pwned=1`
	return []byte(fmt.Sprintf(`From: "MAILER-DAEMON <script>window.__pwned=1</script>" <MAILER-DAEMON@mx.example.net>
To: shop@example.jp
Subject: Undelivered Mail Returned to Sender %[1]s
Date: %[2]s
Message-ID: <dsn-%[3]s@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; %[3]s
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown %[1]s

--B
Content-Type: text/rfc822-headers

From: "x\"><img src=x onerror=window.__pwned=1>" <shop@example.jp>
To: %[3]s
Subject: %[1]s
Message-ID: <orig-%[3]s@example.jp>

--B--
`, xss, at.Format(time.RFC1123Z), rcpt))
}

func putHostile(t testing.TB, st *store.Store, rcpt string, at time.Time) {
	t.Helper()
	if err := st.PutMail(context.Background(), ingest.Mail{Source: "test", Position: rcpt, Arrival: at, Data: hostile(rcpt, at)}); err != nil {
		t.Fatal(err)
	}
}

func strconvItoa(n int64) string { return fmt.Sprint(n) }
