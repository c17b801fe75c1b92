package booking

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed demo.csv
var demoCSV []byte

// SeedDemo loads made-up demo practitioners with a realistic week of sessions and the
// Victorian public holidays of the 2026-27 summer. It goes through the importer, so
// running it again updates the same rows instead of adding more.
func SeedDemo(ctx context.Context, tx pgx.Tx, loc *time.Location) error {
	if err := ImportCSVTx(ctx, tx, loc, bytes.NewReader(demoCSV)); err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	return nil
}
