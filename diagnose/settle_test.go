package diagnose_test

import (
	"bytes"
	"sort"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
)

// TestSettleAtTheEnd: bounces settled once everything is known are judged
// as a report judges them, so the report after settling is the report
// without it, to the byte — for every scenario of the suite.
func TestSettleAtTheEnd(t *testing.T) {
	for _, def := range scenario.All() {
		t.Run(def.Name, func(t *testing.T) {
			l := load(t, def.Make)
			a := l.analyzer()
			for _, ev := range l.events {
				a.AddEvent(ev)
			}
			for _, m := range l.mail {
				a.AddMail(m)
			}
			want := reportJSON(t, a.Report())

			b := diagnose.New(diagnose.Config{Location: l.sc.Location, Now: l.sc.Now, Lang: advice.English, SettleAfter: time.Hour})
			for _, ev := range l.events {
				b.AddEvent(ev)
			}
			for _, m := range l.mail {
				b.AddMail(m)
			}
			b.Settle()
			settled, kept := b.Settled()
			if settled == 0 {
				t.Fatalf("nothing settled (%d kept)", kept)
			}
			got := reportJSON(t, b.Report())
			if !bytes.Equal(got, want) {
				t.Errorf("after settling %d of %d bounces the report differs: %s", settled, settled+kept, firstDiff(got, want))
			}
		})
	}
}

// TestSettleAsItComes: as a service meets them (the log first, then the
// bounces as they reached us, settling every fifth of them), the
// verdicts, counts and onsets are the scan's, though each bounce was
// judged when it settled.
func TestSettleAsItComes(t *testing.T) {
	for _, def := range scenario.All() {
		t.Run(def.Name, func(t *testing.T) {
			l := load(t, def.Make)
			mail := append([]diagnose.Mail(nil), l.mail...)
			sort.SliceStable(mail, func(i, k int) bool { return mail[i].Arrival.Before(mail[k].Arrival) })
			a := l.analyzer()
			for _, ev := range l.events {
				a.AddEvent(ev)
			}
			for _, m := range mail {
				a.AddMail(m)
			}
			want := a.Report()

			b := diagnose.New(diagnose.Config{Location: l.sc.Location, Now: l.sc.Now, Lang: advice.English, SettleAfter: time.Hour})
			for _, ev := range l.events {
				b.AddEvent(ev)
			}
			step := max(1, len(mail)/5)
			for i, m := range mail {
				b.AddMail(m)
				if (i+1)%step == 0 {
					b.Settle()
				}
			}
			got := b.Report()
			settled, kept := b.Settled()
			t.Logf("%d settled, %d kept", settled, kept)
			if got.Overall != want.Overall {
				t.Errorf("overall %s, want %s", got.Overall, want.Overall)
			}
			if got.Inputs.Bounces != want.Inputs.Bounces || got.Inputs.Records != want.Inputs.Records || got.FakeBounces != want.FakeBounces {
				t.Errorf("bounces/records/fakes %d/%d/%d, want %d/%d/%d", got.Inputs.Bounces, got.Inputs.Records, got.FakeBounces,
					want.Inputs.Bounces, want.Inputs.Records, want.FakeBounces)
			}
			byAcc := map[string]diagnose.AccountReport{}
			for _, v := range want.Verdicts {
				byAcc[v.Account] = v
			}
			if len(got.Verdicts) != len(want.Verdicts) {
				t.Errorf("%d accounts, want %d", len(got.Verdicts), len(want.Verdicts))
			}
			for _, v := range got.Verdicts {
				w, ok := byAcc[v.Account]
				if !ok {
					t.Errorf("account %s not in the scan's report", v.Account)
					continue
				}
				if v.Verdict != w.Verdict || v.Bounces != w.Bounces {
					t.Errorf("%s: %s with %d bounces, want %s with %d", v.Account, v.Verdict, v.Bounces, w.Verdict, w.Bounces)
				}
				if (v.Surge == nil) != (w.Surge == nil) || v.Surge != nil && !v.Surge.Onset.Equal(w.Surge.Onset) {
					t.Errorf("%s: surge %+v, want %+v", v.Account, v.Surge, w.Surge)
				}
			}
		})
	}
}
