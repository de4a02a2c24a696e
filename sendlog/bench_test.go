package sendlog

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// genPostfix writes n log lines of authenticated submissions: each message
// is 8 lines (client, message-id, from, three deliveries with one bounce,
// the notification, removed).
func genPostfix(n int) []byte {
	var b bytes.Buffer
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	lines := 0
	for i := 0; lines < n; i++ {
		ts := t0.Add(time.Duration(i) * 50 * time.Millisecond).Format(time.Stamp)
		q := fmt.Sprintf("%010X", 0x4B2C81A000+i)
		for _, l := range []string{
			"postfix/submission/smtpd[1234]: " + q + ": client=pc01[198.51.100.7], sasl_method=PLAIN, sasl_username=shop@example.jp",
			"postfix/cleanup[1240]: " + q + ": message-id=<" + q + "@mail.example.jp>",
			"postfix/qmgr[1201]: " + q + ": from=<shop@example.jp>, size=2345, nrcpt=3 (queue active)",
			"postfix/smtp[1250]: " + q + ": to=<tanaka@example.com>, relay=mx.example.com[192.0.2.25]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.25] said: 550 5.1.1 <tanaka@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))",
			"postfix/smtp[1250]: " + q + ": to=<sato@example.net>, relay=mx.example.net[192.0.2.26]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK)",
			"postfix/smtp[1251]: " + q + ": to=<suzuki@example.org>, relay=mx.example.org[192.0.2.27]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK)",
			"postfix/bounce[1260]: " + q + ": sender non-delivery notification: 5D3E91A0050",
			"postfix/qmgr[1201]: " + q + ": removed",
		} {
			b.WriteString(ts + " mail " + l + "\n")
			lines++
		}
	}
	return b.Bytes()
}

// BenchmarkPostfix reads (and joins) generated Postfix lines and reports
// lines/s. Run it on one core:
//
//	go test -run '^$' -bench Postfix -benchmem -cpu 1 ./sendlog/
func BenchmarkPostfix(b *testing.B) {
	data := genPostfix(100000)
	nl := bytes.Count(data, []byte{'\n'})
	opts := Options{Reference: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Location: time.UTC}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var j Joiner
		_, err := Read(context.Background(), bytes.NewReader(data), "bench", opts, func(e Event) error {
			j.Add(e)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		j.Messages()
	}
	b.ReportMetric(float64(nl)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// TestMillionLines reads and joins 1,000,000 lines and checks what came
// out. The time is logged, not asserted: the target (well under 5 s on one
// core) is measured by BenchmarkPostfix, as a wall-clock assertion fails
// on a loaded machine whatever the code (6 s at load average 12).
func TestMillionLines(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	data := genPostfix(1000000)
	opts := Options{Reference: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Location: time.UTC}
	start := time.Now()
	var j Joiner
	msgs := 0
	st, err := Read(context.Background(), bytes.NewReader(data), "million", opts, func(e Event) error {
		j.Add(e)
		if e.Kind == Done {
			msgs += len(j.Messages())
		}
		return nil
	})
	el := time.Since(start)
	if err != nil || st.Lines != 1000000 || st.Unknown != 0 || msgs != 125000 || j.Open() != 0 {
		t.Fatalf("%v %+v msgs=%d open=%d", err, st, msgs, j.Open())
	}
	t.Logf("1,000,000 lines (%d MB) read and joined in %v", len(data)>>20, el)
}
