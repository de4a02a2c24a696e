package detect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestRestartFromDigests: messages stored while a detector runs are
// stored with their digests; a restarted detector restores the same
// analysis from them — even with every raw message gone, so without
// decoding — and a digest made for another configuration is made again
// from the raw message and replaced.
func TestRestartFromDigests(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sc, err := scenario.Mixed(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		cfg := detect.Config{Analyzer: diagnose.Config{Location: sc.Location, Now: sc.Now, Lang: advice.English},
			Now: func() time.Time { return sc.Now }}
		d1 := detect.New(st, cfg) // before ingest: digests made as messages are stored
		importScenario(t, st, sc)
		verdicts := func(d *detect.Detector) []byte {
			t.Helper()
			rep, err := d.Pass(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(struct {
				Overall  advice.Verdict
				Verdicts []diagnose.AccountReport
			}{rep.Overall, rep.Verdicts})
			return b
		}
		want := verdicts(d1)
		count := func(q string) int {
			t.Helper()
			var n int
			if err := st.DB().QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		msgs := count(`SELECT COUNT(*) FROM messages`)
		if msgs == 0 || count(`SELECT COUNT(*) FROM digests`) != msgs {
			t.Fatalf("%d messages, %d digests stored with them", msgs, count(`SELECT COUNT(*) FROM digests`))
		}

		// The restarts below start cold, without the detector's checkpoint
		// (TestRestartFromCheckpoint), as after an upgrade: from the digests.
		noCheckpoint := func() {
			t.Helper()
			if err := st.DeleteCheckpoints(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// Half the digests made for another configuration.
		noCheckpoint()
		if _, err := st.DB().Exec(`UPDATE digests SET key = 'v0-other' WHERE message_id % 2 = 0`); err != nil {
			t.Fatal(err)
		}
		if got := verdicts(detect.New(st, cfg)); !bytes.Equal(got, want) {
			t.Errorf("after a restart with stale digests:\n%s\nwant\n%s", got, want)
		}
		if n := count(`SELECT COUNT(*) FROM digests WHERE key = 'v0-other'`); n != 0 {
			t.Errorf("%d stale digests not replaced", n)
		}

		// No raw message left: the analysis comes from the digests alone.
		if _, err := st.DB().Exec(`UPDATE messages SET raw = NULL`); err != nil {
			t.Fatal(err)
		}
		noCheckpoint()
		if got := verdicts(detect.New(st, cfg)); !bytes.Equal(got, want) {
			t.Errorf("after a restart from digests alone:\n%s\nwant\n%s", got, want)
		}
	})
}
