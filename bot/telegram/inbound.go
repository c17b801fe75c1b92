package telegram

import (
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/pakenham-health/pms/bot"
)

// ChannelName is the channel name in bot.Inbound and in the outbox.
const ChannelName = "telegram"

// Reasons ToInbound gives for an update it does not pass to the engine.
const (
	// ReasonNotPrivate is a message or button tap in a group, supergroup or channel. The
	// bot replies with a refusal and stores nothing.
	ReasonNotPrivate = "not_private_chat"
	// ReasonEdited is an edited message. An edit cannot be taken back once a step has
	// acted on the original, so edits are ignored.
	ReasonEdited = "edited_message"
	// ReasonServiceMessage is a message with no content from the sender, such as a
	// pinned-message notice.
	ReasonServiceMessage = "service_message"
	// ReasonNoChat is a callback query without a message, which comes from inline mode;
	// the bot does not use inline mode.
	ReasonNoChat = "callback_without_chat"
	// ReasonOtherUpdate is any other kind of update (channel posts, inline queries,
	// polls, membership changes and so on). The bot requests only messages and callback
	// queries (allowedUpdates), so these arrive only if that list changes.
	ReasonOtherUpdate = "unhandled_update_kind"
)

// ToInbound converts a Telegram update into the engine's inbound message. When ok is
// false the update must not reach the engine, and reason is one of the Reason
// constants. MessageID is "message:<chat_id>:<message_id>" for a message and
// "callback:<callback query id>" for a tap, so a redelivered update keeps its id. The
// update id is not used because, per the Bot API's Update documentation, the next one is
// chosen at random after a week without updates and could repeat an old id.
// A callback query has no date, so its ReceivedAt is zero and the engine uses its clock.
func ToInbound(u tgbotapi.Update) (in bot.Inbound, ok bool, reason string) {
	switch {
	case u.Message != nil:
		return messageToInbound(u.UpdateID, u.Message)
	case u.CallbackQuery != nil:
		return callbackToInbound(u.UpdateID, u.CallbackQuery)
	case u.EditedMessage != nil:
		return bot.Inbound{}, false, ReasonEdited
	}
	return bot.Inbound{}, false, ReasonOtherUpdate
}

func messageToInbound(updateID int, m *tgbotapi.Message) (bot.Inbound, bool, string) {
	if m.Chat == nil || !m.Chat.IsPrivate() {
		return bot.Inbound{}, false, ReasonNotPrivate
	}
	in := bot.Inbound{
		Channel:    ChannelName,
		ChatID:     strconv.FormatInt(m.Chat.ID, 10),
		MessageID:  "message:" + strconv.FormatInt(m.Chat.ID, 10) + ":" + strconv.Itoa(m.MessageID),
		ReceivedAt: time.Unix(int64(m.Date), 0).UTC(),
	}
	if m.From != nil {
		in.UserID = strconv.FormatInt(m.From.ID, 10)
	}

	switch {
	case m.Contact != nil:
		in.Kind = bot.KindContact
		in.ContactPhone = m.Contact.PhoneNumber
		if m.Contact.UserID != 0 {
			in.ContactUserID = strconv.FormatInt(m.Contact.UserID, 10)
		}
	case m.Text != "":
		in.Kind = bot.KindText
		in.Text = stripBotName(m)
	default:
		name, known := unsupportedName(m)
		if !known {
			return bot.Inbound{}, false, ReasonServiceMessage
		}
		in.Kind = bot.KindUnsupported
		in.Unsupported = name
		// A caption is text the patient typed, so the engine screens and reads it.
		in.Text = m.Caption
	}
	return in, true, ""
}

func callbackToInbound(updateID int, q *tgbotapi.CallbackQuery) (bot.Inbound, bool, string) {
	if q.Message == nil || q.Message.Chat == nil {
		return bot.Inbound{}, false, ReasonNoChat
	}
	if !q.Message.Chat.IsPrivate() {
		return bot.Inbound{}, false, ReasonNotPrivate
	}
	in := bot.Inbound{
		Channel:   ChannelName,
		ChatID:    strconv.FormatInt(q.Message.Chat.ID, 10),
		MessageID: "callback:" + q.ID,
		Kind:      bot.KindCallback,
		Callback:  q.Data,
	}
	if q.From != nil {
		in.UserID = strconv.FormatInt(q.From.ID, 10)
	}
	return in, true, ""
}

// stripBotName removes "@botname" from a command, so "/start@pms_bot now" becomes
// "/start now". Telegram marks a command with a bot_command entity at offset 0. The
// entity's length is checked here because the library's Message.Command panics when it
// is longer than the text.
func stripBotName(m *tgbotapi.Message) string {
	if len(m.Entities) == 0 || !m.Entities[0].IsCommand() || m.Entities[0].Offset != 0 {
		return m.Text
	}
	length := m.Entities[0].Length
	if length < 1 || length > len(m.Text) {
		return m.Text
	}
	command, _, found := strings.Cut(m.Text[:length], "@")
	if !found {
		return m.Text
	}
	return command + m.Text[length:]
}

// unsupportedName names content the engine cannot read, in the plural for the reply
// "Sorry, I can't read stickers." Animations are checked before documents and venues
// before locations, because Telegram sets both fields on those messages.
func unsupportedName(m *tgbotapi.Message) (string, bool) {
	switch {
	case m.Sticker != nil:
		return "stickers", true
	case len(m.Photo) > 0:
		return "photos", true
	case m.Voice != nil:
		return "voice messages", true
	case m.Audio != nil:
		return "audio files", true
	case m.VideoNote != nil:
		return "video messages", true
	case m.Video != nil:
		return "videos", true
	case m.Animation != nil:
		return "GIFs", true
	case m.Document != nil:
		return "files", true
	case m.Venue != nil:
		return "places", true
	case m.Location != nil:
		return "locations", true
	case m.Poll != nil:
		return "polls", true
	case m.Dice != nil:
		return "dice", true
	case m.Game != nil:
		return "games", true
	}
	return "", false
}
