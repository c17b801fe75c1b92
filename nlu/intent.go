// Package nlu turns a patient's free text into an intent with entities: a deterministic
// safety screen, a rule-based classifier, an optional LLM classifier, and date parsing.
package nlu

import (
	"context"
	"time"
)

// Intent names what a patient's message asks for.
type Intent string

// The intents the engine routes on.
const (
	IntentGreet            Intent = "greet"
	IntentHelp             Intent = "help"
	IntentEnrol            Intent = "enrol"
	IntentUpdateDetails    Intent = "update_details"
	IntentBook             Intent = "book"
	IntentReschedule       Intent = "reschedule"
	IntentCancel           Intent = "cancel"
	IntentListAppointments Intent = "list_appointments"
	IntentWaitlistJoin     Intent = "waitlist_join"
	IntentWaitlistLeave    Intent = "waitlist_leave"
	IntentCheckIn          Intent = "check_in"
	IntentFAQ              Intent = "faq"
	IntentMentalHealth     Intent = "mental_health"
	IntentCrisis           Intent = "crisis"
	IntentHuman            Intent = "human"
	IntentUnknown          Intent = "unknown"
)

// Intents lists every intent in a fixed order, the order used in prompts and reports.
var Intents = []Intent{
	IntentGreet, IntentHelp, IntentEnrol, IntentUpdateDetails, IntentBook,
	IntentReschedule, IntentCancel, IntentListAppointments, IntentWaitlistJoin,
	IntentWaitlistLeave, IntentCheckIn, IntentFAQ, IntentMentalHealth, IntentCrisis,
	IntentHuman, IntentUnknown,
}

// Valid reports whether i is one of Intents.
func (i Intent) Valid() bool {
	for _, known := range Intents {
		if i == known {
			return true
		}
	}
	return false
}

// Sources of a Result.
const (
	SourceScreen = "screen"
	SourceRules  = "rules"
	SourceLLM    = "llm"
)

// Parts of the day used in PartOfDay fields.
const (
	PartMorning   = "morning"
	PartAfternoon = "afternoon"
	PartEvening   = "evening"
)

// Entities are the details found in a message. Date is YYYY-MM-DD in the clinic's zone,
// Time is HH:MM on a 24-hour clock, Practitioner is a lower-case surname and Specialty is
// one of the clinic's specialties.
type Entities struct {
	Date         string `json:"date,omitempty"`
	Time         string `json:"time,omitempty"`
	PartOfDay    string `json:"part_of_day,omitempty"`
	Practitioner string `json:"practitioner,omitempty"`
	Specialty    string `json:"specialty,omitempty"`
}

// Result is the classification of one message.
type Result struct {
	Intent     Intent   `json:"intent"`
	Confidence float64  `json:"confidence"` // 0 to 1
	Entities   Entities `json:"entities"`
	Source     string   `json:"source"` // SourceScreen, SourceRules or SourceLLM
}

// Request is one message to classify.
type Request struct {
	Text     string
	Now      time.Time
	Location *time.Location // the clinic's zone; nil means Now's own location

	// Step is the conversation's current form step, "" when none. Only the LLM sees it.
	Step string

	// MaskNames are the patient's own names, masked before text leaves the process.
	MaskNames []string
}

// location returns the zone dates are resolved in.
func (r Request) location() *time.Location {
	if r.Location != nil {
		return r.Location
	}
	return r.Now.Location()
}

// Classifier classifies one message.
type Classifier interface {
	Classify(ctx context.Context, req Request) (Result, error)
}

// crisisResult is what the safety screen decides.
func crisisResult() Result {
	return Result{Intent: IntentCrisis, Confidence: 1, Source: SourceScreen}
}
