package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/nlu"
)

// listAppointments shows upcoming appointments with buttons to change or cancel each.
func (t *turn) listAppointments() error {
	upcoming, err := t.e.cfg.Booking.UpcomingTx(t.ctx, t.tx, t.patient.ID)
	if err != nil {
		return err
	}
	if len(upcoming) == 0 {
		t.ask(msgNoAppointments, intentChoice("Book an appointment", nlu.IntentBook))
		return nil
	}
	var b strings.Builder
	b.WriteString(msgYourAppointments)
	var choices []choice
	for _, a := range upcoming {
		b.WriteString("\n• " + t.describeAppointment(a))
		when := t.shortDay(a.Start) + " " + booking.FormatClock(a.Start, t.e.cfg.Location)
		value := idVersionValue(a.ID, a.Version)
		choices = append(choices,
			choice{label: "Change " + when, option: Option{Action: actionMoveAppointment, Value: value}},
			choice{label: "Cancel " + when, option: Option{Action: actionCancelAppointment, Value: value}})
	}
	t.ask(b.String(), choices...)
	return nil
}

// pickAppointment asks which appointment to cancel or move, going straight to the next
// step when only one matches (a date in the message narrows the list).
func (t *turn) pickAppointment(action string, result nlu.Result, question string) error {
	upcoming, err := t.e.cfg.Booking.UpcomingTx(t.ctx, t.tx, t.patient.ID)
	if err != nil {
		return err
	}
	if result.Entities.Date != "" {
		var sameDay []booking.Appointment
		for _, a := range upcoming {
			if a.Start.In(t.e.cfg.Location).Format(time.DateOnly) == result.Entities.Date {
				sameDay = append(sameDay, a)
			}
		}
		if len(sameDay) > 0 {
			upcoming = sameDay
		}
	}
	switch len(upcoming) {
	case 0:
		t.ask(msgNoAppointments, intentChoice("Book an appointment", nlu.IntentBook))
		return nil
	case 1:
		return t.bookingAction(Option{Action: action, Value: idVersionValue(upcoming[0].ID, upcoming[0].Version)})
	}
	var choices []choice
	for _, a := range upcoming {
		label := t.shortDay(a.Start) + ", " + booking.FormatClock(a.Start, t.e.cfg.Location)
		choices = append(choices, choice{label: label, option: Option{Action: action, Value: idVersionValue(a.ID, a.Version)}})
	}
	t.ask(question, choices...)
	return nil
}

// lateWindow names the late window for patients: "24 hours", "2 days", "90 minutes".
func (t *turn) lateWindow() string {
	window := t.e.cfg.Booking.Config().LateWindow
	switch {
	case window >= 48*time.Hour && window%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", int(window/(24*time.Hour)))
	case window >= 2*time.Hour && window%time.Hour == 0:
		return fmt.Sprintf("%d hours", int(window/time.Hour))
	}
	return fmt.Sprintf("%d minutes", int(window/time.Minute))
}

// appointmentAsSeen loads the patient's appointment named by an "id/version" option. It
// returns ok=false, having told the patient, when the button is malformed or the
// appointment has changed since the button was sent.
func (t *turn) appointmentAsSeen(value string) (booking.Appointment, bool, error) {
	id, version, err := parseIDVersion(value)
	if err != nil {
		return booking.Appointment{}, false, t.staleButton()
	}
	appt, err := t.e.cfg.Booking.AppointmentTx(t.ctx, t.tx, t.patient.ID, id)
	if errors.Is(err, booking.ErrNotFound) || (err == nil && appt.Version != version) {
		return booking.Appointment{}, false, t.bookingFailed(booking.ErrConflict)
	}
	if err != nil {
		return booking.Appointment{}, false, err
	}
	return appt, true, nil
}

func (t *turn) confirmCancel(value string) error {
	appt, ok, err := t.appointmentAsSeen(value)
	if !ok {
		return err
	}
	text := fmt.Sprintf(msgConfirmCancel, t.describeAppointment(appt))
	if booking.IsLate(t.now, appt.Start, t.e.cfg.Booking.Config().LateWindow) {
		text += "\n\n" + fmt.Sprintf(msgLateWarning, t.lateWindow())
	}
	t.ask(text,
		choice{label: "Yes, cancel it", option: Option{Action: actionCancelConfirm, Value: value}},
		choice{label: "No, keep it", option: Option{Action: actionKeepAppointment}})
	return nil
}

func (t *turn) cancelAppointment(value string) error {
	id, version, err := parseIDVersion(value)
	if err != nil {
		return t.staleButton()
	}
	result, err := t.e.cfg.Booking.CancelTx(t.ctx, t.tx, booking.CancelRequest{
		PatientID: t.patient.ID, AppointmentID: id, Version: version, Reason: "patient request",
	})
	if err != nil {
		return t.bookingFailed(err)
	}
	text := fmt.Sprintf(msgCancelled, t.describeAppointment(result.Appointment))
	if result.Late {
		text += "\n\n" + fmt.Sprintf(msgLateChange, t.lateWindow())
	}
	t.ask(text, intentChoice("Book another time", nlu.IntentBook), intentChoice("Help", nlu.IntentHelp))
	t.out[len(t.out)-1].Document = t.calendarFile(result.Appointment, true)
	return t.notifyOffer(result.OfferMade)
}

func (t *turn) startReschedule(value string) error {
	appt, ok, err := t.appointmentAsSeen(value)
	if !ok {
		return err
	}
	t.state.Booking = &BookingDraft{
		Step: "pick", Specialty: appt.Specialty, PractitionerID: appt.PractitionerID,
		RescheduleID: appt.ID, RescheduleVersion: appt.Version, Type: appt.AppointmentType,
	}
	return t.showTimes(fmt.Sprintf(msgMoving, t.describeAppointment(appt)))
}
