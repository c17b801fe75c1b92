package nlu

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// whenNow is Wednesday 9 December 2026, 2:00 pm in Melbourne.
var whenNow = time.Date(2026, 12, 9, 14, 0, 0, 0, melbourne)

func TestParseWhenForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, date, clock, part string
	}{
		{"today", "2026-12-09", "", ""},
		{"tomorrow", "2026-12-10", "", ""},
		{"can I come in tmrw", "2026-12-10", "", ""},
		{"this arvo", "2026-12-09", "", PartAfternoon},
		{"tmrw arvo", "2026-12-10", "", PartAfternoon},
		{"tonight", "2026-12-09", "", PartEvening},
		{"day after tomorrow", "2026-12-11", "", ""},
		{"friday", "2026-12-11", "", ""},
		{"Fri", "2026-12-11", "", ""},
		{"wed", "2026-12-09", "", ""},
		{"thurs", "2026-12-10", "", ""},
		{"tues", "2026-12-15", "", ""},
		{"monday", "2026-12-14", "", ""},
		{"this friday", "2026-12-11", "", ""},
		{"next friday", "2026-12-18", "", ""},
		{"next monday", "2026-12-14", "", ""},
		{"next wednesday", "2026-12-16", "", ""},
		{"on sat", "2026-12-12", "", ""},
		{"sun arvo", "2026-12-13", "", PartAfternoon},
		{"I sat in the sun", "", "", ""},
		{"3/1", "2027-01-03", "", ""},
		{"25/12", "2026-12-25", "", ""},
		{"9/12", "2026-12-09", "", ""},
		{"8/12", "2027-12-08", "", ""},
		{"3/1/2027", "2027-01-03", "", ""},
		{"25/12/26", "2026-12-25", "", ""},
		{"25-12-2026", "2026-12-25", "", ""},
		{"2027-01-10", "2027-01-10", "", ""},
		{"10 January", "2027-01-10", "", ""},
		{"Jan 10", "2027-01-10", "", ""},
		{"10th of Jan", "2027-01-10", "", ""},
		{"December 24th", "2026-12-24", "", ""},
		{"31 dec 2026", "2026-12-31", "", ""},
		{"the 15th", "2026-12-15", "", ""},
		{"on the 5th", "2027-01-05", "", ""},
		{"the 31st", "2026-12-31", "", ""},
		{"in 3 days", "2026-12-12", "", ""},
		{"in two weeks", "2026-12-23", "", ""},
		{"in a week", "2026-12-16", "", ""},
		{"in a fortnight", "2026-12-23", "", ""},
		{"3pm", "", "15:00", ""},
		{"3 pm", "", "15:00", ""},
		{"3:15 pm", "", "15:15", ""},
		{"10.30am", "", "10:30", ""},
		{"15:30", "", "15:30", ""},
		{"9am", "", "09:00", ""},
		{"12pm", "", "12:00", ""},
		{"12am", "", "00:00", ""},
		{"half past 2", "", "14:30", ""},
		{"quarter to 11", "", "10:45", ""},
		{"quarter past nine", "", "09:15", ""},
		{"noon", "", "12:00", ""},
		{"midday friday", "2026-12-11", "12:00", ""},
		{"at 9", "", "09:00", ""},
		{"at 3", "", "15:00", ""},
		{"4 o'clock", "", "16:00", ""},
		{"tomorrow morning at 8", "2026-12-10", "08:00", PartMorning},
		{"friday at 7 in the evening", "2026-12-11", "19:00", PartEvening},
		{"monday 3:15pm", "2026-12-14", "15:15", ""},
		{"25/12 at 10am", "2026-12-25", "10:00", ""},
		{"in the morning", "", "", PartMorning},
		{"any time after lunch", "", "", PartAfternoon},
		{"hello there", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			when, err := ParseWhen(tt.text, whenNow, melbourne)
			require.NoError(t, err)
			assert.Equal(t, tt.date != "", when.HasDate, "HasDate")
			if tt.date != "" {
				assert.Equal(t, tt.date, when.Date.Format("2006-01-02"))
				assert.Equal(t, melbourne, when.Date.Location())
				assert.Zero(t, when.Date.Hour()*60+when.Date.Minute(), "date is not midnight")
			}
			assert.Equal(t, tt.clock, when.Time, "time")
			assert.Equal(t, tt.part, when.PartOfDay, "part of day")
		})
	}
}

func TestParseWhenImpossible(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text    string
		want    error
		message string
	}{
		{"31/02", ErrImpossibleDate, "There's no 31 February."},
		{"30 Feb", ErrImpossibleDate, "There's no 30 February."},
		{"31/04/2027", ErrImpossibleDate, "There's no 31 April 2027."},
		{"2026-13-01", ErrImpossibleDate, "There's no month 13."},
		{"32/1", ErrImpossibleDate, "There's no day 32"},
		{"29/2", ErrImpossibleDate, "There's no 29 February 2027."},
		{"29/02/2027", ErrImpossibleDate, "There's no 29 February 2027."},
		{"the 32nd", ErrImpossibleDate, "There's no day 32"},
		{"25:00", ErrImpossibleTime, "isn't a time"},
		{"13pm", ErrImpossibleTime, "isn't a time"},
		{"3:75", ErrImpossibleTime, "isn't a time"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			when, err := ParseWhen(tt.text, whenNow, melbourne)
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.message)
			assert.Equal(t, When{}, when)
		})
	}
}

func TestParseWhenLeapDay(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 12, 1, 9, 0, 0, 0, melbourne)
	when, err := ParseWhen("29/2", now, melbourne)
	require.NoError(t, err)
	assert.Equal(t, "2028-02-29", when.Date.Format("2006-01-02"))
}

// Victoria moves its clocks at 2:00 am on the first Sunday of October (to 3:00 am) and at
// 3:00 am on the first Sunday of April (back to 2:00 am). In 2026 those are 4 October and
// 5 April.
func TestParseWhenDaylightSavingDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		now  time.Time
		text string
		date string
	}{
		{"eve of spring forward", time.Date(2026, 10, 3, 23, 30, 0, 0, melbourne), "tomorrow", "2026-10-04"},
		{"spring forward before the change", time.Date(2026, 10, 4, 1, 30, 0, 0, melbourne), "today", "2026-10-04"},
		{"spring forward after the change", time.Date(2026, 10, 4, 3, 30, 0, 0, melbourne), "tomorrow", "2026-10-05"},
		{"week across spring forward", time.Date(2026, 9, 30, 12, 0, 0, 0, melbourne), "in 7 days", "2026-10-07"},
		{"next sunday across spring forward", time.Date(2026, 10, 3, 12, 0, 0, 0, melbourne), "next sunday", "2026-10-11"},
		{"eve of fall back", time.Date(2026, 4, 4, 23, 30, 0, 0, melbourne), "tomorrow", "2026-04-05"},
		{"fall back repeated hour", time.Date(2026, 4, 5, 2, 30, 0, 0, melbourne), "today", "2026-04-05"},
		{"fall back late evening", time.Date(2026, 4, 5, 23, 30, 0, 0, melbourne), "tomorrow", "2026-04-06"},
		{"weekday across fall back", time.Date(2026, 4, 4, 12, 0, 0, 0, melbourne), "monday", "2026-04-06"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			when, err := ParseWhen(tt.text, tt.now, melbourne)
			require.NoError(t, err)
			require.True(t, when.HasDate)
			assert.Equal(t, tt.date, when.Date.Format("2006-01-02"))
			assert.Equal(t, 0, when.Date.Hour(), "date is not local midnight")
		})
	}
}

func TestParseWhenServerInUTC(t *testing.T) {
	t.Parallel()
	// 13:30 UTC on 8 December is 00:30 on Wednesday 9 December in Melbourne (UTC+11).
	now := time.Date(2026, 12, 8, 13, 30, 0, 0, time.UTC)
	tests := map[string]string{
		"today":    "2026-12-09",
		"tomorrow": "2026-12-10",
		"wed":      "2026-12-09",
		"tuesday":  "2026-12-15",
		"8/12":     "2027-12-08",
	}
	for text, date := range tests {
		when, err := ParseWhen(text, now, melbourne)
		require.NoError(t, err, text)
		assert.Equal(t, date, when.Date.Format("2006-01-02"), text)
		assert.Equal(t, melbourne, when.Date.Location(), text)
	}
}

func TestParseWhenWeeks(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Australia/Melbourne")
	require.NoError(t, err)
	now := time.Date(2026, 12, 9, 10, 0, 0, 0, loc) // a Wednesday
	tests := []struct {
		text, from, until string
	}{
		{"physio next week", "2026-12-14", "2026-12-20"},
		{"sometime this week", "2026-12-09", "2026-12-13"},
		{"this weekend", "2026-12-12", "2026-12-13"},
		{"next weekend", "2026-12-19", "2026-12-20"},
		{"yesterday", "2026-12-08", ""},
	}
	for _, tc := range tests {
		when, err := ParseWhen(tc.text, now, loc)
		require.NoError(t, err, tc.text)
		require.True(t, when.HasDate, tc.text)
		assert.Equal(t, tc.from, when.Date.Format(time.DateOnly), tc.text)
		until := ""
		if !when.Until.IsZero() {
			until = when.Until.Format(time.DateOnly)
		}
		assert.Equal(t, tc.until, until, tc.text)
	}
}

func TestParseWhenHolidays(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Australia/Melbourne")
	require.NoError(t, err)
	now := time.Date(2026, 12, 5, 8, 0, 0, 0, loc)
	for text, want := range map[string]string{
		"book a GP on christmas day": "2026-12-25",
		"boxing day arvo":            "2026-12-26",
		"new year's day":             "2027-01-01",
		"anzac day":                  "2027-04-25",
	} {
		when, err := ParseWhen(text, now, loc)
		require.NoError(t, err, text)
		require.True(t, when.HasDate, text)
		assert.Equal(t, want, when.Date.Format(time.DateOnly), text)
	}
}
