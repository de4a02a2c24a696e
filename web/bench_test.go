package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/pgtest"
	"github.com/bouncewatch/bouncewatch/reason"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/bouncewatch/bouncewatch/web"
)

// benchBounces is how many bounces the benchmarks' store holds.
const benchBounces = 1_000_000

// benchStore opens a SQLite store of benchBounces bounces (200 accounts,
// 1,000 domains, 8 reasons, over 30 days), filled once and kept in the
// temporary directory for the next runs. The rows are written straight
// with SQL (decoding a million messages would take the benchmark's time,
// not the dashboard's); their shape is the store's own.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("bouncewatch-web-bench-%d-v%d.db", benchBounces, store.SchemaVersion()))
	if _, err := os.Stat(path); err != nil {
		b.Logf("filling %s with %d bounces (once)", path, benchBounces)
		if err := fillBench(path); err != nil {
			b.Fatal(err)
		}
	}
	st, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

var benchReasons = []reason.Reason{reason.UserUnknown, reason.MailboxFull, reason.HostUnknown, reason.Rejected,
	reason.Blocked, reason.SpamDetected, reason.Expired, reason.PolicyViolation}

// benchRow is bounce i of the benchmarks' store: the arguments of the
// messages row (id, sha256, position, arrival, stored_at, facts) and of
// its bounces row (message_id, account, recipient, recipient_domain,
// reason, hard, status, diagnostic, remote_mta, at); the other columns are
// constants (see benchMessageCols, benchBounceCols).
func benchRow(i int) (msg, bn []any) {
	start := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC).UnixMilli()
	span := int64(30 * 24 * time.Hour / time.Millisecond)
	at := start + int64(i)*span/benchBounces
	rcpt := fmt.Sprintf("user%d@domain%d.example", i%50_000, i%1000)
	r := benchReasons[i%len(benchReasons)]
	hard := 0
	if r == reason.UserUnknown || r == reason.HostUnknown {
		hard = 1
	}
	facts := fmt.Sprintf(`{"kind":"bounce","decoded_by":"rfc3464","subject":"Undelivered Mail Returned to Sender","from":"MAILER-DAEMON@mx%d.example","records":[{"recipient":%q,"reason":%q,"status":"5.1.1","reply_code":"550","action":"failed","diagnostic_code":"smtp; 550 5.1.1 user unknown"}]}`, i%1000, rcpt, r)
	msg = []any{int64(i + 1), fmt.Sprintf("%064x", i), fmt.Sprint(i), at, at, facts}
	bn = []any{int64(i + 1), fmt.Sprintf("acct%d@example.jp", i%200), rcpt, fmt.Sprintf("domain%d.example", i%1000), string(r), hard,
		"5.1.1", "smtp; 550 5.1.1 <" + rcpt + ">: user unknown", fmt.Sprintf("mx%d.example", i%1000), at}
	return msg, bn
}

func fillBench(path string) error {
	tmp := path + ".filling"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	st, err := store.Open(context.Background(), "sqlite:"+tmp) // the schema
	if err != nil {
		return err
	}
	st.Close()
	db, err := sql.Open("sqlite", tmp)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, p := range []string{"PRAGMA journal_mode=WAL", "PRAGMA synchronous=OFF"} {
		if _, err := db.Exec(p); err != nil {
			return err
		}
	}
	const batch = 50_000
	for lo := 0; lo < benchBounces; lo += batch {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		msg, err := tx.Prepare(`INSERT INTO messages (id, sha256, source, position, arrival, stored_at, size, raw, kind, decoded_by, decoder, facts)
			VALUES (?, ?, 'bench', ?, ?, ?, 2000, NULL, 'bounce', 'rfc3464', 1, ?)`)
		if err != nil {
			return err
		}
		bn, err := tx.Prepare(`INSERT INTO bounces (message_id, idx, account, recipient, recipient_domain, reason, hard, status, reply_code, action, diagnostic, remote_mta, at)
			VALUES (?, 0, ?, ?, ?, ?, ?, ?, '550', 'failed', ?, ?, ?)`)
		if err != nil {
			return err
		}
		for i := lo; i < min(lo+batch, benchBounces); i++ {
			m, bo := benchRow(i)
			if _, err := msg.Exec(m...); err != nil {
				return err
			}
			if _, err := bn.Exec(bo...); err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return err
	}
	if _, err := db.Exec("ANALYZE"); err != nil {
		return err
	}
	db.Close()
	return os.Rename(tmp, path)
}

// benchReport is a detector report of the size the overview shows: 200
// accounts, 30 days of hours, a surge.
func benchReport() *diagnose.Report {
	start := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
	ser := diagnose.Series{Start: start, Bounced: make([]float64, 720), Sent: make([]float64, 720)}
	for i := range ser.Bounced {
		ser.Bounced[i], ser.Sent[i] = float64(1300+i%17), float64(4000+i%23)
	}
	sg := &diagnose.SurgeSummary{Onset: start.Add(700 * time.Hour), End: start.Add(710 * time.Hour), Peak: start.Add(702 * time.Hour), PeakPerHour: 9000}
	rep := &diagnose.Report{GeneratedAt: start.Add(720 * time.Hour), Lang: advice.English, Series: ser, Surge: sg, Overall: advice.Hijacked}
	for a := 0; a < 200; a++ {
		v := diagnose.AccountReport{Account: fmt.Sprintf("acct%d@example.jp", a), Verdict: advice.Ordinary, Confidence: 0.7, Bounces: 5000, Sent: 20000, Series: ser}
		if a == 0 {
			v.Verdict, v.Surge = advice.Hijacked, sg
		}
		rep.Verdicts = append(rep.Verdicts, v)
	}
	for _, r := range benchReasons {
		rep.Reasons = append(rep.Reasons, diagnose.ReasonCount{Reason: r, Count: benchBounces / len(benchReasons)})
	}
	for i := 0; i < 10; i++ {
		rep.TopDomains = append(rep.TopDomains, diagnose.Count{Value: fmt.Sprintf("domain%d.example", i), Count: 1000})
		rep.TopSubjects = append(rep.TopSubjects, diagnose.Count{Value: fmt.Sprintf("subject %d", i), Count: 1000})
	}
	return rep
}

// BenchmarkDashboard measures the pages' handlers over a store of a
// million bounces (SQLite). Targets: overview < 200 ms, filtered bounce
// search < 300 ms, bounce detail < 50 ms. Run it with
//
//	go test -run '^$' -bench Dashboard -benchtime 20x ./web/
func BenchmarkDashboard(b *testing.B) { benchPages(b, benchStore(b)) }

// BenchmarkDashboardPostgres measures the same pages over the same million
// bounces in PostgreSQL: a throwaway cluster (internal/pgtest), filled with
// COPY on every run, since the cluster is temporary — nothing is kept
// between runs (about 25 s more);
// skipped when the server binaries are missing.
func BenchmarkDashboardPostgres(b *testing.B) {
	stop, dsn, err := pgtest.Start()
	if err != nil {
		b.Skipf("no PostgreSQL: %v", err)
	}
	b.Cleanup(stop)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn) // the schema
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	t0 := time.Now()
	if err := fillBenchPostgres(ctx, dsn); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled PostgreSQL with %d bounces in %v", benchBounces, time.Since(t0).Round(time.Second))
	benchPages(b, st)
}

// fillBenchPostgres writes benchRow's rows with COPY (pgx's CopyFrom
// through database/sql's Raw), then analyzes the tables.
func fillBenchPostgres(ctx context.Context, dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		msgs := func(yield func([]any) bool) {
			for i := range benchBounces {
				m, _ := benchRow(i)
				// id, sha256, source, position, arrival, stored_at, size, kind, decoded_by, decoder, facts
				if !yield([]any{m[0], m[1], "bench", m[2], m[3], m[4], int64(2000), "bounce", "rfc3464", int32(1), m[5]}) {
					return
				}
			}
		}
		if _, err := pc.CopyFrom(ctx, pgx.Identifier{"messages"},
			[]string{"id", "sha256", "source", "position", "arrival", "stored_at", "size", "kind", "decoded_by", "decoder", "facts"},
			copyRows(msgs)); err != nil {
			return fmt.Errorf("copy messages: %w", err)
		}
		bns := func(yield func([]any) bool) {
			for i := range benchBounces {
				_, o := benchRow(i)
				// message_id, idx, account, recipient, recipient_domain, reason, hard, status, reply_code, action, diagnostic, remote_mta, at
				if !yield([]any{o[0], int32(0), o[1], o[2], o[3], o[4], int32(o[5].(int)), o[6], "550", "failed", o[7], o[8], o[9]}) {
					return
				}
			}
		}
		if _, err := pc.CopyFrom(ctx, pgx.Identifier{"bounces"},
			[]string{"message_id", "idx", "account", "recipient", "recipient_domain", "reason", "hard", "status", "reply_code", "action", "diagnostic", "remote_mta", "at"},
			copyRows(bns)); err != nil {
			return fmt.Errorf("copy bounces: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, q := range []string{
		"SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT MAX(id) FROM messages))",
		"SELECT setval(pg_get_serial_sequence('bounces', 'id'), (SELECT MAX(id) FROM bounces))",
		"ANALYZE",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM bounces").Scan(&n); err != nil {
		return err
	}
	if n != benchBounces {
		return fmt.Errorf("filled %d bounces, want %d", n, benchBounces)
	}
	return nil
}

// copyRows makes a pgx.CopyFromSource of a sequence of rows.
func copyRows(seq iter.Seq[[]any]) pgx.CopyFromSource {
	next, stop := iter.Pull(seq)
	return &pullSource{next: next, stop: stop}
}

type pullSource struct {
	next func() ([]any, bool)
	stop func()
	row  []any
}

func (p *pullSource) Next() bool {
	r, ok := p.next()
	if !ok {
		p.stop()
	}
	p.row = r
	return ok
}
func (p *pullSource) Values() ([]any, error) { return p.row, nil }
func (p *pullSource) Err() error             { return nil }

func benchPages(b *testing.B, st *store.Store) {
	rep := benchReport()
	w, err := web.New(web.Options{Store: st, Report: func() *diagnose.Report { return rep }, Token: testToken, Location: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	h := w.Handler()
	for _, c := range []struct{ name, path string }{
		{"overview", "/"},
		{"overview-30d", "/?range=30d"},
		{"search-account-reason-hard", "/bounces?account=acct7@example.jp&reason=userunknown&hard=1"},
		{"search-domain-dates", "/bounces?domain=domain42.example&from=2026-10-10&to=2026-10-20"},
		{"search-account-page", "/bounces?account=acct7@example.jp&after=500000"},
		{"search-text", "/bounces?q=user4242@"},
		{"detail", "/bounces/500000"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				rq := httptest.NewRequest("GET", c.path, nil)
				rq.Header.Set("Authorization", "Bearer "+testToken)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, rq)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %.300s", c.path, rec.Code, rec.Body.String())
				}
			}
		})
	}
}
