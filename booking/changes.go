package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RescheduleRequest moves one of the patient's appointments.
type RescheduleRequest struct {
	PatientID     int64
	AppointmentID int64
	// Version is the version the patient saw. 0 skips the check.
	Version  int
	NewStart time.Time
	// PractitionerID moves the appointment to another practitioner. 0 keeps the current one.
	PractitionerID int64
}

// RescheduleResult is the outcome of a reschedule.
type RescheduleResult struct {
	Appointment            Appointment
	Previous               Interval
	PreviousPractitionerID int64
	// Late is true when the old time was inside the late window.
	Late bool
	// OfferMade is the waitlist offer for the freed old time, or nil when no patient
	// was offered it.
	OfferMade *Offer
}

// Reschedule moves an appointment in one statement, so the old time is released only if
// the new time is taken: on any error the appointment stays where it was. The freed old
// time is offered to the waitlist in the same transaction. Errors are those of Book, plus
// ErrNotFound for another patient's appointment and ErrConflict for a cancelled or
// changed one.
func (s *Store) Reschedule(ctx context.Context, req RescheduleRequest) (RescheduleResult, error) {
	res, err := inTx(ctx, s, func(tx pgx.Tx) (RescheduleResult, error) { return s.reschedule(ctx, tx, req) })
	if errors.Is(err, ErrSlotTaken) {
		err = s.alternativesAfter(ctx, err)
	}
	return res, err
}

// RescheduleTx is Reschedule inside the caller's transaction.
func (s *Store) RescheduleTx(ctx context.Context, tx pgx.Tx, req RescheduleRequest) (RescheduleResult, error) {
	res, err := s.reschedule(ctx, tx, req)
	return res, s.addAlternatives(ctx, tx, err)
}

func (s *Store) reschedule(ctx context.Context, tx pgx.Tx, req RescheduleRequest) (RescheduleResult, error) {
	now := s.clock.Now()
	old, err := lockChangeable(ctx, tx, req.PatientID, req.AppointmentID, req.Version, req.PractitionerID, now)
	if err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule: %w", err)
	}
	practitionerID := req.PractitionerID
	if practitionerID == 0 {
		practitionerID = old.PractitionerID
	}
	p, err := s.PractitionerTx(ctx, tx, practitionerID)
	if err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule: %w", err)
	}
	if !p.HasSpecialty(old.Specialty) {
		return RescheduleResult{}, fmt.Errorf("reschedule to practitioner %d without %q: %w", p.ID, old.Specialty, ErrInvalid)
	}
	span := Interval{req.NewStart, req.NewStart.Add(old.End.Sub(old.Start))}
	if err := s.checkBookable(ctx, tx, p, span, now); err != nil {
		return RescheduleResult{}, fmt.Errorf("reschedule appointment %d: %w", old.ID, err)
	}

	result := RescheduleResult{Previous: old.Interval(), PreviousPractitionerID: old.PractitionerID, Late: IsLate(now, old.Start, s.cfg.LateWindow)}
	err = inSavepoint(ctx, tx, func(sp pgx.Tx) error {
		var err error
		result.Appointment, err = scanAppointment(sp.QueryRow(ctx, `UPDATE appointments
			SET practitioner_id = $2, during = $3::tstzrange, version = version + 1,
			    late_reschedules = late_reschedules + $4::int, updated_at = $5
			WHERE id = $1 RETURNING `+appointmentColumns,
			old.ID, p.ID, tstzrange(span), boolToInt(result.Late), now))
		if err != nil {
			return err
		}
		previous := old.Interval()
		return recordChange(ctx, sp, result.Appointment, "rescheduled", result.Late, &previous, now)
	})
	if err != nil {
		return RescheduleResult{}, s.bookingConflict(err, req.PatientID, p.ID, old.Specialty, old.AppointmentType, span)
	}

	offer, offered, err := s.offerSlot(ctx, tx, old.PractitionerID, old.Interval(), now)
	if err != nil {
		return RescheduleResult{}, fmt.Errorf("offer freed slot: %w", err)
	}
	if offered {
		result.OfferMade = &offer
	}
	return result, nil
}

// CancelRequest cancels one of the patient's appointments.
type CancelRequest struct {
	PatientID     int64
	AppointmentID int64
	// Version is the version the patient saw. 0 skips the check.
	Version int
	Reason  string
}

// CancelResult is the outcome of a cancellation.
type CancelResult struct {
	Appointment Appointment
	// Late is true when the cancellation was inside the late window.
	Late bool
	// OfferMade is the waitlist offer for the freed time, or nil when no patient was
	// offered it.
	OfferMade *Offer
}

// Cancel cancels an appointment, records whether it was late, raises its version and
// offers the freed time to the next waitlisted patient in the same transaction.
func (s *Store) Cancel(ctx context.Context, req CancelRequest) (CancelResult, error) {
	return inTx(ctx, s, func(tx pgx.Tx) (CancelResult, error) { return s.CancelTx(ctx, tx, req) })
}

// CancelTx is Cancel inside the caller's transaction.
func (s *Store) CancelTx(ctx context.Context, tx pgx.Tx, req CancelRequest) (CancelResult, error) {
	now := s.clock.Now()
	old, err := lockChangeable(ctx, tx, req.PatientID, req.AppointmentID, req.Version, 0, now)
	if err != nil {
		return CancelResult{}, fmt.Errorf("cancel: %w", err)
	}
	result := CancelResult{Late: IsLate(now, old.Start, s.cfg.LateWindow)}
	result.Appointment, err = scanAppointment(tx.QueryRow(ctx, `UPDATE appointments
		SET status = 'cancelled', version = version + 1, cancelled_late = $2, cancelled_by = 'patient',
		    cancel_reason = nullif($3, ''), updated_at = $4
		WHERE id = $1 RETURNING `+appointmentColumns, old.ID, result.Late, req.Reason, now))
	if err != nil {
		return CancelResult{}, fmt.Errorf("cancel appointment %d: %w", old.ID, err)
	}
	if err := recordChange(ctx, tx, result.Appointment, "cancelled", result.Late, nil, now); err != nil {
		return CancelResult{}, err
	}

	offer, offered, err := s.offerSlot(ctx, tx, old.PractitionerID, old.Interval(), now)
	if err != nil {
		return CancelResult{}, fmt.Errorf("offer freed slot: %w", err)
	}
	if offered {
		result.OfferMade = &offer
	}
	return result, nil
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
