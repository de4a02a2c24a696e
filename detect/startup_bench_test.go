package detect_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/klauspost/compress/flate"
)

// startupBounces is the size of BenchmarkStartup1M's store.
const startupBounces = 1_000_000

// startupEnv names the store a child process of BenchmarkStartup1M
// starts a detector on (see TestMain).
const startupEnv = "BOUNCEWATCH_BENCH_STARTUP_DB"

// BenchmarkStartup1M measures serve's detector start on a SQLite store of
// 1,000,000 stored bounces (30 days, 100 accounts, each with its raw
// message and the digest stored at ingest): the time from opening the
// store to the detector's first report, its CPU time, and the resident
// memory's high-water mark (VmHWM), in a fresh child process each time.
// The first child starts cold, without the detector's checkpoint (a
// store written by an earlier version, or after reprocess): it reads
// every digest, settles the old bounces as it goes, and saves the
// checkpoint ("cold-" figures). The measured children then start as a
// service restarts: from the checkpoint and the messages after it. The
// store is filled once (directly, not through PutMail: a million decodes
// would take minutes) and cached in $TMPDIR/bouncewatch-bench-1m. Run it
// with
//
//	go test -run '^$' -bench Startup1M -benchtime 1x ./detect/
//
// (BOUNCEWATCH_BENCH_STARTUP_DB_CPUPROFILE and _MEMPROFILE name files for
// the children's CPU and heap profiles.)
func BenchmarkStartup1M(b *testing.B) {
	dir := filepath.Join(os.TempDir(), "bouncewatch-bench-1m")
	db := filepath.Join(dir, "bw.db")
	if err := fillStartupStore(b, dir, db); err != nil {
		b.Fatal(err)
	}
	if coldStart == nil { // once per process: the benchmark function runs more than once
		st, err := store.Open(context.Background(), "sqlite:"+db)
		if err != nil {
			b.Fatal(err)
		}
		err = st.DeleteCheckpoints(context.Background())
		st.Close()
		if err != nil {
			b.Fatal(err)
		}
		r := startupRun(b, db)
		coldStart = &r
	}
	b.ResetTimer()
	var wall, cpu time.Duration
	var hwm int64
	var live uint64
	for range b.N {
		r := startupRun(b, db)
		wall += r.Wall
		cpu += r.CPU
		hwm = max(hwm, r.HWMKiB)
		live = max(live, r.LiveBytes)
	}
	b.ReportMetric(wall.Seconds()/float64(b.N), "s-to-first-report")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
	b.ReportMetric(float64(hwm)/1024, "MB-VmHWM")
	b.ReportMetric(float64(live)/(1<<20), "MB-live-heap")
	b.ReportMetric(coldStart.Wall.Seconds(), "cold-s-to-first-report")
	b.ReportMetric(float64(coldStart.HWMKiB)/1024, "cold-MB-VmHWM")
}

// coldStart is the figures of the benchmark's cold start.
var coldStart *startupResult

// startupRun starts the detector in a child process and returns its
// figures.
func startupRun(b *testing.B, db string) startupResult {
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), startupEnv+"="+db)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("child: %v", err)
	}
	var r startupResult
	if err := json.Unmarshal(lastLine(out), &r); err != nil {
		b.Fatalf("child said %q: %v", out, err)
	}
	if r.Messages != startupBounces {
		b.Fatalf("the report counts %d messages, want %d", r.Messages, startupBounces)
	}
	return r
}

type startupResult struct {
	Wall, CPU time.Duration
	HWMKiB    int64
	Messages  int
	// LiveBytes is the heap in use after a collection, the detector's
	// analysis held.
	LiveBytes uint64
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// startupChild is the child's part: open the store, start a detector as
// serve does, take its first report, print the figures.
func startupChild(db string) {
	if p := os.Getenv(startupEnv + "_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	t0 := time.Now()
	cpu0 := processCPU()
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	d := detect.New(st, startupConfig())
	rep, err := d.Pass(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r := startupResult{Wall: time.Since(t0), CPU: processCPU() - cpu0, HWMKiB: vmHWM(), Messages: rep.Inputs.Messages}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.LiveBytes = ms.HeapAlloc
	runtime.KeepAlive(d)
	st.Close()
	if p := os.Getenv(startupEnv + "_MEMPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	pprof.StopCPUProfile()
	os.Exit(0)
}

func startupConfig() detect.Config {
	return detect.Config{Analyzer: diagnose.Config{Location: time.UTC}}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// fillStartupStore makes the 1M-bounce store unless it is there already
// with digests of the current key.
func fillStartupStore(b *testing.B, dir, db string) error {
	ctx := context.Background()
	an := diagnose.New(startupConfig().Analyzer)
	key := an.DigestKey()
	if st, err := store.Open(ctx, "sqlite:"+db); err == nil {
		var n int
		err := st.DB().QueryRow(`SELECT COUNT(*) FROM digests WHERE key = ? AND decoder = ?`, key, store.DecoderRevision).Scan(&n)
		st.Close()
		if err == nil && n == startupBounces {
			return nil
		}
	}
	b.Logf("filling %s with %d bounces (once)", db, startupBounces)
	os.RemoveAll(dir)
	st, err := store.Open(ctx, "sqlite:"+db)
	if err != nil {
		return err
	}
	defer st.Close()
	tmpl, err := os.ReadFile("../store/testdata/01-postfix-user-unknown.eml")
	if err != nil {
		return err
	}
	// 1,000 distinct bounces (recipient, recipient domain, account, hour
	// over 30 days), each stored 1,000 times under its own name.
	const variants = 1000
	type variant struct {
		res  *bounce.Result
		err  error
		raw  []byte
		when time.Time
	}
	base := time.Date(2026, 11, 2, 2, 14, 9, 0, time.FixedZone("JST", 9*3600))
	var vs [variants]variant
	for i := range vs {
		when := base.Add(-time.Duration(i%720) * time.Hour)
		m := strings.NewReplacer(
			"tanaka@example.com", fmt.Sprintf("u%d@example%d.com", i, i%50),
			"shop@example.jp", fmt.Sprintf("shop%d@example.jp", i%100),
			"Mon,  2 Nov 2026 02:14:09 +0900", when.Format(time.RFC1123Z),
		).Replace(string(tmpl))
		var zb bytes.Buffer
		w, _ := flate.NewWriter(&zb, flate.BestSpeed)
		w.Write([]byte(m))
		w.Close()
		res, derr := bounce.DecodeBytes([]byte(m))
		vs[i] = variant{res: res, err: derr, raw: zb.Bytes(), when: when}
	}
	tx, err := st.DB().Begin()
	if err != nil {
		return err
	}
	insMsg, _ := tx.Prepare(`INSERT INTO messages (id, sha256, source, position, arrival, stored_at, size, raw, kind, decoder, facts) VALUES (?, ?, 'bench', ?, ?, ?, ?, ?, 'bounce', ?, '{}')`)
	insSrc, _ := tx.Prepare(`INSERT INTO message_sources (source, position, message_id, stored_at) VALUES ('bench', ?, ?, ?)`)
	insDig, _ := tx.Prepare(`INSERT INTO digests (message_id, key, decoder, data) VALUES (?, ?, ?, ?)`)
	for id := 1; id <= startupBounces; id++ {
		v := &vs[id%variants]
		pos := strconv.Itoa(id)
		arrival := v.when.Add(time.Duration(id/variants) * time.Second).UTC().Truncate(time.Millisecond)
		dg, err := an.Digest(diagnose.Mail{Source: store.MailName("bench", pos), Arrival: arrival, Result: v.res, Err: v.err}).MarshalBinary()
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(pos))
		if _, err := insMsg.Exec(id, hex.EncodeToString(sum[:]), pos, arrival.UnixMilli(), arrival.UnixMilli(), len(v.raw)*3, v.raw, store.DecoderRevision); err != nil {
			return err
		}
		if _, err := insSrc.Exec(pos, id, arrival.UnixMilli()); err != nil {
			return err
		}
		if _, err := insDig.Exec(id, key, store.DecoderRevision, dg); err != nil {
			return err
		}
		if id%100_000 == 0 {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = st.DB().Begin(); err != nil {
				return err
			}
			for _, p := range []**sql.Stmt{&insMsg, &insSrc, &insDig} {
				*p = tx.Stmt(*p)
			}
			b.Logf("%d stored", id)
		}
	}
	runtime.GC()
	return tx.Commit()
}
