package booking

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Priority is a waitlist priority, using FHIR Communication.priority codes. Stat is the
// most urgent and routine the least.
type Priority string

// Waitlist priorities.
const (
	PriorityRoutine Priority = "routine"
	PriorityUrgent  Priority = "urgent"
	PriorityASAP    Priority = "asap"
	PriorityStat    Priority = "stat"
)

// WaitlistEntry is a patient waiting for a slot with a specialty or a practitioner.
type WaitlistEntry struct {
	ID              int64
	PatientID       int64
	Specialty       string
	PractitionerID  int64
	AppointmentType string
	// Earliest and Latest limit the local dates. A zero Date leaves that end open.
	Earliest, Latest Date
	PartsOfDay       []PartOfDay
	Priority         Priority
	// Status is waiting, offered, booked or left.
	Status   string
	JoinedAt time.Time
}

// accepts reports whether the entry's date and part-of-day preferences allow a slot.
func (e WaitlistEntry) accepts(slot Interval, loc *time.Location) bool {
	prefs := Preferences{From: e.Earliest, To: e.Latest}
	if !fitsPreferences(Candidate{Interval: slot}, prefs, loc) {
		return false
	}
	if len(e.PartsOfDay) == 0 {
		return true
	}
	tod := TimeOfDayOf(slot.Start, loc)
	return slices.ContainsFunc(e.PartsOfDay, func(p PartOfDay) bool { return p.Contains(tod) })
}

// OfferStatus is the state of a waitlist offer.
type OfferStatus string

// Offer states. Only an active offer holds its slot.
const (
	OfferActive    OfferStatus = "active"
	OfferAccepted  OfferStatus = "accepted"
	OfferDeclined  OfferStatus = "declined"
	OfferExpired   OfferStatus = "expired"
	OfferWithdrawn OfferStatus = "withdrawn"
)

// Offer is a freed slot offered to one waitlisted patient. While active, a proposed
// appointment (AppointmentID) holds the slot so no other patient can book it.
type Offer struct {
	ID             int64
	EntryID        int64
	PatientID      int64
	PractitionerID int64
	AppointmentID  int64
	Slot           Interval
	Status         OfferStatus
	OfferedAt      time.Time
	ExpiresAt      time.Time
}

const offerColumns = `id, entry_id, patient_id, practitioner_id, coalesce(appointment_id, 0),
	lower(during), upper(during), status, offered_at, expires_at`

func scanOffer(row pgx.Row) (Offer, error) {
	var o Offer
	err := row.Scan(&o.ID, &o.EntryID, &o.PatientID, &o.PractitionerID, &o.AppointmentID,
		&o.Slot.Start, &o.Slot.End, &o.Status, &o.OfferedAt, &o.ExpiresAt)
	return o, err
}

func collectOffers(rows pgx.Rows) ([]Offer, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Offer, error) { return scanOffer(r) })
}

// WaitlistRequest is a request to join the waitlist.
type WaitlistRequest struct {
	PatientID       int64
	Specialty       string
	PractitionerID  int64
	AppointmentType string // empty means "standard"
	Earliest        Date
	Latest          Date
	PartsOfDay      []PartOfDay
	Priority        Priority // empty means routine
}

// JoinWaitlist adds the patient to the waitlist. It returns an error wrapping ErrConflict
// when the patient is already waiting for the same specialty and practitioner.
func (s *Store) JoinWaitlist(ctx context.Context, req WaitlistRequest) (WaitlistEntry, error) {
	return inTx(ctx, s, func(tx pgx.Tx) (WaitlistEntry, error) { return s.JoinWaitlistTx(ctx, tx, req) })
}

// JoinWaitlistTx is JoinWaitlist inside the caller's transaction.
func (s *Store) JoinWaitlistTx(ctx context.Context, tx pgx.Tx, req WaitlistRequest) (WaitlistEntry, error) {
	if req.AppointmentType == "" {
		req.AppointmentType = "standard"
	}
	if req.Priority == "" {
		req.Priority = PriorityRoutine
	}
	if err := validateWaitlist(req); err != nil {
		return WaitlistEntry{}, err
	}
	parts := make([]string, len(req.PartsOfDay))
	for i, p := range req.PartsOfDay {
		parts[i] = string(p)
	}

	var entry WaitlistEntry
	err := inSavepoint(ctx, tx, func(sp pgx.Tx) error {
		var err error
		entry, err = scanEntry(sp.QueryRow(ctx, `INSERT INTO waitlist_entries
			(patient_id, specialty, practitioner_id, appointment_type, earliest, latest, parts_of_day, priority, joined_at, updated_at)
			VALUES ($1, nullif($2, ''), nullif($3, 0), $4, $5, $6, $7, $8, $9, $9) RETURNING `+entryColumns,
			req.PatientID, req.Specialty, req.PractitionerID, req.AppointmentType,
			sqlDate(req.Earliest), sqlDate(req.Latest), parts, req.Priority, s.clock.Now()))
		return err
	})
	if constraintViolated(err) == entryOpen {
		return WaitlistEntry{}, fmt.Errorf("join waitlist: patient %d is already waiting: %w", req.PatientID, ErrConflict)
	}
	if err != nil {
		return WaitlistEntry{}, fmt.Errorf("join waitlist: %w", err)
	}
	return entry, nil
}

func validateWaitlist(req WaitlistRequest) error {
	switch {
	case req.PatientID == 0:
		return fmt.Errorf("join waitlist: missing patient: %w", ErrInvalid)
	case req.Specialty == "" && req.PractitionerID == 0:
		return fmt.Errorf("join waitlist: missing specialty or practitioner: %w", ErrInvalid)
	case req.Earliest != (Date{}) && req.Latest != (Date{}) && req.Latest.Before(req.Earliest):
		return fmt.Errorf("join waitlist: latest date %s is before earliest %s: %w", req.Latest, req.Earliest, ErrInvalid)
	}
	switch req.Priority {
	case PriorityRoutine, PriorityUrgent, PriorityASAP, PriorityStat:
	default:
		return fmt.Errorf("join waitlist: unknown priority %q: %w", req.Priority, ErrInvalid)
	}
	for _, p := range req.PartsOfDay {
		if p == AnyTime || !p.Valid() {
			return fmt.Errorf("join waitlist: unknown part of day %q: %w", p, ErrInvalid)
		}
	}
	return nil
}

const entryColumns = `id, patient_id, coalesce(specialty, ''), coalesce(practitioner_id, 0), appointment_type,
	earliest, latest, parts_of_day, priority, status, joined_at`

// WaitingTx returns every waitlist entry that has no open offer, in the order offers go
// out: by priority, then by time joined.
func (s *Store) WaitingTx(ctx context.Context, tx pgx.Tx) ([]WaitlistEntry, error) {
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM waitlist_entries WHERE status = 'waiting'
		ORDER BY CASE priority WHEN 'stat' THEN 0 WHEN 'asap' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END, joined_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list waiting entries: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WaitlistEntry, error) { return scanEntry(r) })
	if err != nil {
		return nil, fmt.Errorf("list waiting entries: %w", err)
	}
	return list, nil
}

func scanEntry(row pgx.Row) (WaitlistEntry, error) {
	var (
		e                WaitlistEntry
		earliest, latest *time.Time
		parts            []string
	)
	err := row.Scan(&e.ID, &e.PatientID, &e.Specialty, &e.PractitionerID, &e.AppointmentType,
		&earliest, &latest, &parts, &e.Priority, &e.Status, &e.JoinedAt)
	if earliest != nil {
		e.Earliest = Date{earliest.Year(), earliest.Month(), earliest.Day()}
	}
	if latest != nil {
		e.Latest = Date{latest.Year(), latest.Month(), latest.Day()}
	}
	for _, p := range parts {
		e.PartsOfDay = append(e.PartsOfDay, PartOfDay(p))
	}
	return e, err
}

// sqlDate converts a Date to a value pgx sends as a date, or NULL for the zero Date.
func sqlDate(d Date) any {
	if d == (Date{}) {
		return nil
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// Waitlist returns the patient's open waitlist entries (waiting or offered).
func (s *Store) Waitlist(ctx context.Context, patientID int64) ([]WaitlistEntry, error) {
	return inTx(ctx, s, func(tx pgx.Tx) ([]WaitlistEntry, error) { return s.WaitlistTx(ctx, tx, patientID) })
}

// WaitlistTx is Waitlist inside the caller's transaction.
func (s *Store) WaitlistTx(ctx context.Context, tx pgx.Tx, patientID int64) ([]WaitlistEntry, error) {
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM waitlist_entries
		WHERE patient_id = $1 AND status IN ('waiting', 'offered') ORDER BY joined_at, id`, patientID)
	if err != nil {
		return nil, fmt.Errorf("list waitlist of patient %d: %w", patientID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WaitlistEntry, error) { return scanEntry(r) })
	if err != nil {
		return nil, fmt.Errorf("list waitlist of patient %d: %w", patientID, err)
	}
	return list, nil
}

// LeaveResult is the outcome of leaving the waitlist.
type LeaveResult struct {
	// Withdrawn is the patient's open offer that leaving withdrew, or nil.
	Withdrawn *Offer
	// OfferMade is the offer of that slot to the next patient, or nil.
	OfferMade *Offer
}

// LeaveWaitlist takes the patient off one waitlist entry. An open offer for that entry is
// withdrawn and its slot offered to the next patient.
func (s *Store) LeaveWaitlist(ctx context.Context, patientID, entryID int64) (LeaveResult, error) {
	return inTx(ctx, s, func(tx pgx.Tx) (LeaveResult, error) { return s.LeaveWaitlistTx(ctx, tx, patientID, entryID) })
}

// LeaveWaitlistTx is LeaveWaitlist inside the caller's transaction.
func (s *Store) LeaveWaitlistTx(ctx context.Context, tx pgx.Tx, patientID, entryID int64) (LeaveResult, error) {
	now := s.clock.Now()
	// The practitioner's lock comes before the entry and offer rows, as everywhere else.
	offers, err := lockOffers(ctx, tx, false, `entry_id = $1 AND patient_id = $2`, entryID, patientID)
	if err != nil {
		return LeaveResult{}, fmt.Errorf("find open offer of waitlist entry %d: %w", entryID, err)
	}
	tag, err := tx.Exec(ctx, `UPDATE waitlist_entries SET status = 'left', updated_at = $3
		WHERE id = $1 AND patient_id = $2 AND status IN ('waiting', 'offered')`, entryID, patientID, now)
	if err != nil {
		return LeaveResult{}, fmt.Errorf("leave waitlist entry %d: %w", entryID, err)
	}
	if tag.RowsAffected() == 0 {
		return LeaveResult{}, fmt.Errorf("leave waitlist entry %d of patient %d: %w", entryID, patientID, ErrNotFound)
	}
	if len(offers) == 0 {
		return LeaveResult{}, nil
	}
	offer := offers[0]
	closed, next, err := s.closeAndPassOn(ctx, tx, offer, OfferWithdrawn, now)
	if err != nil {
		return LeaveResult{}, err
	}
	return LeaveResult{Withdrawn: &closed, OfferMade: next}, nil
}

// OfferSlot offers a free span of a practitioner to the first matching waitlisted patient,
// ordered by priority and then by time joined, and holds the slot for them. The caller
// uses it when time frees up without a cancellation (new availability, a manual
// trigger). It returns false when the slot is too soon to offer, no waiting patient matches, or
// another offer or appointment already holds it: the database allows one active offer
// per slot, so simultaneous triggers make at most one offer.
func (s *Store) OfferSlot(ctx context.Context, practitionerID int64, span Interval) (Offer, bool, error) {
	type result struct {
		offer Offer
		ok    bool
	}
	r, err := inTx(ctx, s, func(tx pgx.Tx) (result, error) {
		o, ok, err := s.OfferSlotTx(ctx, tx, practitionerID, span)
		return result{o, ok}, err
	})
	return r.offer, r.ok, err
}

// OfferSlotTx is OfferSlot inside the caller's transaction.
func (s *Store) OfferSlotTx(ctx context.Context, tx pgx.Tx, practitionerID int64, span Interval) (Offer, bool, error) {
	return s.offerSlot(ctx, tx, practitionerID, span, s.clock.Now())
}

func (s *Store) offerSlot(ctx context.Context, tx pgx.Tx, practitionerID int64, span Interval, now time.Time) (Offer, bool, error) {
	hold, ok := OfferHold(now, span.Start, s.cfg.OfferHold, s.cfg.MinNotice)
	if !ok {
		return Offer{}, false, nil
	}
	p, err := s.PractitionerTx(ctx, tx, practitionerID)
	if err != nil {
		return Offer{}, false, err
	}
	if err := lockPractitioners(ctx, tx, p.ID); err != nil {
		return Offer{}, false, err
	}
	entries, err := s.matchingEntries(ctx, tx, p, span)
	if err != nil {
		return Offer{}, false, err
	}
	for _, e := range entries {
		offer, outcome, err := s.tryOffer(ctx, tx, p, e, span, now, now.Add(hold))
		switch {
		case err != nil:
			return Offer{}, false, err
		case outcome == offerMade:
			s.log.Debug("waitlist_offer_made", "offer_id", offer.ID, "patient_id", offer.PatientID, "practitioner_id", p.ID)
			return offer, true, nil
		case outcome == slotHeld:
			return Offer{}, false, nil
		}
	}
	return Offer{}, false, nil
}

// matchingEntries returns the waiting entries that could take span with practitioner p,
// best first: by priority, then time joined. Entries that were already offered this slot
// are left out, so a decline or expiry passes the slot on.
func (s *Store) matchingEntries(ctx context.Context, tx pgx.Tx, p Practitioner, span Interval) ([]WaitlistEntry, error) {
	minutes := int(span.Duration() / time.Minute)
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM waitlist_entries e
		WHERE status = 'waiting'
		  AND (practitioner_id = $1 OR (practitioner_id IS NULL AND specialty = ANY ($2)))
		  AND appointment_type IN (SELECT code FROM appointment_types t
		      WHERE t.minutes <= $3 AND (t.specialty IS NULL OR t.specialty = ANY ($2)))
		  AND NOT EXISTS (SELECT 1 FROM waitlist_offers o
		      WHERE o.entry_id = e.id AND o.practitioner_id = $1 AND o.during && $4::tstzrange)
		ORDER BY array_position(ARRAY['stat', 'asap', 'urgent', 'routine'], priority), joined_at, id`,
		p.ID, p.Specialties, minutes, tstzrange(span))
	if err != nil {
		return nil, fmt.Errorf("find waitlist entries for practitioner %d: %w", p.ID, err)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (WaitlistEntry, error) { return scanEntry(r) })
	if err != nil {
		return nil, fmt.Errorf("find waitlist entries for practitioner %d: %w", p.ID, err)
	}
	var kept []WaitlistEntry
	for _, e := range all {
		if e.accepts(span, s.cfg.Location) {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

type offerOutcome int

const (
	offerMade    offerOutcome = iota
	slotHeld                  // another offer or appointment holds the slot
	entrySkipped              // this patient cannot take it; try the next one
)

// tryOffer holds the start of span for entry e with a proposed appointment and records the
// offer, inside a savepoint so a constraint violation leaves tx usable.
func (s *Store) tryOffer(ctx context.Context, tx pgx.Tx, p Practitioner, e WaitlistEntry, span Interval, now, expires time.Time) (Offer, offerOutcome, error) {
	typ, err := appointmentType(ctx, tx, e.AppointmentType)
	if err != nil {
		return Offer{}, entrySkipped, err
	}
	specialty, err := chooseSpecialty(p, typ, e.Specialty)
	if err != nil {
		return Offer{}, entrySkipped, nil
	}
	// NOTE: only the start of a freed span is offered, so a freed 30-minute span offered
	// to a patient waiting for 15 minutes leaves its second half unoffered.
	slot := Interval{span.Start, span.Start.Add(typ.Duration())}

	var offer Offer
	err = inSavepoint(ctx, tx, func(sp pgx.Tx) error {
		var apptID int64
		err := sp.QueryRow(ctx, `INSERT INTO appointments
			(patient_id, practitioner_id, appointment_type, specialty, during, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5::tstzrange, 'proposed', $6, $6) RETURNING id`,
			e.PatientID, p.ID, typ.Code, specialty, tstzrange(slot), now).Scan(&apptID)
		if err != nil {
			return err
		}
		offer, err = scanOffer(sp.QueryRow(ctx, `INSERT INTO waitlist_offers
			(entry_id, patient_id, practitioner_id, appointment_id, during, offered_at, expires_at)
			VALUES ($1, $2, $3, $4, $5::tstzrange, $6, $7) RETURNING `+offerColumns,
			e.ID, e.PatientID, p.ID, apptID, tstzrange(slot), now, expires))
		if err != nil {
			return err
		}
		_, err = sp.Exec(ctx, `UPDATE waitlist_entries SET status = 'offered', updated_at = $2 WHERE id = $1`, e.ID, now)
		return err
	})
	switch constraintViolated(err) {
	case "":
	case practitionerOverlap, offerPerSlot:
		return Offer{}, slotHeld, nil
	case patientOverlap, offerPerEntry:
		return Offer{}, entrySkipped, nil
	}
	if err != nil {
		return Offer{}, entrySkipped, fmt.Errorf("offer slot to waitlist entry %d: %w", e.ID, err)
	}
	return offer, offerMade, nil
}
