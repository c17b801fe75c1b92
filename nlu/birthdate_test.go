package nlu

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var birthToday = time.Date(2026, 12, 9, 10, 0, 0, 0, melbourne)

func TestParseBirthDateForms(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"25/12/1980":         "1980-12-25",
		"25-12-80":           "1980-12-25",
		"25 Dec 1980":        "1980-12-25",
		"1980-12-25":         "1980-12-25",
		"25.12.1980":         "1980-12-25",
		"25th December 1980": "1980-12-25",
		"December 25, 1980":  "1980-12-25",
		"3/4/1975":           "1975-04-03",
		"my dob is 3/4/75":   "1975-04-03",
		"01/01/26":           "2026-01-01",
		"09/12/26":           "2026-12-09",
		"10/12/26":           "1926-12-10",
		"29/02/2000":         "2000-02-29",
		"29/02/00":           "2000-02-29",
		" 7 sept 1969 ":      "1969-09-07",
		"15/06/1900":         "1900-06-15",
	}
	for text, want := range tests {
		date, err := ParseBirthDate(text, birthToday)
		require.NoError(t, err, text)
		assert.Equal(t, want, date.Format("2006-01-02"), text)
		assert.Equal(t, melbourne, date.Location(), text)
	}
}

func TestParseBirthDateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text    string
		want    error
		message string
	}{
		{"31/02/1990", ErrImpossibleDate, "There's no 31 February 1990."},
		{"29/02/2001", ErrImpossibleDate, "There's no 29 February 2001."},
		{"12/13/1990", ErrImpossibleDate, "There's no month 13."},
		{"25/12/2030", ErrFutureBirthDate, "in the future"},
		{"10/12/2026", ErrFutureBirthDate, "in the future"},
		{"1/1/1890", ErrImplausibleBirthDate, "more than 130 years old"},
		{"yesterday", ErrUnreadableDate, "like 25/12/1980"},
		{"", ErrUnreadableDate, "like 25/12/1980"},
	}
	for _, tt := range tests {
		_, err := ParseBirthDate(tt.text, birthToday)
		require.ErrorIs(t, err, tt.want, tt.text)
		assert.Contains(t, err.Error(), tt.message, tt.text)
	}
}
