package detect_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/backfill"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/internal/pgtest"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/store"
)

func TestMain(m *testing.M) {
	if db := os.Getenv(startupEnv); db != "" {
		startupChild(db) // BenchmarkStartup1M's child process
	}
	os.Exit(pgtest.Main(m))
}

func engines(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, e := range []string{"sqlite", "postgres"} {
		t.Run(e, func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "bw.db")
			if e == "postgres" {
				dsn = pgtest.DSN(t)
			}
			st, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			fn(t, st)
		})
	}
}

// importScenario stores a scenario's files as bouncewatch import does.
func importScenario(t *testing.T, st ingest.Sink, sc *scenario.Scenario) {
	t.Helper()
	ctx := context.Background()
	if _, err := backfill.Logs(ctx, st, sc.SendLogs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := backfill.Mail(ctx, st, sc.Mail, backfill.Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestSameVerdictsAsScan: scanning a scenario's files and importing the
// same files into the store for the detector give the same verdicts — one
// analysis, not two.
func TestSameVerdictsAsScan(t *testing.T) {
	for _, name := range []string{"mixed", "no-sendlog", "hijack-exim"} {
		t.Run(name, func(t *testing.T) {
			var mk func(string) (*scenario.Scenario, error)
			for _, d := range scenario.All() {
				if d.Name == name {
					mk = d.Make
				}
			}
			sc, err := mk(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			cfg := diagnose.Config{Location: sc.Location, Now: sc.Now, Lang: advice.English}
			want, err := diagnose.Scan(context.Background(), diagnose.Input{Mail: sc.Mail, SendLogs: sc.SendLogs,
				LogOptions: sendlog.Options{Location: sc.Location}}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			engines(t, func(t *testing.T, st *store.Store) {
				importScenario(t, st, sc)
				d := detect.New(st, detect.Config{Analyzer: cfg, Now: func() time.Time { return sc.Now }})
				got, err := d.Pass(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if got.Overall != want.Overall || len(got.Verdicts) != len(want.Verdicts) {
					t.Fatalf("overall %s with %d accounts, scan says %s with %d", got.Overall, len(got.Verdicts), want.Overall, len(want.Verdicts))
				}
				for i, w := range want.Verdicts {
					g := got.Verdicts[i]
					if g.Account != w.Account || g.Verdict != w.Verdict || g.Confidence != w.Confidence ||
						g.Bounces != w.Bounces || g.BouncesOurs != w.BouncesOurs || g.Sent != w.Sent {
						t.Errorf("account %d: detector %s %s %.2f (%d bounces, %d ours, %d sent); scan %s %s %.2f (%d, %d, %d)", i,
							g.Account, g.Verdict, g.Confidence, g.Bounces, g.BouncesOurs, g.Sent,
							w.Account, w.Verdict, w.Confidence, w.Bounces, w.BouncesOurs, w.Sent)
					}
				}
				// The serious verdicts became incidents with their onset.
				incs, err := st.Incidents(context.Background(), store.IncidentFilter{})
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, w := range want.Verdicts {
					if (w.Verdict == advice.Hijacked || w.Verdict == advice.Spoofed || w.Verdict == advice.Mixed) && w.Surge != nil {
						n++
						found := false
						for _, in := range incs {
							if in.Account == w.Account && in.Verdict == string(w.Verdict) && in.Onset.Equal(w.Surge.Onset) {
								found = true
							}
						}
						if !found {
							t.Errorf("no incident for %s %s (onset %s) among %+v", w.Account, w.Verdict, w.Surge.Onset, incs)
						}
					}
				}
				if len(incs) != n {
					t.Errorf("%d incidents, want %d", len(incs), n)
				}
				// A second pass over the same store changes nothing.
				if _, err := d.Pass(context.Background()); err != nil {
					t.Fatal(err)
				}
				if again, _ := st.Incidents(context.Background(), store.IncidentFilter{}); len(again) != len(incs) {
					t.Errorf("second pass: %d incidents, was %d", len(again), len(incs))
				}
			})
		})
	}
}

// TestOneDetectorPerStore: two nodes on one store run their detectors;
// only the lease holder makes passes, and the other takes over when the
// holder stops.
func TestOneDetectorPerStore(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cfg := detect.Config{Interval: 100 * time.Millisecond}
		c1, c2 := cfg, cfg
		c1.Holder, c2.Holder = "node1", "node2"
		d1 := detect.New(st, c1)
		ctx1, stop1 := context.WithCancel(ctx)
		done1 := make(chan struct{})
		go func() { d1.Run(ctx1); close(done1) }()
		time.Sleep(300 * time.Millisecond) // node1 takes the lease first
		d2 := detect.New(st, c2)
		ctx2, stop2 := context.WithCancel(ctx)
		defer stop2()
		go d2.Run(ctx2)
		time.Sleep(time.Second)
		_, p1 := d1.LastPass()
		_, p2 := d2.LastPass()
		if p1 == 0 || p2 != 0 {
			t.Fatalf("passes: node1 %d, node2 %d; want node1 only", p1, p2)
		}
		stop1() // node1 stops: it gives the lease up
		<-done1
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if _, p := d2.LastPass(); p > 0 {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Error("node2 never took over the detector")
	})
}
