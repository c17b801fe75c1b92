package records_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/internal/dbtest"
	"github.com/pakenham-health/pms/records"
)

func samplePatient() *records.Patient {
	return &records.Patient{
		GivenName:      "Ava",
		FamilyName:     "Testperson",
		BirthDate:      time.Date(1990, 3, 14, 0, 0, 0, 0, time.UTC),
		Phone:          "+61412345678",
		ConsentAt:      time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC),
		ConsentVersion: records.ConsentVersion,
	}
}

func TestCreateAndFindByAccount(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()
	account := records.Account{Channel: "telegram", ID: "5550001"}

	p := samplePatient()
	p.MedicareNumber, p.MedicareIRN = "2123456701", 2
	created, err := records.Create(ctx, pool, p, account)
	require.NoError(t, err)
	assert.Regexp(t, `^P\d{8}$`, created.MRN)

	found, err := records.ByAccount(ctx, pool, account)
	require.NoError(t, err)
	assert.Equal(t, created.ID, found.ID)
	assert.Equal(t, "Ava", found.GivenName)
	assert.Equal(t, 2, found.MedicareIRN)
	assert.Equal(t, "1990-03-14", found.BirthDate.Format("2006-01-02"))

	_, err = records.ByAccount(ctx, pool, records.Account{Channel: "telegram", ID: "999"})
	assert.ErrorIs(t, err, records.ErrNotFound)
}

func TestCreateRejectsSecondEnrolmentOfAccount(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()
	account := records.Account{Channel: "telegram", ID: "5550002"}

	_, err := records.Create(ctx, pool, samplePatient(), account)
	require.NoError(t, err)
	_, err = records.Create(ctx, pool, samplePatient(), account)
	assert.ErrorIs(t, err, records.ErrConflict)
}

func TestSameNameMakesSeparateRecords(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()

	a, err := records.Create(ctx, pool, samplePatient(), records.Account{Channel: "telegram", ID: "1"})
	require.NoError(t, err)
	b, err := records.Create(ctx, pool, samplePatient(), records.Account{Channel: "telegram", ID: "2"})
	require.NoError(t, err)
	assert.NotEqual(t, a.ID, b.ID)
	assert.NotEqual(t, a.MRN, b.MRN)
}

func TestUpdatePhoneAndEmailAreAudited(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()
	created, err := records.Create(ctx, pool, samplePatient(), records.Account{Channel: "console", ID: "local"})
	require.NoError(t, err)

	require.NoError(t, records.UpdatePhone(ctx, pool, created.ID, "+61359411234", "console:local"))
	require.NoError(t, records.UpdateEmail(ctx, pool, created.ID, "ava@example.com", "console:local"))
	got, err := records.ByID(ctx, pool, created.ID)
	require.NoError(t, err)
	assert.Equal(t, "+61359411234", got.Phone)
	assert.Equal(t, "ava@example.com", got.Email)

	var actions []string
	rows, err := pool.Query(ctx, `SELECT action FROM audit_log WHERE patient_id = $1 ORDER BY id`, created.ID)
	require.NoError(t, err)
	for rows.Next() {
		var a string
		require.NoError(t, rows.Scan(&a))
		actions = append(actions, a)
	}
	assert.Equal(t, []string{"patient.enrol", "patient.update.phone", "patient.update.email"}, actions)

	assert.ErrorIs(t, records.UpdatePhone(ctx, pool, 424242, "+61359411234", "x"), records.ErrNotFound)
}

func TestDatabaseRejectsMalformedPhone(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	p := samplePatient()
	p.Phone = "0412345678"
	_, err := records.Create(context.Background(), pool, p, records.Account{Channel: "console", ID: "x"})
	assert.Error(t, err)
}
