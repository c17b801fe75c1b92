package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/nlu"
)

// BookingDraft is a booking, reschedule or waitlist request being put together over
// several messages.
type BookingDraft struct {
	// Step is "what" (waiting for a specialty or practitioner), "when" (waiting for a
	// date after an impossible one) or "pick" (times shown).
	Step           string `json:"step"`
	Specialty      string `json:"specialty,omitempty"`
	PractitionerID int64  `json:"practitioner_id,omitempty"`
	// From and To are local dates (YYYY-MM-DD); Time is HH:MM.
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	PartOfDay string `json:"part_of_day,omitempty"`
	Time      string `json:"time,omitempty"`
	// After hides times up to and including it, for "other times".
	After time.Time `json:"after,omitzero"`
	// RescheduleID and RescheduleVersion name the appointment being moved.
	RescheduleID      int64 `json:"reschedule_id,omitempty"`
	RescheduleVersion int   `json:"reschedule_version,omitempty"`
	// Waitlist is true when the patient asked to join the waitlist rather than book.
	Waitlist bool `json:"waitlist,omitempty"`
	// Type is the appointment type code, chosen once the specialty or practitioner is known.
	Type string `json:"type,omitempty"`
}

// Button actions of the appointment flows.
const (
	actionSpecialty         = "specialty"          // Value: specialty code
	actionSlot              = "slot"               // Value: practitionerID/unix start
	actionSlotConfirm       = "slot_confirm"       // Value: practitionerID/unix start
	actionMoreTimes         = "more_times"         //
	actionWaitlistJoin      = "waitlist_join"      //
	actionCancelAppointment = "cancel_appointment" // Value: id/version
	actionCancelConfirm     = "cancel_confirm"     // Value: id/version
	actionKeepAppointment   = "keep_appointment"   //
	actionMoveAppointment   = "move_appointment"   // Value: id/version
	actionOfferAccept       = "offer_accept"       // Value: offer id
	actionOfferDecline      = "offer_decline"      // Value: offer id
	actionWaitlistLeave     = "waitlist_leave"     // Value: entry id
	actionRebook            = "rebook"             // Value: specialty code
)

// slotsShown is how many times one message offers.
const slotsShown = 3

// specialtyLabels are the words patients see for specialty codes.
var specialtyLabels = map[string]string{
	"gp": "GP", "nurse": "nurse", "physiotherapist": "physio", "psychologist": "psychologist",
	"counsellor": "counsellor", "dietitian": "dietitian",
}

func specialtyLabel(code string) string {
	if label, ok := specialtyLabels[code]; ok {
		return label
	}
	return code
}

// appointmentIntent starts the flow for an appointment request.
func (t *turn) appointmentIntent(result nlu.Result, text string) error {
	if t.e.cfg.Booking == nil {
		t.notYet(msgNotYetAppointments)
		return nil
	}
	if t.patient == nil {
		t.ask(msgEnrolFirst, t.menu()...)
		return nil
	}
	switch result.Intent {
	case nlu.IntentListAppointments:
		return t.listAppointments()
	case nlu.IntentCancel:
		return t.pickAppointment(actionCancelAppointment, result, msgWhichToCancel)
	case nlu.IntentReschedule:
		return t.pickAppointment(actionMoveAppointment, result, msgWhichToMove)
	case nlu.IntentWaitlistLeave:
		return t.pickWaitlistEntry()
	}
	draft := &BookingDraft{Waitlist: result.Intent == nlu.IntentWaitlistJoin}
	if err := t.applyWhen(draft, text); err != nil {
		return err
	}
	if err := t.applyWho(draft, result, text); err != nil {
		return err
	}
	t.state.Booking = draft
	if t.lastWhenError != "" {
		// The question about the date is out; the next message continues the request.
		draft.Step = "when"
		return nil
	}
	return t.continueBooking()
}

// applyWhen reads dates and times from text into the draft. An impossible date gets a
// question back (t.lastWhenError is set) and leaves the draft as it was.
func (t *turn) applyWhen(draft *BookingDraft, text string) error {
	t.lastWhenError = ""
	if text == "" {
		return nil
	}
	when, err := nlu.ParseWhen(text, t.now, t.e.cfg.Location)
	if err != nil {
		var inputErr *nlu.InputError
		if errors.As(err, &inputErr) {
			t.lastWhenError = inputErr.Error()
			t.say(inputErr.Error() + " " + msgWhichDay)
			return nil
		}
		return fmt.Errorf("parse booking time: %w", err)
	}
	if when.HasDate {
		if when.Date.Before(t.today()) {
			t.lastWhenError = msgDayPassed
			t.say(msgDayPassed + " " + msgWhichDay)
			return nil
		}
		draft.From, draft.To = when.Date.Format(time.DateOnly), when.Date.Format(time.DateOnly)
		if !when.Until.IsZero() {
			draft.To = when.Until.Format(time.DateOnly)
		}
		draft.After = time.Time{}
	}
	if when.Time != "" {
		draft.Time = when.Time
	}
	if when.PartOfDay != "" {
		draft.PartOfDay = when.PartOfDay
	}
	return nil
}

// applyWho sets the specialty or practitioner from the classified entities, looking for a
// practitioner's surname anywhere in text when the entity names nobody known ("Dr Priya
// Sharma" gives the entity "priya").
func (t *turn) applyWho(draft *BookingDraft, result nlu.Result, text string) error {
	if result.Entities.Practitioner != "" {
		p, found, err := t.practitionerNamed(result.Entities.Practitioner)
		if err != nil {
			return err
		}
		if found {
			draft.PractitionerID, draft.Specialty = p.ID, ""
			if result.Entities.Specialty != "" && p.HasSpecialty(result.Entities.Specialty) {
				draft.Specialty = result.Entities.Specialty
			}
			return nil
		}
		if p, found, err := t.practitionerInText(text); err != nil || found {
			if found {
				draft.PractitionerID, draft.Specialty = p.ID, ""
			}
			return err
		}
		t.say(fmt.Sprintf(msgNoSuchPractitioner, result.Entities.Practitioner))
	}
	if result.Entities.Specialty != "" {
		draft.Specialty, draft.PractitionerID = result.Entities.Specialty, 0
	}
	return nil
}

// practitionerInText finds a practitioner whose surname is a word of text.
func (t *turn) practitionerInText(text string) (booking.Practitioner, bool, error) {
	for _, word := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	}) {
		if len(word) < 3 {
			continue
		}
		p, found, err := t.practitionerNamed(word)
		if err != nil || found {
			return p, found, err
		}
	}
	return booking.Practitioner{}, false, nil
}

func (t *turn) practitionerNamed(surname string) (booking.Practitioner, bool, error) {
	all, err := t.e.cfg.Booking.PractitionersTx(t.ctx, t.tx, "")
	if err != nil {
		return booking.Practitioner{}, false, err
	}
	surname = strings.ToLower(surname)
	for _, p := range all {
		if strings.ToLower(p.Code) == surname {
			return p, true, nil
		}
	}
	for _, p := range all {
		words := strings.Fields(strings.ToLower(p.DisplayName))
		if len(words) > 0 && words[len(words)-1] == surname {
			return p, true, nil
		}
	}
	return booking.Practitioner{}, false, nil
}

// continueBooking asks for what is missing, or shows times.
func (t *turn) continueBooking() error {
	draft := t.state.Booking
	if draft.Specialty == "" && draft.PractitionerID == 0 {
		draft.Step = "what"
		return t.askSpecialty()
	}
	if draft.Type == "" {
		typ, err := t.appointmentType(draft)
		if err != nil {
			return err
		}
		draft.Type = typ.Code
	}
	if draft.Waitlist {
		return t.joinWaitlist()
	}
	draft.Step = "pick"
	return t.showTimes("")
}

// appointmentType picks the type a chat booking uses: the specialty's own type (not a
// "-first" variant, which staff choose), else the generic type as long as the
// practitioner's usual visit, else the standard consult.
func (t *turn) appointmentType(draft *BookingDraft) (booking.AppointmentType, error) {
	types, err := t.e.cfg.Booking.AppointmentTypesTx(t.ctx, t.tx)
	if err != nil {
		return booking.AppointmentType{}, err
	}
	specialty, minutes := draft.Specialty, 0
	if draft.PractitionerID != 0 {
		p, err := t.e.cfg.Booking.PractitionerTx(t.ctx, t.tx, draft.PractitionerID)
		if err != nil {
			return booking.AppointmentType{}, err
		}
		minutes = p.DefaultMinutes
		if specialty == "" && len(p.Specialties) > 0 {
			specialty = p.Specialties[0]
		}
	} else if all, err := t.e.cfg.Booking.PractitionersTx(t.ctx, t.tx, specialty); err == nil && len(all) > 0 {
		minutes = all[0].DefaultMinutes
	}
	var standard booking.AppointmentType
	for _, typ := range types {
		if typ.Specialty == specialty && specialty != "" && !strings.HasSuffix(typ.Code, "-first") {
			return typ, nil
		}
		if typ.Code == "standard" {
			standard = typ
		}
	}
	for _, typ := range types {
		if typ.Specialty == "" && typ.Minutes == minutes {
			return typ, nil
		}
	}
	if standard.Code == "" {
		return booking.AppointmentType{}, fmt.Errorf("appointment type %q is missing", "standard")
	}
	return standard, nil
}

func (t *turn) askSpecialty() error {
	specialties, err := t.e.cfg.Booking.SpecialtiesTx(t.ctx, t.tx)
	if err != nil {
		return err
	}
	if len(specialties) == 0 {
		t.state.Booking = nil
		t.say(msgNoPractitioners)
		return nil
	}
	var choices []choice
	for _, s := range specialties {
		choices = append(choices, choice{label: capitalise(specialtyLabel(s)), option: Option{Action: actionSpecialty, Value: s}})
	}
	t.ask(msgWhatKind, choices...)
	return nil
}

func capitalise(s string) string {
	if s == "" || s == strings.ToUpper(s) {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// slotRequest turns the draft into a search request.
func (t *turn) slotRequest(draft *BookingDraft) (booking.SlotRequest, error) {
	req := booking.SlotRequest{PatientID: t.patient.ID, Specialty: draft.Specialty, PractitionerID: draft.PractitionerID,
		AppointmentType: draft.Type}
	loc := t.e.cfg.Location
	parseDay := func(s string) (booking.Date, error) {
		if s == "" {
			return booking.Date{}, nil
		}
		d, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			return booking.Date{}, fmt.Errorf("booking draft date %q: %w", s, err)
		}
		return booking.DateOf(d, loc), nil
	}
	var err error
	if req.Prefs.From, err = parseDay(draft.From); err != nil {
		return req, err
	}
	if req.Prefs.To, err = parseDay(draft.To); err != nil {
		return req, err
	}
	req.Prefs.PartOfDay = booking.PartOfDay(draft.PartOfDay)
	if draft.Time != "" {
		clock, err := time.Parse("15:04", draft.Time)
		if err != nil {
			return req, fmt.Errorf("booking draft time %q: %w", draft.Time, err)
		}
		req.Prefs.Time, req.Prefs.HasTime = booking.At(clock.Hour(), clock.Minute()), true
	}
	return req, nil
}

// bookingText handles typed text while a booking request is open.
func (t *turn) bookingText(text string) error {
	draft := t.state.Booking
	if word := controlWord(text); word == "cancel" {
		t.state.Booking = nil
		t.ask(msgBookingDropped, t.menu()...)
		return nil
	}
	result, err := t.classify(text)
	if err != nil {
		return err
	}
	switch result.Intent {
	case nlu.IntentBook, nlu.IntentWaitlistJoin:
		// A whole new request ("book a physio next week") starts again from scratch.
		if result.Confidence > switchConfidence && (result.Entities.Specialty != "" || result.Entities.Practitioner != "") {
			t.state.Booking = nil
			return t.appointmentIntent(result, text)
		}
	case nlu.IntentUnknown:
	default:
		if result.Confidence > switchConfidence {
			// Answer the other request; the booking stays open, with its buttons.
			if err := t.route(result, text); err != nil {
				return err
			}
			switch {
			case t.state.Booking == nil:
			case t.state.Booking.Step == "pick" && t.sentOnlyMenu():
				// A menu replaced the times, so offer them again.
				return t.showTimes(msgBookingStillOpenAgain)
			case t.sentButtons():
				// The reply asks its own question (FAQ suggestions, say); the times come
				// back when the patient asks for them.
				t.say(msgBookingStillOpenLater)
			default:
				t.say(msgBookingStillOpen)
			}
			return nil
		}
	}
	if isShowTimes(text) && draft.Step == "pick" {
		return t.showTimes("")
	}
	before := *draft
	if err := t.applyWhen(draft, text); err != nil {
		return err
	}
	if t.lastWhenError != "" {
		return nil
	}
	if err := t.applyWho(draft, result, text); err != nil {
		return err
	}
	if label, ok := specialtyByLabel(text); ok {
		draft.Specialty, draft.PractitionerID = label, 0
	}
	if *draft == before {
		t.outcome = OutcomeRejected
		switch draft.Step {
		case "what":
			return t.askSpecialty()
		case "when":
			t.say(msgWhichDay)
		default:
			t.say(msgPickOrSay)
		}
		return nil
	}
	return t.continueBooking()
}

func isShowTimes(text string) bool {
	switch strings.ToLower(strings.Trim(text, " .!?")) {
	case "times", "show times", "show the times", "show me the times", "the times", "times again":
		return true
	}
	return false
}

func specialtyByLabel(text string) (string, bool) {
	text = strings.ToLower(strings.TrimSpace(text))
	for code, label := range specialtyLabels {
		if text == code || text == strings.ToLower(label) {
			return code, true
		}
	}
	return "", false
}

// bookingAction handles the buttons of the appointment flows.
func (t *turn) bookingAction(option Option) error {
	if t.e.cfg.Booking == nil || t.patient == nil {
		t.outcome = OutcomeRejected
		t.say(msgStaleButton)
		return nil
	}
	switch option.Action {
	case actionSpecialty, actionRebook:
		draft := t.state.Booking
		if draft == nil {
			draft = &BookingDraft{}
		}
		draft.Specialty, draft.PractitionerID = option.Value, 0
		t.state.Booking = draft
		return t.continueBooking()
	case actionSlot:
		return t.confirmSlot(option.Value)
	case actionSlotConfirm:
		return t.bookSlot(option.Value)
	case actionMoreTimes:
		if t.state.Booking == nil {
			return t.staleButton()
		}
		unix, err := strconv.ParseInt(option.Value, 10, 64)
		if err != nil {
			return t.staleButton()
		}
		t.state.Booking.After = time.Unix(unix, 0)
		// "Other times" widens a single-day request to the days after it.
		t.state.Booking.To = ""
		return t.showTimes("")
	case actionWaitlistJoin:
		if t.state.Booking == nil {
			return t.staleButton()
		}
		return t.joinWaitlist()
	case actionCancelAppointment:
		return t.confirmCancel(option.Value)
	case actionCancelConfirm:
		return t.cancelAppointment(option.Value)
	case actionKeepAppointment:
		t.ask(msgKept, t.menu()...)
		return nil
	case actionMoveAppointment:
		return t.startReschedule(option.Value)
	case actionOfferAccept:
		return t.acceptOffer(option.Value)
	case actionOfferDecline:
		return t.declineOffer(option.Value)
	case actionWaitlistLeave:
		return t.leaveWaitlist(option.Value)
	}
	return t.staleButton()
}

func (t *turn) staleButton() error {
	t.outcome = OutcomeRejected
	t.say(msgStaleButton)
	return nil
}

// confirmSlot reads a chosen time back before booking it.
func (t *turn) confirmSlot(value string) error {
	draft := t.state.Booking
	practitionerID, start, err := parseSlotValue(value)
	if err != nil || draft == nil {
		return t.staleButton()
	}
	p, err := t.e.cfg.Booking.PractitionerTx(t.ctx, t.tx, practitionerID)
	if err != nil {
		return err
	}
	specialty := draft.Specialty
	if specialty == "" && len(p.Specialties) > 0 {
		specialty = p.Specialties[0]
	}
	end := start.Add(time.Duration(p.DefaultMinutes) * time.Minute)
	if typ, err := t.typeByCode(draft.Type); err == nil && typ.Minutes > 0 {
		end = start.Add(typ.Duration())
	}
	text := fmt.Sprintf(msgConfirmBooking, t.describe(start, end, p, specialty))
	if draft.RescheduleID != 0 {
		text = fmt.Sprintf(msgConfirmMove, t.describe(start, end, p, specialty))
	}
	yes := "Yes, book it"
	if draft.RescheduleID != 0 {
		yes = "Yes, move it"
	}
	t.ask(text,
		choice{label: yes, option: Option{Action: actionSlotConfirm, Value: value}},
		choice{label: "No, show other times", option: Option{Action: actionMoreTimes, Value: strconv.FormatInt(start.Unix()-1, 10)}})
	return nil
}

func (t *turn) typeByCode(code string) (booking.AppointmentType, error) {
	types, err := t.e.cfg.Booking.AppointmentTypesTx(t.ctx, t.tx)
	if err != nil {
		return booking.AppointmentType{}, err
	}
	for _, typ := range types {
		if typ.Code == code {
			return typ, nil
		}
	}
	return booking.AppointmentType{}, fmt.Errorf("appointment type %q not found", code)
}

// describe is booking.Describe with the specialty shown as patients say it.
func (t *turn) describe(start, end time.Time, p booking.Practitioner, specialty string) string {
	return booking.Describe(start, end, p, specialtyLabel(specialty), t.e.cfg.Location)
}

// bookSlot books (or moves to) the confirmed time.
func (t *turn) bookSlot(value string) error {
	draft := t.state.Booking
	practitionerID, start, err := parseSlotValue(value)
	if err != nil || draft == nil {
		return t.staleButton()
	}
	store := t.e.cfg.Booking
	if draft.RescheduleID != 0 {
		result, err := store.RescheduleTx(t.ctx, t.tx, booking.RescheduleRequest{
			PatientID: t.patient.ID, AppointmentID: draft.RescheduleID, Version: draft.RescheduleVersion,
			NewStart: start, PractitionerID: practitionerID,
		})
		if err != nil {
			return t.bookingFailed(err)
		}
		t.state.Booking = nil
		moved := result.Appointment
		text := fmt.Sprintf(msgMoved, t.describeAppointment(moved))
		if result.Late {
			text += "\n\n" + fmt.Sprintf(msgLateChange, t.lateWindow())
		}
		t.sendAppointment(text, moved)
		return t.notifyOffer(result.OfferMade)
	}
	appt, err := store.BookTx(t.ctx, t.tx, booking.BookRequest{
		PatientID: t.patient.ID, PractitionerID: practitionerID, Start: start, Specialty: draft.Specialty,
		AppointmentType: draft.Type,
	})
	if err != nil {
		return t.bookingFailed(err)
	}
	t.state.Booking = nil
	t.sendAppointment(fmt.Sprintf(msgBooked, t.describeAppointment(appt)), appt)
	return nil
}

// bookingFailed explains why a time could not be booked and offers others.
func (t *turn) bookingFailed(err error) error {
	t.outcome = OutcomeRejected
	var taken *booking.SlotTakenError
	switch {
	case errors.As(err, &taken):
		return t.showTimes(msgJustTaken)
	case errors.Is(err, booking.ErrTooSoon):
		return t.showTimes(msgTooSoon)
	case errors.Is(err, booking.ErrPatientBusy):
		return t.showTimes(msgPatientBusy)
	case errors.Is(err, booking.ErrUnavailable):
		return t.showTimes(msgUnavailable)
	case errors.Is(err, booking.ErrConflict), errors.Is(err, booking.ErrNotFound):
		t.state.Booking = nil
		t.say(msgAppointmentChanged)
		return t.listAppointments()
	}
	return err
}

func (t *turn) describeAppointment(a booking.Appointment) string {
	p, err := t.e.cfg.Booking.PractitionerTx(t.ctx, t.tx, a.PractitionerID)
	if err != nil {
		p = booking.Practitioner{DisplayName: "the clinic"}
	}
	return t.describe(a.Start, a.End, p, a.Specialty)
}

// sendAppointment replies with text and the appointment as an .ics calendar file.
func (t *turn) sendAppointment(text string, a booking.Appointment) {
	t.ask(text, t.menu()...)
	t.out[len(t.out)-1].Document = t.calendarFile(a, false)
}

func (t *turn) calendarFile(a booking.Appointment, cancelled bool) *Document {
	return t.e.calendarFile(t.ctx, t.tx, a, cancelled)
}

// calendarFile returns an appointment as an .ics file; a cancelled one removes the event
// from the patient's calendar.
func (e *Engine) calendarFile(ctx context.Context, tx pgx.Tx, a booking.Appointment, cancelled bool) *Document {
	p, err := e.cfg.Booking.PractitionerTx(ctx, tx, a.PractitionerID)
	if err != nil {
		p.DisplayName = "the clinic"
	}
	content := booking.ICS(booking.CalendarEvent{
		AppointmentID: a.ID, Version: a.Version, Start: a.Start, End: a.End,
		Summary:     fmt.Sprintf("%s appointment with %s", capitalise(specialtyLabel(a.Specialty)), p.DisplayName),
		Location:    e.cfg.ClinicName,
		Description: "Booked through the " + e.cfg.ClinicName + " chat assistant.",
		Cancelled:   cancelled, Stamp: e.cfg.Clock.Now(),
	})
	return &Document{Name: fmt.Sprintf("appointment-%d.ics", a.ID), MIME: "text/calendar", Content: content}
}
