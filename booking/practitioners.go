package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const practitionerColumns = `id, code, display_name, specialties, default_minutes, coalesce(slack_user_id, ''), active`

func scanPractitioner(row pgx.Row) (Practitioner, error) {
	var p Practitioner
	err := row.Scan(&p.ID, &p.Code, &p.DisplayName, &p.Specialties, &p.DefaultMinutes, &p.SlackUserID, &p.Active)
	return p, err
}

// Practitioners returns the active practitioners, by display name. A non-empty specialty
// keeps only those who practise it.
func (s *Store) Practitioners(ctx context.Context, specialty string) ([]Practitioner, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]Practitioner, error) { return s.PractitionersTx(ctx, tx, specialty) })
}

// PractitionersTx is Practitioners inside the caller's transaction.
func (s *Store) PractitionersTx(ctx context.Context, tx pgx.Tx, specialty string) ([]Practitioner, error) {
	rows, err := tx.Query(ctx, `SELECT `+practitionerColumns+` FROM practitioners
		WHERE active AND ($1 = '' OR $1 = ANY (specialties)) ORDER BY display_name, id`, specialty)
	if err != nil {
		return nil, fmt.Errorf("list practitioners: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Practitioner, error) { return scanPractitioner(r) })
	if err != nil {
		return nil, fmt.Errorf("list practitioners: %w", err)
	}
	return list, nil
}

// PractitionerTx returns one practitioner, active or not.
func (s *Store) PractitionerTx(ctx context.Context, tx pgx.Tx, id int64) (Practitioner, error) {
	p, err := scanPractitioner(tx.QueryRow(ctx, `SELECT `+practitionerColumns+` FROM practitioners WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Practitioner{}, fmt.Errorf("get practitioner %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Practitioner{}, fmt.Errorf("get practitioner %d: %w", id, err)
	}
	return p, nil
}

// Specialties returns the specialties of the active practitioners who have sessions,
// sorted.
func (s *Store) Specialties(ctx context.Context) ([]string, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]string, error) { return s.SpecialtiesTx(ctx, tx) })
}

// SpecialtiesTx is Specialties inside the caller's transaction.
func (s *Store) SpecialtiesTx(ctx context.Context, tx pgx.Tx) ([]string, error) {
	// Only specialties someone offers sessions for: a practitioner imported without weekly
	// hours (or with extra sessions only) is not shown as bookable.
	rows, err := tx.Query(ctx, `SELECT DISTINCT unnest(p.specialties) AS s FROM practitioners p
		WHERE p.active AND (EXISTS (SELECT 1 FROM availability_templates t WHERE t.practitioner_id = p.id)
		   OR EXISTS (SELECT 1 FROM availability_exceptions x WHERE x.practitioner_id = p.id AND x.kind = 'extra'))
		ORDER BY s`)
	if err != nil {
		return nil, fmt.Errorf("list specialties: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list specialties: %w", err)
	}
	return list, nil
}

// AppointmentTypes returns the configured appointment types, shortest first.
func (s *Store) AppointmentTypes(ctx context.Context) ([]AppointmentType, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]AppointmentType, error) { return s.AppointmentTypesTx(ctx, tx) })
}

// AppointmentTypesTx is AppointmentTypes inside the caller's transaction.
func (s *Store) AppointmentTypesTx(ctx context.Context, tx pgx.Tx) ([]AppointmentType, error) {
	rows, err := tx.Query(ctx, `SELECT code, display_name, minutes, coalesce(specialty, '') FROM appointment_types ORDER BY minutes, code`)
	if err != nil {
		return nil, fmt.Errorf("list appointment types: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AppointmentType, error) {
		var t AppointmentType
		err := r.Scan(&t.Code, &t.DisplayName, &t.Minutes, &t.Specialty)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list appointment types: %w", err)
	}
	return list, nil
}

func appointmentType(ctx context.Context, tx pgx.Tx, code string) (AppointmentType, error) {
	t := AppointmentType{Code: code}
	err := tx.QueryRow(ctx, `SELECT display_name, minutes, coalesce(specialty, '') FROM appointment_types WHERE code = $1`, code).
		Scan(&t.DisplayName, &t.Minutes, &t.Specialty)
	if errors.Is(err, pgx.ErrNoRows) {
		return AppointmentType{}, fmt.Errorf("get appointment type %q: %w", code, ErrNotFound)
	}
	if err != nil {
		return AppointmentType{}, fmt.Errorf("get appointment type %q: %w", code, err)
	}
	return t, nil
}

// loadAvailability reads the templates, the exceptions and the occupied spans of the given
// practitioners that matter for slots inside window.
func loadAvailability(ctx context.Context, tx pgx.Tx, ids []int64, window Interval) (map[int64]*Availability, error) {
	out := make(map[int64]*Availability, len(ids))
	for _, id := range ids {
		out[id] = &Availability{PractitionerID: id}
	}
	if err := loadTemplates(ctx, tx, ids, out); err != nil {
		return nil, err
	}
	if err := loadExceptions(ctx, tx, ids, window, out); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT practitioner_id, lower(during), upper(during) FROM appointments
		WHERE practitioner_id = ANY ($1) AND during && $2::tstzrange AND `+occupyingStatuses, ids, tstzrange(window))
	if err != nil {
		return nil, fmt.Errorf("load busy spans: %w", err)
	}
	var id int64
	var iv Interval
	_, err = pgx.ForEachRow(rows, []any{&id, &iv.Start, &iv.End}, func() error {
		out[id].Busy = append(out[id].Busy, iv)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load busy spans: %w", err)
	}
	return out, nil
}

func loadTemplates(ctx context.Context, tx pgx.Tx, ids []int64, out map[int64]*Availability) error {
	// Times are read as whole minutes after midnight.
	rows, err := tx.Query(ctx, `SELECT t.id, t.practitioner_id, t.weekday,
			(extract(epoch FROM t.start_time) / 60)::int, (extract(epoch FROM t.end_time) / 60)::int,
			coalesce(array_agg((extract(epoch FROM b.start_time) / 60)::int ORDER BY b.id) FILTER (WHERE b.id IS NOT NULL), '{}'),
			coalesce(array_agg((extract(epoch FROM b.end_time) / 60)::int ORDER BY b.id) FILTER (WHERE b.id IS NOT NULL), '{}')
		FROM availability_templates t LEFT JOIN availability_breaks b ON b.template_id = t.id
		WHERE t.practitioner_id = ANY ($1)
		GROUP BY t.id ORDER BY t.id`, ids)
	if err != nil {
		return fmt.Errorf("load templates: %w", err)
	}
	var (
		templateID, practitionerID int64
		weekday                    int16
		start, end                 int
		breakStarts, breakEnds     []int
	)
	_, err = pgx.ForEachRow(rows, []any{&templateID, &practitionerID, &weekday, &start, &end, &breakStarts, &breakEnds}, func() error {
		t := Template{PractitionerID: practitionerID, Weekday: time.Weekday(weekday), Start: TimeOfDay(start), End: TimeOfDay(end)}
		for i := range breakStarts {
			t.Breaks = append(t.Breaks, TimeSpan{TimeOfDay(breakStarts[i]), TimeOfDay(breakEnds[i])})
		}
		out[practitionerID].Templates = append(out[practitionerID].Templates, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load templates: %w", err)
	}
	return nil
}

func loadExceptions(ctx context.Context, tx pgx.Tx, ids []int64, window Interval, out map[int64]*Availability) error {
	rows, err := tx.Query(ctx, `SELECT id, coalesce(practitioner_id, 0), kind, lower(during), upper(during), reason
		FROM availability_exceptions
		WHERE (practitioner_id IS NULL OR practitioner_id = ANY ($1)) AND during && $2::tstzrange`, ids, tstzrange(window))
	if err != nil {
		return fmt.Errorf("load exceptions: %w", err)
	}
	var e Exception
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &e.PractitionerID, &e.Kind, &e.Start, &e.End, &e.Reason}, func() error {
		for id, av := range out {
			if e.PractitionerID == 0 || e.PractitionerID == id {
				av.Exceptions = append(av.Exceptions, e)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load exceptions: %w", err)
	}
	return nil
}
