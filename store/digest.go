package store

import (
	"context"
	"fmt"
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

// MailDigest is a stored message as the detector reads it at start: its
// digest when one is stored (Key and Decoder tell with what it was made),
// else none; the raw message is read apart (Raw) when the digest does
// not fit.
type MailDigest struct {
	ID       int64
	Source   string
	Position string
	Arrival  time.Time
	StoredAt time.Time
	Key      string
	Decoder  int
	Digest   []byte // nil: none stored
	HasRaw   bool   // the raw message is kept (retention may have removed it)
}

// MailDigests calls fn for each stored message with an ID above after, in
// ID order, with its digest if one is stored, and returns the last ID
// seen.
func (s *Store) MailDigests(ctx context.Context, after int64, fn func(MailDigest) error) (int64, error) {
	return s.mailDigests(ctx, `m.id > ?`, []any{after}, after, fn)
}

// MailDigestsBetween is MailDigests for the messages with an ID from lo
// to hi: what the detector reads again for IDs it found missing, in case
// they were committed late (see detect's holes).
func (s *Store) MailDigestsBetween(ctx context.Context, lo, hi int64, fn func(MailDigest) error) error {
	_, err := s.mailDigests(ctx, `m.id >= ? AND m.id <= ?`, []any{lo, hi}, lo, fn)
	return err
}

func (s *Store) mailDigests(ctx context.Context, where string, args []any, after int64, fn func(MailDigest) error) (int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT m.id, m.source, m.position, m.arrival, m.stored_at, m.raw IS NOT NULL, d.key, d.decoder, d.data
		FROM messages m LEFT JOIN digests d ON d.message_id = m.id WHERE `+where+` ORDER BY m.id`), args...)
	if err != nil {
		return after, fmt.Errorf("store: digests: %w", err)
	}
	defer rows.Close()
	last := after
	for rows.Next() {
		var m MailDigest
		var arr, stored int64
		var key *string
		var dec *int64
		if err := rows.Scan(&m.ID, &m.Source, &m.Position, &arr, &stored, &m.HasRaw, &key, &dec, &m.Digest); err != nil {
			return last, fmt.Errorf("store: digests: %w", err)
		}
		m.Arrival, m.StoredAt = fromMS(arr), fromMS(stored)
		if key != nil {
			m.Key = *key
		}
		if dec != nil {
			m.Decoder = int(*dec)
		}
		if err := fn(m); err != nil {
			return last, err
		}
		last = m.ID
	}
	return last, rows.Err()
}

// Raw returns the raw message id, decompressed; nil when retention has
// removed it.
func (s *Store) Raw(ctx context.Context, id int64) ([]byte, error) {
	var raw []byte
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT raw FROM messages WHERE id = ?`), id).Scan(&raw); err != nil {
		return nil, fmt.Errorf("store: message %d: %w", id, err)
	}
	if raw == nil {
		return nil, nil
	}
	data, err := decompress(raw)
	if err != nil {
		return nil, fmt.Errorf("store: message %d: %w", id, err)
	}
	return data, nil
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
