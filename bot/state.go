package bot

import "time"

// State is a chat's conversation state, stored as JSON in conversations.state.
type State struct {
	// Form is the form in progress, if any.
	Form *FormState `json:"form,omitempty"`
	// Paused is a form set aside when the patient switched topic; "resume" restores it.
	Paused *FormState `json:"paused,omitempty"`
	// Options maps the button tokens of the latest message to what they mean. Older
	// tokens are dropped, so a tap on an outdated button is recognised as stale.
	Options map[string]Option `json:"options,omitempty"`
	// NextToken numbers button tokens so each is unique within the chat.
	NextToken int `json:"next_token,omitempty"`
	// Booking is the booking, reschedule or waitlist request being put together.
	Booking *BookingDraft `json:"booking,omitempty"`
}

// FormState is the position in a form and the answers so far.
type FormState struct {
	Name    string            `json:"name"`
	Step    string            `json:"step"`
	Answers map[string]string `json:"answers,omitempty"`
}

// Option is what a button means: an action and its value.
type Option struct {
	Action string `json:"action"`
	Value  string `json:"value,omitempty"`
	// Sticky options survive later messages until they are used or expire, for buttons
	// sent by the clinic rather than in reply (waitlist offers, rebooking after a clinic
	// cancellation).
	Sticky    bool      `json:"sticky,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Button actions.
const (
	actionAnswer    = "answer"     // answer the current form step with Value
	actionIntent    = "intent"     // act as if the patient typed a request for intent Value
	actionResume    = "resume"     // resume the paused form
	actionControl   = "control"    // form control: back, cancel, skip
	actionStartForm = "start_form" // start the form named by Value
)
