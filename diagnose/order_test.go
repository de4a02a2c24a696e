package diagnose_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/source"
)

// loaded is a scenario's input in memory: the log's events in log order
// and the decoded mail.
type loaded struct {
	sc     *scenario.Scenario
	events []sendlog.Event
	mail   []diagnose.Mail
}

func load(t testing.TB, def func(string) (*scenario.Scenario, error)) *loaded {
	t.Helper()
	sc, err := def(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	l := &loaded{sc: sc}
	if len(sc.SendLogs) > 0 {
		if _, err := sendlog.ReadFiles(context.Background(), sc.SendLogs, sendlog.Options{Location: sc.Location}, func(ev sendlog.Event) error {
			l.events = append(l.events, ev)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := source.Walk(context.Background(), sc.Mail, nil, func(m source.Message, err error) error {
		if err != nil {
			return err
		}
		res, derr := bounce.DecodeBytes(m.Data)
		l.mail = append(l.mail, diagnose.Mail{Source: m.Source, Arrival: m.Arrival, Result: res, Err: derr})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *loaded) analyzer() *diagnose.Analyzer {
	return diagnose.New(diagnose.Config{Location: l.sc.Location, Now: l.sc.Now, Lang: advice.English})
}

func reportJSON(t *testing.T, r *diagnose.Report) []byte {
	t.Helper()
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// feed gives the analyzer the log and the mail interleaved: the log in
// its own order (as a file is read), the mail in the order given, the
// next item taken from the log with probability pLog. reports asks for a
// report after that many items (mid-stream reports must change nothing).
func (l *loaded) feed(a *diagnose.Analyzer, mail []diagnose.Mail, pLog float64, rng *rand.Rand, reports ...int) {
	i, k, n := 0, 0, 0
	for i < len(l.events) || k < len(mail) {
		if k >= len(mail) || i < len(l.events) && rng.Float64() < pLog {
			a.AddEvent(l.events[i])
			i++
		} else {
			a.AddMail(mail[k])
			k++
		}
		n++
		for _, r := range reports {
			if r == n {
				_ = a.Report()
			}
		}
	}
}

func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return fmt.Sprintf("line %d: %s  ≠  %s", i+1, la[i], lb[i])
		}
	}
	return "lengths differ"
}

// TestOrderIndependent feeds the same scenarios log first, mail first,
// and randomly interleaved (mail shuffled), with reports asked for
// mid-stream, and wants the same final report each time: the live
// service sees bounces before the log lines of their messages.
func TestOrderIndependent(t *testing.T) {
	for _, tc := range []struct {
		name string
		def  func(string) (*scenario.Scenario, error)
	}{
		{"hijack", scenario.Hijack},
		{"mixed", scenario.Mixed},
		{"spoof", scenario.Spoof},
		{"hosting-no-log", scenario.HostingNoLog},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := load(t, tc.def)
			rng := rand.New(rand.NewPCG(7, 11))

			a := l.analyzer()
			l.feed(a, l.mail, 1, rng)
			want := reportJSON(t, a.Report())

			orders := []struct {
				name    string
				pLog    float64
				shuffle bool
				reports []int
			}{
				{"mail first", 0, false, nil},
				{"mail first, shuffled, reports mid-stream", 0, true, []int{len(l.mail) / 2, len(l.mail) + len(l.events)/3}},
				{"interleaved", 0.5, true, nil},
				{"interleaved, reports mid-stream", 0.9, true, []int{100, 5000, 20000}},
			}
			for _, o := range orders {
				mail := l.mail
				if o.shuffle {
					mail = append([]diagnose.Mail(nil), l.mail...)
					rng.Shuffle(len(mail), func(i, k int) { mail[i], mail[k] = mail[k], mail[i] })
				}
				a := l.analyzer()
				l.feed(a, mail, o.pLog, rng, o.reports...)
				got := reportJSON(t, a.Report())
				if !bytes.Equal(got, want) {
					t.Errorf("%s: the report differs from the log-first one: %s", o.name, firstDiff(got, want))
				}
				// A second report changes nothing.
				if again := reportJSON(t, a.Report()); !bytes.Equal(again, got) {
					t.Errorf("%s: a second report differs: %s", o.name, firstDiff(again, got))
				}
			}
			var r diagnose.Report
			if err := json.Unmarshal(want, &r); err != nil {
				t.Fatal(err)
			}
			for _, e := range l.sc.Expect {
				for _, v := range r.Verdicts {
					if v.Account == e.Account && e.Verdict != "" && v.Verdict != e.Verdict {
						t.Errorf("%s: %s, want %s", v.Account, v.Verdict, e.Verdict)
					}
				}
			}
		})
	}
}

// TestBounceBeforeItsLogLine: a report made when the bounces came but not
// yet the log counts them as not found in the log; once the log arrives
// the next report finds them there.
func TestBounceBeforeItsLogLine(t *testing.T) {
	l := load(t, scenario.Hijack)
	a := l.analyzer()
	for _, m := range l.mail {
		a.AddMail(m)
	}
	before := a.Report()
	for _, ev := range l.events {
		a.AddEvent(ev)
	}
	after := a.Report()
	inLog := func(r *diagnose.Report) int {
		n := 0
		for _, v := range r.Verdicts {
			n += v.BouncesInLog
		}
		return n
	}
	if inLog(before) != 0 {
		t.Errorf("%d bounces found in a log not given yet", inLog(before))
	}
	if inLog(after) < l.sc.Stats.BouncesOurs*9/10 {
		t.Errorf("after the log: %d bounces found in it, want most of %d", inLog(after), l.sc.Stats.BouncesOurs)
	}
	if after.Overall != advice.Hijacked {
		t.Errorf("overall %s after the log, want hijacked", after.Overall)
	}
}
