package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/ingest"
)

// migrationDigests keeps, beside each message, what the detector's
// analyzer keeps of it (diagnose.Digest in its binary form), so that the
// detector restores its state at start without decoding the messages
// again. key names the analyzer configuration and digest version it was
// made with (diagnose.Analyzer.DigestKey), decoder the DecoderRevision: a
// digest of another key or decoder is made again from the raw message.
const migrationDigests = `
CREATE TABLE digests (
	message_id BIGINT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
	key        TEXT NOT NULL,
	decoder    INTEGER NOT NULL,
	data       {blob} NOT NULL
);
`

// DigestFunc makes the analyzer's digest of a message as it is stored,
// from the decoder's answer (done once, for the store and the detector):
// mail is named source#position and placed at its arrival. It returns
// the digest's key and binary form; ok false stores none. It must be
// safe for concurrent use.
type DigestFunc func(name string, arrival time.Time, res *bounce.Result, err error) (key string, data []byte, ok bool)

// SetDigester makes PutMail store each new message's digest, made by fn,
// in the message's transaction. Call it before the sources start.
func (s *Store) SetDigester(fn DigestFunc) {
	s.digestMu.Lock()
	s.digester = fn
	s.digestMu.Unlock()
}

func (s *Store) digestFunc() DigestFunc {
	s.digestMu.Lock()
	defer s.digestMu.Unlock()
	return s.digester
}

// MailName is the name a stored message goes by in the analysis:
// source#position.
func MailName(source, position string) string { return source + "#" + position }

// digestOf fills p's digest from the decoder's answer.
func (s *Store) digestOf(p *prepared, m ingest.Mail, res *bounce.Result, err error) {
	fn := s.digestFunc()
	if fn == nil {
		return
	}
	key, data, ok := fn(MailName(text(m.Source), text(m.Position)), fromMS(ms(p.arrival)), res, err)
	if ok {
		p.digestKey, p.digest = key, data
	}
}

// migrationMessageIDs indexes the messages' IDs with the time each was
// stored, so that the detector's read of the stored messages (MailDigests)
// walks this narrow index rather than the rows, which hold the raw
// messages: a third of a cold start's time with a million messages.
const migrationMessageIDs = `
CREATE INDEX IF NOT EXISTS messages_id_stored ON messages (id, stored_at);
`

// MailDigest is a stored message as the detector reads it at start: its
// ID, when it was stored, and its digest when one is stored (Key and
// Decoder tell with what it was made). When the digest is missing or does
// not fit, the detector reads the message itself (RawMail).
type MailDigest struct {
	ID       int64
	StoredAt time.Time
	Key      string
	Decoder  int
	Digest   []byte // nil: none stored
}

// RawMail returns the stored message id (Data nil when retention removed
// the raw message).
func (s *Store) RawMail(ctx context.Context, id int64) (StoredMail, error) {
	m := StoredMail{ID: id}
	var arr, size int64
	var raw []byte
	// Prepared once: the detector asks for every message it decodes again
	// (after a decoder upgrade, a million of them).
	st, err := s.stmt(ctx, `SELECT source, position, arrival, kind, size, raw FROM messages WHERE id = ?`)
	if err != nil {
		return m, fmt.Errorf("store: message %d: %w", id, err)
	}
	if err := st.QueryRowContext(ctx, id).Scan(&m.Source, &m.Position, &arr, &m.Kind, &size, &raw); err != nil {
		return m, fmt.Errorf("store: message %d: %w", id, err)
	}
	m.Arrival = fromMS(arr)
	if raw != nil {
		data, err := s.decompress(raw, size)
		if err != nil {
			return m, fmt.Errorf("store: message %d: %w", id, err)
		}
		m.Data = data
	}
	return m, nil
}

// MailDigests calls fn for each stored message with an ID above after, in
// ID order, with its digest if one is stored, and returns the last ID
// seen.
func (s *Store) MailDigests(ctx context.Context, after int64, fn func(MailDigest) error) (int64, error) {
	return s.mailDigests(ctx, after, math.MaxInt64, fn)
}

// MailDigestsBetween is MailDigests for the messages with an ID from lo
// to hi: what the detector reads again for IDs it found missing, in case
// they were committed late (see detect's holes).
func (s *Store) MailDigestsBetween(ctx context.Context, lo, hi int64, fn func(MailDigest) error) error {
	if lo <= math.MinInt64 || hi < lo {
		return nil
	}
	_, err := s.mailDigests(ctx, lo-1, hi, fn)
	return err
}

// digestBlock is the size of the blocks readDigests copies digests into.
const digestBlock = 64 << 10

// storedDigest is a row of the digests table.
type storedDigest struct {
	id      int64
	key     string
	decoder int
	data    []byte
}

// mailDigests reads the messages with after < ID <= upto. The messages'
// columns and their digests are two queries, merged here by ID, and the
// digests are read by a goroutine of their own: a join read both tables
// in one goroutine, half the time of a cold start with a million messages.
// The two queries may see the store at slightly different moments: a
// digest whose message is not seen is skipped, and a message whose digest
// is not seen comes without one (the detector then decodes its raw form),
// so the answer is right either way.
func (s *Store) mailDigests(ctx context.Context, after, upto int64, fn func(MailDigest) error) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan []storedDigest, 4)
	var digestErr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(batches)
		digestErr = s.readDigests(ctx, after, upto, batches)
	}()
	// Stop the reader and wait for it whatever happens: it holds a
	// connection. (Once stopped, stopping again returns at once.)
	stop := func() {
		cancel()
		for range batches {
		}
		<-read
	}
	defer stop()

	// The IDs come from the index messages_id_stored, not the rows.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, stored_at FROM messages WHERE id > ? AND id <= ? ORDER BY id`), after, upto)
	if err != nil {
		return after, fmt.Errorf("store: digests: %w", err)
	}
	defer rows.Close()
	var cur []storedDigest
	more := true
	digestOf := func(id int64) *storedDigest {
		for {
			for len(cur) > 0 && cur[0].id < id {
				cur = cur[1:] // a digest whose message is not seen
			}
			if len(cur) > 0 {
				if cur[0].id == id {
					return &cur[0]
				}
				return nil
			}
			if !more {
				return nil
			}
			cur, more = <-batches
		}
	}
	last := after
	for rows.Next() {
		var m MailDigest
		var stored int64
		if err := rows.Scan(&m.ID, &stored); err != nil {
			return last, fmt.Errorf("store: digests: %w", err)
		}
		m.StoredAt = fromMS(stored)
		if d := digestOf(m.ID); d != nil {
			m.Key, m.Decoder, m.Digest = d.key, d.decoder, d.data
		}
		if err := fn(m); err != nil {
			return last, err
		}
		last = m.ID
	}
	if err := rows.Err(); err != nil {
		return last, fmt.Errorf("store: digests: %w", err)
	}
	rows.Close()
	// Every message was given; a failed digest reader only made the
	// detector decode more of them from their raw form, but is said.
	stop()
	if digestErr != nil && !errors.Is(digestErr, context.Canceled) {
		return last, digestErr
	}
	return last, nil
}

// readDigests sends the digests with after < ID <= upto, in ID order and
// in batches, until ctx is done.
func (s *Store) readDigests(ctx context.Context, after, upto int64, out chan<- []storedDigest) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT message_id, key, decoder, data FROM digests
		WHERE message_id > ? AND message_id <= ? ORDER BY message_id`), after, upto)
	if err != nil {
		return fmt.Errorf("store: digests: %w", err)
	}
	defer rows.Close()
	const batchLen = 256
	batch := make([]storedDigest, 0, batchLen)
	send := func() error {
		select {
		case out <- batch:
			batch = make([]storedDigest, 0, batchLen)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// The digests are copied out of the driver's buffer (RawBytes) into
	// shared blocks, one allocation per block rather than per message;
	// the key, nearly always the same, is made once.
	var block []byte
	var key, data sql.RawBytes
	var lastKey string
	for rows.Next() {
		var d storedDigest
		var dec int64
		if err := rows.Scan(&d.id, &key, &dec, &data); err != nil {
			return fmt.Errorf("store: digests: %w", err)
		}
		if string(key) != lastKey {
			lastKey = string(key)
		}
		d.key, d.decoder = lastKey, int(dec)
		if len(data) > cap(block)-len(block) {
			block = make([]byte, 0, max(digestBlock, len(data)))
		}
		n := len(block)
		block = append(block, data...)
		d.data = block[n:len(block):len(block)]
		if batch = append(batch, d); len(batch) == batchLen {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: digests: %w", err)
	}
	if len(batch) > 0 {
		return send()
	}
	return nil
}

// StoredDigest is a digest to keep for a message (PutDigests).
type StoredDigest struct {
	ID   int64
	Key  string
	Data []byte
}

// PutDigests stores (or replaces) the digests of stored messages, made
// with the current DecoderRevision. A message deleted meanwhile is
// skipped.
func (s *Store) PutDigests(ctx context.Context, ds []StoredDigest) error {
	if len(ds) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: digests: %w", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO digests (message_id, key, decoder, data)
		SELECT id, ?, ?, ? FROM messages WHERE id = ?
		ON CONFLICT (message_id) DO UPDATE SET key = excluded.key, decoder = excluded.decoder, data = excluded.data`))
	if err != nil {
		return fmt.Errorf("store: digests: %w", err)
	}
	defer st.Close()
	for _, d := range ds {
		if _, err := st.ExecContext(ctx, d.Key, DecoderRevision, d.Data, d.ID); err != nil {
			return fmt.Errorf("store: digest of message %d: %w", d.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: digests: %w", err)
	}
	return nil
}
