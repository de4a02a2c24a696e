package store

import (
	"context"
	"database/sql"
	"encoding/json"
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
	holes     TEXT NOT NULL,
	saved_at  BIGINT NOT NULL,
	data      {blob} NOT NULL
);
`

// Checkpoint is a saved analysis state.
type Checkpoint struct {
	Name     string
	Key      string
	LastMail int64 // the state holds the messages up to this ID
	// Holes are the IDs up to LastMail it does not hold because they were
	// not committed yet when read (another node's transaction, on
	// PostgreSQL): the restarted detector reads them again.
	Holes   []int64
	SavedAt time.Time
	Data    []byte
}

// PutCheckpoint saves c under its name, replacing the one saved before.
func (s *Store) PutCheckpoint(ctx context.Context, c Checkpoint) error {
	holes, err := json.Marshal(c.Holes)
	if err != nil {
		return fmt.Errorf("store: checkpoint %s: %w", c.Name, err)
	}
	q := `INSERT INTO checkpoints (name, key, last_mail, holes, saved_at, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET key = excluded.key, last_mail = excluded.last_mail, holes = excluded.holes,
		saved_at = excluded.saved_at, data = excluded.data`
	if _, err := s.db.ExecContext(ctx, s.q(q), c.Name, c.Key, c.LastMail, string(holes), ms(s.now()), c.Data); err != nil {
		return fmt.Errorf("store: checkpoint %s: %w", c.Name, err)
	}
	return nil
}

// LoadCheckpoint returns the checkpoint saved under name; ok is false when
// there is none.
func (s *Store) LoadCheckpoint(ctx context.Context, name string) (c Checkpoint, ok bool, err error) {
	var at int64
	var holes string
	err = s.db.QueryRowContext(ctx, s.q(`SELECT name, key, last_mail, holes, saved_at, data FROM checkpoints WHERE name = ?`), name).
		Scan(&c.Name, &c.Key, &c.LastMail, &holes, &at, &c.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("store: checkpoint %s: %w", name, err)
	}
	if err := json.Unmarshal([]byte(holes), &c.Holes); err != nil {
		return Checkpoint{}, false, fmt.Errorf("store: checkpoint %s: holes: %w", name, err)
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
