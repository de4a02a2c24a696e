package detect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/backfill"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestRestartFromCheckpoint: a detector saves its analysis after a pass;
// a detector started later on the same store restores it instead of
// reading every message, and reports what the first one reports — also
// after more mail arrives.
func TestRestartFromCheckpoint(t *testing.T) {
	sc, err := scenario.Mixed(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		importScenario(t, st, sc)
		cfg := detect.Config{Analyzer: diagnose.Config{Location: sc.Location, Now: sc.Now, Lang: advice.English, SettleAfter: time.Hour},
			Now: func() time.Time { return sc.Now }}
		d1 := detect.New(st, cfg)
		rep1, err := d1.Pass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cp, ok, err := st.LoadCheckpoint(ctx, "detector")
		if err != nil || !ok {
			t.Fatalf("no checkpoint after a pass: %v", err)
		}
		maxMail, _, err := st.MaxIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cp.LastMail != maxMail {
			t.Errorf("checkpoint up to message %d, want %d", cp.LastMail, maxMail)
		}

		var logged bytes.Buffer
		cfg2 := cfg
		cfg2.Log = slog.New(slog.NewTextHandler(&logged, nil))
		d2 := detect.New(st, cfg2)
		rep2, err := d2.Pass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logged.String(), "restored from the checkpoint") {
			t.Errorf("the second detector did not restore the checkpoint; it logged:\n%s", logged.String())
		}
		// The first pass reported before settling, the restored one after:
		// settled with everything known, the reports are the same.
		if got, want := jsonOf(t, rep2), jsonOf(t, rep1); !bytes.Equal(got, want) {
			t.Errorf("restored: the report differs: %s", diffLine(got, want))
		}

		// More mail: both detectors take it the same way.
		dir := t.TempDir()
		raw, err := os.ReadFile("../store/testdata/01-postfix-user-unknown.eml")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "late.eml"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := backfill.Mail(ctx, st, []string{dir}, backfill.Options{}); err != nil {
			t.Fatal(err)
		}
		a, err := d1.Pass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := d2.Pass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if a.Inputs.Messages != rep1.Inputs.Messages+1 {
			t.Errorf("%d messages after one more, was %d", a.Inputs.Messages, rep1.Inputs.Messages)
		}
		if got, want := jsonOf(t, b), jsonOf(t, a); !bytes.Equal(got, want) {
			t.Errorf("after more mail: the report differs: %s", diffLine(got, want))
		}

		// A checkpoint of another configuration is not used.
		logged.Reset()
		cfg3 := cfg2
		cfg3.Analyzer.SettleAfter = 2 * time.Hour
		d3 := detect.New(st, cfg3)
		rep3, err := d3.Pass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(logged.String(), "restored from the checkpoint") || rep3.Inputs.Messages != a.Inputs.Messages {
			t.Errorf("another configuration: %d messages; logged:\n%s", rep3.Inputs.Messages, logged.String())
		}
	})
}

func jsonOf(t *testing.T, r *diagnose.Report) []byte {
	t.Helper()
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func diffLine(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return string(la[i]) + "  ≠  " + string(lb[i])
		}
	}
	return "lengths differ"
}
