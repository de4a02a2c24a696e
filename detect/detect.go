// Package detect runs the scan's analysis continuously over the store: a
// diagnose.Analyzer — the one scan uses, not a copy — is fed the stored
// log lines (parsed by package sendlog, as scan parses files) and the
// stored messages' digests (diagnose.Digest, made as each message is
// stored and kept beside it, so that a start restores the analysis
// without decoding the messages again; a message stored without one, or
// with one made for another configuration or decoder, is decoded from its
// raw form once and its digest stored), its Report is taken
// periodically and soon after new data arrives, and the per-account
// verdicts become incidents: opened with verdict, confidence, evidence and
// onset; updated as evidence arrives (a spoof that turns into a hijack
// becomes mixed), each change kept in the incident's history; closed when
// the account's bounces are back to their baseline.
//
// On a store shared by several nodes only the holder of the "detector"
// lease runs passes; any node may ingest.
package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/sendlog"
	"github.com/bouncewatch/bouncewatch/source"
	"github.com/bouncewatch/bouncewatch/store"
)

// Config tunes a Detector. The zero value works.
type Config struct {
	// Analyzer configures the analysis as scan's options do (domains,
	// relays, time zone, language, sensitivity). Its Now is set from
	// Now at each pass.
	Analyzer diagnose.Config
	// Interval is the time between passes when nothing arrives (default
	// 30 s); Debounce the wait after new data before a pass (default
	// 500 ms), so that a burst is taken in one pass.
	Interval, Debounce time.Duration
	// CloseAfter is how long after the end of an account's surge its
	// incident is closed (default 1 h).
	CloseAfter time.Duration
	// Now is the clock (default time.Now); serve --demo runs an
	// accelerated one.
	Now func() time.Time
	// FollowClock makes each pass analyse the store afresh with Now's
	// time as the analysis' present (Analyzer.Now, fixed when an
	// analyzer is made): for an accelerated clock. Without it the
	// analyzer is fed incrementally and its present is the wall clock.
	FollowClock bool
	// CheckpointInterval is the longest time between two checkpoints of
	// the analysis while messages come (default 10 minutes; see
	// checkpoint).
	CheckpointInterval time.Duration
	// Holder names this node for the detector lease (default host:pid).
	Holder string
	// Alerts renders the alerts an incident change raises; they are
	// queued in the outbox in the same transaction as the change.
	Alerts func(in *store.Incident, change string, rep *diagnose.AccountReport) []store.Alert
	// OnChange is called after each incident change is stored (serve
	// pokes the alert dispatcher; the demo prints it).
	OnChange func(in *store.Incident, change string)
	// Log receives the detector's messages (default: discarded).
	Log *slog.Logger
}

// Detector keeps the analysis of one store up to date.
type Detector struct {
	st  *store.Store
	cfg Config
	// digester makes the digests stored with new messages and those of
	// messages stored without one; key is its DigestKey.
	digester *diagnose.Analyzer
	key      string

	poke chan struct{}

	mu                  sync.Mutex // guards the fields below
	an                  *diagnose.Analyzer
	lastMail            int64
	lastLog             int64
	mailSeen            bool      // a message was given to the analyzer
	mailHoles, logHoles holes     // IDs skipped, waited for (holes.go)
	cpMail              int64     // the last checkpoint holds the messages up to this ID
	cpAt                time.Time // and was saved then
	sources             map[string]*logSource
	latest              *diagnose.Report
	passes              int
	lastPass            time.Time
}

// logSource is what is remembered of one log's parsing between passes.
type logSource struct {
	format sendlog.Format
	header string // a CSV log's header line, given again before later lines
}

// logAfterMail says whether the analyzer takes log events after mail:
// diagnose.Analyzer takes them in any order, so new data is fed as it
// comes and a pass costs what arrived since the last one. (Were it false,
// new log lines after mail would make the detector start again from the
// store, log first.)
const logAfterMail = true

// SettleAfter is the detector's default diagnose.Config.SettleAfter: a
// service keeps the digests of the last six hours of bounces and folds
// older ones into counts, so that its memory and start-up do not grow
// with the months of bounces its store holds. A negative value in the
// Config keeps every digest (as scan does).
const SettleAfter = 6 * time.Hour

// New returns a detector over st.
func New(st *store.Store, cfg Config) *Detector {
	if cfg.Interval <= 0 {
		cfg.Interval = 30 * time.Second
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = 500 * time.Millisecond
	}
	if cfg.CloseAfter <= 0 {
		cfg.CloseAfter = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.CheckpointInterval <= 0 {
		cfg.CheckpointInterval = 10 * time.Minute
	}
	if cfg.Holder == "" {
		h, _ := os.Hostname()
		cfg.Holder = h + ":" + strconv.Itoa(os.Getpid())
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Analyzer.Location == nil {
		cfg.Analyzer.Location = time.Local
	}
	if cfg.Analyzer.SettleAfter == 0 {
		cfg.Analyzer.SettleAfter = SettleAfter
	}
	d := &Detector{st: st, cfg: cfg, poke: make(chan struct{}, 1)}
	d.digester = diagnose.New(cfg.Analyzer)
	d.key = d.digester.DigestKey()
	if !cfg.FollowClock {
		// Under an accelerated clock each pass analyses the store afresh
		// with its own present: digests made at another present are not
		// used.
		st.SetDigester(d.digest)
	}
	return d
}

// digest is the store's DigestFunc: the digest of a message being stored.
func (d *Detector) digest(name string, arrival time.Time, res *bounce.Result, err error) (string, []byte, bool) {
	data, merr := d.digester.Digest(diagnose.Mail{Source: name, Arrival: arrival, Result: res, Err: err}).MarshalBinary()
	if merr != nil {
		return "", nil, false
	}
	return d.key, data, true
}

// Poke tells the detector new data was stored: a pass follows within the
// debounce time.
func (d *Detector) Poke() {
	select {
	case d.poke <- struct{}{}:
	default:
	}
}

// Report returns the latest report, or nil before the first pass.
func (d *Detector) Report() *diagnose.Report {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.latest
}

// LastPass tells when the last pass ended and how many there were.
func (d *Detector) LastPass() (time.Time, int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastPass, d.passes
}

const leaseName = "detector"

// Run makes passes until ctx is done: one at start, one Debounce after
// each Poke, one every Interval. It returns nil when ctx is done.
func (d *Detector) Run(ctx context.Context) error {
	defer d.st.ReleaseLease(context.WithoutCancel(ctx), leaseName, d.cfg.Holder)
	tick := time.NewTicker(d.cfg.Interval)
	defer tick.Stop()
	d.tryPass(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-d.poke:
			select {
			case <-time.After(d.cfg.Debounce):
			case <-ctx.Done():
				return nil
			}
		}
		d.tryPass(ctx)
	}
}

func (d *Detector) tryPass(ctx context.Context) {
	// The lease outlives a few passes, however slow: a node that stops
	// gives it up at once; one that dies loses it within the TTL.
	ok, err := d.st.AcquireLease(ctx, leaseName, d.cfg.Holder, max(3*d.cfg.Interval, time.Minute))
	if err != nil {
		if ctx.Err() == nil {
			d.cfg.Log.Error("detector lease", "err", err)
		}
		return
	}
	if !ok {
		d.cfg.Log.Debug("another node holds the detector lease")
		return
	}
	if _, err := d.Pass(ctx); err != nil && ctx.Err() == nil {
		d.cfg.Log.Error("detector pass", "err", err)
	}
}

// Pass catches up with the store, takes the report and updates the
// incidents. It is what Run does each time; tests and import call it
// directly.
func (d *Detector) Pass(ctx context.Context) (*diagnose.Report, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.cfg.Now()
	if d.cfg.FollowClock {
		d.cfg.Analyzer.Now = now
	}
	if err := d.catchUp(ctx); err != nil {
		return nil, err
	}
	rep := d.an.Report()
	// The analyzer's Config.Now is fixed at New; the report's time is
	// the detector's clock (accelerated under serve --demo).
	rep.GeneratedAt = now
	if err := d.incidents(ctx, rep, now); err != nil {
		return rep, err
	}
	d.checkpoint(ctx)
	d.latest = rep
	d.passes++
	d.lastPass = time.Now()
	return rep, nil
}

// catchUp feeds the analyzer what was stored since the last pass.
func (d *Detector) catchUp(ctx context.Context) error {
	maxMail, maxLog, err := d.st.MaxIDs(ctx)
	if err != nil {
		return err
	}
	if d.an == nil || d.cfg.FollowClock || (!logAfterMail && d.mailSeen && maxLog > d.lastLog) {
		d.reset()
		d.restore(ctx, maxMail)
	}
	if maxLog > d.lastLog || d.logHoles.pending() {
		if err := d.feedLog(ctx); err != nil {
			return err
		}
	}
	if maxMail > d.lastMail || d.mailHoles.pending() {
		// A long read (a first start on a store filled by import, or
		// after an upgrade) says what it does and how long it took.
		n := maxMail - d.lastMail
		long := !d.cfg.FollowClock && n >= longRead
		t0 := time.Now()
		if long {
			d.cfg.Log.Info("reading the stored messages into the analysis (once; later starts read the checkpoint)", "messages", n)
		}
		if err := d.feedMail(ctx); err != nil {
			return err
		}
		if long {
			d.cfg.Log.Info("stored messages read", "messages", n, "seconds", time.Since(t0).Round(100*time.Millisecond).Seconds())
		}
	}
	return nil
}

// longRead is the number of messages past which a read is logged.
const longRead = 50_000

// The checkpoint (diagnose.Analyzer.MarshalMail) lets a restart read the
// analysis of the messages stored so far and only the messages after it:
// saved after a pass once checkpointEvery messages or
// Config.CheckpointInterval went by since the last one, when the analyzer
// settles its old bounces (without settling the checkpoint would hold
// every digest). It keeps the IDs still missing below its last one
// (holes.go), which the restart reads again.
const (
	checkpointName  = "detector"
	checkpointEvery = 20_000
)

// checkpointKey names what a checkpoint depends on: the digests' key, the
// settling and the decoder's revision.
func (d *Detector) checkpointKey() string {
	return fmt.Sprintf("%s/settle=%s/decoder=%d/cp=%d", d.key, d.cfg.Analyzer.SettleAfter, store.DecoderRevision, diagnose.CheckpointVersion)
}

// restore gives the fresh analyzer the stored checkpoint, when there is
// one of this configuration; else the analyzer reads every message.
func (d *Detector) restore(ctx context.Context, maxMail int64) {
	if d.cfg.FollowClock || d.cfg.Analyzer.SettleAfter <= 0 {
		return
	}
	cp, ok, err := d.st.LoadCheckpoint(ctx, checkpointName)
	switch {
	case err != nil:
		d.cfg.Log.Warn("reading the checkpoint; reading every message instead", "err", err)
		return
	case !ok:
		return
	case cp.Key != d.checkpointKey() || cp.LastMail > maxMail:
		d.cfg.Log.Info("the checkpoint was made with another configuration or decoder; reading every message")
		return
	}
	if err := d.an.RestoreMail(cp.Data); err != nil {
		d.cfg.Log.Warn("restoring the checkpoint; reading every message instead", "err", err)
		d.reset()
		return
	}
	d.lastMail, d.mailSeen = cp.LastMail, cp.LastMail > 0
	d.mailHoles.restore(cp.Holes, time.Now())
	d.cpMail, d.cpAt = cp.LastMail, time.Now()
	d.cfg.Log.Info("analysis restored from the checkpoint", "messages", cp.LastMail, "saved", cp.SavedAt)
}

// checkpoint saves the analyzer's state when it is due. A failure is
// logged: the next start then reads more messages, nothing is lost.
func (d *Detector) checkpoint(ctx context.Context) {
	if d.cfg.FollowClock || d.cfg.Analyzer.SettleAfter <= 0 || d.lastMail <= d.cpMail ||
		d.lastMail-d.cpMail < checkpointEvery && time.Since(d.cpAt) < d.cfg.CheckpointInterval {
		return
	}
	d.an.Settle() // what has settled need not be kept in the checkpoint
	data, err := d.an.MarshalMail()
	if err == nil {
		err = d.st.PutCheckpoint(ctx, store.Checkpoint{Name: checkpointName, Key: d.checkpointKey(), LastMail: d.lastMail, Holes: d.mailHoles.sorted(), Data: data})
	}
	if err != nil {
		d.cfg.Log.Warn("saving the checkpoint", "err", err)
		return
	}
	d.cpMail, d.cpAt = d.lastMail, time.Now()
}

func (d *Detector) reset() {
	d.an = diagnose.New(d.cfg.Analyzer)
	d.lastMail, d.lastLog, d.mailSeen = 0, 0, false
	d.mailHoles, d.logHoles = holes{}, holes{}
	d.sources = make(map[string]*logSource)
}

// feedLog parses the new log lines, one run of consecutive lines of one
// source at a time, as sendlog reads a file: the run's first Received time
// dates year-less timestamps, and a log's format, once known, is kept.
func (d *Detector) feedLog(ctx context.Context) error {
	var run []store.LogLine
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		err := d.parseRun(ctx, run)
		run = run[:0]
		return err
	}
	take := func(l store.LogLine) error {
		if len(run) > 0 && run[0].Source != l.Source {
			if err := flush(); err != nil {
				return err
			}
		}
		run = append(run, l)
		if len(run) >= 65536 {
			return flush()
		}
		return nil
	}
	now := time.Now()
	d.logHoles.expire(now)
	for _, sp := range d.logHoles.spans() {
		err := d.st.LogLinesBetween(ctx, sp[0], sp[1], func(l store.LogLine) error {
			if !d.logHoles.has(l.ID) {
				return nil
			}
			d.logHoles.fill(l.ID)
			return take(l)
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return err
		}
	}
	prev := d.lastLog
	last, err := d.st.LogLines(ctx, d.lastLog, 0, func(l store.LogLine) error {
		d.logHoles.skipped(prev, l.ID, l.Received, now)
		prev = l.ID
		return take(l)
	})
	if err == nil {
		err = flush()
	}
	d.lastLog = last
	return err
}

func (d *Detector) parseRun(ctx context.Context, run []store.LogLine) error {
	src := d.sources[run[0].Source]
	if src == nil {
		src = &logSource{}
		d.sources[run[0].Source] = src
	}
	var b strings.Builder
	if src.format == sendlog.CSV {
		b.WriteString(src.header)
		b.WriteByte('\n')
	}
	for _, l := range run {
		b.WriteString(l.Line)
		b.WriteByte('\n')
	}
	opts := sendlog.Options{Reference: run[0].Received, Location: d.cfg.Analyzer.Location, MaxSamples: -1}
	if src.format == sendlog.CSV || src.format == sendlog.Exim {
		opts.Format = src.format
	}
	st, err := sendlog.Read(ctx, strings.NewReader(b.String()), run[0].Source, opts, func(ev sendlog.Event) error {
		d.an.AddEvent(ev)
		return nil
	})
	if src.format == sendlog.Auto && st.Format != sendlog.Auto {
		src.format = st.Format
		if st.Format == sendlog.CSV {
			src.header = run[0].Line
		}
	}
	if err != nil && !errors.Is(err, sendlog.ErrFormat) {
		return fmt.Errorf("detect: parsing %s: %w", run[0].Source, err)
	}
	return nil
}

// feedMail gives the analyzer the new messages, in store order: each
// one's stored digest when it was made for this configuration and
// decoder, else the digest made now from the raw message (decoded on every
// core; the analyzer's Digest is safe for concurrent use), which is then
// stored for the next start.
func (d *Detector) feedMail(ctx context.Context) error {
	if d.cfg.FollowClock {
		return d.feedMailRaw(ctx)
	}
	now := time.Now()
	d.mailHoles.expire(now)
	for _, sp := range d.mailHoles.spans() {
		err := d.digestMail(ctx, func(yield func(store.MailDigest) error) error {
			return d.st.MailDigestsBetween(ctx, sp[0], sp[1], func(m store.MailDigest) error {
				if !d.mailHoles.has(m.ID) {
					return nil
				}
				return yield(m)
			})
		}, func(m int64, _ time.Time) {
			d.mailHoles.fill(m)
		})
		if err != nil {
			return err
		}
	}
	last := d.lastMail
	err := d.digestMail(ctx, func(yield func(store.MailDigest) error) error {
		_, err := d.st.MailDigests(ctx, d.lastMail, yield)
		return err
	}, func(id int64, storedAt time.Time) {
		d.mailHoles.skipped(last, id, storedAt, now)
		last = id
	})
	d.lastMail = last
	return err
}

// digestMail gives the analyzer the messages produce yields, in their
// order: each one's stored digest when it was made for this
// configuration and decoder, else the digest made now from the raw message
// (decoded on every core; the analyzer's Digest is safe for concurrent
// use), which is then stored for the next start. done is called for each
// message taken, in order.
func (d *Detector) digestMail(ctx context.Context, produce func(yield func(store.MailDigest) error) error, done func(id int64, storedAt time.Time)) error {
	type digest struct {
		id     int64
		stored time.Time
		dg     *diagnose.Digest
		fresh  []byte // made now: to store
		err    error
	}
	// fits says m's stored digest was made for this configuration and
	// decoder.
	fits := func(m store.MailDigest) bool {
		return m.Digest != nil && m.Key == d.key && m.Decoder == store.DecoderRevision
	}
	one := func(m store.MailDigest) digest {
		if fits(m) {
			var dg diagnose.Digest
			if err := dg.UnmarshalBinary(m.Digest); err == nil {
				return digest{id: m.ID, stored: m.StoredAt, dg: &dg}
			}
		}
		sm, err := d.st.RawMail(ctx, m.ID)
		if err != nil || sm.Data == nil {
			// nil Data: raw data pruned by retention, no usable digest
			return digest{id: m.ID, stored: m.StoredAt, err: err}
		}
		res, derr := bounce.DecodeBytes(sm.Data)
		dg := d.an.Digest(diagnose.Mail{Source: store.MailName(sm.Source, sm.Position), Arrival: sm.Arrival, Result: res, Err: derr})
		g := digest{id: m.ID, stored: m.StoredAt, dg: dg}
		g.fresh, _ = dg.MarshalBinary()
		return g
	}
	// The workers take batches: a stored digest is read in about a
	// microsecond, less than handing one message from goroutine to
	// goroutine costs (a cold start reads a million of them).
	work := func(batch []store.MailDigest) []digest {
		out := make([]digest, len(batch))
		for i, m := range batch {
			out[i] = one(m)
		}
		return out
	}
	var fresh []store.StoredDigest
	flush := func() error {
		err := d.st.PutDigests(ctx, fresh)
		fresh = fresh[:0]
		return err
	}
	emit := func(gs []digest) error {
		for _, g := range gs {
			if g.err != nil {
				return g.err
			}
			if g.fresh != nil {
				fresh = append(fresh, store.StoredDigest{ID: g.id, Key: d.key, Data: g.fresh})
				if len(fresh) >= 1000 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if g.dg != nil {
				d.an.AddDigest(g.dg)
				d.mailSeen = true
			}
			done(g.id, g.stored)
		}
		return nil
	}
	size := func(m store.MailDigest) int64 {
		if !fits(m) {
			return 64 << 10 // decoded from its raw form
		}
		return int64(len(m.Digest))
	}
	// A batch ends at batchLen messages or batchBytes of them, so that
	// messages decoded from their raw form go a few at a time.
	const batchLen, batchBytes = 256, 1 << 20
	batches := func(yield func([]store.MailDigest) error) error {
		var batch []store.MailDigest
		var bytes int64
		err := produce(func(m store.MailDigest) error {
			if batch == nil {
				batch = make([]store.MailDigest, 0, batchLen)
			}
			batch = append(batch, m)
			bytes += size(m)
			if len(batch) < batchLen && bytes < batchBytes {
				return nil
			}
			b := batch
			batch, bytes = nil, 0
			return yield(b)
		})
		if err == nil && len(batch) > 0 {
			err = yield(batch)
		}
		return err
	}
	batchSize := func(b []store.MailDigest) int64 {
		var n int64
		for _, m := range b {
			n += size(m)
		}
		return n
	}
	err := source.OrderedSized(ctx, 0, 64<<20, batchSize, batches, work, emit)
	if ferr := flush(); err == nil && ferr != nil {
		d.cfg.Log.Warn("storing digests", "err", ferr) // made again at the next start
	}
	return err
}

// feedMailRaw decodes the new messages from their raw form (read in the
// same query) on every core and gives them to the analyzer in store
// order: under an accelerated clock (FollowClock), where each pass
// analyses afresh with its own present and stored digests are not used.
func (d *Detector) feedMailRaw(ctx context.Context) error {
	last := d.lastMail
	produce := func(yield func(store.StoredMail) error) error {
		_, err := d.st.Mails(ctx, d.lastMail, 0, func(m store.StoredMail) error { return yield(m) })
		return err
	}
	type digest struct {
		id int64
		dg *diagnose.Digest
	}
	work := func(m store.StoredMail) digest {
		if m.Data == nil {
			return digest{id: m.ID} // raw data pruned by retention
		}
		res, derr := bounce.DecodeBytes(m.Data)
		return digest{id: m.ID, dg: d.an.Digest(diagnose.Mail{Source: store.MailName(m.Source, m.Position), Arrival: m.Arrival, Result: res, Err: derr})}
	}
	emit := func(g digest) error {
		if g.dg != nil {
			d.an.AddDigest(g.dg)
			d.mailSeen = true
		}
		last = g.id
		return nil
	}
	size := func(m store.StoredMail) int64 { return int64(len(m.Data)) }
	err := source.OrderedSized(ctx, 0, 64<<20, size, produce, work, emit)
	d.lastMail = last
	return err
}

// serious reports whether a verdict opens an incident.
func serious(v advice.Verdict) bool {
	return v == advice.Hijacked || v == advice.Spoofed || v == advice.Mixed
}

// merge is the verdict of an open incident that receives verdict v: a
// spoof that turns into a hijack (or the reverse) is both, and stays so.
func merge(old string, v advice.Verdict) string {
	switch {
	case old == string(advice.Mixed):
		return old
	case old == string(advice.Spoofed) && v == advice.Hijacked, old == string(advice.Hijacked) && v == advice.Spoofed:
		return string(advice.Mixed)
	}
	return string(v)
}

// incidents turns the report's verdicts into incident changes.
func (d *Detector) incidents(ctx context.Context, rep *diagnose.Report, now time.Time) error {
	open, err := d.st.Incidents(ctx, store.IncidentFilter{OpenOnly: true, Limit: 1000})
	if err != nil {
		return err
	}
	byAccount := make(map[string]*store.Incident, len(open))
	for i := range open {
		byAccount[open[i].Account] = &open[i]
	}
	for i := range rep.Verdicts {
		ar := &rep.Verdicts[i]
		in := byAccount[ar.Account]
		detail, _ := json.Marshal(ar)
		active := serious(ar.Verdict) && ar.Surge != nil
		over := ar.Surge == nil || now.After(ar.Surge.End.Add(d.cfg.CloseAfter))
		// A spoofing verdict cites the receivers' DMARC reports.
		evidence, _ := withCitations(ar.Evidence, d.dmarcCitations(ctx, ar, now))
		if in == nil && active {
			// Not again for a surge whose incident was closed already.
			prev, err := d.st.Incidents(ctx, store.IncidentFilter{Account: ar.Account, Limit: 1})
			if err != nil {
				return err
			}
			if len(prev) == 1 && prev[0].ClosedAt != nil && (prev[0].Onset.Equal(ar.Surge.Onset) || !prev[0].ClosedAt.Before(ar.Surge.End)) {
				continue
			}
		}
		switch {
		case in == nil && active:
			in = &store.Incident{
				Account: ar.Account, Verdict: string(ar.Verdict), Confidence: ar.Confidence, Onset: ar.Surge.Onset,
				OpenedAt: now, UpdatedAt: now, Evidence: evidence, Detail: detail,
			}
			if err := d.save(ctx, in, store.ChangeOpened, ar, !over); err != nil {
				return err
			}
			d.cfg.Log.Info("incident opened", "incident", in.ID, "account", in.Account, "verdict", in.Verdict,
				"confidence", in.Confidence, "onset", in.Onset)
			if over {
				// A surge long over (found in imported history): kept,
				// closed at once, no alert.
				if err := d.close(ctx, in, ar, detail, now, false); err != nil {
					return err
				}
			}
		case in != nil && (!active || over):
			if err := d.close(ctx, in, ar, detail, now, true); err != nil {
				return err
			}
		case in != nil:
			v := merge(in.Verdict, ar.Verdict)
			_, cited := withCitations(in.Evidence, d.dmarcCitations(ctx, ar, now))
			if v == in.Verdict && math.Abs(ar.Confidence-in.Confidence) < 0.05 && !cited {
				continue
			}
			changedVerdict := v != in.Verdict
			in.Verdict, in.Confidence, in.Evidence, in.Detail, in.UpdatedAt = v, ar.Confidence, evidence, detail, now
			if ar.Surge != nil && ar.Surge.Onset.Before(in.Onset) {
				in.Onset = ar.Surge.Onset
			}
			if err := d.save(ctx, in, store.ChangeUpdated, ar, changedVerdict); err != nil {
				return err
			}
			d.cfg.Log.Info("incident updated", "incident", in.ID, "account", in.Account, "verdict", in.Verdict, "confidence", in.Confidence)
		}
	}
	return nil
}

func (d *Detector) close(ctx context.Context, in *store.Incident, ar *diagnose.AccountReport, detail []byte, now time.Time, alert bool) error {
	t := now
	in.ClosedAt, in.UpdatedAt, in.Detail = &t, now, detail
	if err := d.save(ctx, in, store.ChangeClosed, ar, alert); err != nil {
		return err
	}
	d.cfg.Log.Info("incident closed", "incident", in.ID, "account", in.Account, "verdict", in.Verdict)
	return nil
}

// save stores an incident change with its alerts (when alert is set).
func (d *Detector) save(ctx context.Context, in *store.Incident, change string, ar *diagnose.AccountReport, alert bool) error {
	var render func(*store.Incident) []store.Alert
	if alert && d.cfg.Alerts != nil {
		render = func(in *store.Incident) []store.Alert { return d.cfg.Alerts(in, change, ar) }
	}
	if err := d.st.SaveIncident(ctx, in, change, render); err != nil {
		return err
	}
	if d.cfg.OnChange != nil {
		d.cfg.OnChange(in, change)
	}
	return nil
}
