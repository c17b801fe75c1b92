package booking

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// benchFixture adds n GPs with the given weekly template ("mon-fri,09:00,17:00,12:30-13:00")
// and returns them by id.
func benchFixture(b *testing.B, n int, template string, configure func(*pgxpool.Config)) (*fixture, []int64) {
	b.Helper()
	f := newFixtureConfig(b, configure)
	var csv strings.Builder
	csv.WriteString(header)
	for i := range n {
		fmt.Fprintf(&csv, "practitioner,bench%02d,Dr Bench %02d,gp,15,,,,,,,,\n", i, i)
		fmt.Fprintf(&csv, "template,bench%02d,,,,,%s,,,\n", i, template)
	}
	require.NoError(b, f.store.ImportCSV(f.ctx, strings.NewReader(csv.String())))
	var ids []int64
	rows, err := f.pool.Query(f.ctx, `SELECT id FROM practitioners WHERE code LIKE 'bench%' ORDER BY id`)
	require.NoError(b, err)
	for rows.Next() {
		var id int64
		require.NoError(b, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(b, rows.Err())
	return f, ids
}

// addPatients inserts n made-up patients and returns their ids.
func addPatients(b *testing.B, f *fixture, n int) []int64 {
	b.Helper()
	rows, err := f.pool.Query(f.ctx, `INSERT INTO patients (mrn, given_name, family_name, birth_date, phone, consent_at, consent_version)
		SELECT 'BENCH' || g || '-' || $2::text, 'Bench', 'Patient' || g, '1980-01-01', '+61400000000', now(), 'test'
		FROM generate_series(1, $1) g RETURNING id`, n, fmt.Sprint(time.Now().UnixNano()))
	require.NoError(b, err)
	var ids []int64
	for rows.Next() {
		var id int64
		require.NoError(b, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(b, rows.Err())
	return ids
}

// BenchmarkBookDistinctSlots books distinct slots from 32 concurrent clients. The figure
// is bookings per second through Store.Book, each its own transaction.
func BenchmarkBookDistinctSlots(b *testing.B) {
	f, practitioners := benchFixture(b, 20, "sun-sat,06:00,22:00,", func(c *pgxpool.Config) { c.MaxConns = 32 })
	f.clock.Set(f.at(monday, 0, 0))

	// Slot i goes to practitioner i%20 at the (i/20)-th quarter hour, so neighbouring
	// bookings hit different practitioners and every slot is distinct.
	const perDay = 16 * 4
	slotFor := func(i int) (int64, time.Time) {
		step := i / len(practitioners)
		day := monday.AddDays(1 + step/perDay)
		return practitioners[i%len(practitioners)], f.at(day, 6, 0).Add(time.Duration(step%perDay) * 15 * time.Minute)
	}
	patients := addPatients(b, f, b.N)
	var next atomic.Int64
	var failures atomic.Int64

	b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) - 1)
			practitioner, at := slotFor(i)
			if _, err := f.store.Book(f.ctx, BookRequest{PatientID: patients[i], PractitionerID: practitioner, Start: at}); err != nil {
				failures.Add(1)
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	require.Zero(b, failures.Load(), "every distinct slot books")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "bookings/s")
}

// BenchmarkAvailability computes ranked availability for 20 GPs over 28 days, with
// 100,000 past appointments and a partly booked future in the table. It reports the
// median and 99th percentile of one FindSlots call.
func BenchmarkAvailability(b *testing.B) {
	f, practitioners := benchFixture(b, 20, "mon-fri,09:00,17:00,12:30-13:15", nil)
	patients := addPatients(b, f, 1000)

	// 100,000 fulfilled appointments, 5,000 per practitioner, back to back into the past.
	_, err := f.pool.Exec(f.ctx, `INSERT INTO appointments (patient_id, practitioner_id, appointment_type, specialty, during, status)
		SELECT ($1::bigint[])[1 + g % 1000], ($2::bigint[])[1 + g % 20], 'standard', 'gp',
			tstzrange($3::timestamptz - ((g / 20) + 1) * interval '15 minutes', $3::timestamptz - (g / 20) * interval '15 minutes'),
			'fulfilled'
		FROM generate_series(0, 99999) g`, patients, practitioners, f.at(monday, 0, 0))
	require.NoError(b, err)

	// About one future slot in three is booked.
	search, err := f.store.FindSlots(f.ctx, SlotRequest{Specialty: "gp", Prefs: Preferences{From: monday, To: monday.AddDays(27)}})
	require.NoError(b, err)
	booked := 0
	for i, c := range search.Candidates {
		if i%3 != 0 {
			continue
		}
		_, err := f.pool.Exec(f.ctx, `INSERT INTO appointments (patient_id, practitioner_id, appointment_type, specialty, during, status)
			VALUES ($1, $2, 'standard', 'gp', $3::tstzrange, 'booked')`, patients[booked%len(patients)], c.PractitionerID, tstzrange(c.Interval))
		if err == nil {
			booked++
		}
	}
	_, err = f.pool.Exec(f.ctx, `ANALYZE`)
	require.NoError(b, err)

	patient := patients[0]
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		res, err := f.store.FindSlots(f.ctx, SlotRequest{PatientID: patient, Specialty: "gp", Limit: 3,
			Prefs: Preferences{From: monday, To: monday.AddDays(27)}})
		durations = append(durations, time.Since(start))
		if err != nil || len(res.Candidates) != 3 {
			b.Fatalf("find slots: %v, %d candidates", err, len(res.Candidates))
		}
	}
	b.StopTimer()
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkContention has 500 clients book the same slot at once; one op is the time
// until every client has its result (one booking, 499 ErrSlotTaken with alternatives).
// The pool has 50 connections, so clients also queue for a connection.
func BenchmarkContention(b *testing.B) {
	const clients = 500
	f, practitioners := benchFixture(b, 1, "sun-sat,06:00,22:00,", func(c *pgxpool.Config) { c.MaxConns = 50 })
	f.clock.Set(f.at(monday, 0, 0))
	patients := addPatients(b, f, clients)
	practitioner := practitioners[0]

	b.ResetTimer()
	for i := range b.N {
		slot := f.at(monday.AddDays(1+i/64), 6, 0).Add(time.Duration(i%64) * 15 * time.Minute)
		var wins atomic.Int64
		var wg sync.WaitGroup
		startLine := make(chan struct{})
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-startLine
				if _, err := f.store.Book(f.ctx, BookRequest{PatientID: patients[c], PractitionerID: practitioner, Start: slot}); err == nil {
					wins.Add(1)
				}
			}()
		}
		close(startLine)
		wg.Wait()
		if wins.Load() != 1 {
			b.Fatalf("slot %d: %d winners", i, wins.Load())
		}
	}
}
