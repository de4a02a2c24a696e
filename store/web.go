package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// This file holds what the dashboard (package web) reads and writes
// beside the API: the plan checklist and the bounce search and detail.

// Tick is one step of an incident's plan marked done (or undone) by a
// person, with who and when.
type Tick struct {
	Step string    `json:"step"`
	Done bool      `json:"done"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// PlanTicks returns the ticks of an incident's plan by step ID.
func (s *Store) PlanTicks(ctx context.Context, incident int64) (map[string]Tick, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT step, done, by_whom, at FROM plan_ticks WHERE incident_id = ?`), incident)
	if err != nil {
		return nil, fmt.Errorf("store: plan ticks: %w", err)
	}
	defer rows.Close()
	out := map[string]Tick{}
	for rows.Next() {
		var t Tick
		var done int
		var at int64
		if err := rows.Scan(&t.Step, &done, &t.By, &at); err != nil {
			return nil, fmt.Errorf("store: plan ticks: %w", err)
		}
		t.Done, t.At = done != 0, fromMS(at)
		out[t.Step] = t
	}
	return out, rows.Err()
}

// SetPlanTick marks step of an incident's plan done or not, by who at at.
func (s *Store) SetPlanTick(ctx context.Context, incident int64, t Tick) error {
	done := 0
	if t.Done {
		done = 1
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO plan_ticks (incident_id, step, done, by_whom, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (incident_id, step) DO UPDATE SET done = excluded.done, by_whom = excluded.by_whom, at = excluded.at`),
		incident, t.Step, done, t.By, ms(t.At))
	if err != nil {
		return fmt.Errorf("store: plan tick: %w", err)
	}
	return nil
}

// BounceSearch selects bounces for the dashboard's list: BounceFilter's
// fields, and the recipient's domain, hard or soft, and a text: the
// beginning of the recipient's address, or "@" and the beginning of its
// domain.
type BounceSearch struct {
	BounceFilter
	Domain string
	Hard   *bool
	Text   string
}

// SearchBounces returns the bounces matching f, newest first (by ID); a
// page is f.Limit long, the next starts After the last ID.
func (s *Store) SearchBounces(ctx context.Context, f BounceSearch) ([]Bounce, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.Account != "" {
		add("account = ?", strings.ToLower(f.Account))
	}
	if f.Reason != "" {
		add("reason = ?", f.Reason)
	}
	if f.Domain != "" {
		add("recipient_domain = ?", strings.ToLower(f.Domain))
	}
	if f.Hard != nil {
		h := 0
		if *f.Hard {
			h = 1
		}
		add("hard = ?", h)
	}
	if !f.From.IsZero() {
		add("at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", ms(f.To))
	}
	if t := strings.ToLower(strings.TrimSpace(f.Text)); t != "" {
		// A prefix of the recipient, or "@" and a prefix of its domain:
		// an index range, fast over millions of rows (a substring search
		// of every diagnostic would scan them all).
		col := "recipient"
		if d, ok := strings.CutPrefix(t, "@"); ok && d != "" {
			col, t = "recipient_domain", d
		}
		add(col+" >= ? AND "+col+" < ?", t, t+"\U0010FFFF")
	}
	if f.After > 0 {
		add("id < ?", f.After)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	q := `SELECT id, message_id, account, recipient, reason, hard, status, reply_code, action, diagnostic, remote_mta, at FROM bounces`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", f.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: bounce search: %w", err)
	}
	defer rows.Close()
	out := []Bounce{}
	for rows.Next() {
		b, err := scanBounce(rows)
		if err != nil {
			return nil, fmt.Errorf("store: bounce search: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func scanBounce(sc interface{ Scan(...any) error }) (Bounce, error) {
	var b Bounce
	var hard int
	var at int64
	err := sc.Scan(&b.ID, &b.MessageID, &b.Account, &b.Recipient, &b.Reason, &hard, &b.Status, &b.ReplyCode,
		&b.Action, &b.Diagnostic, &b.RemoteMTA, &at)
	b.Hard, b.Time = hard != 0, fromMS(at)
	return b, err
}

// MessageDetail is a stored message with its decoded facts (the decoder's
// JSON) and, unless pruned, its raw data.
type MessageDetail struct {
	ID          int64
	Source      string
	Arrival     time.Time
	Kind        string
	DecodeError string
	DecodedBy   string
	Facts       string // JSON of bounce.Result; "" when none
	Raw         []byte // nil when pruned by retention
}

// BounceDetail returns one bounce and its message, or nil when there is
// no bounce with that ID.
func (s *Store) BounceDetail(ctx context.Context, id int64) (*Bounce, *MessageDetail, error) {
	b, err := scanBounce(s.db.QueryRowContext(ctx, s.q(`SELECT id, message_id, account, recipient, reason, hard, status, reply_code, action, diagnostic, remote_mta, at FROM bounces WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: bounce %d: %w", id, err)
	}
	m := &MessageDetail{ID: b.MessageID}
	var arr, size int64
	var raw []byte
	err = s.db.QueryRowContext(ctx, s.q(`SELECT source, arrival, kind, decode_error, decoded_by, facts, size, raw FROM messages WHERE id = ?`), b.MessageID).
		Scan(&m.Source, &arr, &m.Kind, &m.DecodeError, &m.DecodedBy, &m.Facts, &size, &raw)
	if err != nil {
		return nil, nil, fmt.Errorf("store: message %d: %w", b.MessageID, err)
	}
	m.Arrival = fromMS(arr)
	if raw != nil {
		if m.Raw, err = s.decompress(raw, size); err != nil {
			return nil, nil, fmt.Errorf("store: message %d: %w", b.MessageID, err)
		}
	}
	return &b, m, nil
}

// AlertRecord is an alert of an incident as the outbox keeps it.
type AlertRecord struct {
	Event   string
	Channel string
	Created time.Time
	Sent    time.Time // zero: not sent (yet)
	Failed  time.Time // zero: not given up
}

// IncidentAlerts returns the alerts of an incident, oldest first.
func (s *Store) IncidentAlerts(ctx context.Context, incident int64) ([]AlertRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT event, channel, created_at, sent_at, failed_at FROM alert_outbox WHERE incident_id = ? ORDER BY created_at, id`), incident)
	if err != nil {
		return nil, fmt.Errorf("store: incident alerts: %w", err)
	}
	defer rows.Close()
	var out []AlertRecord
	for rows.Next() {
		var a AlertRecord
		var created int64
		var sent, failed sql.NullInt64
		if err := rows.Scan(&a.Event, &a.Channel, &created, &sent, &failed); err != nil {
			return nil, fmt.Errorf("store: incident alerts: %w", err)
		}
		a.Created, a.Sent, a.Failed = fromMS(created), nullMS(sent), nullMS(failed)
		out = append(out, a)
	}
	return out, rows.Err()
}
