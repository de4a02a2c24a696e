package sendlog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// detect guesses the format from the first bytes of a file: the first
// meaningful line (not blank, not a "#" comment, not journalctl's "-- …")
// decides CSV (a header naming time, account and count columns); otherwise
// the first line among the first 200 meaningful ones that is a syslog line
// of Postfix or Sendmail, or an Exim line (starts "YYYY-MM-DD hh:mm:ss "),
// decides: a damaged first line does not make the whole log unknown.
// Auto if none does.
func detect(head []byte) Format {
	s := string(head)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 && len(head) == 32<<10 {
		s = s[:i] // drop a cut last line
	}
	r := &reader{loc: time.UTC, years: yearGuesser{ref: time.Now(), loc: time.UTC}}
	n := 0
	for s != "" && n < 200 {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		line = strings.TrimRight(line, "\r")
		if isBlank(line) || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-- ") {
			continue
		}
		n++
		if n == 1 && isCSVHeader(strings.TrimPrefix(line, "\ufeff")) {
			return CSV
		}
		if h, ok := r.parseSyslog(line); ok {
			if f := progFamily(h.prog); f != Auto {
				return f
			}
		}
		if t, rest, ok := parseISO(line, time.UTC); ok && !t.IsZero() && line[10] == ' ' && strings.HasPrefix(rest, " ") {
			return Exim
		}
	}
	return Auto
}

// ReadFiles reads the files at paths in turn, as Read does, each with its
// own year reckoning (Options.Reference, or the file's modification time)
// and format detection. Rotated files of one log are read oldest first
// whatever their order in paths (see SortRotated); gzip and bzip2 files are
// decompressed whatever their name.
//
// An error opening or reading a file is wrapped with its name, and reading
// goes on with the next file; all of them are returned joined. An error of fn,
// or ctx being done, stops at once and is returned as is.
func ReadFiles(ctx context.Context, paths []string, opts Options, fn func(Event) error) (Stats, error) {
	var total Stats
	var errs []error
	first := true
	for _, p := range SortRotated(paths) {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		st, err := readFile(ctx, p, opts, fn)
		total.add(st)
		if first {
			total.Format, first = st.Format, false
		} else if total.Format != st.Format {
			total.Format = Auto
		}
		if err != nil {
			var fe *fileError
			if !errors.As(err, &fe) {
				return total, err // fn or ctx
			}
			errs = append(errs, fe.err)
		}
	}
	return total, errors.Join(errs...)
}

// fileError marks an error of the file itself, as opposed to one of fn.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }

func readFile(ctx context.Context, path string, opts Options, fn func(Event) error) (Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return Stats{}, &fileError{err} // *PathError names the file
	}
	defer f.Close()
	fnErr := error(nil)
	st, err := Read(ctx, f, path, opts, func(ev Event) error {
		fnErr = fn(ev)
		return fnErr
	})
	if err == nil || fnErr != nil && errors.Is(err, fnErr) || ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return st, err
	}
	return st, &fileError{err} // Read's errors already name the file
}

// SortRotated returns paths ordered for reading rotated logs oldest first:
// files of one log (same name once a ".gz"/".bz2" extension and a rotation
// suffix—".N", "-YYYYMMDD", ".YYYYMMDD", "-YYYYMMDDHH"—are removed) are put
// together at the place of the log's first file; within one log, dated
// files come in date order, then numbered ones from the highest number, then
// the current file. So maillog.3.gz, maillog.2.gz, maillog.1, maillog.
func SortRotated(paths []string) []string {
	type item struct {
		path  string
		group int   // index of the log's first appearance
		class int   // 0 dated, 1 numbered, 2 current
		n     int64 // date, or minus the number
		pos   int
	}
	groups := map[string]int{}
	items := make([]item, len(paths))
	for i, p := range paths {
		base, class, n := rotation(p)
		g, ok := groups[base]
		if !ok {
			g = len(groups)
			groups[base] = g
		}
		items[i] = item{p, g, class, n, i}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		switch {
		case a.group != b.group:
			return a.group - b.group
		case a.class != b.class:
			return a.class - b.class
		case a.n < b.n:
			return -1
		case a.n > b.n:
			return 1
		}
		return a.pos - b.pos
	})
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.path
	}
	return out
}

// rotation splits a path into the log's name, its rotation class and the
// number ordering it within the class.
func rotation(p string) (base string, class int, n int64) {
	dir, name := filepath.Split(p)
	for _, ext := range []string{".gz", ".bz2", ".xz", ".zst"} {
		name = strings.TrimSuffix(name, ext)
	}
	if i := strings.LastIndexAny(name, ".-_"); i > 0 {
		suf := name[i+1:]
		if allDigits(suf) {
			v, _ := strconv.ParseInt(suf, 10, 64)
			if len(suf) >= 8 && (suf[:2] == "19" || suf[:2] == "20") { // a date: 20261102 or 2026110203
				return dir + name[:i], 0, v
			}
			if name[i] == '.' && len(suf) <= 4 {
				return dir + name[:i], 1, -v
			}
		}
	}
	return dir + name, 2, 0
}
