// Package booking owns practitioners, their availability, appointments, the waitlist and
// waitlist offers, and the allocation of a practitioner when a patient names none.
//
// The package sends nothing to patients. Functions that change the schedule return what
// happened (an OfferMade, the appointments a clinic cancellation affected) so the caller
// can write outbox messages in the same transaction.
package booking

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by the package. Callers match them with errors.Is.
var (
	// ErrNotFound means the practitioner, appointment, waitlist entry or offer does not
	// exist, or belongs to another patient.
	ErrNotFound = errors.New("booking: not found")
	// ErrConflict means the record changed since the caller read it (a version mismatch),
	// or is in a state that does not allow the change.
	ErrConflict = errors.New("booking: conflict")
	// ErrSlotTaken means another appointment or an offer hold overlaps the requested time.
	// The error value is a *SlotTakenError that carries alternatives.
	ErrSlotTaken = errors.New("booking: slot taken")
	// ErrTooSoon means the time is in the past or inside the minimum notice.
	ErrTooSoon = errors.New("booking: time is in the past or inside the minimum notice")
	// ErrPatientBusy means the patient already has an appointment or an offer hold that
	// overlaps the requested time.
	ErrPatientBusy = errors.New("booking: patient already has an appointment at that time")
	// ErrUnavailable means the practitioner does not work at that time (no session, a
	// break, leave or a closure).
	ErrUnavailable = errors.New("booking: practitioner not available at that time")
	// ErrOfferClosed means the offer was already accepted, declined, expired or withdrawn.
	ErrOfferClosed = errors.New("booking: offer no longer open")
	// ErrInvalid means a request field is missing or out of range.
	ErrInvalid = errors.New("booking: invalid request")
)

// SlotTakenError reports that a requested time was taken and lists other candidate slots
// for the same request, best first.
type SlotTakenError struct {
	PractitionerID int64
	Start          time.Time
	Alternatives   []Candidate
	// search is the request whose alternatives are still to be found, or nil.
	search *SlotRequest
}

func (e *SlotTakenError) Error() string {
	return fmt.Sprintf("booking: slot for practitioner %d at %s taken (%d alternatives)",
		e.PractitionerID, e.Start.UTC().Format(time.RFC3339), len(e.Alternatives))
}

// Is makes errors.Is(err, ErrSlotTaken) true for a *SlotTakenError.
func (e *SlotTakenError) Is(target error) bool { return target == ErrSlotTaken }

// Status is an appointment status, using FHIR R4 Appointment.status codes.
type Status string

// FHIR R4 appointment statuses.
const (
	StatusProposed       Status = "proposed"
	StatusPending        Status = "pending"
	StatusBooked         Status = "booked"
	StatusArrived        Status = "arrived"
	StatusFulfilled      Status = "fulfilled"
	StatusCancelled      Status = "cancelled"
	StatusNoShow         Status = "noshow"
	StatusEnteredInError Status = "entered-in-error"
	StatusCheckedIn      Status = "checked-in"
	StatusWaitlist       Status = "waitlist"
)

// Occupies reports whether an appointment in this status holds its time, which is the
// condition of the exclusion constraints in the migration.
func (s Status) Occupies() bool {
	switch s {
	case StatusCancelled, StatusNoShow, StatusEnteredInError, StatusWaitlist:
		return false
	}
	return true
}

// PartOfDay is a coarse preference for when an appointment starts, in clinic local time.
type PartOfDay string

// Parts of the day. Morning is before 12:00, afternoon 12:00 to 17:00, evening from 17:00.
const (
	AnyTime   PartOfDay = ""
	Morning   PartOfDay = "morning"
	Afternoon PartOfDay = "afternoon"
	Evening   PartOfDay = "evening"
)

// Contains reports whether a local time of day falls in this part of the day.
func (p PartOfDay) Contains(t TimeOfDay) bool {
	switch p {
	case Morning:
		return t < 12*60
	case Afternoon:
		return t >= 12*60 && t < 17*60
	case Evening:
		return t >= 17*60
	}
	return true
}

// Valid reports whether p is one of the defined parts of the day or AnyTime.
func (p PartOfDay) Valid() bool {
	switch p {
	case AnyTime, Morning, Afternoon, Evening:
		return true
	}
	return false
}

// TimeOfDay is a wall-clock time in the clinic's zone, in minutes after midnight.
type TimeOfDay int

// At returns the time of day hour:minute.
func At(hour, minute int) TimeOfDay { return TimeOfDay(hour*60 + minute) }

// Hour returns the hour, 0 to 23.
func (t TimeOfDay) Hour() int { return int(t) / 60 }

// Minute returns the minute within the hour.
func (t TimeOfDay) Minute() int { return int(t) % 60 }

// String formats t as HH:MM.
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()) }

// TimeOfDayOf returns the wall-clock time of instant in loc.
func TimeOfDayOf(instant time.Time, loc *time.Location) TimeOfDay {
	local := instant.In(loc)
	return At(local.Hour(), local.Minute())
}

// Date is a calendar date in the clinic's zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of instant in loc.
func DateOf(instant time.Time, loc *time.Location) Date {
	y, m, d := instant.In(loc).Date()
	return Date{y, m, d}
}

// At returns the instant of wall-clock time t on this date in loc. A wall time that a
// daylight-saving change skips resolves as time.Date documents.
func (d Date) At(t TimeOfDay, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, t.Hour(), t.Minute(), 0, 0, loc)
}

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	t := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is earlier than other.
func (d Date) Before(other Date) bool {
	if d.Year != other.Year {
		return d.Year < other.Year
	}
	if d.Month != other.Month {
		return d.Month < other.Month
	}
	return d.Day < other.Day
}

// String formats d day first, as 25/12/2026.
func (d Date) String() string { return fmt.Sprintf("%02d/%02d/%d", d.Day, int(d.Month), d.Year) }

// Interval is a half-open span of time [Start, End).
type Interval struct {
	Start time.Time
	End   time.Time
}

// Overlaps reports whether the two half-open intervals share any instant.
func (i Interval) Overlaps(other Interval) bool {
	return i.Start.Before(other.End) && other.Start.Before(i.End)
}

// Duration returns End minus Start.
func (i Interval) Duration() time.Duration { return i.End.Sub(i.Start) }

// Practitioner is a clinician patients can book.
type Practitioner struct {
	ID             int64
	Code           string // short stable key used by imports, such as "nguyen"
	DisplayName    string
	Specialties    []string
	DefaultMinutes int
	SlackUserID    string
	Active         bool
}

// HasSpecialty reports whether the practitioner practises specialty.
func (p Practitioner) HasSpecialty(specialty string) bool {
	for _, s := range p.Specialties {
		if s == specialty {
			return true
		}
	}
	return false
}

// AppointmentType is a kind of appointment with its own length, such as a standard
// consult (15 minutes) or a first psychology session (50 minutes).
type AppointmentType struct {
	Code        string
	DisplayName string
	Minutes     int
	// Specialty limits the type to practitioners of one specialty. Empty means any.
	Specialty string
}

// Duration returns the appointment length.
func (t AppointmentType) Duration() time.Duration { return time.Duration(t.Minutes) * time.Minute }

// Appointment is a booked (or proposed, cancelled, ...) appointment.
type Appointment struct {
	ID              int64
	PatientID       int64
	PractitionerID  int64
	AppointmentType string
	Specialty       string
	Start           time.Time
	End             time.Time
	Status          Status
	Version         int
	CancelledLate   bool
	LateReschedules int
	CancelReason    string
	CancelledBy     string
}

// Interval returns the appointment's span.
func (a Appointment) Interval() Interval { return Interval{a.Start, a.End} }
