package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// OfferChange is one offer that was closed, and the offer of the same slot to the next
// waitlisted patient, if anyone was offered it.
type OfferChange struct {
	Closed    Offer
	OfferMade *Offer
}

// ActiveOffers returns the patient's open offers, soonest slot first.
func (s *Store) ActiveOffers(ctx context.Context, patientID int64) ([]Offer, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]Offer, error) { return s.ActiveOffersTx(ctx, tx, patientID) })
}

// ActiveOffersTx is ActiveOffers inside the caller's transaction.
func (s *Store) ActiveOffersTx(ctx context.Context, tx pgx.Tx, patientID int64) ([]Offer, error) {
	rows, err := tx.Query(ctx, `SELECT `+offerColumns+` FROM waitlist_offers
		WHERE patient_id = $1 AND status = 'active' ORDER BY lower(during), id`, patientID)
	if err != nil {
		return nil, fmt.Errorf("list offers of patient %d: %w", patientID, err)
	}
	list, err := collectOffers(rows)
	if err != nil {
		return nil, fmt.Errorf("list offers of patient %d: %w", patientID, err)
	}
	return list, nil
}

// lockOpenOffer locks one of the patient's offers and checks that the patient can
// still accept or decline it at now.
func lockOpenOffer(ctx context.Context, tx pgx.Tx, patientID, offerID int64, now time.Time) (Offer, error) {
	var practitionerID int64
	err := tx.QueryRow(ctx, `SELECT practitioner_id FROM waitlist_offers WHERE id = $1 AND patient_id = $2`, offerID, patientID).Scan(&practitionerID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Offer{}, fmt.Errorf("get offer %d of patient %d: %w", offerID, patientID, ErrNotFound)
	}
	if err != nil {
		return Offer{}, fmt.Errorf("get offer %d: %w", offerID, err)
	}
	if err := lockPractitioners(ctx, tx, practitionerID); err != nil {
		return Offer{}, err
	}
	o, err := scanOffer(tx.QueryRow(ctx, `SELECT `+offerColumns+` FROM waitlist_offers
		WHERE id = $1 AND patient_id = $2 FOR UPDATE`, offerID, patientID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Offer{}, fmt.Errorf("get offer %d of patient %d: %w", offerID, patientID, ErrNotFound)
	}
	if err != nil {
		return Offer{}, fmt.Errorf("get offer %d: %w", offerID, err)
	}
	if o.Status != OfferActive {
		return Offer{}, fmt.Errorf("offer %d is %s: %w", offerID, o.Status, ErrOfferClosed)
	}
	if !now.Before(o.ExpiresAt) || !now.Before(o.Slot.Start) {
		return Offer{}, fmt.Errorf("offer %d expired at %s: %w", offerID, o.ExpiresAt.UTC().Format(time.RFC3339), ErrOfferClosed)
	}
	return o, nil
}

// AcceptOffer books the held slot for the patient in one transaction. It returns an
// error wrapping ErrNotFound for another patient's offer and ErrOfferClosed for an offer
// already accepted, declined, expired or withdrawn.
func (s *Store) AcceptOffer(ctx context.Context, patientID, offerID int64) (Appointment, error) {
	return inTx(ctx, s, func(tx pgx.Tx) (Appointment, error) { return s.AcceptOfferTx(ctx, tx, patientID, offerID) })
}

// AcceptOfferTx is AcceptOffer inside the caller's transaction.
func (s *Store) AcceptOfferTx(ctx context.Context, tx pgx.Tx, patientID, offerID int64) (Appointment, error) {
	now := s.clock.Now()
	o, err := lockOpenOffer(ctx, tx, patientID, offerID, now)
	if err != nil {
		return Appointment{}, fmt.Errorf("accept: %w", err)
	}
	appt, err := scanAppointment(tx.QueryRow(ctx, `UPDATE appointments
		SET status = 'booked', version = version + 1, updated_at = $2
		WHERE id = $1 AND status = 'proposed' RETURNING `+appointmentColumns, o.AppointmentID, now))
	if errors.Is(err, pgx.ErrNoRows) {
		return Appointment{}, fmt.Errorf("accept offer %d: hold %d is gone: %w", o.ID, o.AppointmentID, ErrOfferClosed)
	}
	if err != nil {
		return Appointment{}, fmt.Errorf("accept offer %d: %w", o.ID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE waitlist_offers SET status = 'accepted', closed_at = $2 WHERE id = $1`, o.ID, now); err != nil {
		return Appointment{}, fmt.Errorf("accept offer %d: %w", o.ID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE waitlist_entries SET status = 'booked', updated_at = $2 WHERE id = $1`, o.EntryID, now); err != nil {
		return Appointment{}, fmt.Errorf("accept offer %d: %w", o.ID, err)
	}
	if err := recordChange(ctx, tx, appt, "booked", false, nil, now); err != nil {
		return Appointment{}, err
	}
	return appt, nil
}

// DeclineOffer releases the held slot, puts the patient back on the waitlist and offers
// the slot to the next waitlisted patient.
func (s *Store) DeclineOffer(ctx context.Context, patientID, offerID int64) (OfferChange, error) {
	return inTx(ctx, s, func(tx pgx.Tx) (OfferChange, error) { return s.DeclineOfferTx(ctx, tx, patientID, offerID) })
}

// DeclineOfferTx is DeclineOffer inside the caller's transaction.
func (s *Store) DeclineOfferTx(ctx context.Context, tx pgx.Tx, patientID, offerID int64) (OfferChange, error) {
	now := s.clock.Now()
	o, err := lockOpenOffer(ctx, tx, patientID, offerID, now)
	if err != nil {
		return OfferChange{}, fmt.Errorf("decline: %w", err)
	}
	closed, next, err := s.closeAndPassOn(ctx, tx, o, OfferDeclined, now)
	if err != nil {
		return OfferChange{}, err
	}
	return OfferChange{Closed: closed, OfferMade: next}, nil
}

// ExpireOffers closes every active offer whose hold ended at or before now and offers
// each slot to the next waitlisted patient. A scheduled job calls it with the current
// time. Offers locked by a concurrent accept or decline are skipped, not waited for.
func (s *Store) ExpireOffers(ctx context.Context, now time.Time) ([]OfferChange, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]OfferChange, error) { return s.ExpireOffersTx(ctx, tx, now) })
}

// ExpireOffersTx is ExpireOffers inside the caller's transaction.
func (s *Store) ExpireOffersTx(ctx context.Context, tx pgx.Tx, now time.Time) ([]OfferChange, error) {
	offers, err := lockOffers(ctx, tx, true, `expires_at <= $1 AND lower(during) > $1`, now)
	if err != nil {
		return nil, fmt.Errorf("expire offers: %w", err)
	}
	changes := make([]OfferChange, 0, len(offers))
	for _, o := range offers {
		closed, next, err := s.closeAndPassOn(ctx, tx, o, OfferExpired, now)
		if err != nil {
			return nil, err
		}
		changes = append(changes, OfferChange{Closed: closed, OfferMade: next})
		s.log.Info("waitlist_offer_expired", "offer_id", o.ID, "patient_id", o.PatientID, "passed_on", next != nil)
	}
	return changes, nil
}

// WithdrawPastOffers withdraws every active offer whose slot started at or before now,
// and returns them so the caller can tell each patient.
func (s *Store) WithdrawPastOffers(ctx context.Context, now time.Time) ([]Offer, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]Offer, error) { return s.WithdrawPastOffersTx(ctx, tx, now) })
}

// WithdrawPastOffersTx is WithdrawPastOffers inside the caller's transaction.
func (s *Store) WithdrawPastOffersTx(ctx context.Context, tx pgx.Tx, now time.Time) ([]Offer, error) {
	offers, err := lockOffers(ctx, tx, true, `lower(during) <= $1`, now)
	if err != nil {
		return nil, fmt.Errorf("withdraw past offers: %w", err)
	}
	withdrawn := make([]Offer, 0, len(offers))
	for _, o := range offers {
		closed, err := closeOffer(ctx, tx, o, OfferWithdrawn, now)
		if err != nil {
			return nil, err
		}
		withdrawn = append(withdrawn, closed)
		s.log.Info("waitlist_offer_withdrawn", "offer_id", o.ID, "patient_id", o.PatientID, "reason", "slot_passed")
	}
	return withdrawn, nil
}

// lockOffers locks the active offers matching condition, whose placeholders take args.
// It takes the practitioners' advisory locks first, in id order, then the offer rows.
// With skipLocked it leaves out offer rows another transaction holds instead of waiting.
// The condition must not depend on columns that change while an offer is active.
func lockOffers(ctx context.Context, tx pgx.Tx, skipLocked bool, condition string, args ...any) ([]Offer, error) {
	rows, err := tx.Query(ctx, `SELECT id, practitioner_id FROM waitlist_offers WHERE status = 'active' AND `+condition, args...)
	if err != nil {
		return nil, err
	}
	var ids, practitioners []int64
	var id, practitionerID int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &practitionerID}, func() error {
		ids = append(ids, id)
		practitioners = append(practitioners, practitionerID)
		return nil
	}); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []Offer{}, nil
	}
	if err := lockPractitioners(ctx, tx, practitioners...); err != nil {
		return nil, err
	}

	lock := "FOR UPDATE"
	if skipLocked {
		lock += " SKIP LOCKED"
	}
	rows, err = tx.Query(ctx, `SELECT `+offerColumns+` FROM waitlist_offers
		WHERE id = ANY ($1) AND status = 'active' ORDER BY expires_at, id `+lock, ids)
	if err != nil {
		return nil, err
	}
	return collectOffers(rows)
}

// closeOffer sets a locked active offer's final status, deletes its hold and puts its
// waitlist entry back to waiting (unless the patient has left the waitlist).
func closeOffer(ctx context.Context, tx pgx.Tx, o Offer, status OfferStatus, now time.Time) (Offer, error) {
	closed, err := scanOffer(tx.QueryRow(ctx, `UPDATE waitlist_offers SET status = $2, closed_at = $3
		WHERE id = $1 RETURNING `+offerColumns, o.ID, status, now))
	if err != nil {
		return Offer{}, fmt.Errorf("close offer %d: %w", o.ID, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM appointments WHERE id = $1 AND status = 'proposed'`, o.AppointmentID); err != nil {
		return Offer{}, fmt.Errorf("release hold of offer %d: %w", o.ID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE waitlist_entries SET status = 'waiting', updated_at = $2
		WHERE id = $1 AND status = 'offered'`, o.EntryID, now); err != nil {
		return Offer{}, fmt.Errorf("return waitlist entry %d: %w", o.EntryID, err)
	}
	return closed, nil
}

// closeAndPassOn closes an offer and offers its slot to the next waitlisted patient. The
// returned next offer is nil when no patient was offered the slot.
func (s *Store) closeAndPassOn(ctx context.Context, tx pgx.Tx, o Offer, status OfferStatus, now time.Time) (Offer, *Offer, error) {
	closed, err := closeOffer(ctx, tx, o, status, now)
	if err != nil {
		return Offer{}, nil, err
	}
	next, offered, err := s.offerSlot(ctx, tx, o.PractitionerID, o.Slot, now)
	if err != nil {
		return Offer{}, nil, fmt.Errorf("pass on slot of offer %d: %w", o.ID, err)
	}
	if !offered {
		return closed, nil, nil
	}
	return closed, &next, nil
}
