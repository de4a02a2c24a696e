package diagnose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/source"
)

// Input names what a scan reads.
type Input struct {
	// Mail are the bounces: message files, directories (Maildir too), mbox
	// files, "-" for Stdin; gzip is read as it is (see package source).
	Mail  []string
	Stdin io.Reader
	// SendLogs are the outbound mail logs (Postfix, Exim, Sendmail, CSV of
	// sent counts), rotated and gzip-compressed files included.
	SendLogs   []string
	LogOptions sendlog.Options
	// Workers decode messages at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called now and then from the scanning
	// goroutine, and once at the end of each phase.
	Progress func(Progress)
}

// Progress tells how far a scan is.
type Progress struct {
	Phase    string // "log" or "mail"
	LogLines int    // events read from the log so far
	Messages int    // messages decoded so far
	Bounces  int
	Failed   int
	Bytes    int64
	Done     bool // the phase has ended
}

// Phases of Progress.
const (
	PhaseLog  = "log"
	PhaseMail = "mail"
)

// Scan reads the send logs, then the bounces (decoded and digested on
// every core, streamed), and returns the report of one Analyzer: the same
// implementation the live service feeds as events and mail arrive.
// Unreadable files and undecodable messages do not stop it: they are
// counted in Report.Inputs and returned joined as the error, beside the
// report. Only ctx being done returns no report.
func Scan(ctx context.Context, in Input, cfg Config) (*Report, error) {
	return scanWith(ctx, New(cfg), in)
}

// scanWith is Scan feeding a given Analyzer (the benchmarks keep it to
// measure Report alone).
func scanWith(ctx context.Context, a *Analyzer, in Input) (*Report, error) {
	var errs []error // the send log's, then the first messages' that failed
	var logErr error
	failed := 0
	var logStats sendlog.Stats
	if len(in.SendLogs) > 0 {
		n := 0
		st, err := sendlog.ReadFiles(ctx, in.SendLogs, in.LogOptions, func(ev sendlog.Event) error {
			a.AddEvent(ev)
			n++
			if in.Progress != nil && n%65536 == 0 {
				in.Progress(Progress{Phase: PhaseLog, LogLines: n})
			}
			return nil
		})
		logStats = st
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			logErr = err
			errs = append(errs, fmt.Errorf("send log: %w", err))
		}
		if in.Progress != nil {
			in.Progress(Progress{Phase: PhaseLog, LogLines: n, Done: true})
		}
	}
	type item struct {
		src     string
		data    []byte
		arrival time.Time
		err     error
	}
	type done struct {
		n      int
		dg     *Digest
		err    error
		src    string
		bounce bool
	}
	workers := in.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var pr Progress
	pr.Phase = PhaseMail
	if len(in.Mail) > 0 {
		produce := func(yield func(item) error) error {
			return source.Walk(ctx, in.Mail, in.Stdin, func(m source.Message, err error) error {
				if err != nil {
					var se *source.Error
					if errors.As(err, &se) {
						m.Source = se.Source
					}
					return yield(item{src: m.Source, err: err})
				}
				return yield(item{src: m.Source, data: m.Data, arrival: m.Arrival})
			})
		}
		work := func(it item) done {
			if it.err != nil {
				return done{src: it.src, err: it.err, dg: a.Digest(Mail{Source: it.src, Err: it.err})}
			}
			res, err := bounce.DecodeBytes(it.data)
			// The digest (the attribution's facts, read once) is made
			// here, in the decoding workers; it reads nothing of the log.
			m := Mail{Source: it.src, Arrival: it.arrival, Result: res, Err: err}
			return done{src: it.src, n: len(it.data), dg: a.Digest(m), err: err, bounce: res != nil && res.Kind == bounce.KindBounce}
		}
		emit := func(d done) error {
			a.AddDigest(d.dg)
			if d.err != nil {
				failed++
				if failed <= maxSamples {
					errs = append(errs, fmt.Errorf("%s: %w", d.src, d.err))
				}
			}
			pr.Messages++
			pr.Bytes += int64(d.n)
			if d.err != nil {
				pr.Failed++
			}
			if d.bounce {
				pr.Bounces++
			}
			if in.Progress != nil && pr.Messages%1024 == 0 {
				in.Progress(pr)
			}
			return nil
		}
		// The bytes in flight are bounded, not only their number: one
		// largest message plus 4 MiB a worker (issue 7 §6).
		budget := int64(source.DefaultMaxMessageSize) + int64(workers)*(4<<20)
		size := func(it item) int64 { return int64(len(it.data)) }
		if err := source.OrderedSized(ctx, workers, budget, size, produce, work, emit); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			errs = append(errs, err)
		}
	}
	if in.Progress != nil {
		pr.Done = true
		in.Progress(pr)
	}
	r := a.Report()
	r.Inputs.Log = LogStats{
		Files: len(in.SendLogs), Lines: logStats.Lines, Events: logStats.Events,
		Ignored: logStats.Ignored, Unknown: logStats.Unknown, Samples: logStats.Samples,
		Format: string(logStats.Format), Messages: r.Inputs.Log.Messages,
	}
	if r.Inputs.Log.Samples == nil {
		r.Inputs.Log.Samples = []string{}
	}
	r.Inputs.Log.Errors = []string{}
	if logErr != nil {
		r.Inputs.Log.Errors = strings.Split(logErr.Error(), "\n")
	}
	if r.Inputs.Errors == nil {
		r.Inputs.Errors = []string{}
	}
	if failed > maxSamples {
		errs = append(errs, fmt.Errorf("%d more messages failed", failed-maxSamples))
	}
	return r, errors.Join(errs...)
}
