package booking

import (
	"cmp"
	"slices"
	"time"
)

// Candidate is a free slot with one practitioner.
type Candidate struct {
	PractitionerID int64
	Interval
}

// Preferences are the patient's stated constraints on when to come. Zero values mean
// no preference.
type Preferences struct {
	// From and To limit the local dates, inclusive. A zero Date leaves that end open.
	From, To  Date
	PartOfDay PartOfDay
	// Time is a preferred local start time, used when HasTime is true.
	Time    TimeOfDay
	HasTime bool
}

// RankInput is the context the ranking needs besides the candidates.
type RankInput struct {
	Location *time.Location
	Prefs    Preferences
	// UsualPractitionerID is the patient's usual practitioner for the specialty, or 0.
	UsualPractitionerID int64
	// Load counts the appointments each practitioner already has on each local date.
	Load map[int64]map[Date]int
}

// RankCandidates drops candidates outside the preferred dates and part of the day and
// orders the rest by the allocation rules:
//  1. the patient's usual practitioner first (continuity of care);
//  2. with a preferred time, the smallest distance from it;
//  3. the earliest start;
//  4. the practitioner with fewer appointments that day;
//  5. the lower practitioner id, so the order is deterministic.
//
// The input slice is not modified.
func RankCandidates(candidates []Candidate, in RankInput) []Candidate {
	kept := make([]Candidate, 0, len(candidates))
	for _, c := range candidates {
		if fitsPreferences(c, in.Prefs, in.Location) {
			kept = append(kept, c)
		}
	}

	slices.SortStableFunc(kept, func(a, b Candidate) int {
		if byUsual := cmp.Compare(rankUsual(a, in), rankUsual(b, in)); byUsual != 0 {
			return byUsual
		}
		if in.Prefs.HasTime {
			da := timeDistance(TimeOfDayOf(a.Start, in.Location), in.Prefs.Time)
			db := timeDistance(TimeOfDayOf(b.Start, in.Location), in.Prefs.Time)
			if byTime := cmp.Compare(da, db); byTime != 0 {
				return byTime
			}
		}
		if byStart := a.Start.Compare(b.Start); byStart != 0 {
			return byStart
		}
		if byLoad := cmp.Compare(load(a, in), load(b, in)); byLoad != 0 {
			return byLoad
		}
		return cmp.Compare(a.PractitionerID, b.PractitionerID)
	})
	return kept
}

func fitsPreferences(c Candidate, p Preferences, loc *time.Location) bool {
	day := DateOf(c.Start, loc)
	if p.From != (Date{}) && day.Before(p.From) {
		return false
	}
	if p.To != (Date{}) && p.To.Before(day) {
		return false
	}
	return p.PartOfDay.Contains(TimeOfDayOf(c.Start, loc))
}

func rankUsual(c Candidate, in RankInput) int {
	if in.UsualPractitionerID != 0 && c.PractitionerID == in.UsualPractitionerID {
		return 0
	}
	return 1
}

func load(c Candidate, in RankInput) int {
	return in.Load[c.PractitionerID][DateOf(c.Start, in.Location)]
}

func timeDistance(a, b TimeOfDay) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}
