package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pakenham-health/pms/nlu"
	"github.com/pakenham-health/pms/records"
)

// turn is one inbound message being handled inside the engine's transaction.
type turn struct {
	ctx     context.Context
	tx      pgx.Tx
	e       *Engine
	in      Inbound
	now     time.Time
	state   *State
	patient *records.Patient
	out     []Outbound
	outcome Outcome
	// lastAnswers are the answers of a form that just completed, for its finish function.
	lastAnswers map[string]string
	// lastWhenError is the reply to an impossible date in the latest booking text.
	lastWhenError string
	// liveOptions are the button options that were live when the message arrived.
	liveOptions map[string]Option
	// early is the classification made before the transaction began, if any.
	early *earlyResult
}

// choice is a button to offer: its label and what it does.
type choice struct {
	label   string
	option  Option
	control bool
}

func answerChoice(label, value string) choice {
	return choice{label: label, option: Option{Action: actionAnswer, Value: value}}
}

func intentChoice(label string, intent nlu.Intent) choice {
	return choice{label: label, option: Option{Action: actionIntent, Value: string(intent)}}
}

func (t *turn) account() records.Account {
	return records.Account{Channel: t.in.Channel, ID: t.in.UserID}
}

func (t *turn) actor() string { return t.in.Channel + ":" + t.in.UserID }

// today is the current date in the clinic's zone.
func (t *turn) today() time.Time {
	local := t.now.In(t.e.cfg.Location)
	return time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, t.e.cfg.Location)
}

// say queues a reply without buttons.
func (t *turn) say(text string) {
	t.out = append(t.out, Outbound{Text: t.e.fill(text)})
}

// fill puts the clinic's details into a reply.
func (e *Engine) fill(text string) string {
	return strings.ReplaceAll(text, "{clinic_phone}", e.cfg.ClinicPhone)
}

// ask queues a reply with buttons, one per row. The buttons stay live until the chat's
// next message, which resets the options, so a tap on an older message is refused.
func (t *turn) ask(text string, choices ...choice) {
	rows := make([][]choice, len(choices))
	for i, c := range choices {
		rows[i] = []choice{c}
	}
	t.askRows(text, rows)
}

// askRows is ask with the buttons laid out in the given rows.
func (t *turn) askRows(text string, rows [][]choice) {
	msg := Outbound{Text: t.e.fill(text)}
	for _, row := range rows {
		var buttons []Button
		for _, c := range row {
			t.state.NextToken++
			token := fmt.Sprintf("o%d", t.state.NextToken)
			t.state.Options[token] = c.option
			buttons = append(buttons, Button{Label: c.label, Data: token, Control: c.control})
		}
		if len(buttons) > 0 {
			msg.Buttons = append(msg.Buttons, buttons)
		}
	}
	t.out = append(t.out, msg)
}

// keepOptionsWithoutNewButtons leaves the earlier buttons live when the turn sent none of
// its own (an FAQ answer, a "no longer applies" note), so the patient can still tap the
// question in front of them. The tapped button itself is spent either way.
func (t *turn) keepOptionsWithoutNewButtons() {
	for _, msg := range t.out {
		if len(msg.Buttons) > 0 {
			return
		}
	}
	for token, option := range t.liveOptions {
		if _, kept := t.state.Options[token]; !kept && token != t.in.Callback {
			t.state.Options[token] = option
		}
	}
}

// run decides what the inbound message is and dispatches it.
func (t *turn) run() error {
	t.outcome = OutcomeProcessed
	live := t.state.Options
	t.liveOptions = live
	t.state.Options = map[string]Option{}
	for token, option := range live {
		if option.Sticky && (option.ExpiresAt.IsZero() || t.now.Before(option.ExpiresAt)) {
			t.state.Options[token] = option
		}
	}
	defer t.keepOptionsWithoutNewButtons()
	if t.in.Kind == KindCallback {
		return t.onCallback(live)
	}
	switch t.in.Kind {
	case KindText:
		return t.onText(strings.TrimSpace(t.in.Text))
	case KindContact:
		return t.onContact()
	default:
		return t.onUnsupported()
	}
}

// maxTextLength is the longest message, in characters, the engine reads. Telegram itself
// caps a message at 4,096 characters; the console has no cap.
const maxTextLength = 4096

func (t *turn) onText(text string) error {
	if text == "" {
		t.outcome = OutcomeRejected
		t.say(msgEmpty)
		return t.repromptForm()
	}
	// The safety screen sees every message first, whatever the conversation is doing.
	if nlu.Screen(text) {
		return t.onCrisis()
	}
	if len([]rune(text)) > maxTextLength {
		t.outcome = OutcomeRejected
		t.say(fmt.Sprintf(msgTooLong, maxTextLength))
		return t.repromptForm()
	}
	if t.state.Form != nil {
		return t.formText(text)
	}
	if t.state.Booking != nil {
		return t.bookingText(text)
	}
	if isResume(text) && t.state.Paused != nil {
		return t.resume()
	}
	if reply, ok := smallTalk(text); ok {
		t.ask(reply, t.menu()...)
		return nil
	}
	result, err := t.classify(text)
	if err != nil {
		return err
	}
	return t.route(result, text)
}

func (t *turn) classify(text string) (nlu.Result, error) {
	if t.early != nil && t.early.text == text {
		return t.early.result, nil
	}
	return t.e.classify(t.ctx, classifyRequest(text, t.now, t.e.cfg.Location, t.state, t.patient))
}

// classifyRequest builds the intent layer's request: the step the conversation is at and
// the patient's names to mask go with the text.
func classifyRequest(text string, now time.Time, loc *time.Location, state *State, patient *records.Patient) nlu.Request {
	req := nlu.Request{Text: text, Now: now, Location: loc}
	if state != nil && state.Form != nil {
		req.Step = state.Form.Name + "." + state.Form.Step
	}
	if patient != nil {
		req.MaskNames = []string{patient.GivenName, patient.FamilyName, patient.PreferredName}
	}
	return req
}

func (e *Engine) classify(ctx context.Context, req nlu.Request) (nlu.Result, error) {
	result, err := e.cfg.Classifier.Classify(ctx, req)
	if err != nil {
		return nlu.Result{}, fmt.Errorf("classify message: %w", err)
	}
	return result, nil
}

func (t *turn) onCrisis() error {
	// The buttons of the question before stay live, so the patient can carry on with a
	// tap when ready.
	for token, option := range t.liveOptions {
		t.state.Options[token] = option
	}
	t.say(nlu.CrisisReply)
	if t.state.Form != nil {
		t.say(fmt.Sprintf(msgCrisisFormKept, formByName(t.state.Form.Name).title))
	}
	// NOTE: paging staff in Slack about the crisis is not built yet; the reply above is
	// all that happens.
	return nil
}

func (t *turn) onCallback(live map[string]Option) error {
	option, ok := live[t.in.Callback]
	if !ok {
		// The buttons of the current question stay live (no new buttons are sent).
		t.outcome = OutcomeRejected
		t.say(msgStaleButton)
		return nil
	}
	switch option.Action {
	case actionAnswer:
		if t.state.Form == nil {
			t.outcome = OutcomeRejected
			t.say(msgStaleButton)
			return nil
		}
		return t.formAnswer(option.Value, false)
	case actionControl:
		if t.state.Form == nil {
			t.outcome = OutcomeRejected
			t.say(msgStaleButton)
			return nil
		}
		return t.formControl(option.Value)
	case actionResume:
		return t.resume()
	case actionStartForm:
		return t.startForm(option.Value)
	case actionSlot, actionSlotConfirm, actionMoreTimes, actionWaitlistJoin, actionSpecialty,
		actionCancelAppointment, actionCancelConfirm, actionKeepAppointment, actionMoveAppointment,
		actionOfferAccept, actionOfferDecline, actionWaitlistLeave, actionRebook:
		delete(t.state.Options, t.in.Callback)
		return t.bookingAction(option)
	case actionFAQ:
		if err := t.showFAQ(option.Value); err != nil {
			return err
		}
		t.notePaused()
		return nil
	case actionIntent:
		return t.route(nlu.Result{Intent: nlu.Intent(option.Value), Confidence: 1}, "")
	}
	t.outcome = OutcomeRejected
	t.say(msgStaleButton)
	return nil
}

func (t *turn) onContact() error {
	own := t.in.ContactUserID != "" && t.in.ContactUserID == t.in.UserID
	if t.state.Form != nil && formByName(t.state.Form.Name).field(t.state.Form.Step).acceptsContact {
		if !own {
			t.outcome = OutcomeRejected
			t.say(msgContactNotOwn)
			return t.repromptForm()
		}
		return t.formAnswer(t.in.ContactPhone, true)
	}
	t.outcome = OutcomeRejected
	t.say(msgContactUnexpected)
	return t.repromptForm()
}

func (t *turn) onUnsupported() error {
	kind := t.in.Unsupported
	if kind == "" {
		kind = "that kind of message"
	}
	if caption := strings.TrimSpace(t.in.Text); caption != "" {
		// The caption is read like a message; only the attachment is left unread.
		if !nlu.Screen(caption) {
			t.say(fmt.Sprintf(msgUnsupportedCaption, kind))
		}
		return t.onText(caption)
	}
	t.outcome = OutcomeRejected
	if t.state.Form != nil {
		t.say(fmt.Sprintf(msgUnsupported, kind))
		return t.repromptForm()
	}
	t.say(fmt.Sprintf(msgUnsupportedNoForm, kind))
	return nil
}

// route acts on a classified request outside a form (or after a form was paused).
func (t *turn) route(result nlu.Result, text string) error {
	switch result.Intent {
	case nlu.IntentCrisis:
		return t.onCrisis()
	case nlu.IntentGreet, nlu.IntentHelp:
		t.greet(result.Intent == nlu.IntentHelp)
	case nlu.IntentEnrol:
		return t.startEnrol()
	case nlu.IntentUpdateDetails:
		return t.details(text)
	case nlu.IntentMentalHealth:
		t.say(msgWellbeing)
	case nlu.IntentBook, nlu.IntentReschedule, nlu.IntentCancel, nlu.IntentListAppointments,
		nlu.IntentWaitlistJoin, nlu.IntentWaitlistLeave:
		if err := t.appointmentIntent(result, text); err != nil {
			return err
		}
	case nlu.IntentCheckIn:
		t.notYet(msgNotYetCheckIn)
	case nlu.IntentFAQ:
		if err := t.answerFAQ(text); err != nil {
			return err
		}
	case nlu.IntentHuman:
		t.notYet(msgNotYetHuman)
	case nlu.IntentUnknown:
		// "physio next week" names who but no verb: take it as a booking request.
		if result.Entities.Specialty != "" || result.Entities.Practitioner != "" {
			result.Intent = nlu.IntentBook
			return t.route(result, text)
		}
		fallthrough
	default:
		// An unrecognised message may still be a question the FAQ answers.
		answered, err := t.answerFAQIfFound(text)
		if err != nil {
			return err
		}
		switch {
		case answered:
		case strings.Contains(text, "?"):
			t.ask(msgFAQNone, t.menu()...)
		default:
			t.ask(msgUnknown, t.menu()...)
		}
	}
	t.notePaused()
	return nil
}

// notYet answers an intent whose flow is not built, saying what the bot can do today.
func (t *turn) notYet(text string) {
	t.ask(text+"\n\n"+msgCanDoToday, t.menu()...)
}

// notePaused reminds the patient of a paused form after another request was answered.
func (t *turn) notePaused() {
	if t.state.Paused == nil || t.state.Form != nil {
		return
	}
	f := formByName(t.state.Paused.Name)
	t.ask(fmt.Sprintf(msgPausedReminder, f.title), choice{label: "Resume " + f.title, option: Option{Action: actionResume}})
}

func (t *turn) menu() []choice {
	if t.patient == nil {
		return []choice{intentChoice("Enrol", nlu.IntentEnrol), intentChoice("Help", nlu.IntentHelp)}
	}
	return []choice{intentChoice("Book an appointment", nlu.IntentBook), intentChoice("My appointments", nlu.IntentListAppointments),
		intentChoice("My details", nlu.IntentUpdateDetails), intentChoice("Help", nlu.IntentHelp)}
}

func (t *turn) greet(help bool) {
	if t.patient == nil && help {
		t.ask(msgHelpNew, t.menu()...)
		return
	}
	if t.patient == nil {
		t.ask(fmt.Sprintf(msgWelcomeNew, t.e.cfg.ClinicName), t.menu()...)
		return
	}
	text := fmt.Sprintf(msgWelcomeBack, t.patient.CallName())
	if help {
		text = msgHelpEnrolled
	}
	t.ask(text, t.menu()...)
}

// smallTalk returns a reply to thanks, goodbyes and questions about the bot, and to form
// words (back, skip, cancel) typed when no form is open.
func smallTalk(text string) (string, bool) {
	switch strings.ToLower(strings.Trim(text, " .!?")) {
	case "thanks", "thank you", "thanks heaps", "thank you so much", "ta", "cheers", "thx", "ty":
		return msgThanks, true
	case "bye", "goodbye", "see ya", "see you", "cya", "good night", "goodnight":
		return msgBye, true
	case "who are you", "what are you", "are you a robot", "are you a bot", "are you human", "are you a person", "are you real":
		return msgWhoAmI, true
	case "back", "go back", "skip", "resume", "continue", "stop", "quit", "exit":
		return msgNothingInProgress, true
	}
	return "", false
}

func isResume(text string) bool {
	switch strings.ToLower(strings.Trim(text, " .!")) {
	case "resume", "continue", "carry on", "keep going", "go on":
		return true
	}
	return false
}

func (t *turn) resume() error {
	if t.state.Paused == nil {
		t.outcome = OutcomeRejected
		t.ask(msgNothingToResume, t.menu()...)
		return nil
	}
	t.state.Form, t.state.Paused = t.state.Paused, nil
	return t.prompt()
}
