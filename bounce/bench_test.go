package bounce

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecodeCorpus decodes every message of the sisimai corpus's eml/
// once per iteration and reports messages/s and MB/s. Run it on one core:
//
//	go test -run '^$' -bench DecodeCorpus -cpu 1 ./bounce/
func BenchmarkDecodeCorpus(b *testing.B) {
	dir := corpusDir(b)
	files, _ := filepath.Glob(filepath.Join(dir, "eml", "*.eml"))
	var msgs [][]byte
	var size int64
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, data)
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		for _, m := range msgs {
			DecodeBytes(m)
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if cpu > 0 {
		b.ReportMetric(float64(len(msgs))*float64(b.N)/cpu.Seconds(), "msgs/cpu-s")
	}
}

// BenchmarkDecodeLarge decodes a 15 MB bounce whose returned message has a
// base64 attachment: nothing may scan the attachment's body.
func BenchmarkDecodeLarge(b *testing.B) {
	msg := withAttachment(15 << 20)
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, err := DecodeBytes(msg); err != nil || len(res.Records) != 1 {
			b.Fatalf("%v %+v", err, res)
		}
	}
}
