package sendlog

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Options control Read and ReadFiles. The zero value detects the format,
// takes the year of year-less timestamps from the file's modification time,
// and reads zone-less timestamps in time.Local.
type Options struct {
	// Format forces a format; Auto (the zero value) detects it per file from
	// its first meaningful lines. Forcing Postfix or Sendmail makes the other
	// one's syslog lines unknown; with Auto a syslog file may mix both.
	Format Format
	// Reference dates year-less syslog timestamps ("Nov  2 02:14:07"). The
	// first one of a file gets Reference's year, or the year before if that
	// would put it more than two days after Reference (logs are not written
	// in the future). Then the year follows the file: a timestamp more than
	// 60 days before the previous one starts the next year (the December →
	// January rollover); smaller steps back do not. Zero means the file's
	// modification time when Read is given an *os.File (ReadFiles always
	// does, per file), else time.Now().
	Reference time.Time
	// Location is the zone of timestamps without an explicit offset; nil
	// means time.Local. Explicit offsets (ISO, RFC 5424, Exim +0900) win.
	Location *time.Location
	// MaxSamples is how many unknown lines are kept per file in
	// Stats.Samples; 0 means 10, a negative number none.
	MaxSamples int
	// MaxInflate is how many bytes a compressed file may decompress to
	// before its ratio to the compressed size is checked (see ErrBomb);
	// 0 means DefaultMaxInflate.
	MaxInflate int64
}

// Stats tells what a read saw. Every line is counted once as an event line,
// ignored or unknown (blank lines count as ignored).
type Stats struct {
	Lines   int // lines read
	Events  int // events passed to the callback (a few lines yield two)
	Ignored int // lines of a known form that carry nothing to report (connect from, TLS, queue runs, …)
	Unknown int // lines not understood: of a known program in an unparsed form, or unrecognised entirely
	// Samples holds the first unknown lines of each file (Options.MaxSamples
	// per file) as "file:line: text", the text cut to 300 bytes.
	Samples []string
	// Format is the format read (detected or forced); in ReadFiles the
	// files' common format, or "" if they differ.
	Format Format
}

func (s *Stats) add(o Stats) {
	s.Lines += o.Lines
	s.Events += o.Events
	s.Ignored += o.Ignored
	s.Unknown += o.Unknown
	s.Samples = append(s.Samples, o.Samples...)
}

// ErrFormat is returned (wrapped) when Auto could not recognise a file's
// format and not a single line of it was understood. Its lines are still
// counted as unknown and sampled.
var ErrFormat = errors.New("sendlog: unrecognised log format")

// maxLine is the longest line kept; the rest of a longer line is skipped.
const maxLine = 1 << 20

// result says what became of a line.
type result uint8

const (
	resUnknown result = iota
	resIgnored
	resEvent
)

// reader is the state of reading one file.
type reader struct {
	name    string
	opts    Options
	loc     *time.Location
	fn      func(Event) error
	stats   Stats
	maxSamp int
	lineNo  int
	format  Format // what is being read
	forced  bool
	years   yearGuesser
	stamp   stampCache
	err     error // first error of fn
}

// emit passes ev to the callback, filling in the origin fields.
func (r *reader) emit(ev *Event) {
	if r.err != nil {
		return
	}
	ev.Line = r.lineNo
	ev.Source = r.name + ":" + strconv.Itoa(r.lineNo)
	r.stats.Events++
	r.err = r.fn(*ev)
}

func (r *reader) unknown(line string) {
	r.stats.Unknown++
	if len(r.stats.Samples) < r.maxSamp {
		if len(line) > 300 {
			line = line[:300]
		}
		r.stats.Samples = append(r.stats.Samples, r.name+":"+strconv.Itoa(r.lineNo)+": "+line)
	}
}

// Read reads one log from rd, named name in Source and Samples, and calls fn
// for every event in log order. A gzip or bzip2 stream is decompressed
// transparently (it is recognised by its magic bytes, not its name).
//
// Read stops at the first error of fn, or when ctx is done, and returns it
// with the Stats so far; a read or decompression error is returned wrapped
// with name.
func Read(ctx context.Context, rd io.Reader, name string, opts Options, fn func(Event) error) (Stats, error) {
	if opts.Reference.IsZero() {
		opts.Reference = time.Now()
		if f, ok := rd.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				opts.Reference = fi.ModTime()
			}
		}
	}
	r := &reader{name: name, opts: opts, fn: fn, loc: opts.Location, maxSamp: opts.MaxSamples}
	if r.loc == nil {
		r.loc = time.Local
	}
	if r.maxSamp == 0 {
		r.maxSamp = 10
	} else if r.maxSamp < 0 {
		r.maxSamp = 0
	}
	r.years = yearGuesser{ref: opts.Reference.In(r.loc), loc: r.loc}
	r.stamp.loc = r.loc

	br := bufio.NewReaderSize(rd, 64<<10)
	maxInflate := opts.MaxInflate
	if maxInflate <= 0 {
		maxInflate = DefaultMaxInflate
	}
	br, err := decompress(br, maxInflate)
	if err != nil {
		return r.stats, fmt.Errorf("%s: %w", name, err)
	}
	r.format, r.forced = opts.Format, opts.Format != Auto
	if !r.forced {
		head, _ := br.Peek(32 << 10) // fewer bytes at EOF or on error: detect on what there is
		r.format = detect(head)
	}
	r.stats.Format = r.format
	switch r.format {
	case CSV:
		err = r.readCSV(ctx, br)
	default:
		err = r.readLines(ctx, br)
	}
	if err == nil && r.format == Auto && r.stats.Lines > 0 && r.stats.Events == 0 && r.stats.Ignored == 0 {
		err = fmt.Errorf("%s: %w", name, ErrFormat)
	}
	return r.stats, err
}

// decompress returns a reader of the decompressed stream if br starts with
// the magic bytes of gzip (1f 8b) or bzip2 ("BZh1".."BZh9"), else br. The
// decompressed stream is bounded (see bombGuard).
func decompress(br *bufio.Reader, maxInflate int64) (*bufio.Reader, error) {
	magic, _ := br.Peek(4)
	in := &countReader{r: br}
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(in)
		if err != nil {
			return nil, err
		}
		return bufio.NewReaderSize(&bombGuard{r: zr, in: in, max: maxInflate}, 64<<10), nil
	case len(magic) == 4 && string(magic[:3]) == "BZh" && magic[3] >= '1' && magic[3] <= '9':
		return bufio.NewReaderSize(&bombGuard{r: bzip2.NewReader(in), in: in, max: maxInflate}, 64<<10), nil
	}
	return br, nil
}

// ErrBomb is returned (wrapped with the file's name) when a compressed log
// decompresses to more than Options.MaxInflate bytes and more than MaxRatio times
// its compressed size: a compression bomb (1.5 KB of bzip2 took 48 s to
// read), not a log. The events read before are kept.
var ErrBomb = errors.New("sendlog: decompressed data too large for its compressed size (a compression bomb?)")

// Limits of a compressed log: DefaultMaxInflate is the same as the largest
// mail message read (source.DefaultMaxMessageSize); past it, the
// decompressed stream may grow to MaxRatio times the compressed bytes read
// — mail logs compress 10 to 50 times, a bomb thousands to millions of
// times.
const (
	DefaultMaxInflate = 64 << 20
	MaxRatio          = 1000
)

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// bombGuard stops a decompressed stream that outgrows the limits.
type bombGuard struct {
	r   io.Reader
	in  *countReader // the compressed bytes read
	out int64
	max int64
}

func (g *bombGuard) Read(p []byte) (int, error) {
	if g.out > g.max && g.out > MaxRatio*g.in.n {
		return 0, fmt.Errorf("%w: %d bytes from %d", ErrBomb, g.out, g.in.n)
	}
	n, err := g.r.Read(p)
	g.out += int64(n)
	return n, err
}

// readLines reads a line-oriented log (syslog or Exim).
func (r *reader) readLines(ctx context.Context, br *bufio.Reader) error {
	var long []byte
	for {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: gather up to maxLine of it.
			long = append(long[:0], b...)
			for err == bufio.ErrBufferFull {
				b, err = br.ReadSlice('\n')
				if len(long) < maxLine {
					long = append(long, b[:min(len(b), maxLine-len(long))]...)
				}
			}
			b = long
		}
		if len(b) > 0 {
			r.lineNo++
			r.stats.Lines++
			b = bytes.TrimRight(b, "\r\n")
			r.line(string(b))
			if r.err != nil {
				return r.err
			}
			if r.lineNo&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("%s: line %d: %w", r.name, r.lineNo+1, err)
		}
	}
}

// line handles one line of a line-oriented log.
func (r *reader) line(line string) {
	if isBlank(line) {
		r.stats.Ignored++
		return
	}
	var res result
	if r.format == Exim {
		res = r.exim(line)
	} else {
		res = r.syslog(line)
	}
	switch res {
	case resUnknown:
		r.unknown(line)
	case resIgnored:
		r.stats.Ignored++
	}
}

// syslog handles a syslog line, dispatching on its program.
func (r *reader) syslog(line string) result {
	h, ok := r.parseSyslog(line)
	if !ok {
		if len(line) > 3 && line[:3] == "-- " { // journalctl's "-- Boot …", "-- No entries --"
			return resIgnored
		}
		return resUnknown
	}
	switch progFamily(h.prog) {
	case Postfix:
		if r.forced && r.format != Postfix {
			return resUnknown
		}
		return r.postfix(&h)
	case Sendmail:
		if r.forced && r.format != Sendmail {
			return resUnknown
		}
		return r.sendmail(&h)
	}
	if companion(h.prog) {
		return resIgnored
	}
	return resUnknown
}

// companion reports whether prog is one of the filters and daemons that
// share the mail log with the MTA (DKIM and DMARC milters, content and
// policy filters, the IMAP server): their lines are known and carry nothing
// about what was sent, so they are counted as ignored, not unknown.
func companion(prog string) bool {
	if i := strings.IndexByte(prog, '/'); i >= 0 {
		prog = prog[:i]
	}
	switch strings.ToLower(prog) {
	case "opendkim", "opendmarc", "openarc", "dkimproxy", "amavis", "amavisd", "amavisd-new", "spamd", "spamc",
		"spamassassin", "rspamd", "clamd", "clamav-milter", "freshclam", "postgrey", "policyd-spf",
		"policyd", "policyd-weight", "milter-greylist", "saslauthd", "dovecot", "imapd", "pop3d",
		"courier-imapd", "courierpop3d", "mailman", "postscreen-policy", "sqlgrey", "dspam":
		return true
	}
	return false
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' {
			return false
		}
	}
	return true
}
