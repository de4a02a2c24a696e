package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bouncewatch/bouncewatch/ingest"
)

// Cursor returns the value last set for source, or "".
func (s *Store) Cursor(ctx context.Context, source string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM cursors WHERE source = ?`), source).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: cursor %s: %w", source, err)
	}
	return v, nil
}

// SetCursor sets source's cursor.
func (s *Store) SetCursor(ctx context.Context, source, value string) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO cursors (source, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (source) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`), source, value, ms(s.now()))
	if err != nil {
		return fmt.Errorf("store: set cursor %s: %w", source, err)
	}
	return nil
}

var _ ingest.Cursors = (*Store)(nil)

// Setting returns the value of a setting, or "" if it is not set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting sets a setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	return nil
}

// AcquireLease takes or renews the lease name for holder until now+ttl,
// and reports whether holder has it: one node at a time runs the detector
// on a shared store. A lease whose holder stopped renewing it passes to
// the next node once it expires.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, s.q(`INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
		WHERE leases.holder = excluded.holder OR leases.expires < ?`), name, holder, ms(now.Add(ttl)), ms(now))
	if err != nil {
		return false, fmt.Errorf("store: lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease gives the lease up if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM leases WHERE name = ? AND holder = ?`), name, holder)
	if err != nil {
		return fmt.Errorf("store: release %s: %w", name, err)
	}
	return nil
}
