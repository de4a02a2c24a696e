package diagnose_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

// largeScenario returns the benchmark's scenario, generating it once into
// a directory of the system's temporary directory named by its size and
// reusing it afterwards (generating takes longer than scanning).
func largeScenario(b *testing.B, bounces, lines int) *scenario.Scenario {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("bouncewatch-bench-scan-%d-%d-v2", bounces, lines))
	marker := filepath.Join(dir, "scenario.json")
	var sc scenario.Scenario
	if data, err := os.ReadFile(marker); err == nil && json.Unmarshal(data, &sc) == nil && len(sc.Mail) > 0 {
		sc.Location = scenario.Tokyo()
		return &sc
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	got, err := scenario.Large(dir, bounces, lines)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %s in %v: %+v", dir, time.Since(start).Round(time.Second), got.Stats)
	loc := got.Location
	got.Location = nil // not JSON; always Tokyo
	data, err := json.Marshal(got)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(marker, data, 0o644); err != nil {
		b.Fatal(err)
	}
	got.Location = loc
	return got
}

// peakRSS returns the process's peak resident set (VmHWM) in bytes, or 0
// where /proc does not tell.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// resetPeakRSS restarts VmHWM from the current resident set (Linux 4.0+:
// writing 5 to clear_refs), so that the generation before the benchmark
// does not count.
func resetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// heapPeak samples the Go heap in use until stop is closed.
func heapPeak(stop <-chan struct{}) func() uint64 {
	var mu sync.Mutex
	var peak uint64
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			mu.Lock()
			peak = max(peak, s[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// BenchmarkScan scans 100,000 bounces (one mbox, mixed formats: a hijack
// and a forgery at once on a hosting server) against about 1,000,000
// Postfix log lines, on every core. The target: under 20 s and
// under 500 MB on a 2-core machine. Run it with make bench-scan.
func BenchmarkScan(b *testing.B) {
	const bounces, lines = 100_000, 1_000_000
	sc := largeScenario(b, bounces, lines)
	runtime.GC()
	debug.FreeOSMemory()
	rssReset := resetPeakRSS() == nil
	if !rssReset {
		b.Log("could not reset VmHWM: peak_rss_MB includes the generation")
	}
	stop := make(chan struct{})
	peak := heapPeak(stop)
	cfg := diagnose.Config{Location: sc.Location, Now: sc.Now, Lang: advice.English}
	in := diagnose.Input{Mail: sc.Mail, SendLogs: sc.SendLogs, LogOptions: sendlog.Options{Location: sc.Location}}
	var rep *diagnose.Report
	b.ResetTimer()
	for range b.N {
		var err error
		rep, err = diagnose.Scan(context.Background(), in, cfg)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	per := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rep.Inputs.Bounces)/per, "bounces/s")
	b.ReportMetric(float64(rep.Inputs.Log.Lines)/per, "loglines/s")
	b.ReportMetric(per, "s/scan")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak_rss_MB")
	b.ReportMetric(float64(peak())/(1<<20), "peak_heap_MB")
	b.Logf("%d messages (%d bounces), %d log lines; stats %+v", rep.Inputs.Messages, rep.Inputs.Bounces, rep.Inputs.Log.Lines, sc.Stats)
	for _, want := range sc.Expect {
		for _, v := range rep.Verdicts {
			if v.Account == want.Account {
				b.Logf("%s: %s %.2f, %d bounces (ours %d, not ours %d)", v.Account, v.Verdict, v.Confidence, v.Bounces, v.BouncesOurs, v.BouncesNotOurs)
				if v.Verdict != want.Verdict {
					b.Errorf("%s: verdict %s, want %s; signals %v", v.Account, v.Verdict, want.Verdict, v.Signals)
				}
			}
		}
	}
}
