package booking

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRankCandidates(t *testing.T) {
	t.Parallel()
	loc := melbourne(t)
	tue := Date{2026, time.December, 8}
	wed := tue.AddDays(1)
	slot := func(practitioner int64, d Date, h, m int) Candidate {
		start := d.At(At(h, m), loc)
		return Candidate{PractitionerID: practitioner, Interval: Interval{start, start.Add(15 * time.Minute)}}
	}
	// label names a candidate as "p<id> <Mon> HH:MM" so a failing case reads as a list.
	label := func(cs []Candidate) string {
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = fmt.Sprintf("p%d %s", c.PractitionerID, c.Start.In(loc).Format("Mon 15:04"))
		}
		return strings.Join(parts, ", ")
	}
	all := []Candidate{
		slot(2, wed, 15, 0),
		slot(1, tue, 9, 0),
		slot(3, tue, 9, 0),
		slot(2, tue, 14, 45),
		slot(1, wed, 15, 30),
		slot(3, tue, 18, 0),
	}

	tests := []struct {
		name string
		in   RankInput
		want string
	}{
		{
			name: "earliest first then lighter load",
			in:   RankInput{Load: map[int64]map[Date]int{1: {tue: 5}, 3: {tue: 2}}},
			want: "p3 Tue 09:00, p1 Tue 09:00, p2 Tue 14:45, p3 Tue 18:00, p2 Wed 15:00, p1 Wed 15:30",
		},
		{
			name: "equal load falls back to practitioner id",
			in:   RankInput{},
			want: "p1 Tue 09:00, p3 Tue 09:00, p2 Tue 14:45, p3 Tue 18:00, p2 Wed 15:00, p1 Wed 15:30",
		},
		{
			name: "usual practitioner first even when later",
			in:   RankInput{UsualPractitionerID: 2},
			want: "p2 Tue 14:45, p2 Wed 15:00, p1 Tue 09:00, p3 Tue 09:00, p3 Tue 18:00, p1 Wed 15:30",
		},
		{
			name: "afternoon only",
			in:   RankInput{Prefs: Preferences{PartOfDay: Afternoon}},
			want: "p2 Tue 14:45, p2 Wed 15:00, p1 Wed 15:30",
		},
		{
			name: "evening only",
			in:   RankInput{Prefs: Preferences{PartOfDay: Evening}},
			want: "p3 Tue 18:00",
		},
		{
			name: "preferred time nearest first",
			in:   RankInput{Prefs: Preferences{Time: At(15, 0), HasTime: true}},
			want: "p2 Wed 15:00, p2 Tue 14:45, p1 Wed 15:30, p3 Tue 18:00, p1 Tue 09:00, p3 Tue 09:00",
		},
		{
			name: "date range",
			in:   RankInput{Prefs: Preferences{From: wed, To: wed}},
			want: "p2 Wed 15:00, p1 Wed 15:30",
		},
		{
			name: "usual practitioner outside preferences is dropped",
			in:   RankInput{UsualPractitionerID: 3, Prefs: Preferences{From: wed}},
			want: "p2 Wed 15:00, p1 Wed 15:30",
		},
		{
			name: "usual practitioner with preferred time",
			in:   RankInput{UsualPractitionerID: 1, Prefs: Preferences{Time: At(15, 0), HasTime: true, PartOfDay: Afternoon}},
			want: "p1 Wed 15:30, p2 Wed 15:00, p2 Tue 14:45",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := tc.in
			in.Location = loc
			assert.Equal(t, tc.want, label(RankCandidates(all, in)))
		})
	}

	t.Run("input is not reordered", func(t *testing.T) {
		t.Parallel()
		before := label(all)
		RankCandidates(all, RankInput{Location: loc, UsualPractitionerID: 3})
		require.Equal(t, before, label(all))
	})
}

func TestOfferHold(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		until     time.Duration
		want      time.Duration
		wantOffer bool
	}{
		{"a day ahead gets the default", 24 * time.Hour, 30 * time.Minute, true},
		{"two hours ahead gets the default", 2 * time.Hour, 30 * time.Minute, true},
		{"one hour ahead gets a quarter", time.Hour, 15 * time.Minute, true},
		{"twenty minutes ahead gets the minimum", 20 * time.Minute, 5 * time.Minute, true},
		{"too soon for the minimum hold", 19 * time.Minute, 0, false},
		{"inside the minimum notice", 25 * time.Minute, 0, false},
		{"in the past", -time.Hour, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			notice := 15 * time.Minute
			if tc.name == "inside the minimum notice" {
				notice = 30 * time.Minute
			}
			got, ok := OfferHold(now, now.Add(tc.until), 30*time.Minute, notice)
			assert.Equal(t, tc.wantOffer, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestFormatWhenInClinicZone(t *testing.T) {
	t.Parallel()
	loc := melbourne(t)
	start := time.Date(2026, 12, 8, 4, 0, 0, 0, time.UTC) // 15:00 AEDT
	assert.Equal(t, "Tuesday 8 December, 3:00 pm", FormatWhen(start, loc))

	p := Practitioner{DisplayName: "Dr Anh Nguyen"}
	assert.Equal(t, "Tuesday 8 December, 3:00 pm with Dr Anh Nguyen (gp), 15 minutes",
		Describe(start, start.Add(15*time.Minute), p, "gp", loc))

	aprilNine := Date{2026, time.April, 5}.At(At(9, 0), loc)
	octoberNine := Date{2026, time.October, 4}.At(At(9, 0), loc)
	assert.Equal(t, "Sunday 5 April, 9:00 am", FormatWhen(aprilNine, loc))
	assert.Equal(t, "Sunday 4 October, 9:00 am", FormatWhen(octoberNine, loc))
}

func TestICS(t *testing.T) {
	t.Parallel()
	loc := melbourne(t)
	start := Date{2026, time.October, 4}.At(At(9, 0), loc)
	ev := CalendarEvent{
		AppointmentID: 42,
		Version:       3,
		Start:         start,
		End:           start.Add(15 * time.Minute),
		Summary:       "Appointment with Dr Anh Nguyen (gp)",
		Location:      "Pakenham Community Hospital, 1 Example St, Pakenham VIC",
		Description:   "Please arrive 5 minutes early; bring your Medicare card.\nTo cancel, message the clinic bot — thank you.",
		Stamp:         time.Date(2026, 9, 30, 1, 2, 3, 0, time.UTC),
	}
	out := string(ICS(ev))

	require.True(t, strings.HasSuffix(out, "END:VCALENDAR\r\n"))
	assert.NotContains(t, strings.ReplaceAll(out, "\r\n", ""), "\n", "every line ends in CRLF")
	for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		assert.LessOrEqual(t, len(line), 75, "line %q", line)
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	assert.Contains(t, unfolded, "DTSTART:20261003T220000Z\r\n", "09:00 AEDT on the change day")
	assert.Contains(t, unfolded, "DTEND:20261003T221500Z\r\n")
	assert.Contains(t, unfolded, "UID:appointment-42@pms.pakenham-health.org.au\r\n")
	assert.Contains(t, unfolded, "SEQUENCE:2\r\n")
	assert.Contains(t, unfolded, "LOCATION:Pakenham Community Hospital\\, 1 Example St\\, Pakenham VIC\r\n")
	assert.Contains(t, unfolded, "DESCRIPTION:Please arrive 5 minutes early\\; bring your Medicare card.\\nTo cancel\\, message the clinic bot — thank you.\r\n")
	assert.Contains(t, unfolded, "STATUS:CONFIRMED\r\n")

	ev.Cancelled = true
	cancelled := string(ICS(ev))
	assert.Contains(t, cancelled, "METHOD:CANCEL\r\n")
	assert.Contains(t, cancelled, "STATUS:CANCELLED\r\n")
}

func TestFoldLineKeepsUTF8Whole(t *testing.T) {
	t.Parallel()
	line := "SUMMARY:" + strings.Repeat("é", 80)
	folded := foldLine(line)
	for _, part := range strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n") {
		assert.LessOrEqual(t, len(part), 75)
		assert.True(t, strings.ToValidUTF8(part, "?") == part, "part %q splits a character", part)
	}
	assert.Equal(t, line, strings.ReplaceAll(strings.TrimSuffix(folded, "\r\n"), "\r\n ", ""))
}
