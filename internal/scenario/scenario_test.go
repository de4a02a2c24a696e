package scenario

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/source"
)

// digest hashes every file under dir, by relative path.
func digest(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = sha256.Sum256(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeterministic: a scenario is the same bytes every time.
func TestDeterministic(t *testing.T) {
	for _, mk := range []func(string) (*Scenario, error){Mixed, HijackExim} {
		a, b := t.TempDir(), t.TempDir()
		sa, err := mk(a)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := mk(b)
		if err != nil {
			t.Fatal(err)
		}
		if sa.Stats != sb.Stats {
			t.Errorf("%s: stats differ: %+v vs %+v", sa.Name, sa.Stats, sb.Stats)
		}
		da, db := digest(t, a), digest(t, b)
		if len(da) != len(db) {
			t.Errorf("%s: %d files vs %d", sa.Name, len(da), len(db))
		}
		for k, v := range da {
			if db[k] != v {
				t.Errorf("%s: %s differs between runs", sa.Name, k)
				break
			}
		}
	}
}

// TestScenarioFiles checks that each scenario's files are what real
// systems write, as far as this repository's own readers can tell: every
// log line of Postfix or Exim understood, every notice decoded as a bounce
// with its returned message, in several formats, dated minutes after the
// message it returns.
func TestScenarioFiles(t *testing.T) {
	for _, def := range All() {
		t.Run(def.Name, func(t *testing.T) {
			sc, err := def.Make(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if sc.Name != def.Name || len(sc.Expect) == 0 || sc.Now.IsZero() || sc.Location == nil {
				t.Errorf("scenario incomplete: %+v", sc)
			}
			checkLog(t, sc)
			checkMail(t, sc)
		})
	}
}

func checkLog(t *testing.T, sc *Scenario) {
	t.Helper()
	if sc.SendLogs == nil {
		// Only a scenario that expects the log's absence may lack one.
		for _, e := range sc.Expect {
			if slices.Contains(e.Missing, advice.EvidenceSendLog) {
				return
			}
		}
		t.Error("no send log")
		return
	}
	var last time.Time
	outOfOrder, future := 0, 0
	st, err := sendlog.ReadFiles(context.Background(), sc.SendLogs, sendlog.Options{Location: sc.Location}, func(ev sendlog.Event) error {
		if ev.Time.Before(last) {
			outOfOrder++
		}
		last = ev.Time
		if ev.Time.Year() != 2026 && ev.Time.Year() > sc.lastYear && !(ev.Time.Year() == 2027 && future < sc.futureLines) {
			t.Errorf("%s: year %d", ev.Source, ev.Time.Year())
		}
		if ev.Time.Year() == 2027 && sc.lastYear < 2027 {
			future++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines != sc.Stats.LogLines {
		t.Errorf("read %d log lines, wrote %d", st.Lines, sc.Stats.LogLines)
	}
	if outOfOrder > 0 && !sc.csvLog { // a panel's export is sorted by account
		t.Errorf("%d events out of time order", outOfOrder)
	}
	// Only the other programs' lines (OpenDKIM) may be unknown.
	for _, s := range st.Samples {
		if !strings.Contains(s, " opendkim[") {
			t.Errorf("line not understood: %s", s)
		}
	}
	if st.Events < st.Lines/2 {
		t.Errorf("only %d events in %d lines", st.Events, st.Lines)
	}
}

func checkMail(t *testing.T, sc *Scenario) {
	t.Helper()
	formats := map[string]int{}
	n, bounces, late, bare, forged := 0, 0, 0, 0, 0
	err := source.Walk(context.Background(), sc.Mail, nil, func(m source.Message, err error) error {
		if err != nil {
			return err
		}
		n++
		res, err := bounce.DecodeBytes(m.Data)
		if err != nil {
			t.Errorf("%s: %v", m.Source, err)
			return nil
		}
		// Fake notices are told from the message alone (no send log):
		// every fake is flagged, no real-format bounce is.
		if f := attrib.DetectFake(res, []string{sc.Domain()}); fakeLike(m.Data) != (f != nil) {
			why := "not flagged"
			if f != nil {
				why = fmt.Sprintf("flagged %v", f.Reasons)
			}
			t.Errorf("%s (%s, %q): fake %v but %s", m.Source, res.DecodedBy, res.Subject, fakeLike(m.Data), why)
		}
		// A fake may or may not decode as a bounce (the last-resort
		// reader may read its prose); either way it is flagged above and
		// says nothing of our mail.
		if fakeLike(m.Data) {
			return nil
		}
		if res.Kind != bounce.KindBounce {
			t.Errorf("%s: not a bounce: %s", m.Source, res.Subject)
			return nil
		}
		bounces++
		formats[res.DecodedBy]++
		o := res.Original
		if sc.ReturnsNothing && (o == nil || o.MessageID == "" && len(o.Received) == 0) {
			bare++
			return nil
		}
		if o == nil || o.MessageID == "" || len(o.Received) == 0 {
			t.Errorf("%s (%s): returned message missing or without Message-ID and Received", m.Source, res.DecodedBy)
			return nil
		}
		// The notice comes minutes after the message it returns.
		sent, err1 := mail.ParseDate(o.Date)
		msg, err2 := mail.ReadMessage(bytes.NewReader(m.Data))
		if err1 != nil || err2 != nil {
			t.Errorf("%s: dates: %v %v", m.Source, err1, err2)
			return nil
		}
		got, err := msg.Header.Date()
		if err != nil {
			forged++
			return nil
		}
		if d := got.Sub(sent); d < -10*time.Minute || d > 2*time.Hour {
			late++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := sc.Stats.Bounces + sc.Stats.Fakes; n != want {
		t.Errorf("%d messages in the mailbox, want %d", n, want)
	}
	if bounces < sc.Stats.Bounces {
		t.Errorf("%d decoded as bounces, want %d", bounces, sc.Stats.Bounces)
	}
	// Only the notices a scenario forged on purpose may be dated
	// otherwise.
	if late+forged > sc.forgedNoticeDates {
		t.Errorf("%d notices dated far from the message they return, %d with no date that parses; %d forged on purpose", late, forged, sc.forgedNoticeDates)
	}
	if sc.ReturnsNothing && bare < sc.Stats.Backscatter {
		t.Errorf("%d notices return nothing of the original, want %d", bare, sc.Stats.Backscatter)
	}
	if sc.Stats.Bounces > 500 && len(formats) < 5 && !sc.ReturnsNothing {
		t.Errorf("formats %v: want at least five", formats)
	}
	t.Logf("%d messages, formats %v", n, formats)
}

// fakeLike tells the fake notices of FakeCarrier, which need not decode as
// bounces: they come from a look-alike domain, never the null sender.
func fakeLike(raw []byte) bool {
	return !bytes.HasPrefix(raw, []byte("Return-Path: <>")) && !bytes.HasPrefix(raw, []byte("Return-path: <>"))
}

// TestExpectations keeps the ground truth coherent.
func TestExpectations(t *testing.T) {
	names := map[string]bool{}
	for _, def := range All() {
		if names[def.Name] {
			t.Errorf("scenario %s twice", def.Name)
		}
		names[def.Name] = true
	}
	for _, want := range []string{"hijack", "spoof", "ordinary", "mixed", "slow-burn", "other-account", "no-sendlog", "fake-carrier", "hijack-fakes"} {
		if !names[want] {
			t.Errorf("scenario %s missing", want)
		}
	}
	if !names["hijack-exim"] {
		t.Error("no Exim scenario")
	}
}
