package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// corpusDir finds the shared sisimai corpus: $BOUNCEWATCH_CORPUS, or
// ../shared/corpus/sisimai beside the repository. In CI a missing corpus
// fails; elsewhere the caller skips.
func corpusDir(tb testing.TB) string {
	dir := os.Getenv("BOUNCEWATCH_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "corpus", "sisimai")
	}
	if _, err := os.Stat(filepath.Join(dir, "expected.jsonl")); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("corpus not found at %s (set BOUNCEWATCH_CORPUS): %v", dir, err)
		}
		tb.Skipf("corpus not found at %s: %v", dir, err)
	}
	return dir
}

// copyCorpus copies the corpus's eml/ n times into a temporary directory
// (c1/, c2/, ...) and returns it with the number of messages.
func copyCorpus(tb testing.TB, n int) (string, int) {
	src := filepath.Join(corpusDir(tb), "eml")
	files, err := filepath.Glob(filepath.Join(src, "*.eml"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no messages in %s: %v", src, err)
	}
	dir := tb.TempDir()
	for i := 1; i <= n; i++ {
		d := filepath.Join(dir, "c"+strconv.Itoa(i))
		if err := os.Mkdir(d, 0o755); err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, filepath.Base(f)), data, 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return dir, n * len(files)
}

// BenchmarkDecodeCLI runs the whole decode --json command in process over
// the corpus's eml/ copied eight times: files read, decoded, JSON written
// (to a discarding writer). Run it on one core (make bench-cli):
//
//	go test -run '^$' -bench DecodeCLI -cpu 1 ./internal/cli/
func BenchmarkDecodeCLI(b *testing.B) {
	dir, n := copyCorpus(b, 8)
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if code := Main(context.Background(), []string{"decode", "--json", dir}, env); code != 0 {
			b.Fatalf("exit status %d", code)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if cpu > 0 {
		// CPU seconds of the whole process, collector included: on a
		// shared machine the wall-clock rate measures the neighbours too.
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "msgs/cpu-s")
	}
}
