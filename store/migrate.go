package store

import (
	"context"
	"fmt"
	"strings"
)

// migrations is the schema's history, oldest first: migrations[i] brings
// the schema from version i to i+1. Never edit one that has shipped; add
// the next. Statements are written once for both engines: {id} is the
// auto-numbered key, {blob} the binary type.
var migrations = []string{
	// 1: the base schema.
	`
CREATE TABLE messages (
	id           {id},
	sha256       TEXT NOT NULL UNIQUE,
	source       TEXT NOT NULL,
	position     TEXT NOT NULL,
	arrival      BIGINT NOT NULL,
	stored_at    BIGINT NOT NULL,
	size         BIGINT NOT NULL,
	raw          {blob},
	kind         TEXT NOT NULL,
	decode_error TEXT NOT NULL DEFAULT '',
	decoded_by   TEXT NOT NULL DEFAULT '',
	decoder      INTEGER NOT NULL DEFAULT 0,
	facts        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX messages_kind ON messages (kind);
CREATE INDEX messages_arrival ON messages (arrival);

CREATE TABLE message_sources (
	source     TEXT NOT NULL,
	position   TEXT NOT NULL,
	message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	stored_at  BIGINT NOT NULL,
	PRIMARY KEY (source, position)
);
CREATE INDEX message_sources_message ON message_sources (message_id);

CREATE TABLE bounces (
	id               {id},
	message_id       BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	idx              INTEGER NOT NULL,
	account          TEXT NOT NULL,
	recipient        TEXT NOT NULL,
	recipient_domain TEXT NOT NULL,
	reason           TEXT NOT NULL,
	hard             INTEGER NOT NULL,
	status           TEXT NOT NULL,
	reply_code       TEXT NOT NULL,
	action           TEXT NOT NULL,
	diagnostic       TEXT NOT NULL,
	remote_mta       TEXT NOT NULL,
	at               BIGINT NOT NULL,
	UNIQUE (message_id, idx)
);
CREATE INDEX bounces_at ON bounces (at);
CREATE INDEX bounces_account_at ON bounces (account, at);
CREATE INDEX bounces_reason_at ON bounces (reason, at);
CREATE INDEX bounces_recipient ON bounces (recipient);

CREATE TABLE log_lines (
	id       {id},
	source   TEXT NOT NULL,
	position TEXT NOT NULL,
	received BIGINT NOT NULL,
	line     TEXT NOT NULL,
	UNIQUE (source, position)
);
CREATE INDEX log_lines_received ON log_lines (received);

CREATE TABLE cursors (
	source     TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE incidents (
	id         {id},
	account    TEXT NOT NULL,
	verdict    TEXT NOT NULL,
	confidence DOUBLE PRECISION NOT NULL,
	onset      BIGINT NOT NULL,
	opened_at  BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	closed_at  BIGINT,
	evidence   TEXT NOT NULL,
	detail     TEXT NOT NULL
);
CREATE INDEX incidents_account ON incidents (account, closed_at);
CREATE INDEX incidents_opened ON incidents (opened_at);

CREATE TABLE incident_history (
	id          {id},
	incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	at          BIGINT NOT NULL,
	change      TEXT NOT NULL,
	verdict     TEXT NOT NULL,
	confidence  DOUBLE PRECISION NOT NULL,
	evidence    TEXT NOT NULL
);
CREATE INDEX incident_history_incident ON incident_history (incident_id, at);

CREATE TABLE alert_outbox (
	id          {id},
	dedup_key   TEXT NOT NULL UNIQUE,
	incident_id BIGINT NOT NULL,
	event       TEXT NOT NULL,
	channel     TEXT NOT NULL,
	payload     TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_at     BIGINT NOT NULL,
	sent_at     BIGINT,
	failed_at   BIGINT,
	last_error  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_outbox_due ON alert_outbox (sent_at, failed_at, next_at);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE leases (
	name    TEXT PRIMARY KEY,
	holder  TEXT NOT NULL,
	expires BIGINT NOT NULL
);
`,
	// 2: the dashboard's plan checklist (who ticked which step of an
	// incident's plan, and when) and the bounce search's domain index.
	`
CREATE TABLE plan_ticks (
	incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	step        TEXT NOT NULL,
	done        INTEGER NOT NULL,
	by_whom     TEXT NOT NULL,
	at          BIGINT NOT NULL,
	PRIMARY KEY (incident_id, step)
);
CREATE INDEX bounces_domain_at ON bounces (recipient_domain, at);
`,
	// 3: the analyzer's digest of each message (digest.go).
	migrationDigests,
	// 4: DMARC aggregate reports (dmarcrpt), one row per report (org and
	// report id once; a malformed one kept with its error under a key of
	// its content hash) and one per record, by domain and day.
	`
CREATE TABLE IF NOT EXISTS dmarc_reports (
	id          {id},
	org         TEXT NOT NULL,
	report_id   TEXT NOT NULL,
	domain      TEXT NOT NULL,
	begin_at    BIGINT NOT NULL,
	end_at      BIGINT NOT NULL,
	schema_name TEXT NOT NULL,
	policy      TEXT NOT NULL,
	source      TEXT NOT NULL,
	message_id  BIGINT,
	stored_at   BIGINT NOT NULL,
	error       TEXT NOT NULL DEFAULT '',
	UNIQUE (org, report_id)
);
CREATE INDEX IF NOT EXISTS dmarc_reports_domain ON dmarc_reports (domain, begin_at);

CREATE TABLE IF NOT EXISTS dmarc_records (
	id            {id},
	report        BIGINT NOT NULL REFERENCES dmarc_reports (id) ON DELETE CASCADE,
	domain        TEXT NOT NULL,
	day           BIGINT NOT NULL,
	source_ip     TEXT NOT NULL,
	count         BIGINT NOT NULL,
	disposition   TEXT NOT NULL,
	dkim          TEXT NOT NULL,
	spf           TEXT NOT NULL,
	header_from   TEXT NOT NULL,
	envelope_from TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dmarc_records_domain_day ON dmarc_records (domain, day);
`,
	// 5: containment (policy service): accounts an admin or the policy
	// service blocked, the last release of each account (it lifts the
	// incidents opened before it), and the deferrals counted per account
	// and day.
	`
CREATE TABLE IF NOT EXISTS account_blocks (
	account     TEXT PRIMARY KEY,
	reason      TEXT NOT NULL,
	blocked_by  TEXT NOT NULL,
	blocked_at  BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS account_releases (
	account     TEXT PRIMARY KEY,
	released_by TEXT NOT NULL,
	released_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS policy_deferrals (
	account TEXT NOT NULL,
	day     BIGINT NOT NULL,
	count   BIGINT NOT NULL,
	last_at BIGINT NOT NULL,
	PRIMARY KEY (account, day)
);
`,
	// 6: DNS blocklist checks of our IPs and domains, per incident.
	`
CREATE TABLE IF NOT EXISTS blocklist_checks (
	id          {id},
	incident_id BIGINT NOT NULL,
	checked_at  BIGINT NOT NULL,
	listed      INTEGER NOT NULL,
	results     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS blocklist_checks_incident ON blocklist_checks (incident_id, checked_at);
`,
	migrationCheckpoints,
	migrationMessageIDs,
}

// SchemaVersion is the version a store is at after Open.
func SchemaVersion() int { return len(migrations) }

func (s *Store) dialect(stmt string) string {
	id, blob := "INTEGER PRIMARY KEY", "BLOB"
	if s.engine == Postgres {
		id, blob = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA"
	}
	return strings.NewReplacer("{id}", id, "{blob}", blob).Replace(stmt)
}

// migrate applies the migrations the database lacks, each in its own
// transaction with its schema_version row. On PostgreSQL an advisory lock
// keeps two nodes starting at once from migrating together.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if s.engine == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7420615)`); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7420615)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var v int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("store: %s has schema version %d, newer than this bouncewatch knows (%d): upgrade bouncewatch", s.where, v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate to %d: %w", v+1, err)
		}
		for _, stmt := range strings.Split(s.dialect(migrations[v]), ";\n") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("store: migrate to %d: %w", v+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`), v+1, ms(s.now())); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate to %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migrate to %d: %w", v+1, err)
		}
	}
	return nil
}
