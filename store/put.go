package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/dmarcrpt"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/klauspost/compress/flate"
)

// DecoderRevision is recorded with each decoded message; reprocess
// re-decodes messages recorded with an older one. Raise it when the
// decoder's output changes in a way stored facts should follow.
const DecoderRevision = 1

// Message kinds as stored.
const (
	KindBounce    = "bounce"
	KindNotBounce = "not_bounce"
	KindError     = "error" // undecodable: stored with its error
)

// maxBatch bounds how many writes go into one transaction.
const maxBatch = 512

// writeReq is one write waiting for the writer goroutine.
type writeReq struct {
	mail  *prepared
	lines []ingest.LogLine
	done  chan error
}

// prepared is a message ready to store: hashed, decoded, compressed.
type prepared struct {
	m       ingest.Mail
	hash    string
	raw     []byte
	kind    string
	decErr  string
	decBy   string
	facts   string
	bounces []bounceRow
	arrival time.Time
	// digestKey and digest are the analyzer's digest (SetDigester), when
	// one is made.
	digestKey string
	digest    []byte
	// dmarc is the DMARC aggregate report the message carries (kind
	// KindDMARC), or dmarcErr the error of one that cannot be read.
	dmarc    *dmarcrpt.Report
	dmarcErr error
}

type bounceRow struct {
	account, recipient, domain, reason, status, reply, action, diag, remote string
	hard                                                                    bool
	at                                                                      time.Time
}

// Decode turns a raw message into what is stored of it: its kind, its
// decoding error if any, its facts as JSON and one row per bounced
// recipient. A message that fails to decode is kept, with its error.
func (s *Store) prepare(m ingest.Mail, now time.Time) (*prepared, error) {
	sum := sha256.Sum256(m.Data)
	p := &prepared{m: m, hash: hex.EncodeToString(sum[:]), arrival: m.Arrival}
	if p.arrival.IsZero() {
		p.arrival = now
	}
	raw, err := s.compress(m.Data)
	if err != nil {
		return nil, err
	}
	p.raw = raw
	res, derr := p.fill(m.Data)
	s.digestOf(p, m, res, derr)
	return p, nil
}

// fill decodes data into p's kind, error, facts and bounce rows, and
// returns the decoder's answer.
func (p *prepared) fill(data []byte) (*bounce.Result, error) {
	res, err := decodeSafely(data)
	p.kind, p.decErr, p.decBy, p.facts, p.bounces = KindNotBounce, "", "", "", nil
	p.dmarc, p.dmarcErr = nil, nil
	if res == nil || res.Kind != bounce.KindBounce {
		// A DMARC aggregate report comes to the bounce mailbox too (the
		// rua address is often the same): routed to its own tables.
		if rep, perr, ok := dmarcOf(data); ok {
			p.kind, p.dmarc, p.dmarcErr, p.decBy = KindDMARC, rep, perr, "dmarcrpt"
			if perr != nil {
				p.decErr = text(perr.Error())
			}
			return res, err
		}
	}
	if err != nil {
		p.decErr = text(err.Error())
	}
	if res == nil {
		p.kind = KindError
		if p.decErr == "" {
			p.decErr = "nothing could be decoded"
		}
		return res, err
	}
	if err != nil {
		p.kind = KindError
	} else if res.Kind == bounce.KindBounce {
		p.kind = KindBounce
	}
	p.decBy = text(res.DecodedBy)
	if b, jerr := json.Marshal(res); jerr == nil {
		p.facts = string(b)
	}
	at, ok := res.Time()
	if !ok {
		at = p.arrival
	}
	if res.Kind != bounce.KindBounce {
		return res, err
	}
	acct := bounceAddress(res)
	for _, r := range res.Records {
		to := strings.ToLower(r.Recipient)
		dom := ""
		if i := strings.LastIndexByte(to, '@'); i >= 0 {
			dom = to[i+1:]
		}
		t := at
		if !r.Timestamp.IsZero() {
			t = r.Timestamp
		}
		p.bounces = append(p.bounces, bounceRow{
			account: text(acct), recipient: text(to), domain: text(dom), reason: string(r.Reason), hard: r.HardBounce,
			status: text(r.Status), reply: text(r.ReplyCode), action: text(r.Action), diag: text(oneLine(r.DiagnosticCode, 1000)),
			remote: text(r.RemoteMTA), at: t,
		})
	}
	return res, err
}

// decodeSafely runs the decoder, turning a panic on hostile input into an
// error: a message must be stored, never lose the process.
func decodeSafely(data []byte) (res *bounce.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("decoder failed: %v", r)
		}
	}()
	return bounce.DecodeBytes(data)
}

// bounceAddress is the address of ours a bounce was returned to: the
// returned message's Return-Path, else the bounce's envelope recipient,
// else the returned From. The detector maps it to the SASL login when the
// log tells; the stored rows keep the address (what a suppression list is
// kept per).
func bounceAddress(res *bounce.Result) string {
	var cands []string
	if o := res.Returned(); o != nil {
		cands = append(cands, o.ReturnPath)
	}
	for _, name := range []string{"Delivered-To", "X-Original-To", "Envelope-To", "To"} {
		for _, f := range res.Headers {
			if strings.EqualFold(f.Name, name) {
				cands = append(cands, f.Value)
			}
		}
	}
	if o := res.Returned(); o != nil {
		cands = append(cands, o.From, o.Sender)
	}
	for _, c := range cands {
		if a := bounce.FirstAddress(c); a != "" && !strings.EqualFold(a, "mailer-daemon") {
			return a
		}
	}
	return ""
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n]
	}
	return s
}

func (s *Store) compress(data []byte) ([]byte, error) {
	var b bytes.Buffer
	// A message compresses to well under its size: one allocation.
	b.Grow(len(data)/2 + 64)
	w, _ := s.flaters.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriter(&b, flate.BestSpeed); err != nil {
			return nil, err
		}
	} else {
		w.Reset(&b)
	}
	defer s.flaters.Put(w)
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decompress returns the raw message of data (compress's output); size,
// the raw message's length when known (0: not), sizes the result at once.
func (s *Store) decompress(data []byte, size int64) ([]byte, error) {
	src := bytes.NewReader(data)
	r, _ := s.inflaters.Get().(io.ReadCloser)
	if r == nil {
		r = flate.NewReader(src)
	} else if err := r.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	defer s.inflaters.Put(r)
	if size <= 0 || size > sizeHintMax {
		return io.ReadAll(r)
	}
	buf := make([]byte, size)
	n, err := io.ReadFull(r, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return buf[:n], nil // shorter than said
	case err != nil:
		return nil, err
	}
	rest, err := io.ReadAll(r) // longer than said: the rest
	if len(rest) > 0 {
		buf = append(buf, rest...)
	}
	return buf, err
}

// sizeHintMax bounds the buffer decompress makes from the stored size
// before reading (a damaged size must not allocate without bound).
const sizeHintMax = 64 << 20

// PutMail stores m once (see ingest.Sink): decoded here, committed with
// the writes of other callers in one transaction. A message that cannot
// be decoded is stored with its error.
func (s *Store) PutMail(ctx context.Context, m ingest.Mail) error {
	if m.Source == "" || m.Position == "" {
		return errors.New("store: a message needs a source and a position")
	}
	// A position stored already needs no decoding (a source handing again
	// what it was not sure was stored, a rescan).
	var one int
	st, err := s.stmt(ctx, `SELECT 1 FROM message_sources WHERE source = ? AND position = ?`)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	switch err := st.QueryRowContext(ctx, text(m.Source), text(m.Position)).Scan(&one); {
	case err == nil:
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: %w", err)
	}
	p, err := s.prepare(m, s.now())
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", m.Source, m.Position, err)
	}
	return s.submit(ctx, &writeReq{mail: p})
}

// PutLogLines stores each line once per source and position.
func (s *Store) PutLogLines(ctx context.Context, lines []ingest.LogLine) error {
	for len(lines) > 0 {
		n := min(len(lines), 2048)
		if err := s.submit(ctx, &writeReq{lines: lines[:n]}); err != nil {
			return err
		}
		lines = lines[n:]
	}
	return nil
}

func (s *Store) submit(ctx context.Context, r *writeReq) error {
	r.done = make(chan error, 1)
	select {
	case s.writes <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return errors.New("store: closed")
	}
	// Once handed over, the write is carried out whatever ctx does: the
	// answer tells whether it committed. A write handed over as the store
	// closes may find no writer left: it is reported as not stored.
	select {
	case err := <-r.done:
		return err
	case <-s.done:
		select {
		case err := <-r.done:
			return err
		default:
			return errors.New("store: closed")
		}
	}
}

// writer commits the queued writes, as many as are waiting (up to
// maxBatch) in one transaction. If the batch fails, each write is retried
// alone so that one bad item fails only its own caller.
func (s *Store) writer() {
	defer s.wg.Done()
	for {
		var first *writeReq
		select {
		case first = <-s.writes:
		case <-s.stop:
			// Drain what was handed over before Close.
			for {
				select {
				case r := <-s.writes:
					r.done <- s.commit([]*writeReq{r})
				default:
					return
				}
			}
		}
		batch := []*writeReq{first}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break more
			}
		}
		if err := s.commit(batch); err != nil && len(batch) > 1 {
			for _, r := range batch {
				r.done <- s.commit([]*writeReq{r})
			}
			continue
		} else {
			for _, r := range batch {
				r.done <- err
			}
		}
	}
}

// commit writes a batch in one transaction.
func (s *Store) commit(batch []*writeReq) error {
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	w := &batchWriter{s: s, tx: tx, now: ms(s.now())}
	defer w.close()
	for _, r := range batch {
		if r.mail != nil {
			err = w.mail(ctx, r.mail)
		} else {
			err = w.lines(ctx, r.lines)
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("store: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// stmt returns the statement for query prepared on the database (once;
// database/sql then prepares it once per connection and a transaction
// reuses it): parsing SQL at each commit was a fifth of ingest's CPU.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// batchWriter holds a transaction's prepared statements.
type batchWriter struct {
	s     *Store
	tx    *sql.Tx
	now   int64
	stmts map[string]*sql.Stmt
}

func (w *batchWriter) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := w.stmts[query]; st != nil {
		return st, nil
	}
	dbst, err := w.s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	st := w.tx.StmtContext(ctx, dbst)
	if w.stmts == nil {
		w.stmts = make(map[string]*sql.Stmt)
	}
	w.stmts[query] = st
	return st, nil
}

func (w *batchWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

func (w *batchWriter) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (w *batchWriter) mail(ctx context.Context, p *prepared) error {
	st, err := w.stmt(ctx, `SELECT 1 FROM message_sources WHERE source = ? AND position = ?`)
	if err != nil {
		return err
	}
	var one int
	switch err := st.QueryRowContext(ctx, text(p.m.Source), text(p.m.Position)).Scan(&one); {
	case err == nil:
		return nil // this position is stored already
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	st, err = w.stmt(ctx, `INSERT INTO messages (sha256, source, position, arrival, stored_at, size, raw, kind, decode_error, decoded_by, decoder, facts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING RETURNING id`)
	if err != nil {
		return err
	}
	var id int64
	inserted := true
	err = st.QueryRowContext(ctx, p.hash, text(p.m.Source), text(p.m.Position), ms(p.arrival), w.now, len(p.m.Data), p.raw,
		p.kind, p.decErr, p.decBy, DecoderRevision, p.facts).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		inserted = false
		st, err = w.stmt(ctx, `SELECT id FROM messages WHERE sha256 = ?`)
		if err == nil {
			err = st.QueryRowContext(ctx, p.hash).Scan(&id)
		}
	}
	if err != nil {
		return err
	}
	if _, err := w.exec(ctx, `INSERT INTO message_sources (source, position, message_id, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		text(p.m.Source), text(p.m.Position), id, w.now); err != nil {
		return err
	}
	if !inserted {
		return nil
	}
	if p.digest != nil {
		if _, err := w.exec(ctx, `INSERT INTO digests (message_id, key, decoder, data) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			id, p.digestKey, DecoderRevision, p.digest); err != nil {
			return err
		}
	}
	if p.kind == KindDMARC {
		_, err := w.dmarc(ctx, id, p.m.Source, p.m.Data, p.dmarc, p.dmarcErr)
		return err
	}
	return w.bounces(ctx, id, p.bounces)
}

func (w *batchWriter) bounces(ctx context.Context, id int64, rows []bounceRow) error {
	for i, b := range rows {
		if _, err := w.exec(ctx, `INSERT INTO bounces (message_id, idx, account, recipient, recipient_domain, reason, hard, status, reply_code, action, diagnostic, remote_mta, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			id, i, b.account, b.recipient, b.domain, b.reason, boolInt(b.hard), b.status, b.reply, b.action, b.diag, b.remote, ms(b.at)); err != nil {
			return err
		}
	}
	return nil
}

func (w *batchWriter) lines(ctx context.Context, lines []ingest.LogLine) error {
	for _, l := range lines {
		if l.Source == "" || l.Position == "" {
			return errors.New("a log line needs a source and a position")
		}
		rec := l.Received
		if rec.IsZero() {
			rec = time.UnixMilli(w.now)
		}
		if _, err := w.exec(ctx, `INSERT INTO log_lines (source, position, received, line) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			text(l.Source), text(l.Position), ms(rec), text(l.Line)); err != nil {
			return err
		}
	}
	return nil
}

// text makes s fit a TEXT column of both engines: valid UTF-8 (a stray
// byte of another charset becomes U+FFFD), no NUL.
func text(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s // the usual case: no copy
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var _ ingest.Sink = (*Store)(nil)
