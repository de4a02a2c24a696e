package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Stats counts what the store holds.
type Stats struct {
	Messages    int64 `json:"messages"`
	Bounces     int64 `json:"bounces"` // bounced recipients
	BounceMails int64 `json:"bounce_messages"`
	NotBounces  int64 `json:"not_bounces"`
	Undecodable int64 `json:"undecodable"`
	LogLines    int64 `json:"log_lines"`
	Incidents   int64 `json:"incidents"`
	OpenIncs    int64 `json:"incidents_open"`
	AlertsDue   int64 `json:"alerts_pending"`
}

// Stats counts messages, bounces, log lines and incidents.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM messages),
		(SELECT COUNT(*) FROM bounces),
		(SELECT COUNT(*) FROM messages WHERE kind = 'bounce'),
		(SELECT COUNT(*) FROM messages WHERE kind = 'not_bounce'),
		(SELECT COUNT(*) FROM messages WHERE kind = 'error'),
		(SELECT COUNT(*) FROM log_lines),
		(SELECT COUNT(*) FROM incidents),
		(SELECT COUNT(*) FROM incidents WHERE closed_at IS NULL),
		(SELECT COUNT(*) FROM alert_outbox WHERE sent_at IS NULL AND failed_at IS NULL)`).Scan(
		&st.Messages, &st.Bounces, &st.BounceMails, &st.NotBounces, &st.Undecodable, &st.LogLines,
		&st.Incidents, &st.OpenIncs, &st.AlertsDue)
	if err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	return st, nil
}

// Bounce is one bounced recipient as stored.
type Bounce struct {
	ID         int64     `json:"id"`
	MessageID  int64     `json:"message_id"`
	Account    string    `json:"account"`
	Recipient  string    `json:"recipient"`
	Reason     string    `json:"reason"`
	Hard       bool      `json:"hard_bounce"`
	Status     string    `json:"status"`
	ReplyCode  string    `json:"reply_code"`
	Action     string    `json:"action"`
	Diagnostic string    `json:"diagnostic_code"`
	RemoteMTA  string    `json:"remote_mta"`
	Time       time.Time `json:"time"`
}

// BounceFilter selects bounces. Zero fields do not filter. Pages go
// newest first: After is the ID the previous page ended with.
type BounceFilter struct {
	Account  string
	Reason   string
	From, To time.Time
	After    int64
	Limit    int
}

// Bounces returns the bounces matching f, newest first (by ID).
func (s *Store) Bounces(ctx context.Context, f BounceFilter) ([]Bounce, error) {
	var where []string
	var args []any
	if f.Account != "" {
		where, args = append(where, "account = ?"), append(args, strings.ToLower(f.Account))
	}
	if f.Reason != "" {
		where, args = append(where, "reason = ?"), append(args, f.Reason)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, ms(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, ms(f.To))
	}
	if f.After > 0 {
		where, args = append(where, "id < ?"), append(args, f.After)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q := `SELECT id, message_id, account, recipient, reason, hard, status, reply_code, action, diagnostic, remote_mta, at FROM bounces`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", f.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: bounces: %w", err)
	}
	defer rows.Close()
	out := []Bounce{}
	for rows.Next() {
		var b Bounce
		var hard int
		var at int64
		if err := rows.Scan(&b.ID, &b.MessageID, &b.Account, &b.Recipient, &b.Reason, &hard, &b.Status, &b.ReplyCode,
			&b.Action, &b.Diagnostic, &b.RemoteMTA, &at); err != nil {
			return nil, fmt.Errorf("store: bounces: %w", err)
		}
		b.Hard, b.Time = hard != 0, fromMS(at)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Suppression is one hard-bounced recipient of one account: a list to
// clean.
type Suppression struct {
	Account   string    `json:"account"`
	Recipient string    `json:"recipient"`
	Reason    string    `json:"reason"` // of the last hard bounce
	First     time.Time `json:"first_bounce"`
	Last      time.Time `json:"last_bounce"`
	Count     int       `json:"count"`
}

// Suppressions lists the hard-bounced recipients per account (all
// accounts when account is ""), by account then recipient.
func (s *Store) Suppressions(ctx context.Context, account string) ([]Suppression, error) {
	q := `SELECT b.account, b.recipient, MIN(b.at), MAX(b.at), COUNT(*),
		(SELECT r.reason FROM bounces r WHERE r.account = b.account AND r.recipient = b.recipient AND r.hard = 1 ORDER BY r.at DESC, r.id DESC LIMIT 1)
		FROM bounces b WHERE b.hard = 1`
	var args []any
	if account != "" {
		q += ` AND b.account = ?`
		args = append(args, strings.ToLower(account))
	}
	q += ` GROUP BY b.account, b.recipient ORDER BY b.account, b.recipient`
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: suppressions: %w", err)
	}
	defer rows.Close()
	out := []Suppression{}
	for rows.Next() {
		var x Suppression
		var first, last int64
		if err := rows.Scan(&x.Account, &x.Recipient, &first, &last, &x.Count, &x.Reason); err != nil {
			return nil, fmt.Errorf("store: suppressions: %w", err)
		}
		x.First, x.Last = fromMS(first), fromMS(last)
		out = append(out, x)
	}
	return out, rows.Err()
}

// StoredMail is a stored message, as the detector and reprocess read it.
type StoredMail struct {
	ID       int64
	Source   string
	Position string
	Arrival  time.Time
	Kind     string
	Data     []byte // the raw message, decompressed
}

// Mails calls fn for each stored message with an ID above after, in ID
// order, at most limit of them (0: all), and returns the last ID seen.
func (s *Store) Mails(ctx context.Context, after int64, limit int, fn func(StoredMail) error) (int64, error) {
	q := `SELECT id, source, position, arrival, kind, size, raw FROM messages WHERE id > ? ORDER BY id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q), after)
	if err != nil {
		return after, fmt.Errorf("store: messages: %w", err)
	}
	defer rows.Close()
	last := after
	for rows.Next() {
		var m StoredMail
		var arr, size int64
		var raw []byte
		if err := rows.Scan(&m.ID, &m.Source, &m.Position, &arr, &m.Kind, &size, &raw); err != nil {
			return last, fmt.Errorf("store: messages: %w", err)
		}
		m.Arrival = fromMS(arr)
		if raw != nil {
			if m.Data, err = s.decompress(raw, size); err != nil {
				return last, fmt.Errorf("store: message %d: %w", m.ID, err)
			}
		}
		if err := fn(m); err != nil {
			return last, err
		}
		last = m.ID
	}
	return last, rows.Err()
}

// LogLine is a stored log line.
type LogLine struct {
	ID       int64
	Source   string
	Position string
	Received time.Time
	Line     string
}

// LogLines calls fn for each stored line with an ID above after, in ID
// order, at most limit of them (0: all), and returns the last ID seen.
func (s *Store) LogLines(ctx context.Context, after int64, limit int, fn func(LogLine) error) (int64, error) {
	return s.logLines(ctx, `id > ?`, []any{after}, after, limit, fn)
}

// LogLinesBetween is LogLines for the lines with an ID from lo to hi (see
// MailDigestsBetween).
func (s *Store) LogLinesBetween(ctx context.Context, lo, hi int64, fn func(LogLine) error) error {
	_, err := s.logLines(ctx, `id >= ? AND id <= ?`, []any{lo, hi}, lo, 0, fn)
	return err
}

func (s *Store) logLines(ctx context.Context, where string, args []any, after int64, limit int, fn func(LogLine) error) (int64, error) {
	q := `SELECT id, source, position, received, line FROM log_lines WHERE ` + where + ` ORDER BY id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	if err != nil {
		return after, fmt.Errorf("store: log lines: %w", err)
	}
	defer rows.Close()
	last := after
	for rows.Next() {
		var l LogLine
		var rec int64
		if err := rows.Scan(&l.ID, &l.Source, &l.Position, &rec, &l.Line); err != nil {
			return last, fmt.Errorf("store: log lines: %w", err)
		}
		l.Received = fromMS(rec)
		if err := fn(l); err != nil {
			return last, err
		}
		last = l.ID
	}
	return last, rows.Err()
}

// MaxIDs returns the highest message and log line IDs: what the detector
// compares with what it has read.
func (s *Store) MaxIDs(ctx context.Context) (mail, log int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT COALESCE((SELECT MAX(id) FROM messages), 0), COALESCE((SELECT MAX(id) FROM log_lines), 0)`).Scan(&mail, &log)
	if err != nil {
		err = fmt.Errorf("store: %w", err)
	}
	return
}

// Reprocess decodes again every stored message (the raw data is kept for
// this) and replaces its facts and bounce rows, in batches; progress is
// called after each batch with the messages done. It returns how many
// messages changed kind or facts.
func (s *Store) Reprocess(ctx context.Context, progress func(done int)) (int, error) {
	// The detector's checkpoint counts the messages as they were decoded:
	// its next start reads them all again.
	if err := s.DeleteCheckpoints(ctx); err != nil {
		return 0, fmt.Errorf("store: reprocess: %w", err)
	}
	var after, last int64
	done, changed := 0, 0
	for {
		type item struct {
			id   int64
			p    *prepared
			kind string
			fact string
		}
		var items []item
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, arrival, size, raw, kind, facts FROM messages WHERE id > ? ORDER BY id LIMIT 500`), after)
		if err != nil {
			return changed, fmt.Errorf("store: reprocess: %w", err)
		}
		for rows.Next() {
			var id, arr, size int64
			var raw []byte
			var it item
			if err := rows.Scan(&id, &arr, &size, &raw, &it.kind, &it.fact); err != nil {
				rows.Close()
				return changed, fmt.Errorf("store: reprocess: %w", err)
			}
			after = id
			if raw == nil {
				continue // pruned: the facts stay as they are
			}
			data, err := s.decompress(raw, size)
			if err != nil {
				rows.Close()
				return changed, fmt.Errorf("store: reprocess: message %d: %w", id, err)
			}
			it.id = id
			it.p = &prepared{arrival: fromMS(arr)}
			it.p.fill(data)
			items = append(items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return changed, fmt.Errorf("store: reprocess: %w", err)
		}
		if len(items) == 0 && last == after {
			return changed, nil
		}
		last = after
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return changed, fmt.Errorf("store: reprocess: %w", err)
		}
		w := &batchWriter{s: s, tx: tx, now: ms(s.now())}
		for _, it := range items {
			if it.kind == it.p.kind && it.fact == it.p.facts {
				continue
			}
			changed++
			if _, err = w.exec(ctx, `UPDATE messages SET kind = ?, decode_error = ?, decoded_by = ?, decoder = ?, facts = ? WHERE id = ?`,
				it.p.kind, it.p.decErr, it.p.decBy, DecoderRevision, it.p.facts, it.id); err == nil {
				if _, err = w.exec(ctx, `DELETE FROM bounces WHERE message_id = ?`, it.id); err == nil {
					err = w.bounces(ctx, it.id, it.p.bounces)
				}
				if err == nil {
					// The detector digests it again at its next start.
					_, err = w.exec(ctx, `DELETE FROM digests WHERE message_id = ?`, it.id)
				}
			}
			if err != nil {
				break
			}
		}
		w.close()
		if err != nil {
			tx.Rollback()
			return changed, fmt.Errorf("store: reprocess: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return changed, fmt.Errorf("store: reprocess: %w", err)
		}
		done += len(items)
		if progress != nil {
			progress(done)
		}
	}
}

// Retention says how long stored data is kept; zero keeps it forever.
type Retention struct {
	Raw      time.Duration // raw messages (facts and bounce rows stay)
	LogLines time.Duration
	Bounces  time.Duration // messages with their facts and bounce rows
}

// Prune applies r as of now and returns how many rows it changed.
func (s *Store) Prune(ctx context.Context, r Retention, now time.Time) (int64, error) {
	var total int64
	run := func(q string, keep time.Duration) error {
		if keep <= 0 {
			return nil
		}
		res, err := s.db.ExecContext(ctx, s.q(q), ms(now.Add(-keep)))
		if err != nil {
			return fmt.Errorf("store: prune: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
		return nil
	}
	if err := run(`UPDATE messages SET raw = NULL WHERE raw IS NOT NULL AND stored_at < ?`, r.Raw); err != nil {
		return total, err
	}
	if err := run(`DELETE FROM log_lines WHERE received < ?`, r.LogLines); err != nil {
		return total, err
	}
	if err := run(`DELETE FROM messages WHERE stored_at < ?`, r.Bounces); err != nil {
		return total, err
	}
	return total, nil
}
