package source

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// got is one call of fn.
type got struct {
	Source string
	Data   string
	Err    error
}

// collect walks paths and records every call of fn.
func collect(t *testing.T, paths []string, stdin io.Reader, opts Options) []got {
	t.Helper()
	var out []got
	err := WalkWithOptions(context.Background(), paths, stdin, opts, func(m Message, err error) error {
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %v is not an *Error", err)
			} else if e.Source != m.Source {
				t.Errorf("Error.Source %q != Message.Source %q", e.Source, m.Source)
			}
		}
		out = append(out, got{m.Source, string(m.Data), err})
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return out
}

func sources(gs []got) []string {
	var s []string
	for _, g := range gs {
		s = append(s, g.Source)
	}
	return s
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSingleFile(t *testing.T) {
	p := filepath.Join("testdata", "single.eml")
	gs := collect(t, []string{p}, nil, Options{})
	if len(gs) != 1 || gs[0].Source != p || gs[0].Err != nil || gs[0].Data != readFile(t, p) {
		t.Fatalf("got %+v", gs)
	}
}

func TestEmptyFile(t *testing.T) {
	gs := collect(t, []string{"testdata/empty.eml", "testdata/blank.eml"}, nil, Options{})
	if len(gs) != 0 {
		t.Fatalf("empty files yielded %+v", gs)
	}
}

func TestDirectory(t *testing.T) {
	gs := collect(t, []string{"testdata/tree"}, nil, Options{})
	want := []string{
		"testdata/tree/Maildir/.Sent/cur/1700000004.M4P4.host,S=120,2,S",
		"testdata/tree/Maildir/cur/1700000001.M1P1.host,S=120,2,S",
		"testdata/tree/Maildir/new/1700000002.M2P2.host",
		"testdata/tree/a.eml",
		"testdata/tree/sub/b.eml",
		"testdata/tree/tmp/t.eml",
	}
	for i := range want {
		want[i] = filepath.FromSlash(want[i])
	}
	if s := sources(gs); !slices.Equal(s, want) {
		t.Fatalf("sources\n got %q\nwant %q", s, want)
	}
	for _, g := range gs {
		if g.Err != nil || g.Data != readFile(t, g.Source) {
			t.Errorf("%s: err %v, data %q", g.Source, g.Err, g.Data)
		}
	}
}

const (
	three1 = "From: Mail Delivery Subsystem <MAILER-DAEMON@example.org>\nSubject: first\n\n" +
		"From the unescaped line.\n>From becomes one less.\n>Fromage is not escaped.\n" +
		"From here, not after an empty line, is kept.\n"
	three2 = "From: Mail Delivery Subsystem <MAILER-DAEMON@example.org>\nSubject: second\n\nBody two.\n\n"
	three3 = "From: Mail Delivery Subsystem <MAILER-DAEMON@example.org>\nSubject: third\n\nBody three.\n"
)

func checkThree(t *testing.T, gs []got, src, eol string) {
	t.Helper()
	want := []got{
		{src + "#1", strings.ReplaceAll(three1, "\n", eol), nil},
		{src + "#2", strings.ReplaceAll(three2, "\n", eol), nil},
		{src + "#3", strings.ReplaceAll(three3, "\n", eol), nil},
	}
	if !slices.Equal(gs, want) {
		t.Fatalf("got\n%q\nwant\n%q", gs, want)
	}
}

func TestMbox(t *testing.T) {
	p := filepath.Join("testdata", "three.mbox")
	checkThree(t, collect(t, []string{p}, nil, Options{}), p, "\n")
}

func TestMboxLineEnds(t *testing.T) {
	lf := readFile(t, "testdata/three.mbox")
	for _, eol := range []string{"\r\n", "\r"} {
		p := filepath.Join(t.TempDir(), "mbox")
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(lf, "\n", eol)), 0o644); err != nil {
			t.Fatal(err)
		}
		checkThree(t, collect(t, []string{p}, nil, Options{}), p, eol)
	}
}

// TestMboxLeadingJunk checks that an mbox saved with a UTF-8 BOM or blank
// lines before its first From_ line is still split (issue 7 section 2).
func TestMboxLeadingJunk(t *testing.T) {
	lf := readFile(t, "testdata/three.mbox")
	for _, prefix := range []string{"\xef\xbb\xbf", "\n\n", " \r\n", "\n\xef\xbb\xbf\n"} {
		p := filepath.Join(t.TempDir(), "mbox")
		if err := os.WriteFile(p, []byte(prefix+lf), 0o644); err != nil {
			t.Fatal(err)
		}
		checkThree(t, collect(t, []string{p}, nil, Options{}), p, "\n")
	}
}

// TestMboxSmallBuffer splits with the smallest bufio buffer, so that lines
// come in many pieces.
func TestMboxSmallBuffer(t *testing.T) {
	long := strings.Repeat("x", 100)
	gts := strings.Repeat(">", 40)
	in := "From a\n" + long + "\n" + gts + "From y\n" + gts + "Fro\n\nFrom " + long + "\n\n" + "From b\nbody\n"
	want := []string{long + "\n" + gts[1:] + "From y\n" + gts + "Fro\n", "", "body\n"}
	var out []string
	err := splitMbox(context.Background(), bufio.NewReaderSize(strings.NewReader(in), 16), 1<<20,
		func(n int, data []byte, err error) error {
			if err != nil || n != len(out)+1 {
				t.Fatalf("message %d: %v", n, err)
			}
			out = append(out, string(data))
			return nil
		})
	if err != nil || !slices.Equal(out, want) {
		t.Fatalf("got %q, %v; want %q", out, err, want)
	}
}

func writeGzip(t *testing.T, p string, data []byte) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGzip(t *testing.T) {
	dir := t.TempDir()
	single := filepath.Join(dir, "single.eml") // no .gz: detected by content
	mbox := filepath.Join(dir, "three.mbox.gz")
	empty := filepath.Join(dir, "empty.gz")
	writeGzip(t, single, []byte(readFile(t, "testdata/single.eml")))
	writeGzip(t, mbox, []byte(readFile(t, "testdata/three.mbox")))
	writeGzip(t, empty, nil)

	gs := collect(t, []string{single}, nil, Options{})
	if len(gs) != 1 || gs[0].Data != readFile(t, "testdata/single.eml") || gs[0].Err != nil {
		t.Fatalf("gzip single: %+v", gs)
	}
	checkThree(t, collect(t, []string{mbox}, nil, Options{}), mbox, "\n")
	if gs := collect(t, []string{empty}, nil, Options{}); len(gs) != 0 {
		t.Fatalf("gzip empty: %+v", gs)
	}
	// gzip on standard input
	b, _ := os.ReadFile(mbox)
	checkThree(t, collect(t, []string{"-"}, bytes.NewReader(b), Options{}), "-", "\n")

	// A corrupt gzip stream is an *Error, and the walk goes on.
	bad := filepath.Join(dir, "bad.gz")
	os.WriteFile(bad, b[:len(b)/2], 0o644)
	gs = collect(t, []string{bad, single}, nil, Options{})
	if len(gs) < 2 || gs[0].Err == nil || gs[len(gs)-1].Source != single {
		t.Fatalf("corrupt gzip: %+v", gs)
	}
}

func TestStdin(t *testing.T) {
	single := readFile(t, "testdata/single.eml")
	gs := collect(t, []string{"-"}, strings.NewReader(single), Options{})
	if len(gs) != 1 || gs[0] != (got{"-", single, nil}) {
		t.Fatalf("got %+v", gs)
	}
	checkThree(t, collect(t, []string{"-"}, strings.NewReader(readFile(t, "testdata/three.mbox")), Options{}), "-", "\n")

	gs = collect(t, []string{"-"}, nil, Options{})
	if len(gs) != 1 || gs[0].Err == nil {
		t.Fatalf("nil stdin: %+v", gs)
	}
}

func TestNonexistent(t *testing.T) {
	gs := collect(t, []string{"testdata/does-not-exist", "testdata/single.eml"}, nil, Options{})
	if len(gs) != 2 {
		t.Fatalf("got %+v", gs)
	}
	var e *Error
	if !errors.As(gs[0].Err, &e) || e.Source != "testdata/does-not-exist" || !errors.Is(gs[0].Err, fs.ErrNotExist) {
		t.Fatalf("first: %+v", gs[0])
	}
	if gs[1].Err != nil || gs[1].Source != "testdata/single.eml" {
		t.Fatalf("second: %+v", gs[1])
	}
}

func TestTooLarge(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.eml")
	os.WriteFile(big, bytes.Repeat([]byte("x"), 101), 0o644)
	fits := filepath.Join(dir, "fits.eml")
	os.WriteFile(fits, bytes.Repeat([]byte("y"), 100), 0o644)

	// An mbox whose second message is too large, partly because of one
	// line longer than the bufio buffer; the first and third fit.
	// The third is exactly 100 bytes once unescaped.
	third := ">From " + strings.Repeat("z", 93) + "\n"
	mbox := filepath.Join(dir, "mbox")
	os.WriteFile(mbox, []byte("From a\nsmall\n\nFrom b\n"+strings.Repeat("w", 3*bufSize)+"\nmore\n\nFrom c\n"+third), 0o644)

	gs := collect(t, []string{big, fits, mbox}, nil, Options{MaxMessageSize: 100})
	want := []string{big, fits, mbox + "#1", mbox + "#2", mbox + "#3"}
	if s := sources(gs); !slices.Equal(s, want) {
		t.Fatalf("sources %q, want %q", s, want)
	}
	for i, g := range gs {
		tooLarge := i == 0 || i == 3
		if errors.Is(g.Err, ErrTooLarge) != tooLarge || (g.Err == nil) == tooLarge {
			t.Errorf("%s: error %v", g.Source, g.Err)
		}
	}
	if gs[4].Data != third[1:] {
		t.Errorf("third: %q", gs[4].Data)
	}
	if !strings.Contains(gs[3].Err.Error(), mbox+"#2") {
		t.Errorf("error %q does not name the message", gs[3].Err)
	}
}

func TestFnErrorStops(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Walk(context.Background(), []string{"testdata/three.mbox", "testdata/single.eml"}, nil,
		func(Message, error) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		})
	if err != stop || calls != 2 {
		t.Fatalf("err %v after %d calls", err, calls)
	}

	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	err = Walk(ctx, []string{"testdata/three.mbox", "testdata/single.eml"}, nil, func(Message, error) error {
		calls++
		cancel()
		return nil
	})
	if err != context.Canceled || calls != 1 {
		t.Fatalf("canceled: err %v after %d calls", err, calls)
	}
}

// TestSisimaiCorpus reads the shared edge-case files in place, if present.
func TestSisimaiCorpus(t *testing.T) {
	const dir = "../../shared/corpus/sisimai"
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared corpus missing in CI: %v", err)
		}
		t.Skip("no shared corpus")
	}
	counts := map[string]int{}
	err := Walk(context.Background(), []string{dir + "/mbox", dir + "/malformed"}, nil, func(m Message, err error) error {
		if err != nil {
			t.Errorf("%s: %v", m.Source, err)
		}
		counts[filepath.Base(strings.SplitN(m.Source, "#", 2)[0])]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if counts["mbox-0"] != 37 || counts["mbox-1"] != 1 || counts["size-0"] != 0 || counts["size-1"] != 0 || counts["size-2"] != 1 {
		t.Errorf("counts %v", counts)
	}
}

func TestOrdered(t *testing.T) {
	const items = 500
	for _, n := range []int{1, 3, 8} {
		var inFlight, maxInFlight atomic.Int64
		var out []int
		err := Ordered(context.Background(), n,
			func(yield func(int) error) error {
				for i := range items {
					if err := yield(i); err != nil {
						return err
					}
					if v := inFlight.Add(1); v > maxInFlight.Load() {
						maxInFlight.Store(v)
					}
				}
				return nil
			},
			func(i int) int {
				time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
				return i * i
			},
			func(r int) error {
				inFlight.Add(-1)
				out = append(out, r)
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != items {
			t.Fatalf("n=%d: %d results", n, len(out))
		}
		for i, r := range out {
			if r != i*i {
				t.Fatalf("n=%d: result %d is %d", n, i, r)
			}
		}
		// inFlight is counted after yield returns, so it may run one
		// ahead of the real count.
		if m := maxInFlight.Load(); m > int64(2*n+2) {
			t.Errorf("n=%d: %d items in flight", n, m)
		}
	}
}

func TestOrderedErrors(t *testing.T) {
	before := runtime.NumGoroutine()
	boom := errors.New("boom")

	// emit fails: everything stops, produce sees an error from yield.
	var produced, worked atomic.Int64
	err := Ordered(context.Background(), 4,
		func(yield func(int) error) error {
			for i := 0; ; i++ {
				if err := yield(i); err != nil {
					return err
				}
				produced.Add(1)
			}
		},
		func(i int) int { worked.Add(1); return i },
		func(r int) error {
			if r == 10 {
				return boom
			}
			return nil
		})
	if err != boom {
		t.Fatalf("emit error: got %v", err)
	}
	if p := produced.Load(); p > 10+2*4+2 {
		t.Errorf("produced %d items after emit failed", p)
	}

	// produce fails.
	err = Ordered(context.Background(), 4,
		func(yield func(int) error) error {
			for i := range 5 {
				yield(i)
			}
			return boom
		},
		func(i int) int { return i },
		func(int) error { return nil })
	if err != boom {
		t.Fatalf("produce error: got %v", err)
	}

	// ctx canceled while emit waits on slow work.
	ctx, cancel := context.WithCancel(context.Background())
	err = Ordered(ctx, 2,
		func(yield func(int) error) error {
			for i := 0; ; i++ {
				if err := yield(i); err != nil {
					return err
				}
			}
		},
		func(i int) int { time.Sleep(time.Millisecond); return i },
		func(r int) error {
			if r == 5 {
				cancel()
			}
			return nil
		})
	if err != context.Canceled {
		t.Fatalf("cancel: got %v", err)
	}

	// No goroutine is left behind.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Errorf("%d goroutines before, %d after", before, g)
	}
}

// escape mboxrd-escapes a message and appends it to an mbox.
func escape(mbox *bytes.Buffer, msg []byte) {
	mbox.WriteString("From fuzz@example.org Thu Jan  1 00:00:00 1970\n")
	for line := range bytes.Lines(msg) {
		if isEscapedFrom(line) || bytes.HasPrefix(line, fromPrefix) {
			mbox.WriteByte('>')
		}
		mbox.Write(line)
	}
	mbox.WriteByte('\n')
}

// FuzzMbox checks that the splitter does not panic on any input, keeps its
// invariants, and reads back what an mboxrd writer wrote.
func FuzzMbox(f *testing.F) {
	f.Add([]byte("From a\n>From x\n\nFrom b\n>>From y\n"), uint8(0))
	f.Add([]byte("From a\r\nx\r\n\r\nFrom b\r\n\r\n"), uint8(1))
	f.Add([]byte("From a\rx\r\rFrom b\r"), uint8(2))
	f.Add([]byte("From \n\n\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		const max = 256
		var total int
		n := 0
		err := splitMbox(context.Background(), bufio.NewReaderSize(bytes.NewReader(data), 16), max,
			func(i int, msg []byte, err error) error {
				n++
				if i != n {
					t.Fatalf("message %d numbered %d", n, i)
				}
				if err != nil && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("error %v", err)
				}
				if len(msg) > max {
					t.Fatalf("message %d has %d bytes", i, len(msg))
				}
				total += len(msg)
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if total > len(data) {
			t.Fatalf("%d bytes out of %d in", total, len(data))
		}

		// Round trip: cut data into messages ending with LF, write them
		// as an mbox, read them back.
		var msgs [][]byte
		for p := range bytes.SplitSeq(data, []byte{split}) {
			if len(p) > 0 && p[len(p)-1] != '\n' {
				p = append(p, '\n')
			}
			msgs = append(msgs, p)
		}
		var mbox bytes.Buffer
		for _, m := range msgs {
			escape(&mbox, m)
		}
		var back [][]byte
		err = splitMbox(context.Background(), bufio.NewReaderSize(bytes.NewReader(mbox.Bytes()), 16), 1<<20,
			func(i int, msg []byte, err error) error {
				if err != nil {
					t.Fatalf("round trip: %v", err)
				}
				back = append(back, msg)
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if len(back) != len(msgs) {
			t.Fatalf("round trip: %d messages in, %d out\n%q", len(msgs), len(back), mbox.Bytes())
		}
		for i := range msgs {
			if !bytes.Equal(back[i], msgs[i]) {
				t.Fatalf("round trip message %d: got %q, want %q", i+1, back[i], msgs[i])
			}
		}
	})
}

func ExampleWalk() {
	err := Walk(context.Background(), []string{"testdata/three.mbox", "testdata/missing.eml"}, nil,
		func(m Message, err error) error {
			if err != nil {
				var e *Error
				if errors.As(err, &e) && errors.Is(err, fs.ErrNotExist) {
					fmt.Println(e.Source, "does not exist")
				}
				return nil // go on with the other paths
			}
			subject := ""
			for line := range strings.Lines(string(m.Data)) {
				if s, ok := strings.CutPrefix(line, "Subject: "); ok {
					subject = strings.TrimSpace(s)
				}
			}
			fmt.Println(m.Source, subject, len(m.Data))
			return nil
		})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// testdata/three.mbox#1 first 193
	// testdata/three.mbox#2 second 86
	// testdata/three.mbox#3 third 86
	// testdata/missing.eml does not exist
}

// TestOrderedSized: the bytes of the items in flight stay within the
// budget whatever the number of workers; an item larger than the budget
// goes alone; the order holds (issue 7 §6: memory grew with workers times
// the largest message).
func TestOrderedSized(t *testing.T) {
	sizes := []int64{60, 60, 1, 1, 1, 250, 60, 1, 60, 60, 40, 40, 40, 1, 1, 1, 1, 60}
	const budget = 100
	for _, n := range []int{1, 2, 4, 8} {
		for _, bounded := range []bool{true, false} {
			var mu sync.Mutex
			var held, maxHeld int64 // bytes of items being worked on or waiting for emit
			var out []int
			b := int64(budget)
			if !bounded {
				b = 0
			}
			err := OrderedSized(context.Background(), n, b, func(i int) int64 { return sizes[i] },
				func(yield func(int) error) error {
					for i := range sizes {
						if err := yield(i); err != nil {
							return err
						}
					}
					return nil
				},
				func(i int) int {
					mu.Lock()
					held += sizes[i]
					if held > maxHeld {
						maxHeld = held
					}
					mu.Unlock()
					time.Sleep(2 * time.Millisecond)
					return i
				},
				func(i int) error {
					mu.Lock()
					held -= sizes[i]
					mu.Unlock()
					out = append(out, i)
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range out {
				if r != i {
					t.Fatalf("n=%d: result %d is %d", n, i, r)
				}
			}
			if len(out) != len(sizes) {
				t.Fatalf("n=%d: %d results", n, len(out))
			}
			switch {
			case bounded && maxHeld > 250:
				t.Errorf("n=%d: %d bytes held at once; the budget is %d and the largest item 250", n, maxHeld, budget)
			case bounded && maxHeld > budget && maxHeld != 250:
				t.Errorf("n=%d: %d bytes held at once, over the budget of %d", n, maxHeld, budget)
			case !bounded && n >= 4:
				// Without a budget more is in flight: the test can see it.
				t.Logf("n=%d unbounded: %d bytes held at once", n, maxHeld)
			}
		}
	}
}

// TestOrderedSizedStops: an error of emit wakes a yield waiting for room.
func TestOrderedSizedStops(t *testing.T) {
	boom := errors.New("boom")
	done := make(chan error, 1)
	go func() {
		done <- OrderedSized(context.Background(), 2, 10, func(int) int64 { return 10 },
			func(yield func(int) error) error {
				for i := 0; ; i++ {
					if err := yield(i); err != nil {
						return err
					}
				}
			},
			func(i int) int { return i },
			func(i int) error {
				if i == 3 {
					return boom
				}
				return nil
			})
	}()
	select {
	case err := <-done:
		if err != boom {
			t.Fatalf("err %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OrderedSized did not stop")
	}
}
