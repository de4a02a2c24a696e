package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/bounce"
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
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var o decodeOpts
	var lang string
	fs.BoolVar(&o.json, "json", false, "write JSON Lines, one object per bounced recipient (schema: README)")
	fs.BoolVar(&o.all, "all", false, "also write a record for each message that is not a bounce, and for each that failed")
	fs.StringVar(&lang, "lang", "", "language of explanations: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "messages decoded at once")
	fs.BoolVar(&o.stats, "stats", false, "print throughput (messages/s, MB/s) and peak memory at the end")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), decodeHelp)
		fs.PrintDefaults()
	}
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(paths) == 0 {
		fmt.Fprintln(env.Stderr, "bouncewatch decode: no PATH given (use - for standard input)")
		fs.Usage()
		return 2
	}
	o.lang = advice.LangFromEnv(env.Getenv)
	if lang != "" {
		if o.lang, err = advice.ParseLang(lang); err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch decode: %v\n", err)
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
	messages, bounces, records, notBounce, failed int
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
			fmt.Fprintf(env.Stderr, "bouncewatch: %s: %v\n", d.source, d.err)
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
	err := source.Ordered(ctx, o.workers, produce, work, emit)
	if ferr := w.flush(); err == nil {
		err = ferr
	}
	if err == nil {
		err = out.Flush()
	}
	prog.done()
	fmt.Fprintf(env.Stderr, "bouncewatch: %d messages: %d bounces (%d recipients), %d not bounces, %d failed\n",
		c.messages, c.bounces, c.records, c.notBounce, c.failed)
	if o.stats {
		prog.stats(c)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch decode: %v\n", err)
		return 1
	}
	if c.failed > 0 {
		return 1
	}
	return 0
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

// tableWriter prints a table for a person. The explanation comes last, so
// that wide Japanese text does not break the columns' alignment.
type tableWriter struct {
	tw   *tabwriter.Writer
	lang advice.Lang
	all  bool
	rows int
}

func newTableWriter(w io.Writer, lang advice.Lang, all bool) *tableWriter {
	return &tableWriter{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0), lang: lang, all: all}
}

func (t *tableWriter) write(d decoded) error {
	if t.rows == 0 {
		if t.lang == advice.Japanese {
			fmt.Fprintln(t.tw, "宛先\t理由\tステータス\t診断\t説明")
		} else {
			fmt.Fprintln(t.tw, "RECIPIENT\tREASON\tSTATUS\tDIAGNOSTIC\tEXPLANATION")
		}
	}
	if d.res != nil && d.res.Kind == bounce.KindBounce {
		for _, r := range d.res.Records {
			t.rows++
			status := r.Status
			if status == "" {
				status = r.ReplyCode
			}
			if status == "" {
				status = "-"
			}
			e := advice.For(r.Reason, t.lang)
			fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\t%s\n", r.Recipient, r.Reason, status, shorten(r.DiagnosticCode, 48), e.Summary)
		}
		return nil
	}
	if !t.all {
		return nil
	}
	t.rows++
	if d.err != nil {
		fmt.Fprintf(t.tw, "%s\t(error)\t-\t%s\t\n", d.source, shorten(d.err.Error(), 48))
		return nil
	}
	fmt.Fprintf(t.tw, "%s\t(not a bounce)\t-\t%s\t\n", d.source, shorten(d.res.Subject, 48))
	return nil
}

func (t *tableWriter) flush() error { return t.tw.Flush() }

// shorten cuts s to n runes on one line, marking the cut.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
