package sendlog_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bouncewatch/bouncewatch/sendlog"
)

// Read the real Postfix log (rotated siblings would be ordered oldest first
// and gunzipped), join it into messages, and show who sent each one and
// what bounced.
func Example() {
	var j sendlog.Joiner
	stats, err := sendlog.ReadFiles(context.Background(), []string{"testdata/postfix-real.log"},
		sendlog.Options{Reference: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Location: time.UTC},
		func(ev sendlog.Event) error {
			j.Add(ev)
			return nil
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range j.Flush() {
		if m.From == "" {
			continue // a notification we generated
		}
		who := m.SASLUser
		if who == "" {
			who = m.LocalUser
		}
		bounced := 0
		for _, d := range m.Recipients {
			if d.Status == "bounced" || d.Status == "expired" {
				bounced++
			}
		}
		fmt.Printf("%s %s from=%s by=%s rcpts=%d bounced=%d notifications=%d\n",
			m.Time.Format("15:04:05"), m.QueueID, m.From, who, len(m.Recipients), bounced, len(m.BounceIDs))
	}
	fmt.Printf("%d lines, %d events, %d ignored, %d unknown\n", stats.Lines, stats.Events, stats.Ignored, stats.Unknown)
	// Output:
	// 18:48:42 C9386BA484 from=shop@example.jp by=shop@example.jp rcpts=3 bounced=1 notifications=1
	// 18:48:42 D6539BA48C from=shop@example.jp by=shop@example.jp rcpts=1 bounced=1 notifications=1
	// 19:04:08 3AF76BA495 from=shop@example.jp by=uid=33 rcpts=2 bounced=1 notifications=1
	// 18:48:48 7F450BA490 from=shop@example.jp by=shop@example.jp rcpts=1 bounced=1 notifications=1
	// 66 lines, 50 events, 16 ignored, 0 unknown
}
