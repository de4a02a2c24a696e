package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/source"
	"github.com/bouncewatch/bouncewatch/store"
)

// demoItem is one log line or message of a scenario, at its time.
type demoItem struct {
	at   time.Time
	line *ingest.LogLine
	mail *ingest.Mail
}

// runDemoServe writes a built-in scenario, stores its history at once and
// streams the rest live on an accelerated clock, with the service running
// on a store in a temporary directory: an incident opens within a minute.
func runDemoServe(ctx context.Context, c *serveConfig, name string, speed float64, env Env, log *slog.Logger, ml advice.Lang) int {
	var mk func(string) (*scenario.Scenario, error)
	var names []string
	for _, d := range scenario.All() {
		names = append(names, d.Name)
		if d.Name == name {
			mk = d.Make
		}
	}
	if mk == nil {
		say(env.Stderr, "serve --demo", ml, msgDemoNoScenario, name, strings.Join(names, ", "))
		return 2
	}
	if speed <= 0 {
		say(env.Stderr, "serve --demo", ml, msgDemoSpeed)
		return 2
	}
	dir, err := os.MkdirTemp("", "bouncewatch-serve-demo-")
	if err != nil {
		say(env.Stderr, "serve --demo", ml, msgPlain, err)
		return 1
	}
	defer os.RemoveAll(dir)
	sc, err := mk(filepath.Join(dir, "scenario"))
	if err != nil {
		say(env.Stderr, "serve --demo", ml, msgPlain, err)
		return 1
	}
	items, err := demoItems(ctx, sc)
	if err != nil {
		say(env.Stderr, "serve --demo", ml, msgPlain, err)
		return 1
	}
	c.Store = "sqlite:" + filepath.Join(dir, "bouncewatch.db")
	c.TZ = sc.Location.String()
	if c.Detect.Interval == 0 {
		c.Detect.Interval = 2 * time.Second
	}
	// The history before the trouble is stored at once; the clock starts
	// a quarter of an hour before the onset.
	start := scenario.Onset().Add(-15 * time.Minute)
	realStart := time.Now()
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return start.Add(time.Duration(float64(time.Since(realStart)) * speed))
	}
	out := env.Stdout
	var outMu sync.Mutex
	onChange := func(in *store.Incident, change string) {
		outMu.Lock()
		defer outMu.Unlock()
		t := clock().In(sc.Location).Format("01-02 15:04")
		fmt.Fprintf(out, msgDemoIncident.in(ml)+"\n", t, in.ID, changeIn(ml, change), in.Account, in.Verdict,
			100*in.Confidence, in.Onset.In(sc.Location).Format("15:04"))
		for i, e := range in.Evidence {
			if i == 2 {
				break
			}
			fmt.Fprintf(out, "    %s\n", e)
		}
	}
	env.Getenv = demoEnv(env.Getenv)
	svc, code := newService(ctx, c, env, log, clock, onChange)
	if svc == nil {
		return code
	}
	// History first, at once.
	i := 0
	for ; i < len(items) && items[i].at.Before(start); i++ {
	}
	if err := putItems(ctx, svc.st, items[:i]); err != nil {
		say(env.Stderr, "serve --demo", ml, msgPlain, err)
		svc.st.Close()
		return 1
	}
	rest := items[i:]
	say(out, "serve --demo", ml, msgDemoScenario, sc.Name, sc.About)
	fmt.Fprintf(out, msgDemoClock.in(ml)+"\n", speed,
		start.In(sc.Location).Format("2006-01-02 15:04 MST"), time.Duration(float64(time.Hour)/speed).Round(time.Second))
	fmt.Fprintf(out, "API: curl -H 'Authorization: Bearer %s' http://%s/api/v1/incidents\n", svc.token, svc.ln.Addr())
	fmt.Fprintf(out, msgDemoDashboard.in(ml)+"\n", svc.ln.Addr())
	fmt.Fprintln(out, msgDemoWatch.in(ml))
	svc.extra = func(ctx context.Context) {
		for len(rest) > 0 {
			now := clock()
			n := 0
			for n < len(rest) && !rest[n].at.After(now) {
				n++
			}
			if n > 0 {
				if err := putItems(ctx, &pokingSink{st: svc.st, det: svc.det}, rest[:n]); err != nil {
					if ctx.Err() == nil {
						log.Error("demo feed", "err", err)
					}
					return
				}
				rest = rest[n:]
				continue
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
		outMu.Lock()
		fmt.Fprintln(out, msgDemoOver.in(ml))
		outMu.Unlock()
	}
	return svc.run(ctx)
}

// demoEnv gives the demo its own API token, so that it never touches the
// token file of a real installation.
func demoEnv(getenv func(string) string) func(string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	return func(k string) string {
		switch k {
		case "BOUNCEWATCH_API_TOKEN":
			if v := getenv(k); v != "" {
				return v
			}
			return tok
		case "BOUNCEWATCH_API_TOKEN_FILE":
			return ""
		}
		return getenv(k)
	}
}

func putItems(ctx context.Context, sink ingest.Sink, items []demoItem) error {
	var lines []ingest.LogLine
	for _, it := range items {
		if it.line != nil {
			lines = append(lines, *it.line)
			continue
		}
		if len(lines) > 0 {
			if err := sink.PutLogLines(ctx, lines); err != nil {
				return err
			}
			lines = nil
		}
		if err := sink.PutMail(ctx, *it.mail); err != nil {
			return err
		}
	}
	if len(lines) > 0 {
		return sink.PutLogLines(ctx, lines)
	}
	return nil
}

// demoItems reads a scenario's log lines and messages with their times,
// in time order.
func demoItems(ctx context.Context, sc *scenario.Scenario) ([]demoItem, error) {
	var items []demoItem
	for _, path := range sendlog.SortRotated(sc.SendLogs) {
		times := map[int]time.Time{}
		if _, err := sendlog.ReadFiles(ctx, []string{path}, sendlog.Options{Location: sc.Location}, func(ev sendlog.Event) error {
			if !ev.Time.IsZero() {
				times[ev.Line] = ev.Time
			}
			return nil
		}); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var last time.Time
		for n, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			if t, ok := times[n+1]; ok {
				last = t
			}
			if line == "" || last.IsZero() {
				continue
			}
			items = append(items, demoItem{at: last, line: &ingest.LogLine{Source: "file:" + path, Position: strconv.Itoa(n + 1),
				Received: last, Line: line}})
		}
	}
	err := source.Walk(ctx, sc.Mail, nil, func(m source.Message, err error) error {
		if err != nil {
			return nil
		}
		at := m.Arrival
		if at.IsZero() {
			if res, _ := bounce.DecodeBytes(m.Data); res != nil {
				at, _ = res.Time()
			}
		}
		if at.IsZero() {
			return nil
		}
		items = append(items, demoItem{at: at, mail: &ingest.Mail{Source: "demo:" + sc.Name, Position: m.Source, Arrival: at, Data: m.Data}})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at.Before(items[j].at) })
	return items, nil
}
