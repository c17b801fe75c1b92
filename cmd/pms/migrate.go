package main

import (
	"context"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pakenham-health/pms/internal/config"
	"github.com/pakenham-health/pms/internal/db"
)

func runMigrate(ctx context.Context, args []string) error {
	fs := newFlagSet("migrate", "migrate", nil)
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	_, pool, err := openDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	version, err := db.Migrate(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "schema version %d\n", version)
	return nil
}

// openDatabase loads the configuration and connects to DATABASE_URL.
func openDatabase(ctx context.Context) (*config.Config, *pgxpool.Pool, error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, nil, err
	}
	if err := cfg.RequireDatabase(); err != nil {
		return nil, nil, err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, nil, err
	}
	return cfg, pool, nil
}

// openCurrentDatabase is openDatabase for commands that need the schema up to date.
func openCurrentDatabase(ctx context.Context) (*config.Config, *pgxpool.Pool, error) {
	cfg, pool, err := openDatabase(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := db.CheckCurrent(ctx, pool); err != nil {
		pool.Close()
		return nil, nil, err
	}
	return cfg, pool, nil
}
