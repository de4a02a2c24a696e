package scenario

import (
	"bufio"
	"bytes"
	"container/heap"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// stampStyle is how a log line's time is written.
type stampStyle uint8

const (
	// stampClassic is RFC 3164 syslog ("Nov  2 02:14:07"), as rsyslog's
	// traditional file format and Postfix's own maillog_file write it.
	stampClassic stampStyle = iota
	// stampISO is rsyslog's high-precision RFC 3339 time
	// ("2026-11-02T02:14:07.123456+09:00"), Debian's default since 12.
	stampISO
	// stampExim is Exim's mainlog ("2026-11-02 02:14:07").
	stampExim
)

// logLine is one pending line: its time and its text after the stamp.
type logLine struct {
	t    time.Time
	seq  uint64
	text string
}

type lineHeap []logLine

func (h lineHeap) Len() int { return len(h) }
func (h lineHeap) Less(i, j int) bool {
	if !h[i].t.Equal(h[j].t) {
		return h[i].t.Before(h[j].t)
	}
	return h[i].seq < h[j].seq
}
func (h lineHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *lineHeap) Push(x any)   { *h = append(*h, x.(logLine)) }
func (h *lineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// logSink writes log lines in time order. Lines may be added out of order
// as long as none is earlier than the last flush: the simulation adds the
// lines of one message (spread over seconds or minutes) when the message
// is submitted, and flushes before each later submission.
type logSink struct {
	path  string
	f     *os.File
	w     *bufio.Writer
	style stampStyle
	loc   *time.Location
	host  string // syslog host name
	h     lineHeap
	seq   uint64
	last  time.Time
	lines int
	buf   []byte
	// rotate, when set, is the time logrotate moved the file: lines
	// before it go to path+".1", the rest to path.
	rotate time.Time
}

// newLogSink creates the log file at path; an empty path discards the
// lines (a scenario without a send log still simulates the server).
func newLogSink(path string, style stampStyle, loc *time.Location, host string) (*logSink, error) {
	s := &logSink{path: path, style: style, loc: loc, host: host}
	return s, s.open(path)
}

// open starts writing the file at path ("" discards).
func (s *logSink) open(path string) error {
	var out io.Writer = io.Discard
	s.f = nil
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("scenario: log directory: %w", err)
		}
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("scenario: creating the log: %w", err)
		}
		s.f, out = f, f
	}
	s.w = bufio.NewWriterSize(out, 256<<10)
	return nil
}

// rotated makes the sink write lines before t to path+".1", as logrotate
// leaves a log; it must be called before any line is written.
func (s *logSink) rotated(t time.Time) error {
	if s.path == "" {
		return nil
	}
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("scenario: rotating the log: %w", err)
	}
	if err := os.Remove(s.path); err != nil {
		return fmt.Errorf("scenario: rotating the log: %w", err)
	}
	s.rotate = t
	return s.open(s.path + ".1")
}

// add queues a syslog line "host prog[pid]: msg" (Postfix) at t.
func (s *logSink) add(t time.Time, prog string, pid int, msg string) {
	s.seq++
	heap.Push(&s.h, logLine{t: t, seq: s.seq, text: s.host + " " + prog + "[" + strconv.Itoa(pid) + "]: " + msg})
}

// addRaw queues a line whose text follows the stamp as it is (Exim).
func (s *logSink) addRaw(t time.Time, text string) {
	s.seq++
	heap.Push(&s.h, logLine{t: t, seq: s.seq, text: text})
}

// flush writes the lines earlier than before.
func (s *logSink) flush(before time.Time) error {
	for len(s.h) > 0 && s.h[0].t.Before(before) {
		l := heap.Pop(&s.h).(logLine)
		if err := s.write(l); err != nil {
			return err
		}
	}
	return nil
}

func (s *logSink) write(l logLine) error {
	if !s.rotate.IsZero() && !l.t.Before(s.rotate) {
		s.rotate = time.Time{}
		if err := s.closeFile(s.path + ".1"); err != nil {
			return err
		}
		if err := s.open(s.path); err != nil {
			return err
		}
	}
	t := l.t.In(s.loc)
	b := s.buf[:0]
	switch s.style {
	case stampISO:
		b = t.AppendFormat(b, "2006-01-02T15:04:05.000000-07:00")
	case stampExim:
		b = t.AppendFormat(b, "2006-01-02 15:04:05")
	default:
		b = t.AppendFormat(b, "Jan _2 15:04:05")
	}
	b = append(b, ' ')
	b = append(b, l.text...)
	b = append(b, '\n')
	s.buf = b
	s.lines++
	if t.After(s.last) {
		s.last = t
	}
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("scenario: writing the log: %w", err)
	}
	return nil
}

// close writes what is left and dates the file at its last line, as a
// live log file is: readers take the year of year-less syslog stamps from
// the file's modification time.
func (s *logSink) close() error {
	if err := s.flush(time.Unix(1<<40, 0)); err != nil {
		return err
	}
	if !s.rotate.IsZero() { // nothing came after the rotation
		if err := s.closeFile(s.path + ".1"); err != nil {
			return err
		}
		if err := s.open(s.path); err != nil {
			return err
		}
	}
	return s.closeFile(s.path)
}

// closeFile finishes the file being written, named path.
func (s *logSink) closeFile(path string) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("scenario: writing the log: %w", err)
	}
	if s.f == nil {
		return nil
	}
	if err := s.f.Close(); err != nil {
		return fmt.Errorf("scenario: closing the log: %w", err)
	}
	if !s.last.IsZero() {
		mt := s.last.Add(time.Second)
		if err := os.Chtimes(path, mt, mt); err != nil {
			return fmt.Errorf("scenario: dating the log: %w", err)
		}
	}
	return nil
}

// mailbox stores delivered messages: one file each in a Maildir's cur/
// (named as Dovecot names them), or appended to an mbox file (mboxrd).
type mailbox struct {
	dir  string // Maildir root, or ""
	mbox *bufio.Writer
	f    *os.File
	path string
	n    int
	pid  int
}

func newMaildir(dir string) (*mailbox, error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("scenario: creating the Maildir: %w", err)
		}
	}
	return &mailbox{dir: dir, path: dir, pid: 2301}, nil
}

func newMbox(path string) (*mailbox, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("scenario: mbox directory: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: creating the mbox: %w", err)
	}
	return &mailbox{f: f, mbox: bufio.NewWriterSize(f, 256<<10), path: path}, nil
}

// add stores msg, delivered at t; from is the envelope sender for the
// mbox From_ line.
func (b *mailbox) add(t time.Time, from string, msg []byte) error {
	b.n++
	if b.mbox != nil {
		if from == "" {
			from = "MAILER-DAEMON"
		}
		// From_ line: the envelope sender and asctime(3) in UTC.
		fmt.Fprintf(b.mbox, "From %s  %s\n", from, t.UTC().Format("Mon Jan _2 15:04:05 2006"))
		for len(msg) > 0 {
			line := msg
			if i := bytes.IndexByte(msg, '\n'); i >= 0 {
				line, msg = msg[:i+1], msg[i+1:]
			} else {
				msg = nil
			}
			// mboxrd: quote ">*From " lines with one more '>'.
			if bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) {
				b.mbox.WriteByte('>')
			}
			b.mbox.Write(line)
		}
		_, err := b.mbox.WriteString("\n")
		if err != nil {
			return fmt.Errorf("scenario: writing the mbox: %w", err)
		}
		return nil
	}
	// Dovecot: <secs>.M<usecs>P<pid>.<host>,S=<size>,W=<vsize>:2,<flags>
	crlf := len(msg) + bytes.Count(msg, []byte("\n"))
	name := fmt.Sprintf("%d.M%dP%d.%s,S=%d,W=%d:2,S", t.Unix(), t.Nanosecond()/1000, b.pid+b.n%97, MailHost, len(msg), crlf)
	p := filepath.Join(b.dir, "cur", name)
	if err := os.WriteFile(p, msg, 0o644); err != nil {
		return fmt.Errorf("scenario: writing %s: %w", name, err)
	}
	mt := t.Add(2 * time.Second)
	if err := os.Chtimes(p, mt, mt); err != nil {
		return fmt.Errorf("scenario: dating %s: %w", name, err)
	}
	return nil
}

func (b *mailbox) close() error {
	if b.mbox == nil {
		return nil
	}
	if err := b.mbox.Flush(); err != nil {
		return fmt.Errorf("scenario: writing the mbox: %w", err)
	}
	if err := b.f.Close(); err != nil {
		return fmt.Errorf("scenario: closing the mbox: %w", err)
	}
	return nil
}
