package booking

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const header = "record,practitioner,name,specialties,minutes,slack_user_id,days,start,end,breaks,from,to,reason\n"

func TestParseImportCSV(t *testing.T) {
	t.Parallel()
	loc := melbourne(t)
	data, err := ParseImportCSV(strings.NewReader(header+
		"practitioner,nguyen,Dr Anh Nguyen,GP; nurse,15,U123,,,,,,,\n"+
		"template,nguyen,,,,,mon-wed;fri,09:00,17:00,12:30-13:15;10:30-10:45,,,\n"+
		"leave,nguyen,,,,,,,,,24/12/2026,2/1/2027,Annual leave\n"+
		"holiday,,,,,,,,,,25/12/2026,,Christmas Day\n"+
		"extra,nguyen,,,,,,,,,12/12/2026 09:00,12/12/2026 12:00,Flu clinic\n"), loc)
	require.NoError(t, err)

	require.Len(t, data.Practitioners, 1)
	p := data.Practitioners[0]
	assert.Equal(t, []string{"gp", "nurse"}, p.Specialties)
	assert.Equal(t, 15, p.DefaultMinutes)
	assert.Equal(t, "U123", p.SlackUserID)

	require.Len(t, data.Templates, 4)
	var days []time.Weekday
	for _, tpl := range data.Templates {
		days = append(days, tpl.Weekday)
		assert.Equal(t, []TimeSpan{{At(12, 30), At(13, 15)}, {At(10, 30), At(10, 45)}}, tpl.Breaks)
	}
	assert.Equal(t, []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Friday}, days)

	require.Len(t, data.Exceptions, 3)
	leave := data.Exceptions[0]
	assert.Equal(t, "24/12/2026 00:00", leave.Start.In(loc).Format("02/01/2006 15:04"))
	assert.Equal(t, "03/01/2027 00:00", leave.End.In(loc).Format("02/01/2006 15:04"), "the end date is inclusive")
	holiday := data.Exceptions[1]
	assert.Equal(t, "", holiday.PractitionerCode)
	assert.Equal(t, 24*time.Hour, holiday.Duration())
	assert.Equal(t, 3*time.Hour, data.Exceptions[2].Duration())
}

func TestParseImportCSVNamesLineAndField(t *testing.T) {
	t.Parallel()
	loc := melbourne(t)
	_, err := ParseImportCSV(strings.NewReader(header+
		"practitioner,Nguyen!,,,fifteen,,,,,,,,\n"+
		"template,nguyen,,,,,mon-fry,9am,17:00,13:00-12:00,,,\n"+
		"leave,nguyen,,,,,,,,,31/13/2026,,\n"+
		"visit,nguyen,,,,,,,,,,,\n"), loc)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalid)

	var first *ImportError
	require.True(t, errors.As(err, &first))
	assert.Equal(t, 2, first.Line)

	want := []string{
		`line 2, field practitioner: invalid code "Nguyen!"`,
		"line 2, field name: missing display name",
		"line 2, field specialties: missing specialty",
		`line 2, field minutes: invalid default length "fifteen"`,
		`line 3, field days: invalid days "mon-fry"`,
		`line 3, field start: invalid time "9am"`,
		`line 3, field breaks: invalid break "13:00-12:00"`,
		"line 4, field reason: missing reason",
		`line 4, field from: invalid date "31/13/2026"`,
		`line 5, field record: unknown record "visit"`,
	}
	for _, w := range want {
		assert.Contains(t, err.Error(), w)
	}
}

func TestParseImportCSVRejectsWrongShape(t *testing.T) {
	t.Parallel()
	loc := melbourne(t)
	_, err := ParseImportCSV(strings.NewReader("name,specialty\nx,gp\n"), loc)
	assert.ErrorContains(t, err, "line 1")

	_, err = ParseImportCSV(strings.NewReader(header+"practitioner,nguyen\n"), loc)
	assert.ErrorContains(t, err, "line 2")
	assert.ErrorContains(t, err, "has 2 fields, want 13")

	_, err = ParseImportCSV(strings.NewReader(""), loc)
	assert.ErrorContains(t, err, "missing header")
}

func TestImportCSVApplies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	err := f.store.ImportCSV(f.ctx, strings.NewReader(header+
		"practitioner,nguyen,Dr Anh Nguyen,gp,20,,,,,,,,\n"+
		"template,nguyen,,,,,mon,13:00,14:00,,,,\n"+
		"template,ghost,,,,,mon,13:00,14:00,,,,\n"))
	require.Error(t, err)
	assert.ErrorContains(t, err, `line 4, field practitioner: unknown practitioner "ghost"`)
	var minutes int
	require.NoError(t, f.pool.QueryRow(f.ctx, `SELECT default_minutes FROM practitioners WHERE id = $1`, f.nguyen.ID).Scan(&minutes))
	assert.Equal(t, 15, minutes, "a failed import writes nothing")

	err = f.store.ImportCSV(f.ctx, strings.NewReader(header+
		"practitioner,nguyen,Dr Anh Nguyen,gp,20,,,,,,,,\n"+
		"template,nguyen,,,,,mon,13:00,14:00,,,,\n"))
	require.NoError(t, err)
	search, err := f.store.FindSlots(f.ctx, SlotRequest{PractitionerID: f.nguyen.ID, Prefs: Preferences{From: monday, To: monday}})
	require.NoError(t, err)
	var got []string
	for _, c := range search.Candidates {
		got = append(got, FormatClock(c.Start, f.loc))
	}
	assert.Equal(t, []string{"1:00 pm", "1:20 pm", "1:40 pm"}, got, "templates replaced, 20-minute grid")
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	count := func() (practitioners, templates, exceptions int) {
		require.NoError(t, f.pool.QueryRow(f.ctx, `SELECT
			(SELECT count(*) FROM practitioners), (SELECT count(*) FROM availability_templates),
			(SELECT count(*) FROM availability_exceptions)`).Scan(&practitioners, &templates, &exceptions))
		return
	}
	for range 2 {
		tx, err := f.pool.Begin(f.ctx)
		require.NoError(t, err)
		require.NoError(t, SeedDemo(f.ctx, tx, f.loc))
		require.NoError(t, tx.Commit(f.ctx))
	}
	practitioners, templates, exceptions := count()
	assert.Equal(t, 8, practitioners, "the fixture's three are demo codes too, so they are updated")
	assert.Equal(t, 26, templates, "each practitioner's templates replaced, not added")
	assert.Equal(t, 5, exceptions)

	specialties, err := f.store.Specialties(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"counsellor", "dietitian", "gp", "nurse", "physiotherapist", "psychologist"}, specialties)

	search, err := f.store.FindSlots(f.ctx, SlotRequest{Specialty: "gp", Prefs: Preferences{From: Date{2026, time.December, 25}, To: Date{2026, time.December, 25}}})
	require.NoError(t, err)
	assert.Empty(t, search.Candidates, "Christmas Day is a holiday")
}

func TestImportDayRangesAndFieldCount(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Australia/Melbourne")
	require.NoError(t, err)
	header := "record,practitioner,name,specialties,minutes,slack_user_id,days,start,end,breaks,from,to,reason\n"
	good := header + "practitioner,lee,Grace Lee,dietitian,30,,,,,,,,\n" +
		"template,lee,,,,,sat-sun,09:00,12:00,,,,\n"
	parsed, err := ParseImportCSV(strings.NewReader(good), loc)
	require.NoError(t, err)
	var weekdays []time.Weekday
	for _, tpl := range parsed.Templates {
		weekdays = append(weekdays, tpl.Weekday)
	}
	assert.ElementsMatch(t, []time.Weekday{time.Saturday, time.Sunday}, weekdays)

	_, err = ParseImportCSV(strings.NewReader("record,practitioner,name\npractitioner,lee,Grace Lee\n"), loc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 1")
	assert.Contains(t, err.Error(), "has 3 fields, want 13")
}
