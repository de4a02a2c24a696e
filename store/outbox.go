package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Alert is one notification waiting in the outbox, or sent.
type Alert struct {
	ID         int64
	Key        string // deduplication key: the same key is queued once
	IncidentID int64
	Event      string // opened, updated, closed
	Channel    string // the notifier's name: "webhook:0", "email"
	Payload    string // what the notifier sends, rendered when queued
	Attempts   int
	NextAt     time.Time
	LastError  string
}

func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, a Alert) error {
	next := a.NextAt
	if next.IsZero() {
		next = s.now()
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO alert_outbox (dedup_key, incident_id, event, channel, payload, created_at, next_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`),
		a.Key, a.IncidentID, a.Event, a.Channel, a.Payload, ms(s.now()), ms(next))
	if err != nil {
		return fmt.Errorf("store: queue alert: %w", err)
	}
	return nil
}

// Enqueue queues one alert (deduplicated by its key).
func (s *Store) Enqueue(ctx context.Context, a Alert) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: queue alert: %w", err)
	}
	defer tx.Rollback()
	if err := s.enqueue(ctx, tx, a); err != nil {
		return err
	}
	return tx.Commit()
}

// DueAlerts returns up to limit alerts due at now, oldest first.
func (s *Store) DueAlerts(ctx context.Context, now time.Time, limit int) ([]Alert, error) {
	rows, err := s.db.QueryContext(ctx, s.q(fmt.Sprintf(`SELECT id, dedup_key, incident_id, event, channel, payload, attempts, next_at, last_error
		FROM alert_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_at <= ? ORDER BY next_at, id LIMIT %d`, limit)), ms(now))
	if err != nil {
		return nil, fmt.Errorf("store: due alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		var next int64
		if err := rows.Scan(&a.ID, &a.Key, &a.IncidentID, &a.Event, &a.Channel, &a.Payload, &a.Attempts, &next, &a.LastError); err != nil {
			return nil, fmt.Errorf("store: due alerts: %w", err)
		}
		a.NextAt = fromMS(next)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AlertSent marks an alert sent.
func (s *Store) AlertSent(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE alert_outbox SET sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?`), ms(at), id)
	if err != nil {
		return fmt.Errorf("store: alert %d: %w", id, err)
	}
	return nil
}

// AlertFailed records a failed attempt: retried at next, or given up
// (giveUp) and kept with its error.
func (s *Store) AlertFailed(ctx context.Context, id int64, msg string, next time.Time, giveUp bool) error {
	var failed any
	if giveUp {
		failed = ms(s.now())
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?, next_at = ?, failed_at = ? WHERE id = ?`),
		text(msg), ms(next), failed, id)
	if err != nil {
		return fmt.Errorf("store: alert %d: %w", id, err)
	}
	return nil
}

// SentAlerts counts the alerts sent on channel since t (for rate limits).
func (s *Store) SentAlerts(ctx context.Context, channel string, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM alert_outbox WHERE channel = ? AND sent_at >= ?`), channel, ms(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: alerts: %w", err)
	}
	return n, nil
}

// AlertDeferred moves an alert's next attempt to next without counting an
// attempt (a rate limit held it back).
func (s *Store) AlertDeferred(ctx context.Context, id int64, next time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE alert_outbox SET next_at = ? WHERE id = ?`), ms(next), id)
	if err != nil {
		return fmt.Errorf("store: alert %d: %w", id, err)
	}
	return nil
}
