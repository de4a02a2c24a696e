package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/internal/pgtest"
)

// BenchmarkIngest measures sustained ingest of distinct bounces (decode,
// compress, group commit) from 16 concurrent callers, as the live sources
// and import call PutMail; b.N is the number of bounces. Run it with
//
//	go test -run '^$' -bench Ingest -benchtime 20000x ./store/
func BenchmarkIngest(b *testing.B) {
	raw := string(mustRead(b, "testdata/01-postfix-user-unknown.eml"))
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			dsn := "sqlite:" + filepath.Join(b.TempDir(), "bw.db")
			if engine == "postgres" {
				dsn = pgtest.DSN(b)
			}
			s, err := Open(context.Background(), dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			msgs := make([][]byte, b.N)
			for i := range msgs {
				msgs[i] = []byte(strings.Replace(raw, "tanaka@example.com", fmt.Sprintf("u%d@example.com", i), -1))
			}
			var next atomic.Int64
			var wg sync.WaitGroup
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
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bounces/s")
		})
	}
}

func mustRead(b *testing.B, p string) []byte {
	b.Helper()
	data, err := readFileBytes(p)
	if err != nil {
		b.Fatal(err)
	}
	return data
}
