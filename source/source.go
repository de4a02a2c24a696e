// Package source reads mail messages from files, directories, Maildirs,
// mbox files and standard input, streaming them one at a time with memory
// bounded by the largest message.
//
// Every path given to [Walk] is one of:
//
//   - "-": standard input, which may hold one message or an mbox;
//   - a directory: walked recursively in sorted order. Maildir cur/ and new/
//     are read, the tmp/ directory of a Maildir is skipped, as are dot-files
//     (like .DS_Store), hidden directories that are not Maildir++ folders
//     (like .git), Dovecot index files (dovecot*), symbolic links to
//     directories and anything that is not a regular file;
//   - a file: an mbox if its first line starts with "From " (the From_
//     separator), otherwise a single message.
//
// Gzip-compressed input (magic bytes 1f 8b, whatever the name) is
// decompressed transparently. An empty file, or one holding only white
// space, yields nothing.
//
// In an mbox, a message starts at a line beginning with "From " that begins
// the file or follows an empty line. The From_ line itself and the empty line
// before the next From_ line (or at the end of the file) are not part of the
// message. Lines matching ^>+From  are unescaped by removing one '>'
// (mboxrd). LF, CRLF and CR-only line ends are recognized; all other bytes
// are passed on unchanged.
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
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxMessageSize is the largest message accepted when
// Options.MaxMessageSize is not set: 64 MiB.
const DefaultMaxMessageSize = 64 << 20

// ErrTooLarge is wrapped by the *Error reported for a message bigger than
// Options.MaxMessageSize. The message is skipped and the walk goes on.
var ErrTooLarge = errors.New("message too large")

// bufSize is the size of the bufio buffers; a variable so tests can shrink it.
var bufSize = 64 << 10

// Message is one message read from a source.
type Message struct {
	// Source is the file path; "path#N" (N from 1) for the Nth message
	// of an mbox; "-" or "-#N" for standard input.
	Source string
	// Data is the raw message (without the mbox From_ line), with line
	// ends as in the file. Each Message has its own Data, which the
	// callee may keep.
	Data []byte
	// Arrival is when the message reached the mailbox, as the mailbox
	// itself records it, for a file in a Maildir's cur/ or new/: the
	// delivery time its name begins with ("1733480000.M123P45.host", with
	// the microseconds of M), else the file's modification time, which
	// delivery sets. For an mbox: the date of its From_ line (asctime,
	// "From MAILER-DAEMON  Sat Dec  5 10:00:00 2026"; read in
	// Options.Location, UTC by default, unless the line carries a zone).
	// Zero for a single file outside a Maildir: the modification time of
	// a saved or exported message is when it was saved, not when it
	// arrived, and would put a folder of exports all in one minute.
	Arrival time.Time
}

// Error is a failure to read one file or message. It names the source.
type Error struct {
	Source string // as in Message.Source
	Err    error  // the cause
}

func (e *Error) Error() string { return e.Source + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Options tune WalkWithOptions. The zero value is the default.
type Options struct {
	// MaxMessageSize is the largest message, in bytes, that is read;
	// 0 or less means DefaultMaxMessageSize.
	MaxMessageSize int64
	// Location is the zone of an mbox From_ line's date when the line
	// names none; nil means UTC.
	Location *time.Location
}

// Walk reads each path in order and calls fn for every message. Errors
// reading one file or message are passed to fn as an *Error (with Source and
// the wrapped cause; the Message then has only its Source set) and the walk
// goes on with the rest. Walk returns early only if fn returns a non-nil
// error, which Walk then returns, or when ctx is done, returning ctx.Err().
//
// stdin is read for the path "-"; it may be nil if no path is "-".
// fn is called from the goroutine that called Walk, one message at a time.
func Walk(ctx context.Context, paths []string, stdin io.Reader, fn func(Message, error) error) error {
	return WalkWithOptions(ctx, paths, stdin, Options{}, fn)
}

// WalkWithOptions is Walk with options.
func WalkWithOptions(ctx context.Context, paths []string, stdin io.Reader, opts Options, fn func(Message, error) error) error {
	w := &walker{ctx: ctx, stdin: stdin, max: opts.MaxMessageSize, fn: fn, loc: opts.Location}
	if w.loc == nil {
		w.loc = time.UTC
	}
	if w.max <= 0 {
		w.max = DefaultMaxMessageSize
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.path(p); err != nil {
			return err
		}
	}
	return ctx.Err()
}

type walker struct {
	ctx   context.Context
	stdin io.Reader
	max   int64
	fn    func(Message, error) error
	loc   *time.Location
	// The buffered readers of the file being read, reused from file to
	// file: a fresh 64 KiB buffer per message was most of the bytes the
	// decode command allocated (BenchmarkDecodeCLI).
	br, zbr *bufio.Reader
	zr      *gzip.Reader
}

// reader returns w's buffered reader reset to read r.
func (w *walker) reader(r io.Reader) *bufio.Reader {
	if w.br == nil {
		w.br = bufio.NewReaderSize(r, bufSize)
	} else {
		w.br.Reset(r)
	}
	return w.br
}

// report passes a read error for src to fn.
func (w *walker) report(src string, err error) error {
	return w.fn(Message{Source: src}, &Error{Source: src, Err: err})
}

// emit passes a message to fn, unless ctx is done or the message is blank.
func (w *walker) emit(src string, data []byte, arrival time.Time) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if blank(data) {
		return nil
	}
	return w.fn(Message{Source: src, Data: data, Arrival: arrival}, nil)
}

func (w *walker) path(p string) error {
	if p == "-" {
		if w.stdin == nil {
			return w.report(p, errors.New("no standard input"))
		}
		return w.stream(w.stdin, p, time.Time{})
	}
	fi, err := os.Stat(p)
	if err != nil {
		return w.report(p, err)
	}
	if fi.IsDir() {
		return w.dir(p, inMaildir(p))
	}
	// Anything else given explicitly (regular file, named pipe, device)
	// is read.
	return w.file(p, inMaildir(filepath.Dir(p)), fi.Mode().IsRegular())
}

// inMaildir reports whether d is the cur/ or new/ of a Maildir.
func inMaildir(d string) bool {
	b := filepath.Base(d)
	return (b == "cur" || b == "new") && isMaildir(filepath.Dir(d))
}

// dir reads directory d; maildir says d is a Maildir's cur/ or new/.
func (w *walker) dir(d string, mailFolder bool) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(d) // sorted by name
	if err != nil {
		// ReadDir returns what it read before the error; go on with it.
		if err := w.report(d, err); err != nil {
			return err
		}
	}
	maildir := false
	for _, e := range entries {
		if e.IsDir() && (e.Name() == "cur" || e.Name() == "new") {
			maildir = true
		}
	}
	for _, e := range entries {
		name := e.Name()
		p := filepath.Join(d, name)
		t := e.Type()
		switch {
		case t.IsDir():
			if maildir && name == "tmp" {
				continue
			}
			if strings.HasPrefix(name, ".") && !isMaildir(p) {
				continue
			}
			if err := w.dir(p, maildir && (name == "cur" || name == "new")); err != nil {
				return err
			}
			continue
		case strings.HasPrefix(name, "."), strings.HasPrefix(name, "dovecot"):
			continue
		case t&fs.ModeSymlink != 0:
			fi, err := os.Stat(p)
			if err != nil {
				if err := w.report(p, err); err != nil {
					return err
				}
				continue
			}
			if !fi.Mode().IsRegular() {
				continue // links to directories are not followed
			}
		case !t.IsRegular():
			continue
		}
		if err := w.file(p, mailFolder, true); err != nil {
			return err
		}
	}
	return nil
}

// isMaildir reports whether directory d holds cur/ or new/.
func isMaildir(d string) bool {
	for _, sub := range []string{"cur", "new"} {
		if fi, err := os.Stat(filepath.Join(d, sub)); err == nil && fi.IsDir() {
			return true
		}
	}
	return false
}

// file reads the file p; mailFolder says it lies in a Maildir's cur/ or
// new/, where its name or its modification time tells its arrival;
// regular says p is known to be a regular file.
func (w *walker) file(p string, mailFolder, regular bool) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	f, err := openFile(p, regular)
	if err != nil {
		return w.report(p, err)
	}
	defer f.Close()
	var arrival time.Time
	if mailFolder {
		if t, ok := maildirTime(filepath.Base(p)); ok {
			arrival = t
		} else {
			arrival = f.modTime()
		}
	}
	return w.streamSized(f, p, f.size, arrival)
}

// openedFile is a file being read, with what fstat(2) says of it, asked
// for only when needed.
type openedFile interface {
	io.ReadCloser
	size() int64 // of a regular file; -1 if unknown
	modTime() time.Time
}

// osFile is an openedFile for what is not read through a bare descriptor.
type osFile struct {
	*os.File
	fi     os.FileInfo
	stated bool
}

func (f *osFile) stat() os.FileInfo {
	if !f.stated {
		f.fi, _ = f.File.Stat()
		f.stated = true
	}
	return f.fi
}

func (f *osFile) size() int64 {
	if fi := f.stat(); fi != nil && fi.Mode().IsRegular() {
		return fi.Size()
	}
	return -1
}

func (f *osFile) modTime() time.Time {
	if fi := f.stat(); fi != nil {
		return fi.ModTime()
	}
	return time.Time{}
}

// stream reads one file or stdin: gzip, mbox or a single message.
func (w *walker) stream(r io.Reader, src string, arrival time.Time) error {
	return w.streamSized(r, src, nil, arrival)
}

// streamSized is stream with a function that tells the size of a regular
// file (-1 if unknown; nil for none), so that a single message is read
// into a buffer of its size at once.
func (w *walker) streamSized(r io.Reader, src string, sizeOf func() int64, arrival time.Time) error {
	br := w.reader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		var err error
		if w.zr == nil {
			w.zr, err = gzip.NewReader(br)
		} else {
			err = w.zr.Reset(br)
		}
		if err != nil {
			return w.report(src, err)
		}
		defer w.zr.Close()
		if w.zbr == nil {
			w.zbr = bufio.NewReaderSize(w.zr, bufSize)
		} else {
			w.zbr.Reset(w.zr)
		}
		br, sizeOf = w.zbr, nil
	}
	skipLeading(br)
	head, err := br.Peek(5)
	if len(head) == 0 {
		if err != nil && err != io.EOF {
			return w.report(src, err)
		}
		return nil // empty
	}
	if string(head) == "From " {
		return splitMboxFrom(w.ctx, br, w.max, func(n int, from, data []byte, err error) error {
			s := src + "#" + strconv.Itoa(n)
			if err != nil {
				return w.report(s, err)
			}
			t, _ := fromLineTime(from, w.loc)
			return w.emit(s, data, t)
		})
	}
	// The size of the buffer: what the first read gave when it did not
	// fill the reader's buffer (less what skipLeading dropped: a file
	// smaller than bufSize, most mail, needs no fstat), else the file's
	// size if known. Either is a hint: readAll reads to the end.
	size := int64(-1)
	if n := br.Buffered(); n+maxLeading < bufSize {
		size = int64(n)
	} else if sizeOf != nil {
		size = sizeOf()
	}
	data, err := readAll(br, size, w.max+1)
	if err != nil {
		return w.report(src, err)
	}
	if int64(len(data)) > w.max {
		return w.report(src, tooLarge(w.max))
	}
	return w.emit(src, data, arrival)
}

// readAll reads r to its end, or to limit bytes, into a buffer sized for
// hint bytes (a regular file's size; -1 if unknown), so that a file is
// read in one go with no growing copies. The result is a fresh slice.
func readAll(r io.Reader, hint, limit int64) ([]byte, error) {
	n := int64(512)
	if hint >= 0 {
		n = hint + 1 // one more, to see the end without growing
	}
	n = min(n, limit)
	buf := make([]byte, 0, n)
	for {
		if int64(len(buf)) >= limit {
			return buf, nil
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow
			if int64(cap(buf)) > limit {
				buf = buf[:len(buf):limit]
			}
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func tooLarge(max int64) error {
	return fmt.Errorf("%w (over %d bytes)", ErrTooLarge, max)
}

// blank reports whether data holds nothing but white space.
func blank(data []byte) bool {
	return len(bytes.TrimSpace(data)) == 0
}

// maxLeading is the most bytes skipLeading discards.
const maxLeading = 4096

// skipLeading discards what careless saving puts before a file's first
// line: a UTF-8 byte-order mark and blank lines or spaces (at most 4 KiB),
// so that an mbox saved that way is still split at its From_ lines rather
// than read as one message (issue 7 section 2).
func skipLeading(br *bufio.Reader) {
	for range maxLeading {
		b, _ := br.Peek(3)
		switch {
		case len(b) == 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf:
			br.Discard(3)
		case len(b) > 0 && (b[0] == '\n' || b[0] == '\r' || b[0] == ' ' || b[0] == '\t'):
			br.Discard(1)
		default:
			return
		}
	}
}
