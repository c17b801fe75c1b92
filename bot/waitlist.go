package bot

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/nlu"
)

// joinWaitlist puts the patient on the waitlist for the draft's specialty or practitioner.
func (t *turn) joinWaitlist() error {
	draft := t.state.Booking
	req, err := t.slotRequest(draft)
	if err != nil {
		return err
	}
	wait := booking.WaitlistRequest{PatientID: t.patient.ID, Specialty: draft.Specialty, PractitionerID: draft.PractitionerID,
		AppointmentType: draft.Type, Earliest: req.Prefs.From, Latest: req.Prefs.To}
	if draft.PartOfDay != "" {
		wait.PartsOfDay = []booking.PartOfDay{booking.PartOfDay(draft.PartOfDay)}
	}
	t.state.Booking = nil
	_, err = t.e.cfg.Booking.JoinWaitlistTx(t.ctx, t.tx, wait)
	if errors.Is(err, booking.ErrConflict) {
		t.ask(msgAlreadyWaiting, t.menu()...)
		return nil
	}
	if err != nil {
		return err
	}
	who := t.describeWho(draft, nil)
	if draft.From != "" {
		who += " " + t.describeDays(draft)
	}
	t.ask(fmt.Sprintf(msgWaitlistJoined, who),
		intentChoice("Leave the waitlist", nlu.IntentWaitlistLeave), intentChoice("My appointments", nlu.IntentListAppointments))
	return nil
}

func (t *turn) pickWaitlistEntry() error {
	entries, err := t.e.cfg.Booking.WaitlistTx(t.ctx, t.tx, t.patient.ID)
	if err != nil {
		return err
	}
	switch len(entries) {
	case 0:
		t.ask(msgNotWaiting, t.menu()...)
		return nil
	case 1:
		return t.leaveWaitlist(strconv.FormatInt(entries[0].ID, 10))
	}
	var choices []choice
	for _, e := range entries {
		label := capitalise(specialtyLabel(e.Specialty))
		if e.PractitionerID != 0 {
			if p, err := t.e.cfg.Booking.PractitionerTx(t.ctx, t.tx, e.PractitionerID); err == nil {
				label = p.DisplayName
			}
		}
		choices = append(choices, choice{label: label, option: Option{Action: actionWaitlistLeave, Value: strconv.FormatInt(e.ID, 10)}})
	}
	t.ask(msgWhichWaitlist, choices...)
	return nil
}

func (t *turn) leaveWaitlist(value string) error {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return t.staleButton()
	}
	result, err := t.e.cfg.Booking.LeaveWaitlistTx(t.ctx, t.tx, t.patient.ID, id)
	if errors.Is(err, booking.ErrNotFound) || errors.Is(err, booking.ErrConflict) {
		return t.staleButton()
	}
	if err != nil {
		return err
	}
	t.ask(msgWaitlistLeft, t.menu()...)
	return t.notifyOffer(result.OfferMade)
}

func (t *turn) acceptOffer(value string) error {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return t.staleButton()
	}
	appt, err := t.e.cfg.Booking.AcceptOfferTx(t.ctx, t.tx, t.patient.ID, id)
	switch {
	case errors.Is(err, booking.ErrOfferClosed):
		t.outcome = OutcomeRejected
		t.ask(msgOfferClosed, intentChoice("Book another time", nlu.IntentBook))
		return nil
	case errors.Is(err, booking.ErrNotFound):
		return t.staleButton()
	case err != nil:
		return t.bookingFailed(err)
	}
	t.dropOfferOptions(id)
	t.sendAppointment(fmt.Sprintf(msgBooked, t.describeAppointment(appt)), appt)
	return nil
}

func (t *turn) declineOffer(value string) error {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return t.staleButton()
	}
	change, err := t.e.cfg.Booking.DeclineOfferTx(t.ctx, t.tx, t.patient.ID, id)
	switch {
	case errors.Is(err, booking.ErrOfferClosed):
		t.outcome = OutcomeRejected
		t.say(msgOfferClosed)
		return nil
	case errors.Is(err, booking.ErrNotFound):
		return t.staleButton()
	case err != nil:
		return err
	}
	t.dropOfferOptions(id)
	if change.OfferMade != nil {
		t.ask(msgOfferDeclined, t.menu()...)
	} else {
		t.ask(msgOfferDeclinedReleased, t.menu()...)
	}
	return t.notifyOffer(change.OfferMade)
}

// dropOfferOptions removes the other button of an answered offer.
func (t *turn) dropOfferOptions(offerID int64) {
	value := strconv.FormatInt(offerID, 10)
	for token, o := range t.state.Options {
		if (o.Action == actionOfferAccept || o.Action == actionOfferDecline) && o.Value == value {
			delete(t.state.Options, token)
		}
	}
}

// notifyOffer sends a waitlist offer to the patient it was made to, if any.
func (t *turn) notifyOffer(offer *booking.Offer) error {
	if offer == nil {
		return nil
	}
	return t.e.sendOffer(t.ctx, t.tx, t, *offer, true)
}
