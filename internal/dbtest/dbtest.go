// Package dbtest gives each test its own migrated PostgreSQL database, cloned from a
// template that is built once per set of migrations, so tests run in parallel.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pakenham-health/pms/internal/db"
)

// templateLockID serialises template creation across test processes.
const templateLockID = 0x706d735f746d706c // "pms_tmpl"

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// AdminURL returns DATABASE_URL, or skips the test when it is unset (fails under CI, where
// a skipped database test would hide a broken set-up).
func AdminURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("DATABASE_URL is not set; run tests with `make test`, which starts PostgreSQL")
		}
		t.Skip("DATABASE_URL is not set; run `make test` or `eval \"$(scripts/devdb env)\"` first")
	}
	return url
}

// NewPool returns a pool on a fresh database with every migration applied. The database
// is dropped when the test ends.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return NewPoolConfig(t, nil)
}

// NewPoolConfig is NewPool with a hook that may change the pool configuration (pool size,
// for example) before it connects.
func NewPoolConfig(t testing.TB, configure func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	admin := AdminURL(t)
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx, admin) })
	if templateErr != nil {
		t.Fatalf("build template database: %v", templateErr)
	}

	name := "pms_test_" + randomSuffix()
	if err := adminExec(ctx, admin, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, templateName)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(admin)
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	cfg.ConnConfig.Database = name
	if configure != nil {
		configure(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	t.Cleanup(func() {
		pool.Close()
		dropCtx, dropCancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer dropCancel()
		if err := adminExec(dropCtx, admin, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return pool
}

// ensureTemplate builds the template database for the current migrations, once across all
// test processes: it is built under another name and renamed when complete, so a crash
// half-way never leaves a broken template behind.
func ensureTemplate(ctx context.Context, admin string) (string, error) {
	list, err := db.Migrations()
	if err != nil {
		return "", err
	}
	hash := sha256.New()
	for _, m := range list {
		fmt.Fprintf(hash, "%d\x00%s\x00%s\x00", m.Version, m.Name, m.SQL)
	}
	name := "pms_template_" + hex.EncodeToString(hash.Sum(nil))[:16]

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("connect to admin database: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockID); err != nil {
		return "", fmt.Errorf("lock template creation: %w", err)
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", templateLockID) //nolint:errcheck

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look up template database: %w", err)
	}
	if exists {
		return name, nil
	}

	building := name + "_building"
	if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building)); err != nil {
		return "", fmt.Errorf("drop stale template: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s", building)); err != nil {
		return "", fmt.Errorf("create template database: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(admin)
	if err != nil {
		return "", fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	cfg.ConnConfig.Database = building
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("connect to template database: %w", err)
	}
	_, err = db.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template database: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", fmt.Errorf("rename template database: %w", err)
	}
	return name, nil
}

func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect to admin database: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
