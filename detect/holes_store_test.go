package detect_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/store"
)

// TestLateCommit: a message (and a log line) committed under an ID below
// one the detector has read — another ingest node's transaction that
// took its ID first and committed last — is still analysed at a later
// pass. The rows are written with their IDs, as two nodes would leave
// them.
func TestLateCommit(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cfg := detect.Config{Analyzer: diagnose.Config{Location: time.UTC}}
		an := diagnose.New(cfg.Analyzer)
		raw, err := os.ReadFile("../store/testdata/01-postfix-user-unknown.eml")
		if err != nil {
			t.Fatal(err)
		}
		res, derr := bounce.DecodeBytes(raw)
		now := time.Now()
		putMail := func(id int64) {
			t.Helper()
			dg, err := an.Digest(diagnose.Mail{Source: fmt.Sprint("late#", id), Arrival: now, Result: res, Err: derr}).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			ms := now.UnixMilli()
			if _, err := st.DB().Exec(rebind(st, `INSERT INTO messages (id, sha256, source, position, arrival, stored_at, size, kind, decoder, facts)
				VALUES (?, ?, 'late', ?, ?, ?, 100, 'bounce', ?, '{}')`), id, fmt.Sprint("sum", id), fmt.Sprint(id), ms, ms, store.DecoderRevision); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB().Exec(rebind(st, `INSERT INTO digests (message_id, key, decoder, data) VALUES (?, ?, ?, ?)`),
				id, an.DigestKey(), store.DecoderRevision, dg); err != nil {
				t.Fatal(err)
			}
		}
		putLine := func(id int64) {
			t.Helper()
			line := fmt.Sprintf("Dec  6 10:%02d:00 mail postfix/smtp[123]: 4AB%02dC: to=<u%d@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, status=sent (250 ok)", id, id, id)
			if _, err := st.DB().Exec(rebind(st, `INSERT INTO log_lines (id, source, position, received, line) VALUES (?, 'maillog', ?, ?, ?)`),
				id, fmt.Sprint(id), now.UnixMilli(), line); err != nil {
				t.Fatal(err)
			}
		}
		d := detect.New(st, cfg)
		pass := func() *diagnose.Report {
			t.Helper()
			rep, err := d.Pass(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		putMail(1)
		putMail(2)
		putMail(4) // 3 is still in another node's open transaction
		putLine(1)
		putLine(3)
		rep := pass()
		if rep.Inputs.Messages != 3 || rep.Inputs.Log.Events != 2 {
			t.Fatalf("first pass: %d messages, %d log events; want 3 and 2", rep.Inputs.Messages, rep.Inputs.Log.Events)
		}
		putMail(3) // committed now
		putLine(2)
		rep = pass()
		if rep.Inputs.Messages != 4 || rep.Inputs.Log.Events != 3 {
			t.Errorf("after the late commits: %d messages, %d log events; want 4 and 3", rep.Inputs.Messages, rep.Inputs.Log.Events)
		}
		rep = pass() // nothing twice
		if rep.Inputs.Messages != 4 || rep.Inputs.Log.Events != 3 {
			t.Errorf("a pass later: %d messages, %d log events; want 4 and 3", rep.Inputs.Messages, rep.Inputs.Log.Events)
		}

		// A hole kept in the checkpoint: the row comes after the
		// checkpoint was saved and before the restart.
		cfg.CheckpointInterval = time.Nanosecond // a checkpoint at every pass
		d = detect.New(st, cfg)
		putMail(6)
		if rep = pass(); rep.Inputs.Messages != 5 {
			t.Fatalf("before the restart: %d messages, want 5", rep.Inputs.Messages)
		}
		if cp, ok, err := st.LoadCheckpoint(ctx, "detector"); err != nil || !ok || cp.LastMail != 6 || len(cp.Holes) != 1 || cp.Holes[0] != 5 {
			t.Fatalf("checkpoint %+v (ok %v, %v), want up to 6 with hole 5", cp, ok, err)
		}
		putMail(5)
		d = detect.New(st, cfg)
		if rep = pass(); rep.Inputs.Messages != 6 {
			t.Errorf("restarted from the checkpoint: %d messages, want 6", rep.Inputs.Messages)
		}
	})
}

// rebind writes ? placeholders as PostgreSQL's $n when st is PostgreSQL.
func rebind(st *store.Store, q string) string {
	if st.Engine() != store.Postgres {
		return q
	}
	out, n := []byte{}, 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			out = append(out, fmt.Sprintf("$%d", n)...)
			continue
		}
		out = append(out, q[i])
	}
	return string(out)
}
