package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Block is an account held at the mail server by an admin (bouncewatch
// block) or by the policy service (a rate window tripped).
type Block struct {
	Account   string    `json:"account"`
	Reason    string    `json:"reason"`
	By        string    `json:"blocked_by"`
	BlockedAt time.Time `json:"blocked_at"`
}

// Hold is why the policy service defers an account's mail.
type Hold struct {
	Account string `json:"account"`
	// Block is set when the account is blocked; Incident when an open
	// incident holds it hijacked (or mixed) since after its last release.
	Block    *Block    `json:"block,omitempty"`
	Incident *Incident `json:"incident,omitempty"`
}

// account is how accounts are keyed: the SASL login or the address,
// lower case.
func account(a string) string { return strings.ToLower(strings.TrimSpace(a)) }

// BlockAccount holds account until it is released. Blocking a blocked
// account keeps its first reason.
func (s *Store) BlockAccount(ctx context.Context, acct, reason, by string, at time.Time) error {
	acct = account(acct)
	if acct == "" {
		return errors.New("store: block: no account")
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO account_blocks (account, reason, blocked_by, blocked_at) VALUES (?, ?, ?, ?) ON CONFLICT (account) DO NOTHING`),
		text(acct), text(oneLine(reason, 500)), text(by), ms(at))
	if err != nil {
		return fmt.Errorf("store: block %s: %w", acct, err)
	}
	return nil
}

// ReleaseAccount lifts an account's block and the hold of the incidents
// opened before now. It tells whether anything held the account.
func (s *Store) ReleaseAccount(ctx context.Context, acct, by string, at time.Time) (bool, error) {
	acct = account(acct)
	holds, err := s.Holds(ctx)
	if err != nil {
		return false, err
	}
	_, held := holds[acct]
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: release: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM account_blocks WHERE account = ?`), acct); err != nil {
		return false, fmt.Errorf("store: release %s: %w", acct, err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO account_releases (account, released_by, released_at) VALUES (?, ?, ?)
		ON CONFLICT (account) DO UPDATE SET released_by = excluded.released_by, released_at = excluded.released_at`), text(acct), text(by), ms(at)); err != nil {
		return false, fmt.Errorf("store: release %s: %w", acct, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: release: %w", err)
	}
	return held, nil
}

// Holds returns the accounts the policy service defers now: blocked ones
// and those an open hijacked or mixed incident names that was opened
// after the account's last release. Keys are lower case.
func (s *Store) Holds(ctx context.Context) (map[string]Hold, error) {
	out := map[string]Hold{}
	rows, err := s.db.QueryContext(ctx, `SELECT account, reason, blocked_by, blocked_at FROM account_blocks`)
	if err != nil {
		return nil, fmt.Errorf("store: holds: %w", err)
	}
	for rows.Next() {
		var b Block
		var at int64
		if err := rows.Scan(&b.Account, &b.Reason, &b.By, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: holds: %w", err)
		}
		b.BlockedAt = fromMS(at)
		out[b.Account] = Hold{Account: b.Account, Block: &b}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: holds: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT `+prefixed("i.", incidentCols)+` FROM incidents i
		LEFT JOIN account_releases r ON r.account = LOWER(i.account)
		WHERE i.closed_at IS NULL AND i.verdict IN ('hijacked', 'mixed') AND (r.released_at IS NULL OR i.opened_at > r.released_at)
		ORDER BY i.id`)
	if err != nil {
		return nil, fmt.Errorf("store: holds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, fmt.Errorf("store: holds: %w", err)
		}
		a := account(in.Account)
		h := out[a]
		h.Account = a
		in.Detail = nil
		h.Incident = &in
		out[a] = h
	}
	return out, rows.Err()
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// Deferral is what the policy service deferred of an account on a day.
type Deferral struct {
	Account string    `json:"account"`
	Day     time.Time `json:"day"`
	Count   int64     `json:"count"`
	LastAt  time.Time `json:"last_at"`
}

// NoteDeferrals adds n deferrals of account at the given time to its day's
// count and, when an open incident names the account, to the incident's
// timeline (a "deferred" entry).
func (s *Store) NoteDeferrals(ctx context.Context, acct string, n int64, at time.Time) error {
	acct = account(acct)
	day := ms(at.UTC().Truncate(24 * time.Hour))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: deferrals: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO policy_deferrals (account, day, count, last_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account, day) DO UPDATE SET count = policy_deferrals.count + excluded.count, last_at = excluded.last_at`),
		text(acct), day, n, ms(at)); err != nil {
		return fmt.Errorf("store: deferrals: %w", err)
	}
	var id int64
	var verdict string
	var conf float64
	err = tx.QueryRowContext(ctx, s.q(`SELECT id, verdict, confidence FROM incidents WHERE LOWER(account) = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1`), acct).Scan(&id, &verdict, &conf)
	switch {
	case err == nil:
		ev := fmt.Sprintf(`["the policy service deferred %d message(s) of %s"]`, n, strings.ReplaceAll(text(acct), `"`, ``))
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO incident_history (incident_id, at, change, verdict, confidence, evidence) VALUES (?, ?, ?, ?, ?, ?)`),
			id, ms(at), ChangeDeferred, verdict, conf, ev); err != nil {
			return fmt.Errorf("store: deferrals: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: deferrals: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: deferrals: %w", err)
	}
	return nil
}

// ChangeDeferred is the history entry of the policy service's deferrals.
const ChangeDeferred = "deferred"

// Deferrals lists the deferral counts per account and day since since
// ("" account: all), newest first.
func (s *Store) Deferrals(ctx context.Context, acct string, since time.Time) ([]Deferral, error) {
	q := `SELECT account, day, count, last_at FROM policy_deferrals WHERE day >= ?`
	args := []any{ms(since.UTC().Truncate(24 * time.Hour))}
	if acct != "" {
		q += ` AND account = ?`
		args = append(args, account(acct))
	}
	rows, err := s.db.QueryContext(ctx, s.q(q+` ORDER BY day DESC, account`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: deferrals: %w", err)
	}
	defer rows.Close()
	out := []Deferral{}
	for rows.Next() {
		var d Deferral
		var day, last int64
		if err := rows.Scan(&d.Account, &day, &d.Count, &last); err != nil {
			return nil, fmt.Errorf("store: deferrals: %w", err)
		}
		d.Day, d.LastAt = fromMS(day), fromMS(last)
		out = append(out, d)
	}
	return out, rows.Err()
}
