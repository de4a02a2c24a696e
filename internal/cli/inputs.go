package cli

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/sendlog"
)

// inputError is a path on the command line that cannot be used as given:
// refused before anything is read (exit status 2), with one line in the
// user's language.
type inputError struct {
	m    msg
	args []any
	hint msg // appended, when set
}

func (e *inputError) Error() string { return e.text(advice.English) }

// text is the message in l.
func (e *inputError) text(l advice.Lang) string {
	return fmt.Sprintf(e.m.in(l), e.args...) + e.hint.in(l)
}

// expandPaths resolves the paths given to flag (--mail or --sendlog): "-"
// and existing files and directories as they are; a pattern with * ? or
// [ (quoted, so that the shell left it alone, as in '/var/log/mail.log*')
// into the files it matches — a log's rotations oldest first
// (mail.log.3.gz, mail.log.2.gz, mail.log.1, mail.log; sendlog.SortRotated),
// other files in name order. A path that does not exist, or a pattern
// that matches nothing, is an error naming it; all are returned.
func expandPaths(flag string, paths []string, rotated bool) ([]string, []*inputError) {
	var out []string
	var errs []*inputError
	for _, p := range paths {
		if p == "-" {
			out = append(out, p)
			continue
		}
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, &inputError{m: msgUnreadable, args: []any{flag, p, unwrapPath(err)}})
			continue
		}
		if !strings.ContainsAny(p, "*?[") {
			errs = append(errs, &inputError{m: msgNoSuchPath, args: []any{flag, p}})
			continue
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			errs = append(errs, &inputError{m: msgBadPattern, args: []any{flag, p}})
			continue
		}
		if len(matches) == 0 {
			errs = append(errs, &inputError{m: msgNoMatch, args: []any{flag, p}})
			continue
		}
		slices.Sort(matches)
		if rotated {
			matches = sendlog.SortRotated(matches)
		}
		out = append(out, matches...)
	}
	return out, errs
}

// unwrapPath drops the path a *PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sniffSize is how much of a file the checks below read.
const sniffSize = 64 << 10

// head returns the first n bytes of a regular file, decompressed when it
// is gzip or bzip2 (by its magic number, whatever its name; at most n
// bytes are decompressed); nil for a directory or something that is not a
// regular file. For a gzip file whose header is broken it returns nil
// with packed set to "gzip": the reader will name the error.
func head(path string, n int) (b []byte, packed string, err error) {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return nil, "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic, _ := br.Peek(4)
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, "gzip", nil // the reader will say what is wrong
		}
		defer zr.Close()
		r = zr
	case bytes.HasPrefix(magic, []byte("BZh")):
		r = bzip2.NewReader(br)
	}
	b = make([]byte, n)
	m, err := io.ReadFull(r, b)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		if m == 0 {
			return nil, "", nil // let the reader report it
		}
	}
	return b[:m], "", nil
}

// binaryShare is the share of a sample that cannot be log text: NUL and
// other control bytes (tabs, line ends, ESC and form feeds aside) and
// bytes of invalid UTF-8. A log may hold a few (a Latin-1 subject in a
// header_checks line); binary data has a third or more.
func binaryShare(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	bad := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1b && c != '\f' || c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			if len(b)-i < 4 && !utf8.FullRune(b[i:]) {
				break // a character cut at the end of the sample
			}
			bad++
			size = 1
		}
		i += size
	}
	return float64(bad) / float64(len(b))
}

// maxBinaryShare is where a sample stops being text.
const maxBinaryShare = 0.10

// packedMagic names compressed formats the log reader does not open.
var packedMagic = []struct {
	magic []byte
	name  string
}{
	{[]byte{0xfd, '7', 'z', 'X', 'Z', 0}, "xz"},
	{[]byte{0x28, 0xb5, 0x2f, 0xfd}, "zstd"},
	{[]byte("PK\x03\x04"), "zip"},
	{[]byte("7z\xbc\xaf\x27\x1c"), "7z"},
	{[]byte{0x04, 0x22, 0x4d, 0x18}, "lz4"},
}

// checkLogFile refuses a --sendlog file that is not text: binary data
// (a journal file, an archive, a database) must never reach the reader's
// "lines not understood" samples or the terminal.
func checkLogFile(path string) *inputError {
	b, packed, err := head(path, sniffSize)
	if err != nil || b == nil || packed != "" {
		return nil // missing, a directory, or a broken .gz: the reader reports it
	}
	share := binaryShare(b)
	if share < maxBinaryShare {
		return nil
	}
	e := &inputError{m: msgBinaryLog, args: []any{path, fmt.Sprintf("%.0f%%", share*100), byteSize(len(b))}}
	switch {
	case bytes.HasPrefix(b, []byte("LPKSHHRH")):
		e.hint = msgBinaryJournal
	default:
		for _, p := range packedMagic {
			if bytes.HasPrefix(b, p.magic) {
				e.hint = msg{fmt.Sprintf(msgBinaryPacked.en, p.name), fmt.Sprintf(msgBinaryPacked.ja, p.name)}
			}
		}
	}
	return e
}

func byteSize(n int) string {
	if n >= 1<<10 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// logLine matches the start of a line of a mail server's log: a syslog
// time stamp ("Nov  2 02:14:07", RFC 3164), an ISO one
// ("2026-11-02T02:14:07.123+09:00", "2026-11-02 02:14:07" of Exim's
// mainlog), or an RFC 5424 header ("<22>1 2026-…").
var logLine = regexp.MustCompile(`^(?:[A-Z][a-z]{2} [ 0-3]?\d \d\d:\d\d:\d\d |\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d|<\d{1,3}>1 \d{4}-)`)

// checkMailFile refuses a --mail file that is a mail server's log (a
// rotated mail.log given to the wrong flag): its first lines are log
// lines, where a message starts with header fields and an mbox with
// "From ".
func checkMailFile(path string) *inputError {
	b, _, err := head(path, 4<<10)
	if err != nil || len(b) == 0 {
		return nil
	}
	lines, logs := 0, 0
	first := ""
	text := string(b)
	if i := strings.LastIndexByte(text, '\n'); i >= 0 && len(b) == 4<<10 {
		text = text[:i] // a cut last line
	}
	for n, line := range strings.Split(text, "\n") {
		if n == 10 {
			break
		}
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		lines++
		if logLine.MatchString(line) {
			logs++
			if first == "" {
				first = line
			}
		}
	}
	if lines == 0 || logs*2 <= lines {
		return nil
	}
	return &inputError{m: msgLogAsMail, args: []any{path, truncateRunes(first, 40)}}
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
