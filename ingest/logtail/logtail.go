// Package logtail follows a mail log file as it grows, across rotation,
// and hands its complete lines to an [ingest.Sink] in batches.
//
// Rotation is handled both ways logrotate does it:
//
//   - rename + new file (the default "create" mode): when the path names a
//     new file, what is left in the old one (still open, or found again as
//     PATH.1) is read to its end first, then the new file from its start;
//   - copytruncate: when the file shrinks below the offset read, the lines
//     between that offset and the copy's end are read from PATH.1, then the
//     file again from its start.
//
// Each line's Position is "dev:ino:fp:offset": the file's device and inode
// numbers, a fingerprint of its first line (8 hex digits of its SHA-256),
// and the line's byte offset. The inode alone is not enough: a file system
// reuses the inode of a rotated file once it is deleted, and a new log
// file's offsets would then repeat the old one's positions. A file
// truncated in place (copytruncate) keeps its inode; its first line, and
// so its fingerprint, changes, and a generation counter is added as well
// ("fp.N", N = 1, 2, … truncations seen) in case it does not. The cursor
// (see [ingest.Cursors]) is the position of the first byte not yet stored,
// so a restart resumes exactly there: nothing is lost and nothing stored
// twice.
package logtail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// Options configures a [Tail].
type Options struct {
	// Path is the log file to follow (required).
	Path string
	// Name is the source's name; default "file:" + Path.
	Name string
	// Sink receives the lines (required).
	Sink ingest.Sink
	// Cursors keeps the resume point across restarts; nil starts each run
	// from the beginning of the file (the sink drops what it has).
	Cursors ingest.Cursors
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Poll is how often the file is checked for new data; default 250 ms.
	Poll time.Duration
	// BatchLines is the most lines handed to the sink at once; default 1000.
	BatchLines int
	// MaxLine cuts longer lines (a binary file by mistake); default 64 KiB.
	MaxLine int
	// RotateWait is how long a renamed file must stay quiet before the
	// tail switches to the new one (its writer may not have reopened yet);
	// default 2 s.
	RotateWait time.Duration
	// Backoff between retries when the file is gone or the sink fails;
	// default 250 ms doubling to 30 s.
	Backoff ingest.Backoff
}

// Tail follows one log file. It implements [ingest.Source].
type Tail struct {
	o      Options
	log    *slog.Logger
	status *ingest.Status

	// where reading stands; kept across follow() restarts within a Run.
	cur    cursor
	loaded bool
	// last holds up to 64 bytes before cur.off, to tell a file truncated
	// and written past our offset between two looks from one that grew.
	last []byte
}

// cursor is a file identity and an offset in it.
type cursor struct {
	dev, ino uint64
	fp       string // fingerprint of the first line; "" until it is complete
	gen      int    // truncations seen (copytruncate)
	off      int64
}

func (c cursor) id() string {
	fp := c.fp
	if fp == "" {
		fp = "-"
	}
	if c.gen > 0 {
		fp += "." + strconv.Itoa(c.gen)
	}
	return fmt.Sprintf("%d:%d:%s", c.dev, c.ino, fp)
}

func (c cursor) String() string { return c.id() + ":" + strconv.FormatInt(c.off, 10) }

func (c cursor) sameFile(st os.FileInfo) bool {
	dev, ino := fileID(st)
	return dev == c.dev && ino == c.ino
}

// isFile tells whether f (with stat st) is the file c names: the same
// inode and, when both are known, the same first line.
func (c cursor) isFile(f *os.File, st os.FileInfo) bool {
	if !c.sameFile(st) {
		return false
	}
	fp, ok := fingerprint(f, false)
	return c.fp == "" || !ok || fp == c.fp
}

// parseCursor reads "dev:ino:fp[.gen]:offset" (and the older
// "dev:ino[.gen]:offset", without a fingerprint).
func parseCursor(s string) (cursor, error) {
	var c cursor
	f := strings.Split(s, ":")
	if len(f) == 3 {
		ino, gen, _ := strings.Cut(f[1], ".")
		f = []string{f[0], ino, "-." + gen, f[2]}
		if gen == "" {
			f[2] = "-"
		}
	}
	if len(f) != 4 {
		return c, fmt.Errorf("logtail: bad cursor %q", s)
	}
	fp, gen, _ := strings.Cut(f[2], ".")
	var err1, err2, err3, err4 error
	c.dev, err1 = strconv.ParseUint(f[0], 10, 64)
	c.ino, err2 = strconv.ParseUint(f[1], 10, 64)
	if gen != "" {
		c.gen, err3 = strconv.Atoi(gen)
	}
	if fp != "-" {
		c.fp = fp
		if _, err := strconv.ParseUint(fp, 16, 64); err != nil || len(fp) != 8 {
			err3 = errors.New("bad fingerprint")
		}
	}
	c.off, err4 = strconv.ParseInt(f[3], 10, 64)
	if err := errors.Join(err1, err2, err3, err4); err != nil || c.off < 0 || c.gen < 0 {
		return cursor{}, fmt.Errorf("logtail: bad cursor %q", s)
	}
	return c, nil
}

// fingerprint is 8 hex digits of the SHA-256 of f's first line (its first
// 4 KiB if longer); ok is false while the first line is not complete,
// unless final (a rotated file that will not grow).
func fingerprint(f *os.File, final bool) (fp string, ok bool) {
	buf := make([]byte, 4096)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false
	}
	b := buf[:n]
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	} else if n < len(buf) && !final {
		return "", false
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4]), true
}

func fileID(st os.FileInfo) (dev, ino uint64) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Dev), uint64(s.Ino)
	}
	return 0, 0
}

// New checks o and returns the tail; it opens nothing yet.
func New(o Options) (*Tail, error) {
	if o.Path == "" {
		return nil, errors.New("logtail: no path")
	}
	if o.Sink == nil {
		return nil, errors.New("logtail: no sink")
	}
	if o.Name == "" {
		o.Name = "file:" + o.Path
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.RotateWait <= 0 {
		o.RotateWait = 2 * time.Second
	}
	if o.BatchLines <= 0 {
		o.BatchLines = 1000
	}
	if o.MaxLine <= 0 {
		o.MaxLine = 64 << 10
	}
	o.MaxLine = min(o.MaxLine, readBuf) // a line must fit in one read
	if o.Backoff.Min == 0 {
		o.Backoff.Min = 250 * time.Millisecond
	}
	if o.Backoff.Max == 0 {
		o.Backoff.Max = 30 * time.Second
	}
	return &Tail{o: o, log: o.Logger.With("source", o.Name), status: ingest.NewStatus(o.Name, "logfile")}, nil
}

// Name returns the source's name.
func (t *Tail) Name() string { return t.o.Name }

// Health tells how the tail is doing.
func (t *Tail) Health() ingest.Health {
	return t.status.Health()
}

// Run follows the file until ctx is done. A missing file or a failing sink
// is retried with backoff and shown in Health; Run returns nil when ctx
// is done.
func (t *Tail) Run(ctx context.Context) error {
	ingest.Reconnect(ctx, t.status, t.log, "log follow failed; retrying", t.o.Backoff, t.follow)
	return nil
}

// follow opens the file where the cursor says and reads it until ctx is
// done or an error.
func (t *Tail) follow(ctx context.Context, bo *ingest.Backoff) error {
	if !t.loaded && t.o.Cursors != nil {
		s, err := t.o.Cursors.Cursor(ctx, t.o.Name)
		if err != nil {
			return fmt.Errorf("reading cursor: %w", err)
		}
		if s != "" {
			c, err := parseCursor(s)
			if err != nil {
				t.log.Warn("ignoring a bad cursor; reading the file from its start", "err", err)
			} else {
				t.cur = c
			}
		}
	}
	t.loaded = true

	f, err := os.Open(t.o.Path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", t.o.Path, err)
	}
	defer func() { f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w", t.o.Path, err)
	}
	switch {
	case t.cur.dev == 0 && t.cur.ino == 0:
		t.cur = newCursor(st)
		t.last = nil
	case !t.cur.sameFile(st):
		// Rotated by renaming while we were away: the rest of the file we
		// were reading is PATH.1, if it is still there.
		if err := t.drainRotated(ctx, bo); err != nil {
			return err
		}
		t.cur = newCursor(st)
		t.last = nil
	case !t.cur.isFile(f, st) || st.Size() < t.cur.off || t.rewritten(f):
		// The same inode with other content: truncated in place
		// (copytruncate; the rest is in the copy), or a new file that got
		// the inode of the deleted old one.
		if err := t.truncated(ctx, bo); err != nil {
			return err
		}
	}
	t.status.SetConnected(true)
	t.status.ClearError()
	bo.Reset()

	for {
		// Truncated in place (copytruncate) since the last look? Checked
		// before reading, or the new content would be read from the old
		// offset.
		if fst, err := f.Stat(); err == nil && (fst.Size() < t.cur.off || t.rewritten(f) || !t.cur.isFile(f, fst)) {
			if err := t.truncated(ctx, bo); err != nil {
				return err
			}
		}
		if err := t.readAll(ctx, f, bo, false); err != nil {
			return err
		}
		// At the end: was the file rotated or truncated meanwhile?
		pst, perr := os.Stat(t.o.Path)
		fst, ferr := f.Stat()
		if ferr != nil {
			return fmt.Errorf("%s: %w", t.o.Path, ferr)
		}
		switch {
		case perr != nil:
			// Renamed away, the new file not made yet (or deleted): keep
			// reading what we have open, and say so.
			t.status.Failed(fmt.Errorf("%s: %w", t.o.Path, perr))
		case !t.cur.sameFile(pst):
			// Renamed, a new file in its place: finish the old one, its
			// last line even without a line end, then switch. The writer
			// may go on writing to the old file until it is told to
			// reopen (logrotate's postrotate, postlogd's reopen), so the
			// old file is read until it has been quiet for RotateWait.
			if err := t.drainQuiet(ctx, f, bo); err != nil {
				return err
			}
			nf, err := os.Open(t.o.Path)
			if err != nil {
				return fmt.Errorf("opening %s: %w", t.o.Path, err)
			}
			nst, err := nf.Stat()
			if err != nil {
				nf.Close()
				return err
			}
			f.Close()
			f = nf
			t.log.Info("log file rotated; following the new file", "from", t.cur.id())
			t.cur = newCursor(nst)
			t.last = nil
			t.saveCursor(ctx)
			t.status.ClearError()
			continue
		case fst.Size() < t.cur.off:
			continue // truncated: handled at the top of the loop
		default:
			if t.status.Health().LastError != "" && perr == nil {
				t.status.ClearError()
			}
		}
		if !ingest.Sleep(ctx, t.o.Poll) {
			return nil
		}
	}
}

func newCursor(st os.FileInfo) cursor {
	dev, ino := fileID(st)
	return cursor{dev: dev, ino: ino}
}

// drainQuiet reads the renamed file f until it has not grown for
// RotateWait, then its last line even without a line end.
func (t *Tail) drainQuiet(ctx context.Context, f *os.File, bo *ingest.Backoff) error {
	var size int64 = -1
	quiet := time.Now()
	for {
		if err := t.readAll(ctx, f, bo, false); err != nil {
			return err
		}
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("%s: %w", t.o.Path, err)
		}
		if st.Size() != size {
			size, quiet = st.Size(), time.Now()
		} else if time.Since(quiet) >= t.o.RotateWait {
			return t.readAll(ctx, f, bo, true)
		}
		if !ingest.Sleep(ctx, t.o.Poll) {
			return ctx.Err()
		}
	}
}

// rewritten tells whether the bytes before the cursor changed: the file
// was truncated and written past our offset between two looks. After a
// restart, when those bytes are not known, the byte before the offset must
// still end a line.
func (t *Tail) rewritten(f *os.File) bool {
	if t.cur.off == 0 {
		return false
	}
	want := t.last
	if len(want) == 0 {
		want = []byte{'\n'}
	}
	got := make([]byte, len(want))
	n, _ := f.ReadAt(got, t.cur.off-int64(len(want)))
	return n == len(want) && !bytes.Equal(got, want)
}

// drainRotated reads the remainder of the file the cursor names from
// PATH.1 (rotated by renaming), if PATH.1 is that file.
func (t *Tail) drainRotated(ctx context.Context, bo *ingest.Backoff) error {
	old, err := os.Open(t.o.Path + ".1")
	if err != nil {
		t.log.Warn("the file we were reading was rotated away and is not PATH.1; its unread end is lost", "cursor", t.cur.String())
		return nil
	}
	defer old.Close()
	st, err := old.Stat()
	if err != nil || !t.cur.isFile(old, st) {
		t.log.Warn("the file we were reading was rotated away and is not PATH.1; its unread end is lost", "cursor", t.cur.String())
		return nil
	}
	t.log.Info("reading the rest of the rotated file", "file", t.o.Path+".1", "from", t.cur.off)
	return t.readAll(ctx, old, bo, true)
}

// truncated handles a file that shrank below the cursor (copytruncate):
// the lines written between our last read and the truncation are in the
// copy, PATH.1, from the same offset on; then the file starts again as a
// new generation.
func (t *Tail) truncated(ctx context.Context, bo *ingest.Backoff) error {
	if cp, err := os.Open(t.o.Path + ".1"); err == nil {
		st, err := cp.Stat()
		fp, _ := fingerprint(cp, true)
		if err == nil && !t.cur.sameFile(st) && st.Size() > t.cur.off && (t.cur.fp == "" || fp == t.cur.fp) {
			t.log.Info("log file truncated (copytruncate); reading the rest from the copy", "file", t.o.Path+".1", "from", t.cur.off)
			err = t.readAll(ctx, cp, bo, true)
		}
		cp.Close()
		if err != nil {
			return err
		}
	}
	t.cur.gen++
	t.cur.off = 0
	t.cur.fp = "" // the new first line's, once written
	t.last = nil
	t.log.Info("log file truncated; reading it again from its start", "generation", t.cur.gen)
	t.saveCursor(ctx)
	return nil
}

// readBuf is the size of one read.
const readBuf = 256 << 10

// readAll reads f from the cursor's offset to its end and stores the
// complete lines; with final, a last line without a line end too.
func (t *Tail) readAll(ctx context.Context, f *os.File, bo *ingest.Backoff, final bool) error {
	buf := make([]byte, readBuf)
	for {
		n, err := f.ReadAt(buf, t.cur.off)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading %s: %w", f.Name(), err)
		}
		data := buf[:n]
		if t.cur.fp == "" && n > 0 {
			fp, ok := fingerprint(f, final)
			if !ok {
				return nil // no complete first line yet: nothing to store
			}
			t.cur.fp = fp
		}
		var lines []ingest.LogLine
		now := time.Now()
		consumed := 0
		for consumed < len(data) && len(lines) < t.o.BatchLines {
			rest := data[consumed:]
			i := bytes.IndexByte(rest, '\n')
			end, next := i, i+1
			if i < 0 {
				if len(rest) >= t.o.MaxLine {
					end, next = t.o.MaxLine, t.o.MaxLine
				} else if final && n < len(buf) {
					end, next = len(rest), len(rest)
				} else {
					break
				}
			} else if i > t.o.MaxLine {
				end = t.o.MaxLine
			}
			line := bytes.TrimSuffix(rest[:end], []byte{'\r'})
			if len(line) > 0 {
				c := t.cur
				c.off += int64(consumed)
				lines = append(lines, ingest.LogLine{Source: t.o.Name, Position: c.String(), Received: now, Line: string(line)})
			}
			consumed += next
		}
		if consumed == 0 {
			return nil
		}
		if len(lines) > 0 {
			if err := t.put(ctx, lines, bo); err != nil {
				return err
			}
			t.status.Stored(len(lines), time.Now())
		}
		t.cur.off += int64(consumed)
		t.last = append(t.last, data[max(0, consumed-64):consumed]...)
		t.last = t.last[max(0, len(t.last)-64):]
		t.status.SetLag(0)
		t.saveCursor(ctx)
	}
}

// put hands lines to the sink, retrying with backoff until it commits or
// ctx is done: a line is never skipped.
func (t *Tail) put(ctx context.Context, lines []ingest.LogLine, bo *ingest.Backoff) error {
	read := lines[0].Received
	for {
		err := t.o.Sink.PutLogLines(ctx, lines)
		if err == nil {
			bo.Reset()
			if t.status.Health().LastError != "" {
				t.status.ClearError()
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t.status.Failed(fmt.Errorf("storing lines: %w", err))
		t.status.SetLag(time.Since(read))
		t.log.Warn("the store did not take the lines; retrying", "err", err)
		if !ingest.Sleep(ctx, bo.Next()) {
			return ctx.Err()
		}
	}
}

func (t *Tail) saveCursor(ctx context.Context) {
	if t.o.Cursors == nil {
		return
	}
	if err := t.o.Cursors.SetCursor(ctx, t.o.Name, t.cur.String()); err != nil && ctx.Err() == nil {
		// Not fatal: the lines are stored; a restart re-reads a little and
		// the sink drops what it has.
		t.status.Failed(fmt.Errorf("saving cursor: %w", err))
	}
}

var _ ingest.Source = (*Tail)(nil)
