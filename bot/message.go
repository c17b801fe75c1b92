// Package bot is the channel-agnostic conversation engine: it turns one inbound message
// into a conversation step inside one database transaction, keeps each chat's state in
// PostgreSQL, and delivers replies through the outbox.
package bot

import (
	"time"
)

// Kind is what an inbound message carries.
type Kind string

// Kinds of inbound message.
const (
	KindText        Kind = "text"
	KindCallback    Kind = "callback"    // a button tap; Callback holds its data
	KindContact     Kind = "contact"     // a shared phone contact
	KindUnsupported Kind = "unsupported" // a sticker, photo, voice note, location, ...
)

// Inbound is one message, tap or event from a channel, already taken out of its wire
// format.
type Inbound struct {
	Channel   string // "telegram", "console"
	ChatID    string
	UserID    string
	MessageID string // unique per channel; a repeat is acknowledged and dropped
	Kind      Kind
	Text      string
	Callback  string

	// ContactPhone and ContactUserID describe a shared contact; the phone number is used
	// only when the contact is the sender's own.
	ContactPhone  string
	ContactUserID string

	// Unsupported names the kind of content the engine cannot read ("stickers", "photos").
	// Text then holds the content's caption, if it has one.
	Unsupported string

	ReceivedAt time.Time
}

// Button is one choice under a message. Data is an opaque token that the engine resolves
// against the options stored in the chat's conversation.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
	// Control marks form navigation (back, skip, cancel), which channels without buttons
	// can offer as words to type instead.
	Control bool `json:"control,omitempty"`
}

// Document is a file sent with a message, such as an .ics calendar entry.
type Document struct {
	Name    string `json:"name"`
	MIME    string `json:"mime"`
	Content []byte `json:"content"`
}

// Outbound is one message to a chat.
type Outbound struct {
	Text     string     `json:"text"`
	Buttons  [][]Button `json:"buttons,omitempty"`
	Document *Document  `json:"document,omitempty"`

	// RequestContact asks the channel to offer a "share my phone number" control.
	RequestContact bool `json:"request_contact,omitempty"`

	// Offer names the waitlist offer this message makes, so an offer that cannot be
	// delivered is passed to the next patient instead of holding the time. Channels ignore it.
	Offer *OfferRef `json:"offer,omitempty"`
}

// OfferRef identifies a waitlist offer and the patient it was made to.
type OfferRef struct {
	ID        int64 `json:"id"`
	PatientID int64 `json:"patient_id"`
}
