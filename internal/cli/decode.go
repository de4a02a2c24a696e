package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/internal/termtext"
	"github.com/bouncewatch/bouncewatch/source"
)

const decodeHelp = `Usage: bouncewatch decode [--json] [--lang ja|en] [--all] [--workers N] PATH...

Decodes bounce messages (MAILER-DAEMON mail, delivery status notifications,
auto-replies, feedback reports) into one record per bounced recipient.

PATH is a message file (.eml), a directory (read recursively; Maildir cur/
and new/ included), an mbox file, or - for standard input. Gzip-compressed
files are read as they are.

Examples:
  bouncewatch decode ~/Maildir/.Bounces/cur
  bouncewatch decode --json /var/mail/shop.mbox.gz > bounces.jsonl
  bouncewatch decode --lang ja testdata/examples

Options:
`

type decodeOpts struct {
	json    bool
	stats   bool
	all     bool
	lang    advice.Lang
	workers int
}

func runDecode(ctx context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("decode")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, decodeHelp, decodeHelpJa))
		printOptions(env.Stderr, fs, ml, decodeFlagsJa)
	}
	var o decodeOpts
	var lang string
	fs.BoolVar(&o.json, "json", false, "write JSON Lines, one object per bounced recipient (schema: README)")
	fs.BoolVar(&o.all, "all", false, "also write a record for each message that is not a bounce, and for each that failed")
	fs.StringVar(&lang, "lang", "", "language of explanations: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "messages decoded at once")
	fs.BoolVar(&o.stats, "stats", false, "print throughput (messages/s, MB/s) and peak memory at the end")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return flagFail(env.Stderr, "decode", ml, err, help)
	}
	if len(paths) == 0 {
		say(env.Stderr, "decode", ml, msgDecodeNoPath)
		help()
		return 2
	}
	o.lang = advice.LangFromEnv(env.Getenv)
	if lang != "" {
		if o.lang, err = advice.ParseLang(lang); err != nil {
			say(env.Stderr, "decode", ml, msgBadLang, err)
			return 2
		}
	}
	if o.workers < 1 {
		o.workers = 1
	}
	return decodePaths(ctx, paths, env, o)
}

// item is one message read, or a source that failed to read.
type item struct {
	source string
	data   []byte
	err    error
}

// decoded is the outcome of one message.
type decoded struct {
	source string
	size   int
	res    *bounce.Result
	err    error
}

type counts struct {
	messages, bounces, records, notBounce, failed, warnings int
}

func decodePaths(ctx context.Context, paths []string, env Env, o decodeOpts) int {
	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	defer out.Flush()
	var w recordWriter
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetEscapeHTML(false)
		w = &jsonWriter{out: out, enc: enc, all: o.all}
	} else {
		w = newTableWriter(out, o.lang, o.all)
	}
	var c counts
	prog := newProgress(env.Stderr, env.StderrIsTerminal)
	produce := func(yield func(item) error) error {
		return source.Walk(ctx, paths, env.Stdin, func(m source.Message, err error) error {
			if err != nil {
				// A source that could not be read is reported in order
				// with the messages, and the walk goes on.
				var se *source.Error
				if errors.As(err, &se) {
					m.Source = se.Source
				}
				return yield(item{source: m.Source, err: err})
			}
			return yield(item{source: m.Source, data: m.Data})
		})
	}
	work := func(it item) decoded {
		if it.err != nil {
			return decoded{source: it.source, err: it.err}
		}
		res, err := bounce.DecodeBytes(it.data)
		return decoded{source: it.source, size: len(it.data), res: res, err: err}
	}
	emit := func(d decoded) error {
		c.messages++
		if d.err != nil {
			c.failed++
			say(env.Stderr, "", o.lang, msgDecodeFailed, d.source, d.err)
		}
		if d.res != nil {
			// What the decoder left out is said, never dropped silently.
			for _, wn := range d.res.Warnings {
				c.warnings++
				say(env.Stderr, "", o.lang, msgDecodeWarning, d.source, wn.String())
			}
		}
		if d.res != nil {
			if d.res.Kind == bounce.KindBounce {
				c.bounces++
				c.records += len(d.res.Records)
			} else if d.err == nil {
				c.notBounce++
			}
		}
		prog.tick(c, d.size)
		return w.write(d)
	}
	// The bytes of the messages in flight are bounded, not only their
	// number: one message of the largest size, and a share per worker.
	budget := int64(source.DefaultMaxMessageSize) + int64(o.workers)*(4<<20)
	size := func(it item) int64 { return int64(len(it.data)) }
	defer tuneGC(env.Getenv, 4*budget)()
	err := source.OrderedSized(ctx, o.workers, budget, size, produce, work, emit)
	if ferr := w.flush(); err == nil {
		err = ferr
	}
	if err == nil {
		err = out.Flush()
	}
	prog.done()
	warned := ""
	if c.warnings > 0 {
		warned = fmt.Sprintf(msgDecodeWarned.in(o.lang), c.warnings)
	}
	say(env.Stderr, "", o.lang, msgDecodeSummary,
		c.messages, c.bounces, c.records, c.notBounce, c.failed, warned)
	if o.stats {
		prog.stats(c)
	}
	if err != nil {
		say(env.Stderr, "decode", o.lang, msgPlain, err)
		return 1
	}
	if c.failed > 0 {
		return 1
	}
	return 0
}

// tuneGC lets the heap grow to five times what is live (GOGC=400) rather
// than twice, under a soft limit of limit bytes: most bounces are a few
// kilobytes and the live heap is small, so the collector ran every few
// megabytes allocated and took a tenth of the command's time on one core
// (BenchmarkDecodeCLI); near the limit, with large messages, it runs as
// often as needed, so memory stays bounded by the byte budget (peak RSS
// for 12 messages of 61 MB on 2 workers: 411 MB before, 275 MB after).
// GOGC or GOMEMLIMIT set in the environment are left to rule. The returned
// function restores the previous settings.
func tuneGC(getenv func(string) string, limit int64) func() {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit = max(limit, 256<<20)
	pct := debug.SetGCPercent(400)
	lim := debug.SetMemoryLimit(limit)
	return func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(lim)
	}
}

type recordWriter interface {
	write(decoded) error
	flush() error
}

// jsonRecord is one line of decode --json.
type jsonRecord struct {
	Source string      `json:"source"`
	Kind   bounce.Kind `json:"kind"`
	*bounce.Record
}

type jsonOther struct {
	Source  string `json:"source"`
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	From    string `json:"from,omitempty"`
	Error   string `json:"error,omitempty"`
}

type jsonWriter struct {
	out io.Writer
	enc *json.Encoder // for the rare lines that are not records
	buf []byte        // one record's line, reused
	all bool
}

func (w *jsonWriter) write(d decoded) error {
	if d.res != nil && d.res.Kind == bounce.KindBounce {
		for i := range d.res.Records {
			var err error
			w.buf, err = appendRecord(w.buf[:0], d.source, &d.res.Records[i])
			if err != nil {
				return err
			}
			if _, err := w.out.Write(w.buf); err != nil {
				return err
			}
		}
	}
	if !w.all {
		return nil
	}
	switch {
	case d.err != nil:
		return w.enc.Encode(jsonOther{Source: d.source, Kind: "error", Error: d.err.Error()})
	case d.res != nil && d.res.Kind == bounce.KindNotBounce:
		return w.enc.Encode(jsonOther{Source: d.source, Kind: string(bounce.KindNotBounce), Subject: d.res.Subject, From: d.res.From})
	}
	return nil
}

func (w *jsonWriter) flush() error { return nil }

// tableWriter prints a table for a person, streamed: rows are held a batch
// at a time (tableBatch rows), so that memory stays bounded however many
// records a run gives (issue 7: 409 MB for 439,000 rows when the whole
// table waited for the end). Column widths are measured in terminal columns
// (termtext.Width: East Asian wide characters count two) over each batch
// and never shrink from one batch to the next, within a maximum per column.
// Every cell goes through termtext.Clean before it is cut, so that no
// escape sequence from a message (ESC, OSC 8 links, BEL, NUL) reaches the
// terminal, whole or cut in half. The explanation comes last, unpadded.
type tableWriter struct {
	w      io.Writer
	lang   advice.Lang
	all    bool
	rows   [][tableCols]string
	widths [tableCols]int
	header bool // printed
}

const (
	tableCols  = 5
	tableBatch = 256
)

// tableMax is the widest each column is shown, in terminal columns; the
// last one (the explanation) is not cut.
var tableMax = [tableCols]int{64, 16, 10, 48, 0}

func newTableWriter(w io.Writer, lang advice.Lang, all bool) *tableWriter {
	return &tableWriter{w: w, lang: lang, all: all}
}

func (t *tableWriter) write(d decoded) error {
	if d.res != nil && d.res.Kind == bounce.KindBounce {
		for _, r := range d.res.Records {
			status := r.Status
			if status == "" {
				status = r.ReplyCode
			}
			e := advice.For(r.Reason, t.lang)
			if err := t.add(r.Recipient, string(r.Reason), status, r.DiagnosticCode, e.Summary); err != nil {
				return err
			}
		}
		return nil
	}
	if !t.all {
		return nil
	}
	if d.err != nil {
		return t.add(d.source, "(error)", "", d.err.Error(), "")
	}
	return t.add(d.source, "(not a bounce)", "", d.res.Subject, "")
}

// add queues one row, its cells made safe and cut to their columns.
func (t *tableWriter) add(cells ...string) error {
	var row [tableCols]string
	for i, c := range cells {
		c = cell(c)
		if i == tableCols-1 && c == "-" {
			c = ""
		}
		if m := tableMax[i]; m > 0 {
			c = termtext.Truncate(c, m)
		}
		row[i] = c
	}
	t.rows = append(t.rows, row)
	if len(t.rows) >= tableBatch {
		return t.flushRows()
	}
	return nil
}

// cell makes a text one safe line: control characters shown as U+FFFD,
// runs of white space as one space; "-" when empty.
func cell(s string) string {
	s = strings.Join(strings.Fields(termtext.Clean(s)), " ")
	if s == "" {
		return "-"
	}
	return s
}

// flushRows prints the rows held, the header first if not yet printed.
func (t *tableWriter) flushRows() error {
	if !t.header {
		h := [tableCols]string{"RECIPIENT", "REASON", "STATUS", "DIAGNOSTIC", "EXPLANATION"}
		if t.lang == advice.Japanese {
			h = [tableCols]string{"宛先", "理由", "ステータス", "診断", "説明"}
		}
		t.rows = append([][tableCols]string{h}, t.rows...)
	}
	for _, r := range t.rows {
		for i := range tableCols - 1 {
			t.widths[i] = max(t.widths[i], termtext.Width(r[i]))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i := range tableCols - 1 {
			b.WriteString(termtext.Pad(r[i], t.widths[i]))
			b.WriteString("  ")
		}
		b.WriteString(r[tableCols-1])
		line := strings.TrimRight(b.String(), " ")
		if _, err := io.WriteString(t.w, line+"\n"); err != nil {
			return err
		}
	}
	t.header = true
	t.rows = t.rows[:0]
	return nil
}

func (t *tableWriter) flush() error {
	if len(t.rows) == 0 && t.header {
		return nil
	}
	return t.flushRows()
}
