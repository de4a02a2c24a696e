package diagnose_test

import (
	"bytes"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
)

// TestCheckpointRestart: a service restarting from a checkpoint of the
// first half of the mail (some of it settled), given the log again and
// then the second half, reports exactly what the analyzer that never
// stopped reports — for every scenario of the suite.
func TestCheckpointRestart(t *testing.T) {
	for _, def := range scenario.All() {
		t.Run(def.Name, func(t *testing.T) {
			l := load(t, def.Make)
			mail := append([]diagnose.Mail(nil), l.mail...)
			sort.SliceStable(mail, func(i, k int) bool { return mail[i].Arrival.Before(mail[k].Arrival) })
			cfg := diagnose.Config{Location: l.sc.Location, Now: l.sc.Now, Lang: advice.English, SettleAfter: time.Hour}
			half := len(mail) / 2

			a := diagnose.New(cfg)
			for _, ev := range l.events {
				a.AddEvent(ev)
			}
			for _, m := range mail[:half] {
				a.AddMail(m)
			}
			a.Settle()
			settled, kept := a.Settled()
			t.Logf("checkpoint of %d settled bounces and %d kept", settled, kept)
			cp, err := a.MarshalMail()
			if err != nil {
				t.Fatal(err)
			}

			b := diagnose.New(cfg)
			if err := b.RestoreMail(cp); err != nil {
				t.Fatal(err)
			}
			for _, ev := range l.events { // the log again, after the checkpoint
				b.AddEvent(ev)
			}
			if got, want := reportJSON(t, b.Report()), reportJSON(t, a.Report()); !bytes.Equal(got, want) {
				t.Errorf("restored: the report differs: %s", firstDiff(got, want))
			}
			for _, m := range mail[half:] {
				a.AddMail(m)
				b.AddMail(m)
			}
			if got, want := reportJSON(t, b.Report()), reportJSON(t, a.Report()); !bytes.Equal(got, want) {
				t.Errorf("restored, then the rest: the report differs: %s", firstDiff(got, want))
			}
			if err := b.RestoreMail(cp); err == nil {
				t.Error("a checkpoint restored into an analyzer with mail")
			}
		})
	}
}

func TestCheckpointRefused(t *testing.T) {
	a := diagnose.New(diagnose.Config{})
	if err := a.RestoreMail([]byte("not a checkpoint")); err == nil {
		t.Error("garbage restored")
	}
	cp, err := diagnose.New(diagnose.Config{}).MarshalMail()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RestoreMail(cp); err != nil {
		t.Errorf("an empty checkpoint: %v", err)
	}
	if errors.Is(a.RestoreMail(cp), diagnose.ErrCheckpointVersion) {
		t.Error("version error for a valid checkpoint")
	}
}
