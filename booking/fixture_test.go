package booking

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/internal/clock"
	"github.com/pakenham-health/pms/internal/dbtest"
)

// fixtureCSV sets up three practitioners with short, simple sessions. Sunday sessions
// exist so the daylight-saving change days (both Sundays) can be booked.
const fixtureCSV = `record,practitioner,name,specialties,minutes,slack_user_id,days,start,end,breaks,from,to,reason
practitioner,nguyen,Dr Anh Nguyen,gp,15,,,,,,,,
practitioner,sharma,Dr Priya Sharma,gp,15,,,,,,,,
practitioner,chen,Dr Mei Chen,psychologist,50,,,,,,,,
template,nguyen,,,,,sun-fri,09:00,12:00,10:30-10:45,,,
template,sharma,,,,,mon-fri,09:00,12:00,,,,
template,chen,,,,,tue,09:00,17:00,12:20-13:10,,,
`

type fixture struct {
	t      testing.TB
	ctx    context.Context
	pool   *pgxpool.Pool
	store  *Store
	clock  *clock.Manual
	loc    *time.Location
	nguyen Practitioner
	sharma Practitioner
	chen   Practitioner
}

// monday is the fixture's first day: Monday 7 December 2026, and the clock starts at
// 08:00 that morning in Melbourne.
var monday = Date{2026, time.December, 7}

func newFixture(t testing.TB) *fixture {
	return newFixtureConfig(t, nil)
}

func newFixtureConfig(t testing.TB, configure func(*pgxpool.Config)) *fixture {
	t.Helper()
	pool := dbtest.NewPoolConfig(t, configure)
	cfg, err := DefaultConfig()
	require.NoError(t, err)
	f := &fixture{t: t, ctx: context.Background(), pool: pool, loc: cfg.Location}
	f.clock = clock.NewManual(f.at(monday, 8, 0))
	f.store, err = NewStore(pool, f.clock, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)

	require.NoError(t, f.store.ImportCSV(f.ctx, strings.NewReader(fixtureCSV)))
	all, err := f.store.Practitioners(f.ctx, "")
	require.NoError(t, err)
	for _, p := range all {
		switch p.Code {
		case "nguyen":
			f.nguyen = p
		case "sharma":
			f.sharma = p
		case "chen":
			f.chen = p
		}
	}
	require.NotZero(t, f.nguyen.ID)
	return f
}

// at returns wall time h:m on d in Melbourne.
func (f *fixture) at(d Date, h, m int) time.Time { return d.At(At(h, m), f.loc) }

var patientSeq atomic.Int64

// newPatient inserts a made-up patient and returns the record id.
func (f *fixture) newPatient() int64 {
	f.t.Helper()
	n := patientSeq.Add(1)
	var id int64
	err := f.pool.QueryRow(f.ctx, `INSERT INTO patients
		(mrn, given_name, family_name, birth_date, phone, consent_at, consent_version)
		VALUES ($1, 'Testy', $2, '1980-01-01', '+61400000000', now(), 'test') RETURNING id`,
		fmt.Sprintf("TEST%06d", n), fmt.Sprintf("Patient%d", n)).Scan(&id)
	require.NoError(f.t, err)
	return id
}

func (f *fixture) book(patientID int64, p Practitioner, start time.Time) Appointment {
	f.t.Helper()
	a, err := f.store.Book(f.ctx, BookRequest{PatientID: patientID, PractitionerID: p.ID, Start: start})
	require.NoError(f.t, err)
	return a
}

// activeOffersFor counts the active offers of a practitioner that overlap span.
func (f *fixture) activeOffersFor(practitionerID int64, span Interval) int {
	f.t.Helper()
	var n int
	err := f.pool.QueryRow(f.ctx, `SELECT count(*) FROM waitlist_offers
		WHERE practitioner_id = $1 AND status = 'active' AND during && $2::tstzrange`, practitionerID, tstzrange(span)).Scan(&n)
	require.NoError(f.t, err)
	return n
}

// bookedCount counts appointments of a practitioner overlapping span that hold time.
func (f *fixture) bookedCount(practitionerID int64, span Interval) int {
	f.t.Helper()
	var n int
	err := f.pool.QueryRow(f.ctx, `SELECT count(*) FROM appointments
		WHERE practitioner_id = $1 AND during && $2::tstzrange AND status = 'booked'`, practitionerID, tstzrange(span)).Scan(&n)
	require.NoError(f.t, err)
	return n
}
