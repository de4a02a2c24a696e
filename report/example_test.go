package report_test

import (
	"os"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/report"
)

func ExampleText() {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	bounced := make([]float64, 24)
	sent := make([]float64, 24)
	for h := range 24 {
		bounced[h], sent[h] = 1, 10
		if h >= 14 && h < 18 {
			bounced[h], sent[h] = 120, 900 // spam leaving through our server
		}
	}
	series := diagnose.Series{Start: start, Bounced: bounced, Sent: sent}
	surge := &diagnose.SurgeSummary{Onset: start.Add(14 * time.Hour), End: start.Add(18 * time.Hour),
		Peak: start.Add(15 * time.Hour), PeakPerHour: 120, BaselinePerHour: 1}
	r := &diagnose.Report{
		GeneratedAt: start.Add(20 * time.Hour), Lang: advice.English,
		Period:  diagnose.Period{From: start, To: start.Add(24 * time.Hour), Hours: 24},
		Domains: []string{"example.jp"}, Overall: advice.Hijacked, Surge: surge, Series: series,
		Verdicts: []diagnose.AccountReport{{
			Account: "shop@example.jp", Verdict: advice.Hijacked, Confidence: 0.9,
			Evidence: []string{"Our server sent 3,600 messages for this account in 4 hours, against 40 expected"},
			Bounces:  500, BouncesOurs: 480, BouncesUnknown: 20, Sent: 3800, Surge: surge, Series: series,
			Plan: []advice.Step{{Title: "Change the password of shop@example.jp now", Urgent: true,
				Why: "Someone sends spam with it.", How: "Use `bouncewatch passgen`."}},
		}},
		Inputs: diagnose.Inputs{Messages: 500, Bounces: 500, Records: 500,
			Log: diagnose.LogStats{Files: 1, Lines: 21000, Events: 20500, Messages: 4100, Format: "postfix"}},
	}
	if err := report.Text(os.Stdout, r); err != nil {
		panic(err)
	}
	// Output:
	// Bounce report: Hijacked account [hijacked]
	// ==========================================
	// Spam is leaving through our own server with an account's stolen password. Act now: follow the plan.
	//
	// Period: 2026-11-02 00:00 UTC to 2026-11-03 00:00 UTC (24 hours)
	// Our domains: example.jp
	// Generated: 2026-11-02 20:00 UTC
	//
	// Verdicts by account (1)
	// -----------------------
	//
	// 1. shop@example.jp — Hijacked account [hijacked], confidence 90%
	//    Bounces: 500 (ours 480 / not ours 0 / unknown 20)
	//    Sent: 3,800
	//    Surge: 2026-11-02 14:00 UTC to 18:00 UTC, peak 120/h at 15:00 UTC, baseline 1/h
	//    Per hour, 2026-11-02 00:00 UTC — 2026-11-03 00:00 UTC (one mark = 1 hour)
	//    ▂▂▂▂▂▂▂▂▂▂▂▂▂▂████▂▂▂▂▂▂  bounces/h, max 120/h
	//    ▂▂▂▂▂▂▂▂▂▂▂▂▂▂████▂▂▂▂▂▂  sent/h, max 900/h
	//                  ^~~~        surge
	//    Evidence:
	//    - Our server sent 3,600 messages for this account in 4 hours, against 40 expected
	//    What to do:
	//    1. [URGENT] Change the password of shop@example.jp now
	//       Why: Someone sends spam with it.
	//       How: Use `bouncewatch passgen`.
	//
	// Bounces and sent mail per hour, all accounts
	// --------------------------------------------
	// Surge: 2026-11-02 14:00 UTC to 18:00 UTC, peak 120/h at 15:00 UTC, baseline 1/h
	// Per hour, 2026-11-02 00:00 UTC — 2026-11-03 00:00 UTC (one mark = 1 hour)
	// ▂▂▂▂▂▂▂▂▂▂▂▂▂▂████▂▂▂▂▂▂  bounces/h, max 120/h
	// ▂▂▂▂▂▂▂▂▂▂▂▂▂▂████▂▂▂▂▂▂  sent/h, max 900/h
	//               ^~~~        surge
	//
	// What was read:
	//    Mail: 500 messages: 500 bounces (500 recipients), 0 failed
	//    Send log: 1 file, 21,000 lines [postfix]: 20,500 events, 4,100 outbound messages, 0 ignored, 0
	//       not understood
}
