package nlu

import (
	"errors"
	"fmt"
	"time"
)

// Sentinels for input a patient typed that cannot be a real date or time. They are wrapped
// in an *InputError that carries a sentence for the patient.
var (
	ErrImpossibleDate       = errors.New("impossible date")
	ErrImpossibleTime       = errors.New("impossible time")
	ErrUnreadableDate       = errors.New("unreadable date")
	ErrFutureBirthDate      = errors.New("birth date in the future")
	ErrImplausibleBirthDate = errors.New("implausible birth date")
)

// InputError is a problem with what a patient typed. Error returns Message, a sentence fit
// to send to the patient; errors.Is matches Err.
type InputError struct {
	Err     error
	Message string
}

func (e *InputError) Error() string { return e.Message }

func (e *InputError) Unwrap() error { return e.Err }

// impossibleDate explains why day/month/year is not a date. A year of 0 means none was given.
func impossibleDate(day, month, year int) error {
	var message string
	switch {
	case month < 1 || month > 12:
		message = fmt.Sprintf("There's no month %d. Please write the date day first, like 25/12/2026.", month)
	case day < 1 || day > 31:
		message = fmt.Sprintf("There's no day %d in a month. Please write the date day first, like 25/12/2026.", day)
	case year == 0:
		message = fmt.Sprintf("There's no %d %s. Could you check the date?", day, time.Month(month))
	default:
		message = fmt.Sprintf("There's no %d %s %d. Could you check the date?", day, time.Month(month), year)
	}
	return &InputError{Err: ErrImpossibleDate, Message: message}
}

func impossibleTime(text string) error {
	return &InputError{
		Err:     ErrImpossibleTime,
		Message: fmt.Sprintf("%q isn't a time I can read. Could you write it like 3:15 pm or 15:15?", text),
	}
}

// validDate returns the date at midnight in loc, or false when the day does not exist in
// that month (time.Date would silently roll 31 February over to March).
func validDate(year, month, day int, loc *time.Location) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	date := time.Date(year, time.Month(month), day, 0, 0, 0, 0, loc)
	if date.Day() != day || int(date.Month()) != month {
		return time.Time{}, false
	}
	return date, true
}
