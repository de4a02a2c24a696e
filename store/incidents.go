package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Incident is one episode of an account's trouble: opened when the
// detector finds a hijack, a spoof or both, updated as evidence arrives,
// closed when the account's rates are back to their baseline.
type Incident struct {
	ID         int64      `json:"id"`
	Account    string     `json:"account"`
	Verdict    string     `json:"verdict"`
	Confidence float64    `json:"confidence"`
	Onset      time.Time  `json:"onset"`
	OpenedAt   time.Time  `json:"opened_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ClosedAt   *time.Time `json:"closed_at"`
	Evidence   []string   `json:"evidence"`
	// Detail is the detector's account report at the last change (JSON),
	// with the plan, for the dashboard and the alerts.
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Open reports whether the incident is still open.
func (in *Incident) Open() bool { return in.ClosedAt == nil }

// Change is one entry of an incident's history.
type Change struct {
	At         time.Time `json:"at"`
	Change     string    `json:"change"` // opened, updated, closed
	Verdict    string    `json:"verdict"`
	Confidence float64   `json:"confidence"`
	Evidence   []string  `json:"evidence"`
}

// Changes of the history.
const (
	ChangeOpened  = "opened"
	ChangeUpdated = "updated"
	ChangeClosed  = "closed"
)

const incidentCols = `id, account, verdict, confidence, onset, opened_at, updated_at, closed_at, evidence, detail`

func scanIncident(sc interface{ Scan(...any) error }) (Incident, error) {
	var in Incident
	var onset, opened, updated int64
	var closed sql.NullInt64
	var ev, detail string
	if err := sc.Scan(&in.ID, &in.Account, &in.Verdict, &in.Confidence, &onset, &opened, &updated, &closed, &ev, &detail); err != nil {
		return in, err
	}
	in.Onset, in.OpenedAt, in.UpdatedAt = fromMS(onset), fromMS(opened), fromMS(updated)
	if closed.Valid {
		t := fromMS(closed.Int64)
		in.ClosedAt = &t
	}
	_ = json.Unmarshal([]byte(ev), &in.Evidence)
	if in.Evidence == nil {
		in.Evidence = []string{}
	}
	if detail != "" {
		in.Detail = json.RawMessage(detail)
	}
	return in, nil
}

// IncidentFilter selects incidents; zero fields do not filter.
type IncidentFilter struct {
	Account  string
	OpenOnly bool
	Limit    int
}

// Incidents returns incidents, the most recently opened first.
func (s *Store) Incidents(ctx context.Context, f IncidentFilter) ([]Incident, error) {
	q := `SELECT ` + incidentCols + ` FROM incidents WHERE 1 = 1`
	var args []any
	if f.Account != "" {
		q += ` AND account = ?`
		args = append(args, f.Account)
	}
	if f.OpenOnly {
		q += ` AND closed_at IS NULL`
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	q += fmt.Sprintf(` ORDER BY opened_at DESC, id DESC LIMIT %d`, f.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: incidents: %w", err)
	}
	defer rows.Close()
	out := []Incident{}
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("store: incidents: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Incident returns one incident, or nil if there is none with that ID.
func (s *Store) Incident(ctx context.Context, id int64) (*Incident, error) {
	in, err := scanIncident(s.db.QueryRowContext(ctx, s.q(`SELECT `+incidentCols+` FROM incidents WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: incident %d: %w", id, err)
	}
	return &in, nil
}

// History returns an incident's changes, oldest first.
func (s *Store) History(ctx context.Context, id int64) ([]Change, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at, change, verdict, confidence, evidence FROM incident_history WHERE incident_id = ? ORDER BY at, id`), id)
	if err != nil {
		return nil, fmt.Errorf("store: history %d: %w", id, err)
	}
	defer rows.Close()
	out := []Change{}
	for rows.Next() {
		var c Change
		var at int64
		var ev string
		if err := rows.Scan(&at, &c.Change, &c.Verdict, &c.Confidence, &ev); err != nil {
			return nil, fmt.Errorf("store: history %d: %w", id, err)
		}
		c.At = fromMS(at)
		_ = json.Unmarshal([]byte(ev), &c.Evidence)
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveIncident records a change of an incident with its history entry,
// and the alerts it raises, in one transaction: a new incident (ID 0) is
// inserted and its ID set; change is one of the Change* constants. alerts,
// when not nil, is called once the incident has its ID and its alerts are
// queued in the outbox (deduplicated by their key).
func (s *Store) SaveIncident(ctx context.Context, in *Incident, change string, alerts func(*Incident) []Alert) error {
	ev, _ := json.Marshal(in.Evidence)
	if in.Evidence == nil {
		ev = []byte("[]")
	}
	var closed any
	if in.ClosedAt != nil {
		closed = ms(*in.ClosedAt)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: incident: %w", err)
	}
	defer tx.Rollback()
	if in.ID == 0 {
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO incidents (account, verdict, confidence, onset, opened_at, updated_at, closed_at, evidence, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			in.Account, in.Verdict, in.Confidence, ms(in.Onset), ms(in.OpenedAt), ms(in.UpdatedAt), closed, string(ev), string(in.Detail)).Scan(&in.ID)
	} else {
		_, err = tx.ExecContext(ctx, s.q(`UPDATE incidents SET verdict = ?, confidence = ?, onset = ?, updated_at = ?, closed_at = ?, evidence = ?, detail = ? WHERE id = ?`),
			in.Verdict, in.Confidence, ms(in.Onset), ms(in.UpdatedAt), closed, string(ev), string(in.Detail), in.ID)
	}
	if err != nil {
		return fmt.Errorf("store: incident: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO incident_history (incident_id, at, change, verdict, confidence, evidence) VALUES (?, ?, ?, ?, ?, ?)`),
		in.ID, ms(in.UpdatedAt), change, in.Verdict, in.Confidence, string(ev)); err != nil {
		return fmt.Errorf("store: incident history: %w", err)
	}
	var list []Alert
	if alerts != nil {
		list = alerts(in)
	}
	for _, a := range list {
		a.IncidentID = in.ID
		if a.Key == "" {
			a.Key = fmt.Sprintf("%d/%s/%s/%d", in.ID, a.Channel, a.Event, ms(in.UpdatedAt))
		}
		if err := s.enqueue(ctx, tx, a); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: incident: %w", err)
	}
	return nil
}
