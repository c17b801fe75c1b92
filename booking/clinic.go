package booking

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
)

// ClinicCancellation is the outcome of cancelling a practitioner's day.
type ClinicCancellation struct {
	// Appointments are the cancelled appointments: the caller notifies each
	// patient and offers rebooking.
	Appointments []Appointment
	// WithdrawnOffers are the open waitlist offers on that day that were withdrawn.
	WithdrawnOffers []Offer
}

// CancelPractitionerDay cancels, on behalf of the clinic, every appointment of a
// practitioner on a local date that has not started, withdraws open offers for that
// day, and records leave for the rest of the day so nothing new is booked. Clinic
// cancellations are never counted as late.
func (s *Store) CancelPractitionerDay(ctx context.Context, practitionerID int64, day Date, reason string) (ClinicCancellation, error) {
	return inTx(ctx, s, func(tx pgx.Tx) (ClinicCancellation, error) {
		return s.CancelPractitionerDayTx(ctx, tx, practitionerID, day, reason)
	})
}

// CancelPractitionerDayTx is CancelPractitionerDay inside the caller's transaction.
func (s *Store) CancelPractitionerDayTx(ctx context.Context, tx pgx.Tx, practitionerID int64, day Date, reason string) (ClinicCancellation, error) {
	if reason == "" {
		return ClinicCancellation{}, fmt.Errorf("cancel practitioner day: missing reason: %w", ErrInvalid)
	}
	now := s.clock.Now()
	if _, err := s.PractitionerTx(ctx, tx, practitionerID); err != nil {
		return ClinicCancellation{}, fmt.Errorf("cancel practitioner day: %w", err)
	}
	if err := lockPractitioners(ctx, tx, practitionerID); err != nil {
		return ClinicCancellation{}, err
	}
	span := dayInterval(day, s.cfg.Location)
	if span.Start.Before(now) {
		span.Start = now
	}
	if !span.End.After(span.Start) {
		return ClinicCancellation{}, fmt.Errorf("cancel practitioner day %s: the day is over: %w", day, ErrTooSoon)
	}

	if _, err := tx.Exec(ctx, `INSERT INTO availability_exceptions (practitioner_id, kind, during, reason)
		VALUES ($1, 'leave', $2::tstzrange, $3)`, practitionerID, tstzrange(span), reason); err != nil {
		return ClinicCancellation{}, fmt.Errorf("record leave for practitioner %d: %w", practitionerID, err)
	}

	var out ClinicCancellation
	offers, err := lockOffers(ctx, tx, false, `practitioner_id = $1 AND lower(during) >= $2 AND lower(during) < $3`, practitionerID, span.Start, span.End)
	if err != nil {
		return ClinicCancellation{}, fmt.Errorf("withdraw offers of practitioner %d: %w", practitionerID, err)
	}
	for _, o := range offers {
		closed, err := closeOffer(ctx, tx, o, OfferWithdrawn, now)
		if err != nil {
			return ClinicCancellation{}, err
		}
		out.WithdrawnOffers = append(out.WithdrawnOffers, closed)
	}

	rows, err := tx.Query(ctx, `UPDATE appointments
		SET status = 'cancelled', version = version + 1, cancelled_by = 'clinic', cancel_reason = $4, updated_at = $5
		WHERE practitioner_id = $1 AND lower(during) >= $2 AND lower(during) < $3 AND status IN ('booked', 'pending')
		RETURNING `+appointmentColumns, practitionerID, span.Start, span.End, reason, now)
	if err != nil {
		return ClinicCancellation{}, fmt.Errorf("cancel appointments of practitioner %d: %w", practitionerID, err)
	}
	out.Appointments, err = collectAppointments(rows)
	if err != nil {
		return ClinicCancellation{}, fmt.Errorf("cancel appointments of practitioner %d: %w", practitionerID, err)
	}
	for _, a := range out.Appointments {
		if err := recordChange(ctx, tx, a, "cancelled", false, nil, now); err != nil {
			return ClinicCancellation{}, err
		}
	}
	s.log.Info("practitioner_day_cancelled", "practitioner_id", practitionerID, "date", day.String(),
		"appointments", len(out.Appointments), "offers_withdrawn", len(out.WithdrawnOffers))
	return out, nil
}

// DayListEntry is one line of a day's appointment list.
type DayListEntry struct {
	Appointment  Appointment
	Practitioner string
	// Patient is how the list names the patient; empty shows the patient's record id.
	Patient string
}

// DayList returns the appointments of a local date, every status except offer holds,
// ordered by start time and then practitioner. A non-zero practitionerID keeps one practitioner.
func (s *Store) DayList(ctx context.Context, day Date, practitionerID int64) ([]DayListEntry, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]DayListEntry, error) { return s.DayListTx(ctx, tx, day, practitionerID) })
}

// DayListTx is DayList inside the caller's transaction.
func (s *Store) DayListTx(ctx context.Context, tx pgx.Tx, day Date, practitionerID int64) ([]DayListEntry, error) {
	span := dayInterval(day, s.cfg.Location)
	rows, err := tx.Query(ctx, `SELECT `+prefixColumns("a.")+`, p.display_name
		FROM appointments a JOIN practitioners p ON p.id = a.practitioner_id
		WHERE lower(a.during) >= $1 AND lower(a.during) < $2 AND a.status <> 'proposed' AND ($3::bigint = 0 OR a.practitioner_id = $3::bigint)
		ORDER BY lower(a.during), p.display_name, a.id`, span.Start, span.End, practitionerID)
	if err != nil {
		return nil, fmt.Errorf("list appointments of %s: %w", day, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DayListEntry, error) {
		var e DayListEntry
		a := &e.Appointment
		err := r.Scan(&a.ID, &a.PatientID, &a.PractitionerID, &a.AppointmentType, &a.Specialty, &a.Start, &a.End,
			&a.Status, &a.Version, &a.CancelledLate, &a.LateReschedules, &a.CancelReason, &a.CancelledBy, &e.Practitioner)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list appointments of %s: %w", day, err)
	}
	return list, nil
}

// ClashesWithClosures returns booked appointments that have not started and fall, even in
// part, in leave, a closure or a holiday, such as after an import added leave over existing
// bookings. Staff then cancel them (and tell the patients) with CancelPractitionerDay.
func (s *Store) ClashesWithClosures(ctx context.Context) ([]DayListEntry, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]DayListEntry, error) {
		rows, err := tx.Query(ctx, `SELECT `+prefixColumns("a.")+`, p.display_name
			FROM appointments a JOIN practitioners p ON p.id = a.practitioner_id
			WHERE a.status = 'booked' AND lower(a.during) > $1
			  AND EXISTS (SELECT 1 FROM availability_exceptions x
				WHERE x.kind <> 'extra' AND x.during && a.during
				  AND (x.practitioner_id IS NULL OR x.practitioner_id = a.practitioner_id))
			ORDER BY lower(a.during), p.display_name, a.id`, s.clock.Now())
		if err != nil {
			return nil, fmt.Errorf("find bookings in closures: %w", err)
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (DayListEntry, error) {
			var e DayListEntry
			a := &e.Appointment
			err := r.Scan(&a.ID, &a.PatientID, &a.PractitionerID, &a.AppointmentType, &a.Specialty, &a.Start, &a.End,
				&a.Status, &a.Version, &a.CancelledLate, &a.LateReschedules, &a.CancelReason, &a.CancelledBy, &e.Practitioner)
			return e, err
		})
		if err != nil {
			return nil, fmt.Errorf("find bookings in closures: %w", err)
		}
		return list, nil
	})
}

// prefixColumns returns appointmentColumns qualified with a table alias.
func prefixColumns(alias string) string {
	return alias + `id, ` + alias + `patient_id, ` + alias + `practitioner_id, ` + alias + `appointment_type, ` +
		alias + `specialty, lower(` + alias + `during), upper(` + alias + `during), ` + alias + `status, ` +
		alias + `version, ` + alias + `cancelled_late, ` + alias + `late_reschedules, coalesce(` + alias +
		`cancel_reason, ''), coalesce(` + alias + `cancelled_by, '')`
}

// FormatDayList writes a day's list as an aligned table in the clinic's zone. Patients
// appear as the caller labelled them, or by record id when unlabelled.
func FormatDayList(w io.Writer, day Date, loc *time.Location, entries []DayListEntry) error {
	heading := time.Date(day.Year, day.Month, day.Day, 12, 0, 0, 0, loc).Format("Monday 2 January 2006")
	if _, err := fmt.Fprintf(w, "Appointments for %s (%s)\n", heading, loc); err != nil {
		return fmt.Errorf("write day list: %w", err)
	}
	if len(entries) == 0 {
		_, err := fmt.Fprintln(w, "No appointments.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tPRACTITIONER\tPATIENT\tTYPE\tSTATUS\tAPPOINTMENT")
	for _, e := range entries {
		a := e.Appointment
		status := string(a.Status)
		if a.CancelledLate {
			status += " (late)"
		}
		patient := e.Patient
		if patient == "" {
			patient = fmt.Sprintf("patient %d", a.PatientID)
		}
		fmt.Fprintf(tw, "%s to %s\t%s\t%s\t%s\t%s\t%d\n",
			FormatClock(a.Start, loc), FormatClock(a.End, loc), e.Practitioner, patient, a.AppointmentType, status, a.ID)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write day list: %w", err)
	}
	return nil
}
