package booking

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCancelOffersSlotToWaitlist(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	friday := monday.AddDays(4)
	holder := f.newPatient()
	appt := f.book(holder, f.nguyen, f.at(friday, 9, 0))

	routine := f.newPatient()
	urgent := f.newPatient()
	_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: routine, Specialty: "gp"})
	require.NoError(t, err)
	f.clock.Advance(time.Minute)
	_, err = f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: urgent, PractitionerID: f.nguyen.ID, Priority: PriorityUrgent})
	require.NoError(t, err)

	res, err := f.store.Cancel(f.ctx, CancelRequest{PatientID: holder, AppointmentID: appt.ID})
	require.NoError(t, err)
	require.NotNil(t, res.OfferMade)
	offer := *res.OfferMade
	assert.Equal(t, urgent, offer.PatientID, "urgent before routine though joined later")
	assert.True(t, offer.Slot.Start.Equal(appt.Start))
	assert.Equal(t, 30*time.Minute, offer.ExpiresAt.Sub(f.clock.Now()))

	_, err = f.store.Book(f.ctx, BookRequest{PatientID: f.newPatient(), PractitionerID: f.nguyen.ID, Start: appt.Start})
	assert.ErrorIs(t, err, ErrSlotTaken, "the offer holds the slot")
	upcoming, err := f.store.Upcoming(f.ctx, urgent)
	require.NoError(t, err)
	assert.Empty(t, upcoming, "a hold is not an appointment yet")

	_, err = f.store.AcceptOffer(f.ctx, routine, offer.ID)
	assert.ErrorIs(t, err, ErrNotFound, "another patient cannot accept it")

	booked, err := f.store.AcceptOffer(f.ctx, urgent, offer.ID)
	require.NoError(t, err)
	assert.Equal(t, StatusBooked, booked.Status)
	assert.True(t, booked.Start.Equal(appt.Start))
	assert.Equal(t, 2, booked.Version)

	_, err = f.store.AcceptOffer(f.ctx, urgent, offer.ID)
	assert.ErrorIs(t, err, ErrOfferClosed, "accepting twice")
	entries, err := f.store.Waitlist(f.ctx, urgent)
	require.NoError(t, err)
	assert.Empty(t, entries, "the entry is closed as booked")
	entries, err = f.store.Waitlist(f.ctx, routine)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, "waiting", entries[0].Status)
}

func TestDeclineAndExpiryPassTheSlotOn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	friday := monday.AddDays(4)
	span := Interval{f.at(friday, 9, 0), f.at(friday, 9, 15)}
	first, second, third := f.newPatient(), f.newPatient(), f.newPatient()
	for _, p := range []int64{first, second, third} {
		_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: p, Specialty: "gp"})
		require.NoError(t, err)
		f.clock.Advance(time.Second)
	}
	_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: first, Specialty: "gp"})
	require.ErrorIs(t, err, ErrConflict, "one open entry per patient and specialty")

	offer, ok, err := f.store.OfferSlot(f.ctx, f.nguyen.ID, span)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, first, offer.PatientID)

	declined, err := f.store.DeclineOffer(f.ctx, first, offer.ID)
	require.NoError(t, err)
	assert.Equal(t, OfferDeclined, declined.Closed.Status)
	require.NotNil(t, declined.OfferMade)
	assert.Equal(t, second, declined.OfferMade.PatientID)

	changes, err := f.store.ExpireOffers(f.ctx, f.clock.Now().Add(29*time.Minute))
	require.NoError(t, err)
	assert.Empty(t, changes, "not expired yet")

	f.clock.Advance(30 * time.Minute)
	_, err = f.store.AcceptOffer(f.ctx, second, declined.OfferMade.ID)
	assert.ErrorIs(t, err, ErrOfferClosed, "an offer past its hold cannot be accepted")

	changes, err = f.store.ExpireOffers(f.ctx, f.clock.Now())
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Equal(t, OfferExpired, changes[0].Closed.Status)
	require.NotNil(t, changes[0].OfferMade)
	assert.Equal(t, third, changes[0].OfferMade.PatientID)

	f.clock.Advance(30 * time.Minute)
	changes, err = f.store.ExpireOffers(f.ctx, f.clock.Now())
	require.NoError(t, err)
	require.Len(t, changes, 1)
	assert.Nil(t, changes[0].OfferMade, "everybody was offered this slot once")
	assert.Zero(t, f.activeOffersFor(f.nguyen.ID, span))

	f.book(f.newPatient(), f.nguyen, span.Start)
	firstEntries, err := f.store.Waitlist(f.ctx, first)
	require.NoError(t, err)
	require.Len(t, firstEntries, 1, "declining keeps the patient on the waitlist")
	assert.Equal(t, "waiting", firstEntries[0].Status)
}

func TestWaitlistPreferencesFilterOffers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	friday := monday.AddDays(4)
	afternoonOnly := f.newPatient()
	laterWeek := f.newPatient()
	psychology := f.newPatient()
	fits := f.newPatient()
	_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: afternoonOnly, Specialty: "gp", PartsOfDay: []PartOfDay{Afternoon}})
	require.NoError(t, err)
	_, err = f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: laterWeek, Specialty: "gp", Earliest: friday.AddDays(3)})
	require.NoError(t, err)
	_, err = f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: psychology, Specialty: "psychologist", AppointmentType: "psychology-first"})
	require.NoError(t, err)
	_, err = f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: fits, Specialty: "gp", Earliest: friday, Latest: friday, PartsOfDay: []PartOfDay{Morning}})
	require.NoError(t, err)

	offer, ok, err := f.store.OfferSlot(f.ctx, f.nguyen.ID, Interval{f.at(friday, 9, 0), f.at(friday, 9, 15)})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, fits, offer.PatientID)

	_, err = f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: f.newPatient(), Specialty: "gp", PartsOfDay: []PartOfDay{"brunch"}})
	assert.ErrorIs(t, err, ErrInvalid)
}

func TestLeaveWaitlistWithdrawsOffer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	friday := monday.AddDays(4)
	leaver, next := f.newPatient(), f.newPatient()
	entry, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: leaver, Specialty: "gp"})
	require.NoError(t, err)
	f.clock.Advance(time.Second)
	_, err = f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: next, Specialty: "gp"})
	require.NoError(t, err)
	offer, ok, err := f.store.OfferSlot(f.ctx, f.sharma.ID, Interval{f.at(friday, 9, 0), f.at(friday, 9, 15)})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, leaver, offer.PatientID)

	_, err = f.store.LeaveWaitlist(f.ctx, next+1000, entry.ID)
	require.ErrorIs(t, err, ErrNotFound)

	res, err := f.store.LeaveWaitlist(f.ctx, leaver, entry.ID)
	require.NoError(t, err)
	require.NotNil(t, res.Withdrawn)
	assert.Equal(t, OfferWithdrawn, res.Withdrawn.Status)
	require.NotNil(t, res.OfferMade)
	assert.Equal(t, next, res.OfferMade.PatientID)

	entries, err := f.store.Waitlist(f.ctx, leaver)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestOfferRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	patient := f.newPatient()
	_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: patient, Specialty: "gp"})
	require.NoError(t, err)

	t.Run("soon slot gets a shorter hold", func(t *testing.T) {
		offer, ok, err := f.store.OfferSlot(f.ctx, f.nguyen.ID, Interval{f.at(monday, 10, 0), f.at(monday, 10, 15)})
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, 30*time.Minute, offer.ExpiresAt.Sub(f.clock.Now()), "two hours ahead still gets the default")
		_, err = f.store.DeclineOffer(f.ctx, patient, offer.ID)
		require.NoError(t, err)

		offer, ok, err = f.store.OfferSlot(f.ctx, f.nguyen.ID, Interval{f.at(monday, 9, 15), f.at(monday, 9, 30)})
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, 18*time.Minute+45*time.Second, offer.ExpiresAt.Sub(f.clock.Now()), "a quarter of 75 minutes")
	})
	t.Run("slot inside the minimum notice is not offered", func(t *testing.T) {
		_, ok, err := f.store.OfferSlot(f.ctx, f.sharma.ID, Interval{f.at(monday, 8, 30), f.at(monday, 8, 45)})
		require.NoError(t, err)
		assert.False(t, ok)
	})
	t.Run("past slot offers are withdrawn", func(t *testing.T) {
		f.clock.Set(f.at(monday, 9, 20))
		withdrawn, err := f.store.WithdrawPastOffers(f.ctx, f.clock.Now())
		require.NoError(t, err)
		require.Len(t, withdrawn, 1)
		assert.Equal(t, OfferWithdrawn, withdrawn[0].Status)
		offers, err := f.store.ActiveOffers(f.ctx, patient)
		require.NoError(t, err)
		assert.Empty(t, offers)
		entries, err := f.store.Waitlist(f.ctx, patient)
		require.NoError(t, err)
		require.Len(t, entries, 1)
		assert.Equal(t, "waiting", entries[0].Status, "the patient keeps waiting for another slot")
	})
}

func TestRescheduleOffersTheOldTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	friday := monday.AddDays(4)
	patient, waiting := f.newPatient(), f.newPatient()
	appt := f.book(patient, f.nguyen, f.at(friday, 9, 0))
	_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: waiting, PractitionerID: f.nguyen.ID})
	require.NoError(t, err)

	res, err := f.store.Reschedule(f.ctx, RescheduleRequest{PatientID: patient, AppointmentID: appt.ID, Version: appt.Version, NewStart: f.at(friday, 11, 0)})
	require.NoError(t, err)
	require.NotNil(t, res.OfferMade)
	assert.Equal(t, waiting, res.OfferMade.PatientID)
	assert.True(t, res.OfferMade.Slot.Start.Equal(appt.Start))
}
