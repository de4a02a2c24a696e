// Package backfill loads files into an ingest.Sink — the bounces in every
// form the decoder reads (message files, Maildirs, mbox, gzip) and the raw
// lines of mail logs (rotated, gzip and bzip2 included) — so that the
// detector has history from its first minute. It is what `bouncewatch
// import` runs. Log lines are stored raw, not parsed: the detector parses
// them, so a better parser applies to the past too.
//
// Every item gets a stable Source and Position (the file and the message
// number, the file and the line's byte offset), and the sink stores an
// item once: importing the same files twice stores nothing twice.
package backfill

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/source"
)

// Progress tells how far a backfill is; the counts are of items handed to
// the sink (stored, or found stored already).
type Progress struct {
	Messages int64
	Failed   int64 // messages that could not be read (the sink never saw them)
	LogLines int64
	Bytes    int64
}

// Options tune Mail.
type Options struct {
	// Workers decode and store messages at once; 0 means 4 per CPU
	// (more callers make bigger group commits).
	Workers int
	// Progress, when set, is called now and then and at the end.
	Progress func(Progress)
	// Now is the arrival given to messages whose mailbox tells none;
	// zero means the file's modification time.
	Now time.Time
}

// counter is shared by a run's workers.
type counter struct {
	p  Progress
	mu sync.Mutex
	fn func(Progress)
	n  atomic.Int64
}

func (c *counter) report(force bool) {
	if c.fn == nil {
		return
	}
	if !force && c.n.Add(1)%512 != 0 {
		return
	}
	c.mu.Lock()
	p := Progress{Messages: atomic.LoadInt64(&c.p.Messages), Failed: atomic.LoadInt64(&c.p.Failed),
		LogLines: atomic.LoadInt64(&c.p.LogLines), Bytes: atomic.LoadInt64(&c.p.Bytes)}
	c.fn(p)
	c.mu.Unlock()
}

// Mail stores the messages at paths. A message that cannot be read is
// reported in the returned error (joined, naming its source) and the run
// goes on; one the decoder cannot read is stored with its error by the
// sink. It returns the counts.
func Mail(ctx context.Context, sink ingest.Sink, paths []string, opts Options) (Progress, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = 4 * runtime.GOMAXPROCS(0)
	}
	c := &counter{fn: opts.Progress}
	type item struct {
		m   ingest.Mail
		err error
	}
	items := make(chan item, workers*2)
	var errs []error
	var emu sync.Mutex
	addErr := func(err error) {
		emu.Lock()
		if len(errs) < 50 {
			errs = append(errs, err)
		} else if len(errs) == 50 {
			errs = append(errs, errors.New("more errors not shown"))
		}
		emu.Unlock()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var fatal atomic.Value
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range items {
				if it.err != nil {
					atomic.AddInt64(&c.p.Failed, 1)
					addErr(it.err)
					c.report(false)
					continue
				}
				if err := sink.PutMail(ctx, it.m); err != nil {
					// The store cannot commit: stop rather than skip.
					fatal.CompareAndSwap(nil, fmt.Errorf("storing %s: %w", it.m.Position, err))
					cancel()
					continue
				}
				atomic.AddInt64(&c.p.Messages, 1)
				atomic.AddInt64(&c.p.Bytes, int64(len(it.m.Data)))
				c.report(false)
			}
		}()
	}
	mtimes := map[string]time.Time{}
	walkErr := source.Walk(ctx, paths, nil, func(m source.Message, err error) error {
		if err != nil {
			items <- item{err: err}
			return nil
		}
		file, pos := m.Source, "1"
		if i := strings.LastIndexByte(m.Source, '#'); i > 0 {
			if _, perr := strconv.Atoi(m.Source[i+1:]); perr == nil {
				file, pos = m.Source[:i], m.Source[i+1:]
			}
		}
		abs, aerr := filepath.Abs(file)
		if aerr != nil {
			abs = file
		}
		arr := m.Arrival
		if arr.IsZero() {
			arr = opts.Now
		}
		if arr.IsZero() {
			t, ok := mtimes[file]
			if !ok {
				if st, err := os.Stat(file); err == nil {
					t = st.ModTime()
				}
				mtimes[file] = t
			}
			arr = t
		}
		select {
		case items <- item{m: ingest.Mail{Source: "file:" + abs, Position: pos, Arrival: arr, Data: m.Data}}:
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	})
	close(items)
	wg.Wait()
	c.report(true)
	if f, _ := fatal.Load().(error); f != nil {
		return c.p, f
	}
	if walkErr != nil && ctx.Err() == nil {
		addErr(walkErr)
	}
	if err := ctx.Err(); err != nil {
		return c.p, err
	}
	return c.p, errors.Join(errs...)
}

// Logs stores the raw lines of the log files at paths, rotated files of
// one log oldest first (sendlog.SortRotated). Each line's Source is
// "file:" and the file's absolute path, its Position the line's byte
// offset in the (decompressed) file, and its Received the file's
// modification time, which dates the year-less timestamps when the
// detector parses the lines, as scan does. Errors of one file are
// returned joined and the next file is read.
func Logs(ctx context.Context, sink ingest.Sink, paths []string, progress func(Progress)) (Progress, error) {
	c := &counter{fn: progress}
	var errs []error
	for _, p := range sendlog.SortRotated(paths) {
		if err := logFile(ctx, sink, p, c); err != nil {
			if ctx.Err() != nil {
				return c.p, ctx.Err()
			}
			var se *sinkError
			if errors.As(err, &se) {
				return c.p, err
			}
			errs = append(errs, err)
		}
	}
	c.report(true)
	return c.p, errors.Join(errs...)
}

type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

func logFile(ctx context.Context, sink ingest.Sink, path string, c *counter) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	src := "file:" + abs
	br, err := sendlog.Decompress(bufio.NewReaderSize(f, 64<<10), sendlog.DefaultMaxInflate)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var batch []ingest.LogLine
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := sink.PutLogLines(ctx, batch); err != nil {
			return &sinkError{fmt.Errorf("storing lines of %s: %w", path, err)}
		}
		atomic.AddInt64(&c.p.LogLines, int64(len(batch)))
		c.report(false)
		batch = batch[:0]
		return nil
	}
	var off int64
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			n := int64(len(line))
			text := strings.TrimRight(line, "\r\n")
			if text != "" {
				batch = append(batch, ingest.LogLine{Source: src, Position: strconv.FormatInt(off, 10), Received: st.ModTime(), Line: text})
			}
			off += n
			atomic.AddInt64(&c.p.Bytes, n)
			if len(batch) >= 2048 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return flush()
}
