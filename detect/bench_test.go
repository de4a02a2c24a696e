package detect_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/alert"
	"github.com/bouncewatch/bouncewatch/backfill"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/source"
	"github.com/bouncewatch/bouncewatch/store"
)

// BenchmarkSurgeToWebhook measures, as serve runs them (detector with its
// debounce, alert dispatcher, a loopback webhook), the time from storing
// the bounce that makes the hijack scenario's surge significant to the
// webhook receiving the incident. The week of history and the log up to
// the present are stored first; the flood's bounces then arrive one by
// one, each waited for. Run it with
//
//	go test -run '^$' -bench SurgeToWebhook -benchtime 3x ./detect/
func BenchmarkSurgeToWebhook(b *testing.B) {
	dir := b.TempDir()
	sc, err := scenario.Hijack(filepath.Join(dir, "sc"))
	if err != nil {
		b.Fatal(err)
	}
	present := scenario.Onset().Add(40 * time.Minute)
	// The log as it stood at the present.
	logPath := filepath.Join(dir, "mail.log")
	cutLog(b, sc, present, logPath)
	var history, flood []ingest.Mail
	err = source.Walk(context.Background(), sc.Mail, nil, func(m source.Message, err error) error {
		if err != nil || m.Arrival.After(present) {
			return nil
		}
		im := ingest.Mail{Source: "maildir", Position: m.Source, Arrival: m.Arrival, Data: m.Data}
		if m.Arrival.Before(scenario.Onset()) {
			history = append(history, im)
		} else {
			flood = append(flood, im)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sort.Slice(flood, func(i, j int) bool { return flood[i].Arrival.Before(flood[j].Arrival) })
	var total time.Duration
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		ctx, cancel := context.WithCancel(context.Background())
		st, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "bw.db"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := backfill.Logs(ctx, st, []string{logPath}, nil); err != nil {
			b.Fatal(err)
		}
		for _, m := range history {
			if err := st.PutMail(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
		got := make(chan time.Time, 10)
		hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got <- time.Now() }))
		hooks := []alert.Webhook{{URL: hook.URL}}
		disp := &alert.Dispatcher{Store: st, Webhooks: hooks}
		r := &alert.Renderer{Webhooks: hooks, Lang: advice.English}
		cfg := diagnose.Config{Location: sc.Location, Now: present, Lang: advice.English}
		d := detect.New(st, detect.Config{Analyzer: cfg, Now: func() time.Time { return present }, Debounce: 100 * time.Millisecond,
			Interval: time.Hour, Alerts: r.Alerts, OnChange: func(*store.Incident, string) { disp.Poke() }})
		go d.Run(ctx)
		go disp.Run(ctx)
		waitPasses(b, d, 1)
		var sentAt time.Time
		var at time.Time
	feed:
		for _, m := range flood {
			_, passes := d.LastPass()
			sentAt = time.Now()
			if err := st.PutMail(ctx, m); err != nil {
				b.Fatal(err)
			}
			d.Poke()
			waitPasses(b, d, passes+1)
			select {
			case at = <-got:
				break feed
			case <-time.After(50 * time.Millisecond):
			}
		}
		if at.IsZero() {
			select {
			case at = <-got:
			case <-time.After(5 * time.Second):
				b.Fatal("no webhook: the flood did not open an incident")
			}
		}
		total += at.Sub(sentAt)
		cancel()
		hook.Close()
		st.Close()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/surge-to-webhook")
}

func waitPasses(b *testing.B, d *detect.Detector, n int) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, p := d.LastPass(); p >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Fatalf("the detector made no pass %d", n)
}

// cutLog writes the lines of the scenario's log dated up to t.
func cutLog(b *testing.B, sc *scenario.Scenario, t time.Time, out string) {
	last := 0
	_, err := sendlog.ReadFiles(context.Background(), sc.SendLogs, sendlog.Options{Location: sc.Location}, func(ev sendlog.Event) error {
		if !ev.Time.After(t) {
			last = ev.Line
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(sc.SendLogs[0])
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	if err := os.WriteFile(out, []byte(strings.Join(lines[:last], "")), 0o644); err != nil {
		b.Fatal(err)
	}
	// The file's time dates the year-less syslog stamps, as in production.
	os.Chtimes(out, t, t)
}
