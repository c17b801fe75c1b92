package booking

import (
	"slices"
	"time"
)

// TimeSpan is a half-open wall-clock span [Start, End) within one local day.
type TimeSpan struct {
	Start TimeOfDay
	End   TimeOfDay
}

// Template is one weekly session of a practitioner in clinic local time, such as Monday
// 09:00 to 17:00 with breaks. Breaks may be unsorted, may overlap each other and may reach
// outside the session.
type Template struct {
	PractitionerID int64
	Weekday        time.Weekday
	Start          TimeOfDay
	End            TimeOfDay
	Breaks         []TimeSpan
}

// ExceptionKind tells whether an exception removes time (leave, closure, holiday) or adds a
// session (extra).
type ExceptionKind string

// Exception kinds.
const (
	ExceptionLeave   ExceptionKind = "leave"
	ExceptionClosure ExceptionKind = "closure"
	ExceptionHoliday ExceptionKind = "holiday"
	ExceptionExtra   ExceptionKind = "extra"
)

// Valid reports whether k is a known exception kind.
func (k ExceptionKind) Valid() bool {
	switch k {
	case ExceptionLeave, ExceptionClosure, ExceptionHoliday, ExceptionExtra:
		return true
	}
	return false
}

// Exception is a change to the weekly templates over an absolute span, which may cross
// several days. PractitionerID 0 means the whole clinic (a closure or public holiday).
type Exception struct {
	ID             int64
	PractitionerID int64
	Kind           ExceptionKind
	Interval
	Reason string
}

// Availability is everything slot generation needs for one practitioner.
type Availability struct {
	PractitionerID int64
	Templates      []Template
	Exceptions     []Exception
	// Busy contains the spans of appointments and offer holds that occupy time.
	Busy []Interval
}

// SlotQuery selects the slots to generate.
type SlotQuery struct {
	Location *time.Location
	// From and To are the first and last local dates searched, inclusive.
	From, To Date
	// Now and MinNotice exclude every slot that starts before Now+MinNotice.
	Now       time.Time
	MinNotice time.Duration
	// Length is the appointment length. Step is the spacing of slot starts, counted
	// from the start of each session. A zero Step uses Length.
	Length time.Duration
	Step   time.Duration
}

// GenerateSlots returns the free slots of one practitioner, sorted by start. A slot is
// free when all of [start, start+Length) lies inside a session (a template without its
// breaks, or an extra session) and outside every blocking exception and busy span.
// Wall-clock times are resolved in q.Location, so the result does not depend on the
// process time zone, and daylight-saving days keep their local session times.
func GenerateSlots(av Availability, q SlotQuery) []Interval {
	if q.Length <= 0 || q.Location == nil || q.To.Before(q.From) {
		return nil
	}
	step := q.Step
	if step <= 0 {
		step = q.Length
	}
	window := Interval{Start: q.From.At(0, q.Location), End: q.To.AddDays(1).At(0, q.Location)}
	earliest := q.Now.Add(q.MinNotice)

	blocked := slices.Clone(av.Busy)
	for _, e := range av.Exceptions {
		if e.Kind != ExceptionExtra && (e.PractitionerID == 0 || e.PractitionerID == av.PractitionerID) {
			blocked = append(blocked, e.Interval)
		}
	}
	blocked = mergeIntervals(blocked)

	var starts []time.Time
	for _, session := range sessions(av, q.From, q.To, q.Location) {
		free := subtractIntervals(session.free, blocked)
		for start := session.start; !start.Add(q.Length).After(session.end); start = start.Add(step) {
			if start.Before(earliest) || start.Before(window.Start) || !start.Before(window.End) {
				continue
			}
			if coveredBy(Interval{start, start.Add(q.Length)}, free) {
				starts = append(starts, start)
			}
		}
	}

	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	starts = slices.CompactFunc(starts, func(a, b time.Time) bool { return a.Equal(b) })
	slots := make([]Interval, len(starts))
	for i, s := range starts {
		slots[i] = Interval{s, s.Add(q.Length)}
	}
	return slots
}

// session is one working span: its grid starts at start, and free is the span without
// its breaks.
type session struct {
	start, end time.Time
	free       []Interval
}

// sessions expands the weekly templates over the dates from..to and adds the extra
// sessions that touch those dates.
func sessions(av Availability, from, to Date, loc *time.Location) []session {
	var out []session
	for d := from; !to.Before(d); d = d.AddDays(1) {
		for _, t := range av.Templates {
			if t.Weekday != d.Weekday() || t.End <= t.Start {
				continue
			}
			span := Interval{d.At(t.Start, loc), d.At(t.End, loc)}
			breaks := make([]Interval, 0, len(t.Breaks))
			for _, b := range t.Breaks {
				if b.End > b.Start {
					breaks = append(breaks, Interval{d.At(b.Start, loc), d.At(b.End, loc)})
				}
			}
			out = append(out, session{span.Start, span.End, subtractIntervals([]Interval{span}, mergeIntervals(breaks))})
		}
	}

	window := Interval{from.At(0, loc), to.AddDays(1).At(0, loc)}
	for _, e := range av.Exceptions {
		if e.Kind == ExceptionExtra && e.PractitionerID == av.PractitionerID && e.Overlaps(window) && e.End.After(e.Start) {
			out = append(out, session{e.Start, e.End, []Interval{e.Interval}})
		}
	}
	return out
}

// mergeIntervals sorts intervals and joins those that overlap or touch. Empty intervals
// are dropped.
func mergeIntervals(in []Interval) []Interval {
	sorted := make([]Interval, 0, len(in))
	for _, iv := range in {
		if iv.End.After(iv.Start) {
			sorted = append(sorted, iv)
		}
	}
	slices.SortFunc(sorted, func(a, b Interval) int { return a.Start.Compare(b.Start) })

	var out []Interval
	for _, iv := range sorted {
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			if iv.End.After(out[n-1].End) {
				out[n-1].End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

// subtractIntervals removes cut from base. Both must be sorted and merged, and so is the
// result.
func subtractIntervals(base, cut []Interval) []Interval {
	var out []Interval
	for _, b := range base {
		rest := b
		for _, c := range cut {
			if !c.End.After(rest.Start) {
				continue
			}
			if !c.Start.Before(rest.End) {
				break
			}
			if c.Start.After(rest.Start) {
				out = append(out, Interval{rest.Start, c.Start})
			}
			rest.Start = c.End
			if !rest.End.After(rest.Start) {
				break
			}
		}
		if rest.End.After(rest.Start) {
			out = append(out, rest)
		}
	}
	return out
}

// coveredBy reports whether iv lies entirely inside one of the merged intervals in set.
func coveredBy(iv Interval, set []Interval) bool {
	for _, s := range set {
		if !s.Start.After(iv.Start) && !iv.End.After(s.End) {
			return true
		}
	}
	return false
}
