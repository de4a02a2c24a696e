package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/internal/pgtest"
)

// BenchmarkIngestSQLite and BenchmarkIngestPostgres measure sustained
// ingest of distinct bounces as serve does it — decode once, the
// analyzer's digest, compress, group commit (each PutMail returns once
// its transaction committed) — from 16 concurrent callers, as the live
// sources and import call PutMail; b.N is the number of bounces. Beside
// the wall-clock rate they report the process' CPU time per bounce
// (on a shared machine the wall clock measures the neighbours too; on
// PostgreSQL the server's CPU is not counted). Run them with
//
//	go test -run '^$' -bench Ingest -benchtime 20000x ./store/
func BenchmarkIngestSQLite(b *testing.B) {
	benchIngest(b, "sqlite:"+filepath.Join(b.TempDir(), "bw.db"))
}

func BenchmarkIngestPostgres(b *testing.B) { benchIngest(b, pgtest.DSN(b)) }

func benchIngest(b *testing.B, dsn string) {
	raw := string(mustRead(b, "testdata/01-postfix-user-unknown.eml"))
	s, err := Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	an := diagnose.New(diagnose.Config{})
	key := an.DigestKey()
	s.SetDigester(func(name string, arrival time.Time, res *bounce.Result, err error) (string, []byte, bool) {
		data, merr := an.Digest(diagnose.Mail{Source: name, Arrival: arrival, Result: res, Err: err}).MarshalBinary()
		return key, data, merr == nil
	})
	msgs := make([][]byte, b.N)
	for i := range msgs {
		msgs[i] = []byte(strings.Replace(raw, "tanaka@example.com", fmt.Sprintf("u%d@example.com", i), -1))
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	b.ResetTimer()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := s.PutMail(context.Background(), ingest.Mail{Source: "bench", Position: fmt.Sprint(i), Data: msgs[i]}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bounces/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/bounce")
}

func mustRead(b *testing.B, p string) []byte {
	b.Helper()
	data, err := readFileBytes(p)
	if err != nil {
		b.Fatal(err)
	}
	return data
}
