package booking

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func widePool(c *pgxpool.Config) { c.MaxConns = 60 }

// race runs fn n times at once, released together by closing a channel, and returns each
// call's error in call order.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func TestConcurrentBookingOfOneSlot(t *testing.T) {
	t.Parallel()
	f := newFixtureConfig(t, widePool)
	slot := f.at(monday.AddDays(1), 9, 0)
	patients := make([]int64, 50)
	for i := range patients {
		patients[i] = f.newPatient()
	}

	errs := race(len(patients), func(i int) error {
		_, err := f.store.Book(f.ctx, BookRequest{PatientID: patients[i], PractitionerID: f.nguyen.ID, Start: slot})
		return err
	})

	winners := 0
	for i, err := range errs {
		if err == nil {
			winners++
			continue
		}
		var taken *SlotTakenError
		if assert.ErrorAs(t, err, &taken, "call %d", i) {
			assert.NotEmpty(t, taken.Alternatives, "call %d gets alternatives", i)
		}
	}
	assert.Equal(t, 1, winners)
	assert.Equal(t, 1, f.bookedCount(f.nguyen.ID, Interval{slot, slot.Add(time.Minute)}))
}

func TestConcurrentAnswersToOneOffer(t *testing.T) {
	t.Parallel()
	f := newFixtureConfig(t, widePool)
	holder, other := f.newPatient(), f.newPatient()
	_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: holder, Specialty: "gp"})
	require.NoError(t, err)
	f.clock.Advance(1)
	_, err = f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: other, Specialty: "gp"})
	require.NoError(t, err)
	span := Interval{f.at(monday.AddDays(2), 9, 0), f.at(monday.AddDays(2), 9, 15)}
	offer, ok, err := f.store.OfferSlot(f.ctx, f.nguyen.ID, span)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, holder, offer.PatientID)

	// Ten accepts and five declines from the holder (double taps on two devices), and
	// five accepts of the same offer id from the other patient.
	var mu sync.Mutex
	var accepted, declined int
	var passedOn *Offer
	errs := race(20, func(i int) error {
		switch {
		case i < 10:
			_, err := f.store.AcceptOffer(f.ctx, holder, offer.ID)
			if err == nil {
				mu.Lock()
				accepted++
				mu.Unlock()
			}
			return err
		case i < 15:
			change, err := f.store.DeclineOffer(f.ctx, holder, offer.ID)
			if err == nil {
				mu.Lock()
				declined++
				passedOn = change.OfferMade
				mu.Unlock()
			}
			return err
		default:
			_, err := f.store.AcceptOffer(f.ctx, other, offer.ID)
			return err
		}
	})

	assert.Equal(t, 1, accepted+declined, "exactly one answer wins")
	for i, err := range errs {
		switch {
		case err == nil:
		case i >= 15:
			assert.ErrorIs(t, err, ErrNotFound, "call %d: another patient's offer", i)
		default:
			assert.ErrorIs(t, err, ErrOfferClosed, "call %d", i)
		}
	}
	if accepted == 1 {
		assert.Equal(t, 1, f.bookedCount(f.nguyen.ID, span))
		assert.Zero(t, f.activeOffersFor(f.nguyen.ID, span))
	} else {
		require.NotNil(t, passedOn)
		assert.Equal(t, other, passedOn.PatientID)
		assert.Equal(t, 1, f.activeOffersFor(f.nguyen.ID, span))
	}
}

func TestCancellationRacingOffers(t *testing.T) {
	t.Parallel()
	f := newFixtureConfig(t, widePool)
	holder := f.newPatient()
	slot := f.at(monday.AddDays(3), 9, 0)
	appt := f.book(holder, f.nguyen, slot)
	for range 5 {
		_, err := f.store.JoinWaitlist(f.ctx, WaitlistRequest{PatientID: f.newPatient(), Specialty: "gp"})
		require.NoError(t, err)
	}
	span := appt.Interval()

	// One cancellation and twenty manual offer triggers for the same slot at once.
	var mu sync.Mutex
	offers := 0
	errs := race(21, func(i int) error {
		if i == 0 {
			res, err := f.store.Cancel(f.ctx, CancelRequest{PatientID: holder, AppointmentID: appt.ID})
			if err == nil && res.OfferMade != nil {
				mu.Lock()
				offers++
				mu.Unlock()
			}
			return err
		}
		_, ok, err := f.store.OfferSlot(f.ctx, f.nguyen.ID, span)
		if ok {
			mu.Lock()
			offers++
			mu.Unlock()
		}
		return err
	})
	require.NoError(t, errors.Join(errs...))
	assert.Equal(t, 1, offers, "one offer for one freed slot")
	assert.Equal(t, 1, f.activeOffersFor(f.nguyen.ID, span))

	var holds int
	require.NoError(t, f.pool.QueryRow(f.ctx, `SELECT count(*) FROM appointments
		WHERE practitioner_id = $1 AND status = 'proposed'`, f.nguyen.ID).Scan(&holds))
	assert.Equal(t, 1, holds)
}
