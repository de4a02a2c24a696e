package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/store"
)

const token = "t0ken-for-tests"

func setup(t *testing.T) (*httptest.Server, *store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := os.ReadFile("../examples/01-postfix-user-unknown.eml")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		data := strings.Replace(string(raw), "tanaka@example.com", fmt.Sprintf("user%d@example.com", i), -1)
		if err := st.PutMail(ctx, ingest.Mail{Source: "m", Position: fmt.Sprint(i), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutMail(ctx, ingest.Mail{Source: "m", Position: "bad", Data: nil}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 17, 14, 0, 0, time.UTC)
	in := &store.Incident{Account: "shop@example.jp", Verdict: "hijacked", Confidence: 0.9, Onset: t0, OpenedAt: t0, UpdatedAt: t0,
		Evidence: []string{"e1"}}
	if err := st.SaveIncident(ctx, in, store.ChangeOpened, nil); err != nil {
		t.Fatal(err)
	}
	sent := []float64{1, 2, 3, 4}
	rep := &diagnose.Report{GeneratedAt: t0, Verdicts: []diagnose.AccountReport{{Account: "shop@example.jp", Verdict: advice.Hijacked,
		Confidence: 0.9, Surge: &diagnose.SurgeSummary{Onset: t0}, Series: diagnose.Series{Start: t0.Truncate(time.Hour),
			Bounced: []float64{0, 5, 7, 1}, Sent: sent}}}}
	s := &Server{Store: st, Token: token, Report: func() *diagnose.Report { return rep },
		Sources: func() []ingest.Health { return []ingest.Health{{Source: "imap:x", Kind: "imap", Connected: true}} }}
	s.Registry = NewMetrics(st, s.Report, s.Sources)
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, st
}

func get(t *testing.T, srv *httptest.Server, path, tok string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPI(t *testing.T) {
	srv, _ := setup(t)
	cases := []struct {
		name, path, tok string
		status          int
		want            []string
	}{
		{"no token", "/api/v1/incidents", "", 401, []string{"bearer token"}},
		{"wrong token", "/api/v1/incidents", "nope", 401, nil},
		{"incidents", "/api/v1/incidents", token, 200, []string{`"account":"shop@example.jp"`, `"verdict":"hijacked"`, `"closed_at":null`, `"onset":"2026-11-01T17:14:00Z"`, `"evidence":["e1"]`}},
		{"open incidents", "/api/v1/incidents?open=true", token, 200, []string{`"id":1`}},
		{"incident with history", "/api/v1/incidents/1", token, 200, []string{`"history":[{`, `"change":"opened"`}},
		{"no such incident", "/api/v1/incidents/99", token, 404, nil},
		{"accounts", "/api/v1/accounts", token, 200, []string{`"verdict":"hijacked"`, `"confidence":0.9`}},
		{"bounces page", "/api/v1/bounces?account=shop@example.jp&limit=2", token, 200, []string{`"next_after":4`, `"reason":"userunknown"`}},
		{"bounces next page", "/api/v1/bounces?account=shop@example.jp&after=2", token, 200, []string{`"recipient":"user0@example.com"`}},
		{"bounces by reason", "/api/v1/bounces?reason=mailboxfull", token, 200, []string{`"bounces":[]`}},
		{"incidents limit", "/api/v1/incidents?limit=1", token, 200, []string{`"id":1`}},
		{"incidents bad limit", "/api/v1/incidents?limit=0", token, 400, []string{"limit must be a number from 1 to 1000"}},
		{"bounces bad limit", "/api/v1/bounces?limit=5000", token, 400, []string{"limit must be a number from 1 to 1000"}},
		{"bounces bad time", "/api/v1/bounces?from=yesterday", token, 400, []string{"RFC 3339"}},
		{"series", "/api/v1/series?account=shop@example.jp&step=2h", token, 200, []string{`"bounced":5,"sent":3`, `"bounced":8,"sent":7`}},
		{"series bad step", "/api/v1/series?step=5m", token, 400, nil},
		{"series no account", "/api/v1/series?account=x@y", token, 404, nil},
		{"stats", "/api/v1/stats", token, 200, []string{`"messages":6`, `"bounces":5`, `"undecodable":1`, `"incidents_open":1`}},
		{"sources", "/api/v1/sources", token, 200, []string{`"Source":"imap:x"`}},
		{"healthz needs no token", "/healthz", "", 200, []string{`"ok"`}},
		{"metrics", "/metrics", "", 200, []string{`bouncewatch_incidents_open 1`, `bouncewatch_stored{kind="undecodable"} 1`, `bouncewatch_source_connected{kind="imap",source="imap:x"} 1`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, srv, tc.path, tc.tok)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s:\n%s", w, body)
				}
			}
			if strings.HasPrefix(tc.path, "/api/") && status != 404 && !json.Valid([]byte(body)) {
				t.Errorf("not JSON: %s", body)
			}
		})
	}
}

// TestInternalErrorsStayInside: with the store gone, the client gets a
// generic message and a request ID, not the database's error.
func TestInternalErrorsStayInside(t *testing.T) {
	srv, st := setup(t)
	st.Close()
	for _, p := range []string{"/api/v1/incidents", "/api/v1/bounces", "/api/v1/stats"} {
		status, body := get(t, srv, p, token)
		if status != 500 || !strings.Contains(body, "request_id") {
			t.Errorf("%s: %d %s", p, status, body)
		}
		for _, leak := range []string{"sql", "database", "closed", ".db"} {
			if strings.Contains(strings.ToLower(body), leak) {
				t.Errorf("%s: the answer tells %q: %s", p, leak, body)
			}
		}
	}
	if status, _ := get(t, srv, "/healthz", ""); status != 503 {
		t.Errorf("healthz with the store closed: %d, want 503", status)
	}
}
