package db_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/internal/db"
	"github.com/pakenham-health/pms/internal/dbtest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()

	latest, err := db.LatestVersion()
	require.NoError(t, err)
	require.Positive(t, latest)

	version, err := db.Migrate(ctx, pool)
	require.NoError(t, err)
	require.Equal(t, latest, version)
	require.NoError(t, db.CheckCurrent(ctx, pool))
}

func TestCheckCurrentReportsBehind(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()

	latest, err := db.LatestVersion()
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "DELETE FROM schema_migrations WHERE version = $1", latest)
	require.NoError(t, err)

	err = db.CheckCurrent(ctx, pool)
	require.ErrorIs(t, err, db.ErrSchemaBehind)
}

func TestSchemaAheadIsRejected(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()
	_, err := pool.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')")
	require.NoError(t, err)

	require.ErrorIs(t, db.CheckCurrent(ctx, pool), db.ErrSchemaAhead)
	_, err = db.Migrate(ctx, pool)
	require.ErrorIs(t, err, db.ErrSchemaAhead)
}
