// Package pgtest gives tests a real PostgreSQL: Main starts a throwaway
// cluster of Debian's server (/usr/lib/postgresql/*/bin) in a temporary
// directory on a free loopback port, and DSN makes a fresh database per
// test. initdb refuses to run as root, so as root the server runs as the
// "postgres" user the Debian package creates.
//
// Without the server binaries the tests that ask for PostgreSQL are
// skipped, except under CI=true, where they fail: CI installs the server
// (.ci/run). BOUNCEWATCH_TEST_PG names an existing server to use instead
// (a DSN of a user that may create databases).
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Env names the variable holding the admin DSN while tests run.
const Env = "BOUNCEWATCH_TEST_PG"

// unavailable holds why there is no server, for DSN's skip message.
const unavailableEnv = "BOUNCEWATCH_TEST_PG_UNAVAILABLE"

// Main starts a cluster (unless Env is set already), runs the tests and
// stops it. Use it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	if os.Getenv(Env) != "" {
		return m.Run()
	}
	stop, dsn, err := start()
	if err != nil {
		os.Setenv(unavailableEnv, err.Error())
		return m.Run()
	}
	os.Setenv(Env, dsn)
	code := m.Run()
	stop()
	return code
}

var seq atomic.Int64

// DSN creates a new, empty database and returns its DSN. Without a server
// it skips the test, or fails it under CI=true.
func DSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(Env)
	if admin == "" {
		why := os.Getenv(unavailableEnv)
		if why == "" {
			why = "pgtest.Main was not called from TestMain"
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required under CI: %s", why)
		}
		t.Skipf("no PostgreSQL (%s); install the postgresql package to run this test", why)
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := fmt.Sprintf("t%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Start runs a throwaway cluster outside TestMain (a benchmark that wants
// one for itself) and returns its admin DSN and how to stop it and remove
// its files. It fails when the server binaries are missing.
func Start() (stop func(), dsn string, err error) { return start() }

// start runs initdb and pg_ctl start, and returns how to stop.
func start() (stop func(), dsn string, err error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		return nil, "", fmt.Errorf("no /usr/lib/postgresql/*/bin/pg_ctl")
	}
	sort.Strings(bins)
	bin := filepath.Dir(bins[len(bins)-1])
	dir, err := os.MkdirTemp("", "bouncewatch-pg-")
	if err != nil {
		return nil, "", err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, "", fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, "", err
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w: %s", name, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-A", "trust", "-U", "bw", "-E", "UTF8", "--no-locale"); err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses=127.0.0.1 -p %d -c fsync=off -c max_connections=200", dir, port)
	if err := run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o", opts, "start"); err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	stop = func() {
		_ = run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
		os.RemoveAll(dir)
	}
	return stop, fmt.Sprintf("postgres://bw@127.0.0.1:%d/postgres?sslmode=disable", port), nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
