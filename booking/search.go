package booking

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SlotRequest describes what a patient asked for. Either Specialty or PractitionerID must
// be set.
type SlotRequest struct {
	PatientID int64
	Specialty string
	// PractitionerID limits the search to one practitioner. 0 lets allocation choose.
	PractitionerID int64
	// AppointmentType is a type code. Empty means "standard".
	AppointmentType string
	// Prefs.From defaults to today and Prefs.To to SearchDays later.
	Prefs Preferences
	// Limit caps the number of candidates returned. 0 returns all.
	Limit int
}

// SlotSearch is the result of FindSlots.
type SlotSearch struct {
	Type       AppointmentType
	Candidates []Candidate
	// Practitioners contains every practitioner named in Candidates, by id.
	Practitioners map[int64]Practitioner
}

// FindSlots returns free slots for a request, ranked by the allocation rules of
// RankCandidates. Slots inside the minimum notice, and slots that overlap one of the
// patient's own appointments, are left out.
func (s *Store) FindSlots(ctx context.Context, req SlotRequest) (SlotSearch, error) {
	return inTx(ctx, s, func(tx pgx.Tx) (SlotSearch, error) { return s.FindSlotsTx(ctx, tx, req) })
}

// FindSlotsTx is FindSlots inside the caller's transaction.
func (s *Store) FindSlotsTx(ctx context.Context, tx pgx.Tx, req SlotRequest) (SlotSearch, error) {
	return s.findSlots(ctx, tx, req, s.clock.Now())
}

func (s *Store) findSlots(ctx context.Context, tx pgx.Tx, req SlotRequest, now time.Time) (SlotSearch, error) {
	loc := s.cfg.Location
	if req.AppointmentType == "" {
		req.AppointmentType = "standard"
	}
	typ, err := appointmentType(ctx, tx, req.AppointmentType)
	if err != nil {
		return SlotSearch{}, err
	}
	if req.Specialty == "" {
		req.Specialty = typ.Specialty
	}
	practitioners, err := s.candidatePractitioners(ctx, tx, req)
	if err != nil {
		return SlotSearch{}, err
	}

	from, to := req.Prefs.From, req.Prefs.To
	if today := DateOf(now, loc); from == (Date{}) || from.Before(today) {
		from = today
	}
	if to == (Date{}) {
		to = from.AddDays(s.cfg.SearchDays - 1)
	}
	out := SlotSearch{Type: typ, Practitioners: make(map[int64]Practitioner, len(practitioners))}
	if to.Before(from) || len(practitioners) == 0 {
		return out, nil
	}
	window := Interval{from.At(0, loc), to.AddDays(1).At(0, loc)}

	ids := make([]int64, len(practitioners))
	for i, p := range practitioners {
		ids[i] = p.ID
	}
	avail, err := loadAvailability(ctx, tx, ids, window)
	if err != nil {
		return SlotSearch{}, err
	}
	patientBusy, err := patientBusySpans(ctx, tx, req.PatientID, window)
	if err != nil {
		return SlotSearch{}, err
	}

	var candidates []Candidate
	load := make(map[int64]map[Date]int, len(practitioners))
	for _, p := range practitioners {
		av := avail[p.ID]
		load[p.ID] = make(map[Date]int)
		for _, b := range av.Busy {
			load[p.ID][DateOf(b.Start, loc)]++
		}
		q := SlotQuery{Location: loc, From: from, To: to, Now: now, MinNotice: s.cfg.MinNotice,
			Length: typ.Duration(), Step: time.Duration(p.DefaultMinutes) * time.Minute}
		for _, slot := range GenerateSlots(*av, q) {
			if !overlapsAny(slot, patientBusy) {
				candidates = append(candidates, Candidate{PractitionerID: p.ID, Interval: slot})
			}
		}
		out.Practitioners[p.ID] = p
	}

	usual, err := usualPractitioner(ctx, tx, req.PatientID, req.Specialty, now)
	if err != nil {
		return SlotSearch{}, err
	}
	ranked := RankCandidates(candidates, RankInput{Location: loc, Prefs: req.Prefs, UsualPractitionerID: usual, Load: load})
	if req.Limit > 0 && len(ranked) > req.Limit {
		ranked = ranked[:req.Limit]
	}
	out.Candidates = ranked
	return out, nil
}

// candidatePractitioners returns the practitioner named in the request, or every active
// practitioner of the requested specialty.
func (s *Store) candidatePractitioners(ctx context.Context, tx pgx.Tx, req SlotRequest) ([]Practitioner, error) {
	if req.PractitionerID != 0 {
		p, err := s.PractitionerTx(ctx, tx, req.PractitionerID)
		if err != nil {
			return nil, err
		}
		if !p.Active || (req.Specialty != "" && !p.HasSpecialty(req.Specialty)) {
			return nil, fmt.Errorf("find slots: practitioner %d does not offer %q: %w", p.ID, req.Specialty, ErrInvalid)
		}
		return []Practitioner{p}, nil
	}
	if req.Specialty == "" {
		return nil, fmt.Errorf("find slots: missing specialty or practitioner: %w", ErrInvalid)
	}
	return s.PractitionersTx(ctx, tx, req.Specialty)
}

func patientBusySpans(ctx context.Context, tx pgx.Tx, patientID int64, window Interval) ([]Interval, error) {
	if patientID == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT lower(during), upper(during) FROM appointments
		WHERE patient_id = $1 AND during && $2::tstzrange AND `+occupyingStatuses, patientID, tstzrange(window))
	if err != nil {
		return nil, fmt.Errorf("load patient %d appointments: %w", patientID, err)
	}
	spans, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Interval, error) {
		var iv Interval
		err := r.Scan(&iv.Start, &iv.End)
		return iv, err
	})
	if err != nil {
		return nil, fmt.Errorf("load patient %d appointments: %w", patientID, err)
	}
	return spans, nil
}

// usualPractitioner returns the practitioner the patient has seen most often for the
// specialty in the last two years (the most recent one on a tie), or 0. Only visits that
// have started count: a first booking does not make someone's "usual" practitioner.
func usualPractitioner(ctx context.Context, tx pgx.Tx, patientID int64, specialty string, now time.Time) (int64, error) {
	if patientID == 0 || specialty == "" {
		return 0, nil
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT coalesce((
		SELECT practitioner_id FROM appointments
		WHERE patient_id = $1 AND specialty = $2
		  AND status IN ('booked', 'arrived', 'checked-in', 'fulfilled')
		  AND lower(during) > $3::timestamptz - interval '2 years'
		  AND lower(during) <= $3::timestamptz
		GROUP BY practitioner_id
		ORDER BY count(*) DESC, max(lower(during)) DESC
		LIMIT 1), 0)`, patientID, specialty, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("find usual practitioner of patient %d: %w", patientID, err)
	}
	return id, nil
}

func overlapsAny(iv Interval, spans []Interval) bool {
	for _, s := range spans {
		if iv.Overlaps(s) {
			return true
		}
	}
	return false
}
