package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// BlocklistCheck is one check of our IPs and domains against the DNS
// blocklists, made for an open incident.
type BlocklistCheck struct {
	ID         int64           `json:"id"`
	IncidentID int64           `json:"incident_id"`
	CheckedAt  time.Time       `json:"checked_at"`
	Listed     int             `json:"listed"`
	Results    json.RawMessage `json:"results"`
}

// ChangeBlocklists is the history entry of a blocklist check.
const ChangeBlocklists = "blocklists"

// SaveBlocklistCheck stores a check (results as JSON) and puts its
// summary lines (listings and their delisting pages) in the incident's
// timeline.
func (s *Store) SaveBlocklistCheck(ctx context.Context, incidentID int64, at time.Time, listed int, results any, summary []string) error {
	b, err := json.Marshal(results)
	if err != nil {
		return fmt.Errorf("store: blocklists: %w", err)
	}
	ev, _ := json.Marshal(summary)
	if summary == nil {
		ev = []byte("[]")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: blocklists: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO blocklist_checks (incident_id, checked_at, listed, results) VALUES (?, ?, ?, ?)`),
		incidentID, ms(at), listed, text(string(b))); err != nil {
		return fmt.Errorf("store: blocklists: %w", err)
	}
	var verdict string
	var conf float64
	err = tx.QueryRowContext(ctx, s.q(`SELECT verdict, confidence FROM incidents WHERE id = ?`), incidentID).Scan(&verdict, &conf)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: blocklists: %w", err)
	}
	if err == nil {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO incident_history (incident_id, at, change, verdict, confidence, evidence) VALUES (?, ?, ?, ?, ?, ?)`),
			incidentID, ms(at), ChangeBlocklists, verdict, conf, text(string(ev))); err != nil {
			return fmt.Errorf("store: blocklists: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: blocklists: %w", err)
	}
	return nil
}

// BlocklistChecks lists an incident's checks, newest first (at most
// limit; default 30).
func (s *Store) BlocklistChecks(ctx context.Context, incidentID int64, limit int) ([]BlocklistCheck, error) {
	if limit <= 0 {
		limit = 30
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, incident_id, checked_at, listed, results FROM blocklist_checks WHERE incident_id = ? ORDER BY checked_at DESC, id DESC LIMIT ?`), incidentID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: blocklists: %w", err)
	}
	defer rows.Close()
	out := []BlocklistCheck{}
	for rows.Next() {
		var c BlocklistCheck
		var at int64
		var res string
		if err := rows.Scan(&c.ID, &c.IncidentID, &at, &c.Listed, &res); err != nil {
			return nil, fmt.Errorf("store: blocklists: %w", err)
		}
		c.CheckedAt, c.Results = fromMS(at), json.RawMessage(res)
		out = append(out, c)
	}
	return out, rows.Err()
}
