package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/records"
)

func runSeed(ctx context.Context, args []string) error {
	fs := newFlagSet("seed", "seed --demo", []string{"DATABASE_URL", "PMS_TIMEZONE"})
	demo := fs.Bool("demo", false, "load the demo data set (required: it is the only data set)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if !*demo {
		return fmt.Errorf("nothing to seed: pass --demo to load the made-up demo data")
	}
	cfg, pool, err := openCurrentDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	var patients int
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		patients, err = records.SeedDemo(ctx, tx, time.Now())
		if err != nil {
			return err
		}
		return booking.SeedDemo(ctx, tx, cfg.Location)
	})
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	fmt.Fprintf(os.Stdout, "demo data loaded: %d new patients; demo practitioners and their weekly hours are up to date\n", patients)
	return nil
}
