package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

const appointmentColumns = `id, patient_id, practitioner_id, appointment_type, specialty, lower(during), upper(during),
	status, version, cancelled_late, late_reschedules, coalesce(cancel_reason, ''), coalesce(cancelled_by, '')`

func scanAppointment(row pgx.Row) (Appointment, error) {
	var a Appointment
	err := row.Scan(&a.ID, &a.PatientID, &a.PractitionerID, &a.AppointmentType, &a.Specialty, &a.Start, &a.End,
		&a.Status, &a.Version, &a.CancelledLate, &a.LateReschedules, &a.CancelReason, &a.CancelledBy)
	return a, err
}

func collectAppointments(rows pgx.Rows) ([]Appointment, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Appointment, error) { return scanAppointment(r) })
}

// BookRequest is a request for one appointment.
type BookRequest struct {
	PatientID      int64
	PractitionerID int64
	Start          time.Time
	// AppointmentType is a type code. Empty means "standard".
	AppointmentType string
	// Specialty is the specialty the appointment is for. Empty uses the type's specialty,
	// or else the practitioner's first specialty.
	Specialty string
}

// Book books an appointment. It returns an error wrapping ErrTooSoon for a time in the
// past or inside the minimum notice, ErrUnavailable outside the practitioner's sessions,
// ErrPatientBusy when the patient already has an overlapping appointment, and a
// *SlotTakenError (matching ErrSlotTaken) with up to three alternatives when another
// appointment or offer holds the time.
//
// Book searches the alternatives after its transaction has ended, so the practitioner's
// lock is not held while it searches.
func (s *Store) Book(ctx context.Context, req BookRequest) (Appointment, error) {
	appt, err := inTx(ctx, s, func(tx pgx.Tx) (Appointment, error) { return s.book(ctx, tx, req) })
	if errors.Is(err, ErrSlotTaken) {
		err = s.alternativesAfter(ctx, err)
	}
	return appt, err
}

// BookTx is Book inside the caller's transaction.
func (s *Store) BookTx(ctx context.Context, tx pgx.Tx, req BookRequest) (Appointment, error) {
	appt, err := s.book(ctx, tx, req)
	return appt, s.addAlternatives(ctx, tx, err)
}

func (s *Store) book(ctx context.Context, tx pgx.Tx, req BookRequest) (Appointment, error) {
	now := s.clock.Now()
	if req.AppointmentType == "" {
		req.AppointmentType = "standard"
	}
	typ, err := appointmentType(ctx, tx, req.AppointmentType)
	if err != nil {
		return Appointment{}, err
	}
	p, err := s.PractitionerTx(ctx, tx, req.PractitionerID)
	if err != nil {
		return Appointment{}, err
	}
	specialty, err := chooseSpecialty(p, typ, req.Specialty)
	if err != nil {
		return Appointment{}, err
	}
	span := Interval{req.Start, req.Start.Add(typ.Duration())}
	if err := s.checkBookable(ctx, tx, p, span, now); err != nil {
		return Appointment{}, fmt.Errorf("book practitioner %d at %s: %w", p.ID, span.Start.UTC().Format(time.RFC3339), err)
	}
	// A slot already taken is reported before queueing for the practitioner's lock, so
	// many clients racing for one slot do not wait for each other to fail.
	taken, err := spanOccupied(ctx, tx, p.ID, span)
	if err != nil {
		return Appointment{}, err
	}
	if taken {
		return Appointment{}, &SlotTakenError{PractitionerID: p.ID, Start: span.Start,
			search: &SlotRequest{PatientID: req.PatientID, Specialty: specialty, AppointmentType: typ.Code, Limit: 3}}
	}
	if err := lockPractitioners(ctx, tx, p.ID); err != nil {
		return Appointment{}, err
	}
	if err := checkNotBlocked(ctx, tx, p.ID, span); err != nil {
		return Appointment{}, fmt.Errorf("book practitioner %d at %s: %w", p.ID, span.Start.UTC().Format(time.RFC3339), err)
	}

	var appt Appointment
	err = inSavepoint(ctx, tx, func(sp pgx.Tx) error {
		var err error
		appt, err = scanAppointment(sp.QueryRow(ctx, `INSERT INTO appointments
			(patient_id, practitioner_id, appointment_type, specialty, during, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5::tstzrange, 'booked', $6, $6) RETURNING `+appointmentColumns,
			req.PatientID, p.ID, typ.Code, specialty, tstzrange(span), now))
		if err != nil {
			return err
		}
		return recordChange(ctx, sp, appt, "booked", false, nil, now)
	})
	if err != nil {
		return Appointment{}, s.bookingConflict(err, req.PatientID, p.ID, specialty, typ.Code, span)
	}
	s.log.Debug("appointment_booked", "appointment_id", appt.ID, "patient_id", appt.PatientID, "practitioner_id", p.ID)
	return appt, nil
}

// bookingConflict turns a failed insert or update of an appointment into the package's
// errors. A taken slot becomes a *SlotTakenError whose alternatives addAlternatives fills.
func (s *Store) bookingConflict(err error, patientID, practitionerID int64, specialty, typ string, span Interval) error {
	switch constraintViolated(err) {
	case practitionerOverlap:
		return &SlotTakenError{PractitionerID: practitionerID, Start: span.Start,
			search: &SlotRequest{PatientID: patientID, Specialty: specialty, AppointmentType: typ, Limit: 3}}
	case patientOverlap:
		return fmt.Errorf("patient %d at %s: %w", patientID, span.Start.UTC().Format(time.RFC3339), ErrPatientBusy)
	}
	return fmt.Errorf("write appointment: %w", err)
}

// addAlternatives fills in the alternatives of a *SlotTakenError in err, and returns err.
// Other errors are returned unchanged.
func (s *Store) addAlternatives(ctx context.Context, tx pgx.Tx, err error) error {
	var taken *SlotTakenError
	if !errors.As(err, &taken) || taken.search == nil {
		return err
	}
	alternatives, altErr := s.alternatives(ctx, tx, *taken.search, taken.Start, s.clock.Now())
	if altErr != nil {
		return fmt.Errorf("find alternatives to a taken slot: %w", altErr)
	}
	taken.Alternatives, taken.search = alternatives, nil
	return err
}

// alternativesAfter runs addAlternatives in a new transaction.
func (s *Store) alternativesAfter(ctx context.Context, err error) error {
	_, txErr := inTx(ctx, s, func(tx pgx.Tx) (struct{}, error) { return struct{}{}, s.addAlternatives(ctx, tx, err) })
	return txErr
}

// alternatives returns up to req.Limit slots near a taken start: the closest times on the
// same day first, then the earliest on later days.
func (s *Store) alternatives(ctx context.Context, tx pgx.Tx, req SlotRequest, taken time.Time, now time.Time) ([]Candidate, error) {
	day := DateOf(taken, s.cfg.Location)
	req.Prefs = Preferences{From: day, To: day, Time: TimeOfDayOf(taken, s.cfg.Location), HasTime: true}
	sameDay, err := s.findSlots(ctx, tx, req, now)
	if err != nil || len(sameDay.Candidates) >= req.Limit {
		return sameDay.Candidates, err
	}
	req.Prefs = Preferences{From: day.AddDays(1)}
	req.Limit -= len(sameDay.Candidates)
	later, err := s.findSlots(ctx, tx, req, now)
	if err != nil {
		return nil, err
	}
	return append(sameDay.Candidates, later.Candidates...), nil
}

// spanOccupied reports whether a committed appointment or offer hold of the practitioner
// overlaps span. It lets Book fail early, and the exclusion constraint still rejects any
// overlap that commits after this check.
func spanOccupied(ctx context.Context, tx pgx.Tx, practitionerID int64, span Interval) (bool, error) {
	var taken bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM appointments
		WHERE practitioner_id = $1 AND during && $2::tstzrange AND `+occupyingStatuses+`)`, practitionerID, tstzrange(span)).Scan(&taken)
	if err != nil {
		return false, fmt.Errorf("check practitioner %d schedule: %w", practitionerID, err)
	}
	return taken, nil
}

// checkNotBlocked rejects a span that leave, a closure or a holiday covers. It runs
// again under the practitioner's lock because a clinic cancellation of the day may have
// committed since checkBookable read the exceptions.
// NOTE: a template replaced by an import at that moment is not re-checked.
func checkNotBlocked(ctx context.Context, tx pgx.Tx, practitionerID int64, span Interval) error {
	var blocked bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM availability_exceptions
		WHERE (practitioner_id IS NULL OR practitioner_id = $1) AND kind <> 'extra' AND during && $2::tstzrange)`,
		practitionerID, tstzrange(span)).Scan(&blocked)
	if err != nil {
		return fmt.Errorf("check practitioner %d exceptions: %w", practitionerID, err)
	}
	if blocked {
		return fmt.Errorf("leave, closure or holiday: %w", ErrUnavailable)
	}
	return nil
}

// checkBookable rejects a span that starts inside the minimum notice or lies outside the
// practitioner's sessions. Other appointments are left to the exclusion constraints.
func (s *Store) checkBookable(ctx context.Context, tx pgx.Tx, p Practitioner, span Interval, now time.Time) error {
	if span.Start.Before(now.Add(s.cfg.MinNotice)) {
		if span.Start.Before(now) {
			return fmt.Errorf("%w: the time has passed", ErrTooSoon)
		}
		return fmt.Errorf("%w: bookings need %s notice", ErrTooSoon, s.cfg.MinNotice)
	}
	if !p.Active {
		return fmt.Errorf("practitioner is inactive: %w", ErrUnavailable)
	}
	day := DateOf(span.Start, s.cfg.Location)
	avail, err := loadAvailability(ctx, tx, []int64{p.ID}, dayInterval(day, s.cfg.Location))
	if err != nil {
		return err
	}
	av := *avail[p.ID]
	av.Busy = nil
	q := SlotQuery{Location: s.cfg.Location, From: day, To: day, Now: now, MinNotice: s.cfg.MinNotice,
		Length: span.Duration(), Step: time.Duration(p.DefaultMinutes) * time.Minute}
	for _, slot := range GenerateSlots(av, q) {
		if slot.Start.Equal(span.Start) {
			return nil
		}
	}
	return ErrUnavailable
}

func chooseSpecialty(p Practitioner, typ AppointmentType, requested string) (string, error) {
	specialty := requested
	if specialty == "" {
		specialty = typ.Specialty
	}
	if specialty == "" && len(p.Specialties) > 0 {
		specialty = p.Specialties[0]
	}
	if !p.HasSpecialty(specialty) || (typ.Specialty != "" && typ.Specialty != specialty) {
		return "", fmt.Errorf("practitioner %d, type %q, specialty %q do not match: %w", p.ID, typ.Code, specialty, ErrInvalid)
	}
	return specialty, nil
}

func recordChange(ctx context.Context, tx pgx.Tx, a Appointment, kind string, late bool, old *Interval, now time.Time) error {
	var oldRange any
	if old != nil {
		oldRange = tstzrange(*old)
	}
	_, err := tx.Exec(ctx, `INSERT INTO appointment_changes (appointment_id, version, kind, late, old_during, at)
		VALUES ($1, $2, $3, $4, $5::tstzrange, $6)`, a.ID, a.Version, kind, late, oldRange, now)
	if err != nil {
		return fmt.Errorf("record %s change of appointment %d: %w", kind, a.ID, err)
	}
	return nil
}

// Appointment returns one of the patient's appointments. Another patient's appointment
// is reported as ErrNotFound.
func (s *Store) Appointment(ctx context.Context, patientID, id int64) (Appointment, error) {
	return inTx(ctx, s, func(tx pgx.Tx) (Appointment, error) { return s.AppointmentTx(ctx, tx, patientID, id) })
}

// AppointmentTx is Appointment inside the caller's transaction.
func (s *Store) AppointmentTx(ctx context.Context, tx pgx.Tx, patientID, id int64) (Appointment, error) {
	return getAppointment(ctx, tx, patientID, id, "")
}

func getAppointment(ctx context.Context, tx pgx.Tx, patientID, id int64, lock string) (Appointment, error) {
	a, err := scanAppointment(tx.QueryRow(ctx, `SELECT `+appointmentColumns+` FROM appointments
		WHERE id = $1 AND patient_id = $2 AND status <> 'proposed' `+lock, id, patientID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Appointment{}, fmt.Errorf("get appointment %d of patient %d: %w", id, patientID, ErrNotFound)
	}
	if err != nil {
		return Appointment{}, fmt.Errorf("get appointment %d: %w", id, err)
	}
	return a, nil
}

// Upcoming returns the patient's appointments that hold time and have not ended, soonest
// first. Offer holds are not included.
func (s *Store) Upcoming(ctx context.Context, patientID int64) ([]Appointment, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]Appointment, error) { return s.UpcomingTx(ctx, tx, patientID) })
}

// UpcomingTx is Upcoming inside the caller's transaction.
func (s *Store) UpcomingTx(ctx context.Context, tx pgx.Tx, patientID int64) ([]Appointment, error) {
	rows, err := tx.Query(ctx, `SELECT `+appointmentColumns+` FROM appointments
		WHERE patient_id = $1 AND upper(during) > $2 AND status <> 'proposed' AND `+occupyingStatuses+`
		ORDER BY lower(during), id`, patientID, s.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("list upcoming appointments of patient %d: %w", patientID, err)
	}
	list, err := collectAppointments(rows)
	if err != nil {
		return nil, fmt.Errorf("list upcoming appointments of patient %d: %w", patientID, err)
	}
	return list, nil
}

// lockChangeable locks one of the patient's appointments for a change, with its
// practitioner and, when non-zero, a second practitioner it moves to. It checks that the
// appointment is still booked, not started, and at the version the caller saw (0 skips
// that check).
func lockChangeable(ctx context.Context, tx pgx.Tx, patientID, id int64, version int, otherPractitioner int64, now time.Time) (Appointment, error) {
	seen, err := getAppointment(ctx, tx, patientID, id, "")
	if err != nil {
		return Appointment{}, err
	}
	if err := lockPractitioners(ctx, tx, seen.PractitionerID, otherPractitioner); err != nil {
		return Appointment{}, err
	}
	a, err := getAppointment(ctx, tx, patientID, id, "FOR UPDATE")
	if err != nil {
		return Appointment{}, err
	}
	if a.PractitionerID != seen.PractitionerID {
		return Appointment{}, fmt.Errorf("appointment %d moved to another practitioner meanwhile: %w", id, ErrConflict)
	}
	if a.Status != StatusBooked && a.Status != StatusPending {
		return Appointment{}, fmt.Errorf("appointment %d is %s: %w", id, a.Status, ErrConflict)
	}
	if version != 0 && a.Version != version {
		return Appointment{}, fmt.Errorf("appointment %d is at version %d, not %d: %w", id, a.Version, version, ErrConflict)
	}
	if !a.Start.After(now) {
		return Appointment{}, fmt.Errorf("appointment %d has started: %w", id, ErrTooSoon)
	}
	return a, nil
}
