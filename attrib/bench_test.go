package attrib

import (
	"fmt"
	"runtime"
	"testing"
	"time"
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
