package bot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pakenham-health/pms/nlu"
	"github.com/pakenham-health/pms/records"
)

// form is a questionnaire asked one field at a time. Every answer is validated as it
// arrives; "back", "skip" and "cancel" work at every step.
type form struct {
	name   string
	title  string // how messages name it: "enrolment"
	fields []field
	// finish runs when the last field is answered, inside the turn's transaction.
	finish func(t *turn) error
	// cancelled is the reply when the patient cancels.
	cancelled string
}

// field is one question of a form.
type field struct {
	key    string
	prompt func(t *turn) string
	// choices are answer buttons; the patient may also type the answer.
	choices  []choice
	optional bool
	// freeText marks questions whose answers could be mistaken for a request (names), so
	// a clear request typed there pauses the form instead of being stored.
	freeText       bool
	acceptsContact bool
	skip           func(answers map[string]string) bool
	// parse validates the typed answer and returns the value to store. Its error, when a
	// *records.ValidationError or answerError, is shown to the patient.
	parse func(t *turn, text string) (string, error)
	// after runs once the answer is stored; it may end the form (returns done=true).
	after func(t *turn, value string) (done bool, err error)
	// shortRetry replaces the question with the error message when an answer is
	// rejected, for questions too long to repeat (the consent wording).
	shortRetry bool
}

// answerError is a rejected answer with the sentence to show the patient.
type answerError string

func (e answerError) Error() string { return string(e) }

var forms = map[string]*form{}

func registerForm(f *form) *form {
	forms[f.name] = f
	return f
}

func formByName(name string) *form {
	f, ok := forms[name]
	if !ok {
		panic("bot: unknown form " + name)
	}
	return f
}

func (f *form) field(key string) *field {
	for i := range f.fields {
		if f.fields[i].key == key {
			return &f.fields[i]
		}
	}
	panic("bot: form " + f.name + " has no field " + key)
}

func (f *form) index(key string) int {
	for i := range f.fields {
		if f.fields[i].key == key {
			return i
		}
	}
	return -1
}

// nextField returns the first field after index i that applies to the answers so far, or
// "" when the form is complete.
func (f *form) nextField(i int, answers map[string]string) string {
	for j := i + 1; j < len(f.fields); j++ {
		if skip := f.fields[j].skip; skip != nil && skip(answers) {
			continue
		}
		return f.fields[j].key
	}
	return ""
}

// previousField returns the field before index i that applies, or "" at the start.
func (f *form) previousField(i int, answers map[string]string) string {
	for j := i - 1; j >= 0; j-- {
		if skip := f.fields[j].skip; skip != nil && skip(answers) {
			continue
		}
		return f.fields[j].key
	}
	return ""
}

// startForm begins the named form at its first field.
func (t *turn) startForm(name string) error {
	f := formByName(name)
	t.state.Form = &FormState{Name: name, Answers: map[string]string{}}
	t.state.Form.Step = f.nextField(-1, t.state.Form.Answers)
	return t.prompt()
}

// prompt asks the current field's question.
func (t *turn) prompt() error {
	fs := t.state.Form
	return t.promptWith(formByName(fs.Name).field(fs.Step).prompt(t))
}

// promptWith asks the current field's question in the given words, with its buttons.
func (t *turn) promptWith(text string) error {
	fs := t.state.Form
	f := formByName(fs.Name)
	fld := f.field(fs.Step)
	var rows [][]choice
	for _, c := range fld.choices {
		rows = append(rows, []choice{c})
	}
	var controls []choice
	if f.index(fs.Step) > 0 && f.previousField(f.index(fs.Step), fs.Answers) != "" {
		controls = append(controls, choice{label: "« Back", option: Option{Action: actionControl, Value: "back"}, control: true})
	}
	if fld.optional {
		controls = append(controls, choice{label: "Skip", option: Option{Action: actionControl, Value: "skip"}, control: true})
	}
	controls = append(controls, choice{label: "Cancel", option: Option{Action: actionControl, Value: "cancel"}, control: true})
	rows = append(rows, controls)
	t.askRows(text, rows)
	if fld.acceptsContact {
		t.out[len(t.out)-1].RequestContact = true
	}
	return nil
}

// repromptForm asks the current question again when a form is in progress.
func (t *turn) repromptForm() error {
	if t.state.Form == nil {
		return nil
	}
	return t.prompt()
}

func controlWord(text string) string {
	switch strings.ToLower(strings.Trim(text, " .!")) {
	case "back", "go back", "previous", "undo":
		return "back"
	case "cancel", "stop", "quit", "exit", "cancel this", "never mind", "nevermind", "forget it":
		return "cancel"
	case "skip", "pass", "skip it", "skip this", "n/a":
		return "skip"
	}
	return ""
}

func (t *turn) formControl(word string) error {
	fs := t.state.Form
	f := formByName(fs.Name)
	fld := f.field(fs.Step)
	switch word {
	case "cancel":
		t.state.Form = nil
		t.ask(f.cancelled, t.menu()...)
		return nil
	case "back":
		prev := f.previousField(f.index(fs.Step), fs.Answers)
		if prev == "" {
			t.say(msgAtFirstQuestion)
			return t.prompt()
		}
		fs.Step = prev
		return t.prompt()
	case "skip":
		if !fld.optional {
			t.outcome = OutcomeRejected
			t.say(msgCannotSkip)
			return t.prompt()
		}
		delete(fs.Answers, fs.Step)
		return t.advance(f, fld, "")
	}
	return fmt.Errorf("unknown form control %q", word)
}

// formText handles typed text while a form is in progress.
func (t *turn) formText(text string) error {
	if word := controlWord(text); word != "" {
		return t.formControl(word)
	}
	if isResume(text) {
		return t.prompt()
	}
	if isGreeting(text) {
		// A greeting from someone coming back to a half-finished form is not an answer.
		return t.promptWith(fmt.Sprintf(msgWelcomeBackToForm, formByName(t.state.Form.Name).title) + "\n\n" +
			formByName(t.state.Form.Name).field(t.state.Form.Step).prompt(t))
	}
	fld := formByName(t.state.Form.Name).field(t.state.Form.Step)
	if fld.freeText && looksLikeSentence(text) {
		switched, err := t.switchIfRequest(text)
		if switched || err != nil {
			return err
		}
	}
	if value, ok := choiceByLabel(fld.choices, text); ok {
		return t.formAnswer(value, false)
	}
	value, err := fld.parse(t, text)
	if err == nil {
		return t.formAnswer(value, false)
	}
	if msg, ok := patientMessage(err); ok {
		// A typed request that is not an answer pauses the form instead of failing it.
		// Short texts ("25/12/2030") and dates that were read but rejected ("1 Jan 1850")
		// are taken as attempted answers.
		var inputErr *nlu.InputError
		if !fld.freeText && looksLikeSentence(text) && !errors.As(err, &inputErr) {
			switched, cerr := t.switchIfRequest(text)
			if switched || cerr != nil {
				return cerr
			}
		}
		t.outcome = OutcomeRejected
		if fld.shortRetry {
			return t.promptWith(msg)
		}
		t.say(msg)
		return t.prompt()
	}
	return err
}

func isGreeting(text string) bool {
	switch strings.ToLower(strings.Trim(text, " .!?")) {
	case "hi", "hello", "hey", "hiya", "g'day", "gday", "good morning", "good afternoon", "good evening", "hi there", "hello again", "hi again":
		return true
	}
	return false
}

// looksLikeSentence reports text that reads like a request rather than a short answer.
func looksLikeSentence(text string) bool {
	return len(strings.Fields(text)) >= 3 || strings.ContainsAny(text, "?")
}

// switchIfRequest classifies text and, when it is clearly another request, pauses the
// form and answers the request. The text is never stored as an answer.
func (t *turn) switchIfRequest(text string) (bool, error) {
	result, err := t.classify(text)
	if err != nil {
		return false, err
	}
	switch result.Intent {
	case nlu.IntentUnknown, nlu.IntentGreet:
		return false, nil
	case nlu.IntentCrisis:
		return true, t.onCrisis()
	}
	if result.Confidence <= switchConfidence {
		return false, nil
	}
	if nlu.Intent(result.Intent) == nlu.IntentEnrol && t.state.Form.Name == enrolForm {
		return true, t.prompt()
	}
	t.state.Paused, t.state.Form = t.state.Form, nil
	return true, t.route(result, text)
}

// switchConfidence is the classifier confidence that typed text inside a form must exceed
// to be taken as a new request rather than a wrong answer.
const switchConfidence = 0.5

func patientMessage(err error) (string, bool) {
	var verr *records.ValidationError
	if errors.As(err, &verr) {
		return verr.Message, true
	}
	var aerr answerError
	if errors.As(err, &aerr) {
		return string(aerr), true
	}
	var inputErr *nlu.InputError
	if errors.As(err, &inputErr) {
		return inputErr.Message, true
	}
	return "", false
}

// formAnswer stores an answer for the current field. Answers from buttons and from parse
// are already valid; a shared contact's phone number still needs parsing (needsParse).
func (t *turn) formAnswer(value string, needsParse bool) error {
	fs := t.state.Form
	f := formByName(fs.Name)
	fld := f.field(fs.Step)
	if needsParse {
		parsed, err := fld.parse(t, value)
		if msg, ok := patientMessage(err); ok {
			t.outcome = OutcomeRejected
			t.say(msg)
			return t.prompt()
		}
		if err != nil {
			return err
		}
		value = parsed
	}
	return t.advance(f, fld, value)
}

func (t *turn) advance(f *form, fld *field, value string) error {
	fs := t.state.Form
	if fs.Answers == nil {
		fs.Answers = map[string]string{}
	}
	if value != "" {
		fs.Answers[fld.key] = value
	}
	// An answer can make later questions moot (no Medicare number, no reference number):
	// drop what was typed for them earlier, before a "back", so it is not saved.
	for _, later := range f.fields[f.index(fld.key)+1:] {
		if later.skip != nil && later.skip(fs.Answers) {
			delete(fs.Answers, later.key)
		}
	}
	if fld.after != nil {
		done, err := fld.after(t, value)
		if err != nil || done {
			return err
		}
	}
	next := f.nextField(f.index(fld.key), fs.Answers)
	if next == "" {
		t.lastAnswers = fs.Answers
		t.state.Form = nil
		return f.finish(t)
	}
	fs.Step = next
	return t.prompt()
}

// yesNo parses the answer to a yes/no question.
func yesNo(text string) (bool, bool) {
	switch strings.ToLower(strings.Trim(text, " .!")) {
	case "yes", "y", "yep", "yeah", "yes please", "ok", "okay", "sure", "i agree", "agree", "correct", "that's right", "confirm":
		return true, true
	case "no", "n", "nope", "nah", "no thanks", "i don't agree", "disagree":
		return false, true
	}
	return false, false
}

// choiceByLabel matches typed text against the labels of answer buttons, so typing a
// button's label works like tapping it (the console shows buttons as text).
func choiceByLabel(choices []choice, text string) (string, bool) {
	for _, c := range choices {
		if strings.EqualFold(strings.TrimSpace(text), c.label) && c.option.Action == actionAnswer {
			return c.option.Value, true
		}
	}
	return "", false
}
