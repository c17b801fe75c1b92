package booking

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBookAndListUpcoming(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	patient := f.newPatient()
	tuesday := monday.AddDays(1)

	appt := f.book(patient, f.nguyen, f.at(tuesday, 9, 15))
	assert.Equal(t, StatusBooked, appt.Status)
	assert.Equal(t, 1, appt.Version)
	assert.Equal(t, "gp", appt.Specialty)
	assert.Equal(t, 15*time.Minute, appt.End.Sub(appt.Start))

	upcoming, err := f.store.Upcoming(f.ctx, patient)
	require.NoError(t, err)
	require.Len(t, upcoming, 1)
	assert.Equal(t, appt.ID, upcoming[0].ID)
	assert.Equal(t, "Tuesday 8 December, 9:15 am", FormatWhen(upcoming[0].Start, f.loc))

	other, err := f.store.Upcoming(f.ctx, f.newPatient())
	require.NoError(t, err)
	assert.Empty(t, other)
}

func TestBookRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	patient := f.newPatient()
	tuesday := monday.AddDays(1)
	f.book(patient, f.nguyen, f.at(tuesday, 9, 0))

	tests := []struct {
		name    string
		patient int64
		start   time.Time
		want    error
	}{
		{"time in the past", patient, f.at(monday, 7, 0), ErrTooSoon},
		{"inside minimum notice", patient, f.at(monday, 8, 45), ErrTooSoon},
		{"outside the session", patient, f.at(tuesday, 13, 0), ErrUnavailable},
		{"inside a break", patient, f.at(tuesday, 10, 30), ErrUnavailable},
		{"off the slot grid", patient, f.at(tuesday, 9, 7), ErrUnavailable},
		{"patient already booked then", patient, f.at(tuesday, 9, 0), ErrPatientBusy},
		{"slot taken by another patient", f.newPatient(), f.at(tuesday, 9, 0), ErrSlotTaken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			practitioner := f.nguyen
			if tc.want == ErrPatientBusy {
				practitioner = f.sharma
			}
			_, err := f.store.Book(f.ctx, BookRequest{PatientID: tc.patient, PractitionerID: practitioner.ID, Start: tc.start})
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestSlotTakenOffersAlternatives(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tuesday := monday.AddDays(1)
	taken := f.at(tuesday, 9, 30)
	f.book(f.newPatient(), f.nguyen, taken)

	_, err := f.store.Book(f.ctx, BookRequest{PatientID: f.newPatient(), PractitionerID: f.nguyen.ID, Start: taken})
	var takenErr *SlotTakenError
	require.ErrorAs(t, err, &takenErr)
	require.Len(t, takenErr.Alternatives, 3)
	for _, alt := range takenErr.Alternatives {
		assert.False(t, alt.PractitionerID == f.nguyen.ID && alt.Start.Equal(taken), "the taken slot is not an alternative")
		assert.Equal(t, tuesday, DateOf(alt.Start, f.loc))
	}
	// The nearest time to 09:30 is Dr Sharma at 09:30 itself.
	assert.Equal(t, f.sharma.ID, takenErr.Alternatives[0].PractitionerID)
	assert.True(t, takenErr.Alternatives[0].Start.Equal(taken))
}

func TestFindSlotsPrefersUsualPractitioner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	patient := f.newPatient()
	_, err := f.pool.Exec(f.ctx, `INSERT INTO appointments (patient_id, practitioner_id, appointment_type, specialty, during, status)
		VALUES ($1, $2, 'standard', 'gp', $3::tstzrange, 'fulfilled')`,
		patient, f.sharma.ID, tstzrange(Interval{f.at(monday, 9, 0).AddDate(0, -1, 0), f.at(monday, 9, 15).AddDate(0, -1, 0)}))
	require.NoError(t, err)

	search, err := f.store.FindSlots(f.ctx, SlotRequest{PatientID: patient, Specialty: "gp", Limit: 3})
	require.NoError(t, err)
	require.Len(t, search.Candidates, 3)
	for _, c := range search.Candidates {
		assert.Equal(t, f.sharma.ID, c.PractitionerID)
	}
	assert.Equal(t, "Monday 7 December, 9:00 am", FormatWhen(search.Candidates[0].Start, f.loc))
	assert.Equal(t, "Dr Priya Sharma", search.Practitioners[f.sharma.ID].DisplayName)

	newcomer, err := f.store.FindSlots(f.ctx, SlotRequest{PatientID: f.newPatient(), Specialty: "gp", Limit: 2,
		Prefs: Preferences{From: monday.AddDays(2), PartOfDay: Morning, Time: At(11, 0), HasTime: true}})
	require.NoError(t, err)
	require.Len(t, newcomer.Candidates, 2)
	assert.Equal(t, "Wednesday 9 December, 11:00 am", FormatWhen(newcomer.Candidates[0].Start, f.loc))
	assert.Equal(t, f.nguyen.ID, newcomer.Candidates[0].PractitionerID, "equal load, so the lower id first")
}

func TestFindSlotsLongAppointmentType(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	search, err := f.store.FindSlots(f.ctx, SlotRequest{AppointmentType: "psychology-first", Limit: 5})
	require.NoError(t, err)
	require.NotEmpty(t, search.Candidates)
	assert.Equal(t, 50, search.Type.Minutes)
	var got []string
	for _, c := range search.Candidates {
		assert.Equal(t, f.chen.ID, c.PractitionerID)
		assert.Equal(t, 50*time.Minute, c.Duration())
		got = append(got, FormatClock(c.Start, f.loc))
	}
	// Sessions of 50 minutes from 09:00, skipping 12:20 to 13:10 for lunch.
	assert.Equal(t, []string{"9:00 am", "9:50 am", "10:40 am", "11:30 am", "1:10 pm"}, got)
}

func TestReschedule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	patient := f.newPatient()
	wednesday := monday.AddDays(2)
	appt := f.book(patient, f.nguyen, f.at(wednesday, 9, 0))

	t.Run("stale version is rejected", func(t *testing.T) {
		_, err := f.store.Reschedule(f.ctx, RescheduleRequest{PatientID: patient, AppointmentID: appt.ID, Version: 7, NewStart: f.at(wednesday, 11, 0)})
		assert.ErrorIs(t, err, ErrConflict)
	})
	t.Run("another patient's appointment is not found", func(t *testing.T) {
		_, err := f.store.Reschedule(f.ctx, RescheduleRequest{PatientID: f.newPatient(), AppointmentID: appt.ID, NewStart: f.at(wednesday, 11, 0)})
		assert.ErrorIs(t, err, ErrNotFound)
	})
	t.Run("taken time leaves the appointment in place", func(t *testing.T) {
		f.book(f.newPatient(), f.nguyen, f.at(wednesday, 11, 0))
		_, err := f.store.Reschedule(f.ctx, RescheduleRequest{PatientID: patient, AppointmentID: appt.ID, Version: 1, NewStart: f.at(wednesday, 11, 0)})
		require.ErrorIs(t, err, ErrSlotTaken)
		still, err := f.store.Appointment(f.ctx, patient, appt.ID)
		require.NoError(t, err)
		assert.True(t, still.Start.Equal(appt.Start))
		assert.Equal(t, 1, still.Version)
	})
	t.Run("moves and frees the old time", func(t *testing.T) {
		res, err := f.store.Reschedule(f.ctx, RescheduleRequest{PatientID: patient, AppointmentID: appt.ID, Version: 1,
			NewStart: f.at(wednesday, 10, 0), PractitionerID: f.sharma.ID})
		require.NoError(t, err)
		assert.Equal(t, 2, res.Appointment.Version)
		assert.Equal(t, f.sharma.ID, res.Appointment.PractitionerID)
		assert.False(t, res.Late)
		assert.Nil(t, res.OfferMade)
		f.book(f.newPatient(), f.nguyen, f.at(wednesday, 9, 0))
	})
	t.Run("inside the late window counts as late", func(t *testing.T) {
		soon := f.book(patient, f.nguyen, f.at(monday, 11, 0))
		res, err := f.store.Reschedule(f.ctx, RescheduleRequest{PatientID: patient, AppointmentID: soon.ID, NewStart: f.at(monday, 11, 30)})
		require.NoError(t, err)
		assert.True(t, res.Late)
		assert.Equal(t, 1, res.Appointment.LateReschedules)
	})
}

func TestCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	patient := f.newPatient()
	early := f.book(patient, f.nguyen, f.at(monday.AddDays(3), 9, 0))
	late := f.book(patient, f.nguyen, f.at(monday, 11, 0))

	_, err := f.store.Cancel(f.ctx, CancelRequest{PatientID: f.newPatient(), AppointmentID: early.ID})
	require.ErrorIs(t, err, ErrNotFound, "another patient cannot cancel it")

	res, err := f.store.Cancel(f.ctx, CancelRequest{PatientID: patient, AppointmentID: early.ID, Version: 1, Reason: "feeling better"})
	require.NoError(t, err)
	assert.Equal(t, StatusCancelled, res.Appointment.Status)
	assert.Equal(t, 2, res.Appointment.Version)
	assert.False(t, res.Late)
	assert.Nil(t, res.OfferMade, "nobody is waiting")

	res, err = f.store.Cancel(f.ctx, CancelRequest{PatientID: patient, AppointmentID: late.ID})
	require.NoError(t, err)
	assert.True(t, res.Late)
	assert.True(t, res.Appointment.CancelledLate)

	_, err = f.store.Cancel(f.ctx, CancelRequest{PatientID: patient, AppointmentID: late.ID})
	assert.ErrorIs(t, err, ErrConflict, "cancelling twice")

	f.clock.Set(f.at(monday.AddDays(3), 9, 5))
	started := f.book(patient, f.sharma, f.at(monday.AddDays(3), 10, 30))
	f.clock.Set(f.at(monday.AddDays(3), 10, 31))
	_, err = f.store.Cancel(f.ctx, CancelRequest{PatientID: patient, AppointmentID: started.ID})
	assert.ErrorIs(t, err, ErrTooSoon, "an appointment that has started")
}

func TestCancelPractitionerDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	thursday := monday.AddDays(3)
	a1 := f.book(f.newPatient(), f.nguyen, f.at(thursday, 9, 0))
	a2 := f.book(f.newPatient(), f.nguyen, f.at(thursday, 11, 0))
	other := f.book(f.newPatient(), f.sharma, f.at(thursday, 9, 0))
	waiting := f.newPatient()
	_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: waiting, PractitionerID: f.nguyen.ID})
	require.NoError(t, err)
	offer, ok, err := f.store.OfferSlot(f.ctx, f.nguyen.ID, Interval{f.at(thursday, 10, 0), f.at(thursday, 10, 15)})
	require.NoError(t, err)
	require.True(t, ok)

	res, err := f.store.CancelPractitionerDay(f.ctx, f.nguyen.ID, thursday, "Dr Nguyen is unwell")
	require.NoError(t, err)
	require.Len(t, res.Appointments, 2)
	assert.Equal(t, []int64{a1.ID, a2.ID}, []int64{res.Appointments[0].ID, res.Appointments[1].ID})
	for _, a := range res.Appointments {
		assert.Equal(t, StatusCancelled, a.Status)
		assert.Equal(t, "clinic", a.CancelledBy)
		assert.False(t, a.CancelledLate)
		assert.Equal(t, 2, a.Version)
	}
	require.Len(t, res.WithdrawnOffers, 1)
	assert.Equal(t, offer.ID, res.WithdrawnOffers[0].ID)

	_, err = f.store.Book(f.ctx, BookRequest{PatientID: f.newPatient(), PractitionerID: f.nguyen.ID, Start: f.at(thursday, 9, 30)})
	assert.ErrorIs(t, err, ErrUnavailable, "leave blocks new bookings that day")
	kept, err := f.store.Appointment(f.ctx, other.PatientID, other.ID)
	require.NoError(t, err)
	assert.Equal(t, StatusBooked, kept.Status, "another practitioner's appointment is untouched")
}

func TestDayList(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tuesday := monday.AddDays(1)
	a := f.book(f.newPatient(), f.sharma, f.at(tuesday, 9, 0))
	b := f.book(f.newPatient(), f.nguyen, f.at(tuesday, 11, 45))
	cancelled := f.book(f.newPatient(), f.nguyen, f.at(tuesday, 9, 0))
	_, err := f.store.Cancel(f.ctx, CancelRequest{PatientID: cancelled.PatientID, AppointmentID: cancelled.ID})
	require.NoError(t, err)
	f.book(f.newPatient(), f.nguyen, f.at(monday.AddDays(2), 9, 0))

	all, err := f.store.DayList(f.ctx, tuesday, 0)
	require.NoError(t, err)
	require.Len(t, all, 3)
	// In time order; at the same time, by practitioner name (Anh Nguyen before Priya Sharma).
	assert.Equal(t, []int64{cancelled.ID, a.ID, b.ID}, []int64{all[0].Appointment.ID, all[1].Appointment.ID, all[2].Appointment.ID})

	one, err := f.store.DayList(f.ctx, tuesday, f.sharma.ID)
	require.NoError(t, err)
	require.Len(t, one, 1)

	var out bytes.Buffer
	require.NoError(t, FormatDayList(&out, tuesday, f.loc, all))
	text := out.String()
	assert.Contains(t, text, "Appointments for Tuesday 8 December 2026 (Australia/Melbourne)")
	assert.Contains(t, text, "11:45 am to 12:00 pm")
	assert.Contains(t, text, "Dr Priya Sharma")
	assert.NotContains(t, text, "Testy", "no patient names")
}

func TestDaylightSavingBookings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, day := range []Date{{2026, time.April, 5}, {2026, time.October, 4}} {
		f.clock.Set(f.at(day.AddDays(-7), 8, 0))
		patient := f.newPatient()

		search, err := f.store.FindSlots(f.ctx, SlotRequest{PatientID: patient, PractitionerID: f.nguyen.ID, Prefs: Preferences{From: day, To: day}})
		require.NoError(t, err)
		require.Len(t, search.Candidates, 11, "09:00 to 12:00 less a 15-minute break on %s", day)
		first := search.Candidates[0].Start
		assert.Equal(t, At(9, 0), TimeOfDayOf(first, f.loc))

		appt := f.book(patient, f.nguyen, first)
		stored, err := f.store.Appointment(f.ctx, patient, appt.ID)
		require.NoError(t, err)
		assert.Equal(t, FormatDay(first, f.loc)+", 9:00 am", FormatWhen(stored.Start, f.loc))
		assert.Equal(t, 15*time.Minute, stored.End.Sub(stored.Start))

		list, err := f.store.DayList(f.ctx, day, f.nguyen.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, "9:00 am", FormatClock(list[0].Appointment.Start, f.loc))

		// The Monday before the change is on the other UTC offset and still at 09:00.
		before := f.book(patient, f.nguyen, day.AddDays(-6).At(At(9, 0), f.loc))
		assert.Equal(t, At(9, 0), TimeOfDayOf(before.Start, f.loc))
		assert.NotEqual(t, first.UTC().Hour(), before.Start.UTC().Hour(), "the UTC offsets differ across the change")
	}
}

func TestErrorsMatchSentinels(t *testing.T) {
	t.Parallel()
	err := error(&SlotTakenError{PractitionerID: 1, Start: time.Now()})
	assert.True(t, errors.Is(err, ErrSlotTaken))
	assert.False(t, errors.Is(err, ErrConflict))
}

func TestTxVariantsKeepCallerTransactionUsable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tuesday := monday.AddDays(1)
	f.book(f.newPatient(), f.nguyen, f.at(tuesday, 9, 0))
	patient := f.newPatient()

	tx, err := f.pool.Begin(f.ctx)
	require.NoError(t, err)
	defer tx.Rollback(f.ctx) //nolint:errcheck
	_, err = f.store.BookTx(f.ctx, tx, BookRequest{PatientID: patient, PractitionerID: f.nguyen.ID, Start: f.at(tuesday, 9, 0)})
	var taken *SlotTakenError
	require.ErrorAs(t, err, &taken)
	require.NotEmpty(t, taken.Alternatives)

	alt := taken.Alternatives[0]
	appt, err := f.store.BookTx(f.ctx, tx, BookRequest{PatientID: patient, PractitionerID: alt.PractitionerID, Start: alt.Start})
	require.NoError(t, err, "the transaction is still usable after a taken slot")
	require.NoError(t, tx.Commit(f.ctx))

	stored, err := f.store.Appointment(f.ctx, patient, appt.ID)
	require.NoError(t, err)
	assert.Equal(t, StatusBooked, stored.Status)
}
