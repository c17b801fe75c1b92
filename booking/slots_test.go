package booking

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain runs every test with the process zone set to UTC, as on a typical server, so
// any use of time.Local instead of the clinic zone shows up as a wrong wall time.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}

func melbourne(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Australia/Melbourne")
	require.NoError(t, err)
	return loc
}

// localTimes formats slot starts as "Mon 02/01 15:04" in loc, for readable comparisons.
func localTimes(slots []Interval, loc *time.Location) []string {
	out := make([]string, len(slots))
	for i, s := range slots {
		out[i] = s.Start.In(loc).Format("Mon 02/01 15:04")
	}
	return out
}

func TestGenerateSlots(t *testing.T) {
	t.Parallel()
	loc := melbourne(t)
	monday := Date{2026, time.December, 7}
	at := func(d Date, h, m int) time.Time { return d.At(At(h, m), loc) }
	mondayMorning := Template{PractitionerID: 1, Weekday: time.Monday, Start: At(9, 0), End: At(12, 0)}
	query := SlotQuery{Location: loc, From: monday, To: monday, Now: at(monday, 0, 0).AddDate(0, 0, -7), Length: 15 * time.Minute}

	tests := []struct {
		name  string
		av    Availability
		query func(SlotQuery) SlotQuery
		want  []string
	}{
		{
			name: "no other bookings that day",
			av:   Availability{PractitionerID: 1, Templates: []Template{mondayMorning}},
			want: []string{"Mon 07/12 09:00", "Mon 07/12 09:15", "Mon 07/12 09:30", "Mon 07/12 09:45",
				"Mon 07/12 10:00", "Mon 07/12 10:15", "Mon 07/12 10:30", "Mon 07/12 10:45",
				"Mon 07/12 11:00", "Mon 07/12 11:15", "Mon 07/12 11:30", "Mon 07/12 11:45"},
		},
		{
			name: "unsorted overlapping breaks",
			av: Availability{PractitionerID: 1, Templates: []Template{{
				PractitionerID: 1, Weekday: time.Monday, Start: At(9, 0), End: At(12, 0),
				Breaks: []TimeSpan{{At(10, 30), At(11, 0)}, {At(9, 30), At(10, 0)}, {At(9, 45), At(10, 15)}, {At(11, 50), At(13, 0)}},
			}}},
			want: []string{"Mon 07/12 09:00", "Mon 07/12 09:15", "Mon 07/12 10:15",
				"Mon 07/12 11:00", "Mon 07/12 11:15", "Mon 07/12 11:30"},
		},
		{
			name: "long appointment blocks its whole span",
			av: Availability{PractitionerID: 1, Templates: []Template{mondayMorning},
				Busy: []Interval{{at(monday, 9, 0), at(monday, 9, 50)}, {at(monday, 10, 30), at(monday, 11, 45)}}},
			want: []string{"Mon 07/12 10:00", "Mon 07/12 10:15", "Mon 07/12 11:45"},
		},
		{
			name:  "minimum notice",
			av:    Availability{PractitionerID: 1, Templates: []Template{mondayMorning}},
			query: func(q SlotQuery) SlotQuery { q.Now = at(monday, 9, 20); q.MinNotice = 2 * time.Hour; return q },
			want:  []string{"Mon 07/12 11:30", "Mon 07/12 11:45"},
		},
		{
			name: "50 minute appointments around a break",
			av: Availability{PractitionerID: 1, Templates: []Template{{
				PractitionerID: 1, Weekday: time.Monday, Start: At(9, 0), End: At(12, 0), Breaks: []TimeSpan{{At(10, 0), At(10, 15)}},
			}}},
			query: func(q SlotQuery) SlotQuery { q.Length = 50 * time.Minute; q.Step = 15 * time.Minute; return q },
			want:  []string{"Mon 07/12 09:00", "Mon 07/12 10:15", "Mon 07/12 10:30", "Mon 07/12 10:45", "Mon 07/12 11:00"},
		},
		{
			name: "clinic holiday blocks every practitioner",
			av: Availability{PractitionerID: 1, Templates: []Template{mondayMorning},
				Exceptions: []Exception{{PractitionerID: 0, Kind: ExceptionHoliday, Interval: Interval{at(monday, 0, 0), at(monday.AddDays(1), 0, 0)}}}},
			want: []string{},
		},
		{
			name: "another practitioner's leave is ignored",
			av: Availability{PractitionerID: 1, Templates: []Template{mondayMorning},
				Exceptions: []Exception{{PractitionerID: 2, Kind: ExceptionLeave, Interval: Interval{at(monday, 0, 0), at(monday.AddDays(1), 0, 0)}}}},
			want: []string{"Mon 07/12 09:00", "Mon 07/12 09:15", "Mon 07/12 09:30", "Mon 07/12 09:45",
				"Mon 07/12 10:00", "Mon 07/12 10:15", "Mon 07/12 10:30", "Mon 07/12 10:45",
				"Mon 07/12 11:00", "Mon 07/12 11:15", "Mon 07/12 11:30", "Mon 07/12 11:45"},
		},
		{
			name: "leave across days",
			av: Availability{PractitionerID: 1,
				Templates: []Template{
					{PractitionerID: 1, Weekday: time.Tuesday, Start: At(9, 0), End: At(17, 0)},
					{PractitionerID: 1, Weekday: time.Wednesday, Start: At(9, 0), End: At(17, 0)},
					{PractitionerID: 1, Weekday: time.Thursday, Start: At(9, 0), End: At(17, 0)},
				},
				Exceptions: []Exception{{PractitionerID: 1, Kind: ExceptionLeave,
					Interval: Interval{at(monday.AddDays(1), 9, 30), at(monday.AddDays(3), 16, 30)}}}},
			query: func(q SlotQuery) SlotQuery { q.To = monday.AddDays(4); q.Length = 30 * time.Minute; return q },
			want:  []string{"Tue 08/12 09:00", "Thu 10/12 16:30"},
		},
		{
			name: "extra session on a Saturday",
			av: Availability{PractitionerID: 1, Templates: []Template{mondayMorning},
				Exceptions: []Exception{{PractitionerID: 1, Kind: ExceptionExtra, Interval: Interval{at(monday.AddDays(5), 10, 0), at(monday.AddDays(5), 11, 0)}}}},
			query: func(q SlotQuery) SlotQuery {
				q.From = monday.AddDays(1)
				q.To = monday.AddDays(6)
				q.Length = 30 * time.Minute
				return q
			},
			want: []string{"Sat 12/12 10:00", "Sat 12/12 10:30"},
		},
		{
			name: "slots only inside the searched dates",
			av:   Availability{PractitionerID: 1, Templates: []Template{mondayMorning}},
			query: func(q SlotQuery) SlotQuery {
				q.From, q.To = monday.AddDays(1), monday.AddDays(6)
				return q
			},
			want: []string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := query
			if tc.query != nil {
				q = tc.query(q)
			}
			got := localTimes(GenerateSlots(tc.av, q), loc)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestGenerateSlotsDaylightSaving(t *testing.T) {
	t.Parallel()
	loc := melbourne(t)
	q := func(d Date) SlotQuery {
		return SlotQuery{Location: loc, From: d, To: d, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Length: 15 * time.Minute}
	}
	sundayNine := Availability{PractitionerID: 1, Templates: []Template{{PractitionerID: 1, Weekday: time.Sunday, Start: At(9, 0), End: At(10, 0)}}}
	nineToTen := []string{"Sun 05/04 09:00", "Sun 05/04 09:15", "Sun 05/04 09:30", "Sun 05/04 09:45"}

	t.Run("April change day keeps 09:00", func(t *testing.T) {
		t.Parallel()
		slots := GenerateSlots(sundayNine, q(Date{2026, time.April, 5}))
		require.Len(t, slots, 4)
		assert.Equal(t, nineToTen, localTimes(slots, loc))
		assert.Equal(t, time.Date(2026, 4, 4, 23, 0, 0, 0, time.UTC), slots[0].Start.UTC(), "09:00 AEST is 23:00 UTC")
	})
	t.Run("October change day keeps 09:00", func(t *testing.T) {
		t.Parallel()
		slots := GenerateSlots(sundayNine, q(Date{2026, time.October, 4}))
		require.Len(t, slots, 4)
		assert.Equal(t, "Sun 04/10 09:00", localTimes(slots, loc)[0])
		assert.Equal(t, time.Date(2026, 10, 3, 22, 0, 0, 0, time.UTC), slots[0].Start.UTC(), "09:00 AEDT is 22:00 UTC")
	})
	t.Run("session across the skipped hour", func(t *testing.T) {
		t.Parallel()
		night := Availability{PractitionerID: 1, Templates: []Template{{PractitionerID: 1, Weekday: time.Sunday, Start: At(1, 0), End: At(4, 0)}}}
		slots := GenerateSlots(night, q(Date{2026, time.October, 4}))
		// 01:00 AEST to 04:00 AEDT is two real hours because 02:00 to 03:00 does not exist.
		require.Len(t, slots, 8)
		assert.Equal(t, "Sun 04/10 01:45", localTimes(slots, loc)[3])
		assert.Equal(t, "Sun 04/10 03:00", localTimes(slots, loc)[4])
	})
	t.Run("session across the repeated hour", func(t *testing.T) {
		t.Parallel()
		night := Availability{PractitionerID: 1, Templates: []Template{{PractitionerID: 1, Weekday: time.Sunday, Start: At(1, 0), End: At(4, 0)}}}
		slots := GenerateSlots(night, q(Date{2026, time.April, 5}))
		// 01:00 AEDT to 04:00 AEST is four real hours because 02:00 to 03:00 happens twice.
		require.Len(t, slots, 16)
		for i := 1; i < len(slots); i++ {
			assert.Equal(t, 15*time.Minute, slots[i].Start.Sub(slots[i-1].Start), "slot %d", i)
		}
	})
	t.Run("weeks around both changes keep local times", func(t *testing.T) {
		t.Parallel()
		weekdays := Availability{PractitionerID: 1}
		for d := time.Sunday; d <= time.Saturday; d++ {
			weekdays.Templates = append(weekdays.Templates, Template{PractitionerID: 1, Weekday: d, Start: At(9, 0), End: At(9, 30), Breaks: []TimeSpan{{At(9, 15), At(9, 30)}}})
		}
		for _, from := range []Date{{2026, time.March, 22}, {2026, time.September, 20}} {
			query := q(from)
			query.To = from.AddDays(27)
			slots := GenerateSlots(weekdays, query)
			require.Len(t, slots, 28, "one 09:00 slot a day from %s", from)
			for i, s := range slots {
				assert.Equal(t, At(9, 0), TimeOfDayOf(s.Start, loc), "day %d from %s", i, from)
				assert.Equal(t, from.AddDays(i), DateOf(s.Start, loc))
			}
		}
	})
}

func TestMergeAndSubtractIntervals(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) }

	merged := mergeIntervals([]Interval{{h(5), h(6)}, {h(1), h(3)}, {h(2), h(4)}, {h(4), h(5)}, {h(8), h(8)}})
	assert.Equal(t, []Interval{{h(1), h(6)}}, merged)

	rest := subtractIntervals([]Interval{{h(0), h(10)}}, []Interval{{h(1), h(2)}, {h(3), h(4)}, {h(9), h(12)}})
	assert.Equal(t, []Interval{{h(0), h(1)}, {h(2), h(3)}, {h(4), h(9)}}, rest)

	assert.Empty(t, subtractIntervals([]Interval{{h(2), h(3)}}, []Interval{{h(0), h(5)}}))
}
