package attrib

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
)

// buildIndex adds n messages from a few hundred accounts and client IPs,
// one every 3 seconds, as a busy relay's log gives them.
func buildIndex(n int) *Index {
	ix := NewIndex(Config{Domains: []string{"example.jp"}, Relays: []string{"192.0.2.10"}})
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		t := start.Add(time.Duration(i) * 3 * time.Second)
		q := fmt.Sprintf("%011X", 0xA0000000000+i)
		ix.Add(Sent{
			QueueID:    q,
			MessageID:  "<" + t.Format("20060102150405") + "." + q + "@mail.example.jp>",
			From:       fmt.Sprintf("user%d@example.jp", i%300),
			SASLUser:   fmt.Sprintf("user%d@example.jp", i%300),
			ClientIP:   fmt.Sprintf("203.0.%d.%d", i%7, i%251),
			Host:       "mail.example.jp",
			Time:       t,
			Recipients: []string{"customer@remote.example"},
		})
	}
	return ix
}

// BenchmarkIndex1M builds an Index of 1,000,000 messages and reports the
// memory it keeps per message (bytes/entry) and in all (MB).
func BenchmarkIndex1M(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ix := buildIndex(n)
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		b.ReportMetric(kept/n, "bytes/entry")
		b.ReportMetric(kept/(1<<20), "MB")
		runtime.KeepAlive(ix)
	}
}

// BenchmarkAttribute measures attributions per second against a 1,000,000
// message Index, for a bounce found in the log and for backscatter.
func BenchmarkAttribute(b *testing.B) {
	ix := buildIndex(1_000_000)
	for _, name := range []string{"postfix-ours.eml", "backscatter.eml", "fake-docomo.eml"} {
		res := decodeFile(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = ix.Attribute(res)
			}
		})
	}
}

// BenchmarkDetectFake: the fake check per message, over this package's
// real bounces (what a flood is made of: the cost that counts) and over
// its fake notices.
func BenchmarkDetectFake(b *testing.B) {
	files, _ := filepath.Glob("testdata/*.eml")
	var real, fakes []*bounce.Result
	for _, p := range files {
		r := decodeFile(b, filepath.Base(p))
		if strings.HasPrefix(filepath.Base(p), "fake-") {
			fakes = append(fakes, r)
		} else {
			real = append(real, r)
		}
	}
	ours := []string{"example.jp"}
	for _, set := range []struct {
		name string
		rs   []*bounce.Result
	}{{"real", real}, {"fakes", fakes}} {
		b.Run(set.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for _, r := range set.rs {
					_ = DetectFake(r, ours)
					n++
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/message")
		})
	}
}
