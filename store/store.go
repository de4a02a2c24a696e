package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// Engine is the database behind a Store.
type Engine string

// Engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Store is the database of one bouncewatch installation. It is safe for
// concurrent use.
type Store struct {
	db     *sql.DB
	engine Engine
	// where names the database for messages (the file, or the host and
	// database name; never a password).
	where string

	writes chan *writeReq
	stop   chan struct{}
	done   chan struct{} // closed when the writers have stopped
	wg     sync.WaitGroup
	closed sync.Once

	// now is the clock of stored_at and the like (tests set it).
	now func() time.Time
	// flaters reuses the compressors of raw messages (each is ~1 MB),
	// inflaters their decompressors (each with a 32 KB window: a new one
	// per message was a tenth of re-decoding stored messages).
	flaters, inflaters sync.Pool

	// stmts holds the statements prepared on db, by query (stmt).
	stmts sync.Map

	digestMu sync.Mutex
	digester DigestFunc // SetDigester
}

// DefaultDSN is the store a user gets without --store: a SQLite file in
// the user's data directory ($XDG_DATA_HOME/bouncewatch/bouncewatch.db,
// else ~/.local/share/bouncewatch/bouncewatch.db).
func DefaultDSN(getenv func(string) string) string {
	dir := getenv("XDG_DATA_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return "sqlite:" + filepath.Join(dir, "bouncewatch", "bouncewatch.db")
}

// Open opens (creating if needed) the store named by dsn and brings its
// schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{now: time.Now}
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		// sqlite:PATH?sync=full asks for an fsync at every commit (a
		// commit then survives a power loss too); the default, WAL with
		// synchronous=NORMAL, survives a crash of the process (kill -9)
		// and syncs at checkpoints.
		sync := "NORMAL"
		if p, opt, ok := strings.Cut(path, "?"); ok {
			path = p
			switch opt {
			case "sync=full":
				sync = "FULL"
			case "sync=normal", "":
			default:
				return nil, fmt.Errorf("store: sqlite: unknown option %q (sync=full or sync=normal)", opt)
			}
		}
		if path == "" {
			return nil, errors.New("store: sqlite: DSN names no file (sqlite:PATH)")
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("store: %w", err)
			}
		}
		s.engine, s.where = SQLite, path
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(" + sync + ")", "foreign_keys(1)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", "immediate")
		s.db, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err == nil {
			// Readers run beside the writer in WAL mode; writes queue on
			// the busy timeout. As many are kept idle: with the default
			// of 2, the ingest callers' lookups opened a connection (and
			// prepared its statements) and closed it again at nearly
			// every message, a fifth of ingest's CPU.
			s.db.SetMaxOpenConns(8)
			s.db.SetMaxIdleConns(8)
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.engine = Postgres
		if u, perr := url.Parse(dsn); perr == nil {
			s.where = u.Host + u.Path
		}
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			s.db.SetMaxOpenConns(16)
			s.db.SetMaxIdleConns(16)
		}
	default:
		return nil, fmt.Errorf("store: unknown DSN %q: want sqlite:PATH or postgres://USER@HOST:PORT/DB", redact(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.where, err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: open %s: %w", s.where, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	s.writes = make(chan *writeReq, 1024)
	s.stop = make(chan struct{})
	// SQLite has one writer at a time; PostgreSQL commits concurrent
	// transactions in parallel, so a few writers hide the round trips.
	writers := 1
	if s.engine == Postgres {
		writers = 4
	}
	for range writers {
		s.wg.Add(1)
		go s.writer()
	}
	s.done = make(chan struct{})
	go func() { s.wg.Wait(); close(s.done) }()
	return s, nil
}

// redact drops a password from a DSN for an error message.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}

// Engine tells which database is behind the store.
func (s *Store) Engine() Engine { return s.engine }

// Where names the database (file, or host/database), for logs.
func (s *Store) Where() string { return s.where }

// DB gives the database handle, for packages that keep their own tables
// through the store's migrations (none yet) and for tests.
func (s *Store) DB() *sql.DB { return s.db }

// Close waits for pending writes and closes the database.
func (s *Store) Close() error {
	var err error
	s.closed.Do(func() {
		close(s.stop)
		s.wg.Wait()
		s.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
		err = s.db.Close()
	})
	return err
}

// q rewrites a statement written with ? placeholders for the engine
// (PostgreSQL numbers them: $1, $2, …). No statement of this package has
// a ? inside a literal.
func (s *Store) q(query string) string {
	if s.engine != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// ms is the stored form of a time: Unix milliseconds, 0 for none.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func nullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}
