// Package db opens the PostgreSQL pool and applies the embedded schema migrations.
package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pakenham-health/pms/migrations"
)

var (
	// ErrSchemaBehind reports a database whose schema is older than this binary's migrations.
	ErrSchemaBehind = errors.New("database schema is behind this binary; run `pms migrate`")
	// ErrSchemaAhead reports a database migrated by a newer binary than this one.
	ErrSchemaAhead = errors.New("database schema is newer than this binary; run the newer pms version")
)

// defaultMaxConns is the pool size when DATABASE_URL sets no pool_max_conns. pgxpool's own
// default (4 on a 2-core machine) is too small once a few turns wait on an LLM and the
// dispatcher, jobs and health checks need connections too.
const defaultMaxConns = 20

// connectTimeout bounds each new connection when DATABASE_URL sets no connect_timeout, so a
// server that accepts connections but never answers fails start-up instead of hanging.
const connectTimeout = 10 * time.Second

// migrationLockID is the advisory lock key that serialises migrations across processes.
const migrationLockID = 0x706d735f6d6967 // "pms_mig"

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Open connects a pool to url and checks that the server answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database at %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return pool, nil
}

// Migrations returns the embedded migrations sorted by version.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var list []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		version, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(migrations.FS, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		list = append(list, Migration{Version: version, Name: m[2], SQL: string(body)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
	for i := 1; i < len(list); i++ {
		if list[i].Version == list[i-1].Version {
			return nil, fmt.Errorf("two migrations share version %04d", list[i].Version)
		}
	}
	return list, nil
}

// LatestVersion returns the highest embedded migration version.
func LatestVersion() (int, error) {
	list, err := Migrations()
	if err != nil {
		return 0, err
	}
	if len(list) == 0 {
		return 0, nil
	}
	return list[len(list)-1].Version, nil
}

const createVersionTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// Migrate applies every pending migration, each in its own transaction, and returns the
// schema version afterwards. Concurrent callers (replicas starting together) take turns on
// an advisory lock, so each migration runs once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	list, err := Migrations()
	if err != nil {
		return 0, err
	}
	if err := checkNotAhead(ctx, pool); err != nil {
		return 0, err
	}
	for _, m := range list {
		if err := applyOne(ctx, pool, m); err != nil {
			return 0, err
		}
	}
	current, _, err := Version(ctx, pool)
	return current, err
}

func applyOne(ctx context.Context, pool *pgxpool.Pool, m Migration) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockID); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, createVersionTable); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var done bool
		err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", m.Version).Scan(&done)
		if err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if done {
			return nil
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("apply migration %04d_%s: %w", m.Version, m.Name, err)
		}
		_, err = tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
		if err != nil {
			return fmt.Errorf("record migration %04d: %w", m.Version, err)
		}
		return nil
	})
}

// Version returns the database's schema version and the latest version this binary has.
func Version(ctx context.Context, pool *pgxpool.Pool) (current, latest int, err error) {
	latest, err = LatestVersion()
	if err != nil {
		return 0, 0, err
	}
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		return 0, latest, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, latest, nil
	}
	if err := pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return 0, latest, fmt.Errorf("read schema version: %w", err)
	}
	return current, latest, nil
}

// CheckCurrent returns ErrSchemaBehind, wrapped with both versions, when the database has
// not had every embedded migration applied.
func CheckCurrent(ctx context.Context, pool *pgxpool.Pool) error {
	current, latest, err := Version(ctx, pool)
	if err != nil {
		return err
	}
	if current < latest {
		return fmt.Errorf("schema version %d, binary expects %d: %w", current, latest, ErrSchemaBehind)
	}
	if current > latest {
		return fmt.Errorf("schema version %d, binary knows up to %d: %w", current, latest, ErrSchemaAhead)
	}
	return nil
}

func checkNotAhead(ctx context.Context, pool *pgxpool.Pool) error {
	current, latest, err := Version(ctx, pool)
	if err != nil {
		return err
	}
	if current > latest {
		return fmt.Errorf("schema version %d, binary knows up to %d: %w", current, latest, ErrSchemaAhead)
	}
	return nil
}
