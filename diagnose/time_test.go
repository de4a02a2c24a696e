package diagnose_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/cli"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/report"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

func shopVerdict(t *testing.T, rep *diagnose.Report) diagnose.AccountReport {
	t.Helper()
	for _, v := range rep.Verdicts {
		if v.Account == "shop@example.jp" {
			return v
		}
	}
	t.Fatalf("no verdict for shop@example.jp: %v", accountNames(rep))
	return diagnose.AccountReport{}
}

// TestLogZoneInferred (issue 11 §5): the hijack's log is written in Tokyo
// in classic syslog lines, which carry no zone. Scanned in UTC or in New
// York, the log's clock is inferred from the messages found both in the
// log and in the bounces, and the verdict, its confidence and the sent
// volume in the surge stay what they are in Tokyo.
func TestLogZoneInferred(t *testing.T) {
	sc, err := scenario.Hijack(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	scanIn := func(loc *time.Location) *diagnose.Report {
		cfg := diagnose.Config{Location: loc, Now: sc.Now, Lang: advice.English}
		in := diagnose.Input{Mail: sc.Mail, SendLogs: sc.SendLogs, LogOptions: sendlog.Options{Location: loc}}
		rep, err := diagnose.Scan(context.Background(), in, cfg)
		if err != nil || rep == nil {
			t.Fatalf("Scan in %v: %v", loc, err)
		}
		return rep
	}
	tokyo := scanIn(sc.Location)
	ref := shopVerdict(t, tokyo)
	if z := tokyo.LogZone; z == nil || z.ReadAs != "+09:00" || z.ShiftSeconds != 0 || z.Warning != "" || z.Matched < 100 {
		t.Fatalf("in Tokyo: log_zone %+v, want +09:00 confirmed by many messages", z)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		loc   *time.Location
		shift time.Duration
	}{
		{time.UTC, -9 * time.Hour},
		{ny, -14 * time.Hour}, // EST, UTC−05:00, on 2 November
	} {
		t.Run(tc.loc.String(), func(t *testing.T) {
			rep := scanIn(tc.loc)
			v := shopVerdict(t, rep)
			if v.Verdict != ref.Verdict || math.Abs(v.Confidence-ref.Confidence) > 0.05 {
				t.Errorf("%s %.2f, in Tokyo %s %.2f; evidence %q", v.Verdict, v.Confidence, ref.Verdict, ref.Confidence, v.Evidence)
			}
			if v.SentDuringSurge == nil || v.SentDuringSurge.Observed == 0 || !v.SentDuringSurge.Jump {
				t.Errorf("sent during the surge %+v, want the jump seen in Tokyo %+v", v.SentDuringSurge, ref.SentDuringSurge)
			}
			if v.SentDuringSurge != nil && ref.SentDuringSurge != nil && math.Abs(v.SentDuringSurge.Observed-ref.SentDuringSurge.Observed) > 0.05*ref.SentDuringSurge.Observed {
				t.Errorf("sent during the surge %.0f, in Tokyo %.0f", v.SentDuringSurge.Observed, ref.SentDuringSurge.Observed)
			}
			z := rep.LogZone
			if z == nil || z.ReadAs != "+09:00" || time.Duration(z.ShiftSeconds)*time.Second != tc.shift || z.Warning == "" {
				t.Fatalf("log_zone %+v, want read as +09:00, shifted by %v, with a warning", z, tc.shift)
			}
			if !strings.Contains(z.Warning, tc.loc.String()) {
				t.Errorf("the warning does not name the zone given: %q", z.Warning)
			}
			var text bytes.Buffer
			if err := report.Text(&text, rep); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), "read as UTC+09:00") {
				t.Errorf("the text report does not say how the log was read:\n%.1500s", text.String())
			}
		})
	}
}

// TestForgedDates (issue 11 §6): bounces dated 2037, 9999-12-31, 1970 and
// year 1, and log lines in the future, among the hijack's: the verdict and
// its confidence stay those of the hijack, the dates are counted as
// ignored, and every output format is written.
func TestForgedDates(t *testing.T) {
	plain, err := scenario.Hijack(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ref := shopVerdict(t, scanScenario(t, plain))
	sc, err := scenario.ForgedDates(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rep := scanScenario(t, sc)
	v := shopVerdict(t, rep)
	if v.Verdict != ref.Verdict || math.Abs(v.Confidence-ref.Confidence) > 0.05 || v.Surge == nil {
		t.Errorf("%s %.2f (surge %v), the hijack alone %s %.2f", v.Verdict, v.Confidence, v.Surge, ref.Verdict, ref.Confidence)
	}
	tm := rep.Inputs.Times
	if tm.ClaimedImplausible < 6 || tm.StrayLog != 2 || len(tm.Samples) == 0 {
		t.Errorf("times %+v: want the 6 forged dates ignored and the 2 messages logged at the year's end stray", tm)
	}
	for _, s := range tm.Samples {
		if !strings.Contains(s, "Maildir") || !strings.Contains(s, "ignored") {
			t.Errorf("sample %q does not name its message", s)
		}
	}
	if tm.Received+tm.Arrival != rep.Inputs.Bounces-rep.Inputs.Undated || tm.Arrival < 1 {
		t.Errorf("times %+v for %d bounces (%d undated): each must be placed by a trace of ours, one by its Maildir name", tm, rep.Inputs.Bounces, rep.Inputs.Undated)
	}
	for _, ts := range []time.Time{rep.Period.From, rep.Period.To, rep.Period.BouncesTo, rep.Period.LogTo, rep.Series.Start} {
		if ts.Year() != 2026 {
			t.Errorf("period %+v reaches %v", rep.Period, ts)
		}
	}
	if n := len(rep.Series.Bounced); n > sc.MaxPeriodHours {
		t.Errorf("series of %d hours", n)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("JSON: %v", err)
	}
	var b bytes.Buffer
	if err := report.Text(&b, rep); err != nil || b.Len() == 0 {
		t.Errorf("text: %v (%d bytes)", err, b.Len())
	}
	b.Reset()
	if err := report.HTML(&b, rep); err != nil || b.Len() == 0 {
		t.Errorf("HTML: %v (%d bytes)", err, b.Len())
	}
	// The command line, as a user runs it (its clock is the machine's).
	for _, format := range []string{"json", "html", "text"} {
		args := []string{"scan", "--format", format, "--tz", "Asia/Tokyo", "--lang", "en"}
		for _, m := range sc.Mail {
			args = append(args, "--mail", m)
		}
		for _, l := range sc.SendLogs {
			args = append(args, "--sendlog", l)
		}
		var stdout, stderr bytes.Buffer
		code := cli.Main(context.Background(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
		if code != 0 || stdout.Len() == 0 {
			t.Errorf("--format %s: exit %d, %d bytes; stderr:\n%s", format, code, stdout.Len(), stderr.String())
		}
		if format == "json" {
			var doc struct {
				Overall string `json:"overall"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || doc.Overall != string(advice.Hijacked) {
				t.Errorf("--format json: %v, overall %q", err, doc.Overall)
			}
		}
	}
}

// TestExtremeDates: whatever the dates of the bounces and of the log —
// 9999-12-31, year 1, 1970, 2037, absurd offsets — with nothing to place
// them by, the report is written in every format and its window is not
// moved.
func TestExtremeDates(t *testing.T) {
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	a := diagnose.New(diagnose.Config{Location: time.UTC, Now: now, Lang: advice.English})
	for _, ts := range []time.Time{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), time.Unix(0, 0)} {
		a.AddEvent(sendlog.Event{Time: ts, Kind: sendlog.Accept, QueueID: "Q" + ts.Format("2006"), From: "shop@example.jp"})
	}
	for i, d := range []string{
		"Fri, 31 Dec 9999 23:59:59 +0000", "Mon, 1 Jan 0001 00:00:00 +0000", "Thu, 1 Jan 1970 00:00:00 +0000",
		"Thu, 31 Dec 2037 10:00:00 -2359", "Fri, 31 Dec 9999 23:59:59 -1200", "Mon, 2 Nov 2026 09:00:00 +0000",
	} {
		raw := "From: MAILER-DAEMON@remote.example\nTo: shop@example.jp\nDate: " + d + "\nSubject: Undelivered Mail Returned to Sender\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nfailed\n\n--b\n" +
			"Content-Type: message/delivery-status\n\nReporting-MTA: dns; remote.example\nArrival-Date: " + d + "\n\nFinal-Recipient: rfc822; x@remote.example\nAction: failed\nStatus: 5.1.1\n\n--b--\n"
		res, err := bounce.DecodeBytes([]byte(raw))
		if res == nil {
			t.Fatalf("%d: %v", i, err)
		}
		a.AddMail(diagnose.Mail{Source: "m" + string(rune('0'+i)), Result: res, Err: err})
	}
	rep := a.Report()
	if rep.Inputs.Times.ClaimedImplausible != 5 || rep.Inputs.Times.Claimed != 1 || rep.Inputs.Times.LogUndated != 3 {
		t.Errorf("times %+v: want 5 claimed dates ignored, 1 used, 3 log events undated", rep.Inputs.Times)
	}
	if rep.Period.From.Year() != 2026 || rep.Period.Hours > 2 {
		t.Errorf("period %+v", rep.Period)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Errorf("JSON: %v", err)
	}
	var b bytes.Buffer
	if err := report.Text(&b, rep); err != nil {
		t.Errorf("text: %v", err)
	}
	if err := report.HTML(&b, rep); err != nil {
		t.Errorf("HTML: %v", err)
	}
}

// dsnAt is a minimal DSN for shop@example.jp that reached our MX at t.
func dsnAt(t *testing.T, at time.Time, n int) *bounce.Result {
	t.Helper()
	d := at.Format("Mon, 2 Jan 2006 15:04:05 -0700")
	raw := fmt.Sprintf("Received: from mx.remote.example (mx.remote.example [192.0.2.9]) by mail.example.jp (Postfix) with ESMTPS id Q%06d; %s\n"+
		"From: MAILER-DAEMON@remote.example\nTo: shop@example.jp\nDate: %s\nSubject: Undelivered Mail Returned to Sender\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\nContent-Type: text/plain\n\nfailed\n\n--b\n"+
		"Content-Type: message/delivery-status\n\nReporting-MTA: dns; remote.example\n\nFinal-Recipient: rfc822; u%d@remote.example\nAction: failed\nStatus: 5.1.1\n\n--b\n"+
		"Content-Type: text/rfc822-headers\n\nFrom: shop@example.jp\nTo: u%d@remote.example\nSubject: hello\nMessage-ID: <m%d@example.jp>\n\n--b--\n", n, d, d, n, n, n)
	res, err := bounce.DecodeBytes([]byte(raw))
	if res == nil {
		t.Fatalf("decoding: %v", err)
	}
	return res
}

// TestLiveFloodMinutesIn (issue 11 §3): a watch that reports ten minutes
// into the hour, three minutes into a flood, sees it, its onset to the
// minute; the same counts judged as a whole hour are no surge.
func TestLiveFloodMinutesIn(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	flood := start.Add(4*24*time.Hour + 9*time.Hour + 7*time.Minute)
	mk := func(now time.Time) *diagnose.Analyzer {
		a := diagnose.New(diagnose.Config{Location: time.UTC, Now: now, Lang: advice.English, Attrib: attrib.Config{Domains: []string{"example.jp"}}})
		n := 0
		// Four days of 24 bounces an hour (a large shop's everyday
		// failures), then 30 in three minutes: a flood, though a whole
		// hour with 33 would be ordinary.
		for m := 0; start.Add(time.Duration(m) * time.Minute).Before(flood); m += 2 {
			if m%5 == 0 {
				continue
			}
			n++
			a.AddMail(diagnose.Mail{Source: fmt.Sprint("h", n), Result: dsnAt(t, start.Add(time.Duration(m)*time.Minute+17*time.Second), n)})
		}
		for i := range 30 {
			n++
			a.AddMail(diagnose.Mail{Source: fmt.Sprint("f", n), Result: dsnAt(t, flood.Add(time.Duration(i)*6*time.Second), n)})
		}
		return a
	}
	live := mk(flood.Add(3 * time.Minute)).Report()
	if live.Surge == nil {
		t.Fatalf("three minutes into the flood: no surge (series ends %v)", live.Period.To)
	}
	if d := live.Surge.Onset.Sub(flood); live.Surge.OnsetPrecision != "minute" || d < -2*time.Minute || d > 2*time.Minute {
		t.Errorf("onset %v (%s), the flood began at %v", live.Surge.Onset, live.Surge.OnsetPrecision, flood)
	}
	// Reported hours later with nothing more, the hour is whole.
	if late := mk(flood.Add(3 * time.Hour)).Report(); late.Surge != nil {
		t.Errorf("33 bounces in a whole hour against 24 an hour: surge %+v", *late.Surge)
	}
}

// TestLogWrongYear (issue 11 §6): a year-less syslog file whose
// modification time was changed (copied a year later) gets its lines put
// in the wrong year; the messages found in both put them back.
func TestLogWrongYear(t *testing.T) {
	sc, err := scenario.Hijack(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	later := sc.Now.AddDate(1, 0, 0)
	for _, l := range sc.SendLogs {
		if err := os.Chtimes(l, later, later); err != nil {
			t.Fatal(err)
		}
	}
	rep := scanScenario(t, sc)
	v := shopVerdict(t, rep)
	if v.Verdict != advice.Hijacked || v.SentDuringSurge == nil || !v.SentDuringSurge.Jump {
		t.Errorf("%s %.2f, sent in the surge %+v; evidence %q", v.Verdict, v.Confidence, v.SentDuringSurge, v.Evidence)
	}
	if z := rep.LogZone; z == nil || time.Duration(z.ShiftSeconds)*time.Second != -365*24*time.Hour || z.DaysOff != 365 || z.ReadAs != "+09:00" {
		t.Errorf("log_zone %+v, want the log moved back a year", z)
	}
	if rep.Period.LogFrom.Year() != 2026 || rep.Period.Hours > 8*24 {
		t.Errorf("period %+v", rep.Period)
	}
}
