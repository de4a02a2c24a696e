package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// migrationCheckpoints keeps the detector's checkpoint: its analysis of
// the messages up to last_mail (diagnose.Analyzer.MarshalMail), so that a
// restart reads the checkpoint and the messages after it instead of every
// message stored. key names what it was made with (the analyzer's
// configuration, the decoder): a checkpoint of another key is ignored.
const migrationCheckpoints = `
CREATE TABLE checkpoints (
	name      TEXT PRIMARY KEY,
	key       TEXT NOT NULL,
	last_mail BIGINT NOT NULL,
	messages  BIGINT NOT NULL,
	saved_at  BIGINT NOT NULL,
	data      {blob} NOT NULL
);
`

// Checkpoint is a saved analysis state.
type Checkpoint struct {
	Name     string
	Key      string
	LastMail int64 // the state holds the messages up to this ID
	// Messages is how many messages up to LastMail it holds: on
	// PostgreSQL a message may commit after one with a higher ID was
	// read, and MessagesUpTo then counts more.
	Messages int64
	SavedAt  time.Time
	Data     []byte
}

// PutCheckpoint saves c under its name, replacing the one saved before.
func (s *Store) PutCheckpoint(ctx context.Context, c Checkpoint) error {
	q := `INSERT INTO checkpoints (name, key, last_mail, messages, saved_at, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET key = excluded.key, last_mail = excluded.last_mail, messages = excluded.messages,
		saved_at = excluded.saved_at, data = excluded.data`
	if _, err := s.db.ExecContext(ctx, s.q(q), c.Name, c.Key, c.LastMail, c.Messages, ms(s.now()), c.Data); err != nil {
		return fmt.Errorf("store: checkpoint %s: %w", c.Name, err)
	}
	return nil
}

// LoadCheckpoint returns the checkpoint saved under name; ok is false when
// there is none.
func (s *Store) LoadCheckpoint(ctx context.Context, name string) (c Checkpoint, ok bool, err error) {
	var at int64
	err = s.db.QueryRowContext(ctx, s.q(`SELECT name, key, last_mail, messages, saved_at, data FROM checkpoints WHERE name = ?`), name).
		Scan(&c.Name, &c.Key, &c.LastMail, &c.Messages, &at, &c.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("store: checkpoint %s: %w", name, err)
	}
	c.SavedAt = fromMS(at)
	return c, true, nil
}

// DeleteCheckpoints forgets every checkpoint (after the stored messages
// were decoded again).
func (s *Store) DeleteCheckpoints(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM checkpoints`); err != nil {
		return fmt.Errorf("store: checkpoints: %w", err)
	}
	return nil
}

// MessagesUpTo counts the stored messages with an ID up to id.
func (s *Store) MessagesUpTo(ctx context.Context, id int64) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM messages WHERE id <= ?`), id).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: messages: %w", err)
	}
	return n, nil
}
