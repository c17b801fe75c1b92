package nlu

import (
	"regexp"
	"strings"
	"time"
)

// maxAgeYears is the oldest age accepted for a date of birth.
const maxAgeYears = 130

var (
	birthISORegexp      = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	birthNumericRegexp  = regexp.MustCompile(`\b(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4}|\d{2})\b`)
	birthDayMonthRegexp = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?(?: of)?[ -]` + monthPattern + `[a-z]*\.?,?[ -](\d{4}|\d{2})\b`)
	birthMonthDayRegexp = regexp.MustCompile(`\b` + monthPattern + `[a-z]*\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4}|\d{2})\b`)
	errUnreadableBirth  = &InputError{Err: ErrUnreadableDate, Message: "I couldn't read that as a date of birth. Please write it day first, like 25/12/1980."}
	errFutureBirth      = &InputError{Err: ErrFutureBirthDate, Message: "That date of birth is in the future. Please check it and send it again, day first, like 25/12/1980."}
	errImplausibleBirth = &InputError{Err: ErrImplausibleBirthDate, Message: "That date would make you more than 130 years old. Please check the year and send it again."}
)

// ParseBirthDate reads a date of birth written day first (25/12/1980, 25-12-80,
// 25.12.1980, 25 Dec 1980) or as an ISO date (1980-12-25). A two-digit year is the most
// recent year that puts the date on or before today. The result is midnight in today's
// location. Errors are *InputError values wrapping ErrUnreadableDate, ErrImpossibleDate,
// ErrFutureBirthDate or ErrImplausibleBirthDate, with a sentence for the patient.
func ParseBirthDate(text string, today time.Time) (time.Time, error) {
	lowered := strings.ToLower(strings.TrimSpace(text))
	day, month, year, twoDigitYear, ok := findBirthDateParts(lowered)
	if !ok {
		return time.Time{}, errUnreadableBirth
	}

	loc := today.Location()
	todayDate := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	if twoDigitYear {
		year = todayDate.Year()/100*100 + year
		if candidate, valid := validDate(year, month, day, loc); !valid || candidate.After(todayDate) {
			year -= 100
		}
	}

	date, valid := validDate(year, month, day, loc)
	if !valid {
		err := impossibleDate(day, month, year).(*InputError)
		// A birth date example reads better with a birth year in it.
		err.Message = strings.ReplaceAll(err.Message, "25/12/2026", "25/12/1980")
		return time.Time{}, err
	}
	if date.After(todayDate) {
		return time.Time{}, errFutureBirth
	}
	if date.Before(todayDate.AddDate(-maxAgeYears, 0, 0)) {
		return time.Time{}, errImplausibleBirth
	}
	return date, nil
}

// findBirthDateParts returns the day, month and year written in text. twoDigitYear reports
// that year holds only the last two digits.
func findBirthDateParts(text string) (day, month, year int, twoDigitYear, ok bool) {
	if m := birthISORegexp.FindStringSubmatch(text); m != nil {
		return atoi(m[3]), atoi(m[2]), atoi(m[1]), false, true
	}
	if m := birthNumericRegexp.FindStringSubmatch(text); m != nil {
		return atoi(m[1]), atoi(m[2]), atoi(m[3]), len(m[3]) == 2, true
	}
	if m := birthDayMonthRegexp.FindStringSubmatch(text); m != nil {
		return atoi(m[1]), monthNumber(m[2]), atoi(m[3]), len(m[3]) == 2, true
	}
	if m := birthMonthDayRegexp.FindStringSubmatch(text); m != nil {
		return atoi(m[2]), monthNumber(m[1]), atoi(m[3]), len(m[3]) == 2, true
	}
	return 0, 0, 0, false, false
}
