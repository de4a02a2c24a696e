// Package store keeps everything bouncewatch serve reads and decides: the
// raw messages (compressed) with their decoded facts or their decoding
// error, one row per bounced recipient for the API's filters, the raw mail
// log lines (re-parsed by the detector, so a parser upgrade applies to the
// past), the sources' cursors, the incidents with their history, the alert
// outbox and the settings.
//
// One implementation over database/sql serves two engines, chosen by the
// DSN given to [Open]:
//
//   - "sqlite:PATH" (the default, [DefaultDSN]): embedded SQLite
//     (modernc.org/sqlite, no cgo), one file, WAL journal, a busy timeout,
//     synchronous=NORMAL: a nil error from a Put means the data survives a
//     crash of the process (kill -9); "sqlite:PATH?sync=full" makes every
//     commit wait for fsync, to survive a power loss too;
//   - "postgres://…" or "postgresql://…": PostgreSQL through pgx v5's
//     database/sql driver, when several ingest nodes share one store.
//
// The schema is a versioned, ordered list of migrations applied at Open and
// recorded in the schema_version table; both engines get the same tables
// from the same statements (a few type names differ).
//
// Ingest is idempotent: a message is stored once per content (its SHA-256)
// and once per source position; a log line once per source position. That
// holds across restarts, sources and nodes, because it rests on unique
// constraints and INSERT … ON CONFLICT DO NOTHING, not on memory. Writes
// from concurrent callers are grouped into one transaction (group commit)
// so that a durable commit per item does not bound the ingest rate.
package store
