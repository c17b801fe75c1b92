package telegramtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The Push methods queue one update for getUpdates and return its update_id. The people
// in them are made up: every sender is called "Test Patient".

// PushMessage queues a text message in a private chat. A text starting with "/" carries
// a bot_command entity over its first word, as Telegram sends commands.
func (s *Server) PushMessage(chatID, userID int64, text string) int {
	return s.push(func(updateID, messageID int) map[string]any {
		return MessageUpdate(updateID, messageID, PrivateChat(chatID), userID, text)
	})
}

// PushGroupMessage queues a text message in a group chat (chatID is usually negative).
func (s *Server) PushGroupMessage(chatID, userID int64, text string) int {
	return s.push(func(updateID, messageID int) map[string]any {
		return MessageUpdate(updateID, messageID, GroupChat(chatID), userID, text)
	})
}

// PushSticker queues a sticker in a private chat.
func (s *Server) PushSticker(chatID, userID int64) int {
	return s.push(func(updateID, messageID int) map[string]any {
		msg := message(messageID, PrivateChat(chatID), userID)
		msg["sticker"] = map[string]any{
			"file_id": "CAACAgIAAx-sticker", "file_unique_id": "AgAD-sticker", "type": "regular",
			"width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍",
		}
		return map[string]any{"update_id": updateID, "message": msg}
	})
}

// PushContact queues a shared contact in a private chat. contactUserID is the Telegram
// user the contact belongs to: the sender's own id when they tapped "share my phone
// number", another id (or 0 for none) for someone else's contact.
func (s *Server) PushContact(chatID, userID int64, phone string, contactUserID int64) int {
	return s.push(func(updateID, messageID int) map[string]any {
		msg := message(messageID, PrivateChat(chatID), userID)
		contact := map[string]any{"phone_number": phone, "first_name": "Test"}
		if contactUserID != 0 {
			contact["user_id"] = contactUserID
		}
		msg["contact"] = contact
		return map[string]any{"update_id": updateID, "message": msg}
	})
}

// PushCallback queues a tap on an inline button with callback data in a private chat and
// returns the callback query id, which AnswersToCallbacks reports once answered.
func (s *Server) PushCallback(chatID, userID int64, data string) string {
	var queryID string
	s.push(func(updateID, messageID int) map[string]any {
		queryID = fmt.Sprintf("%d%06d", userID, updateID)
		return CallbackUpdate(updateID, queryID, messageID, PrivateChat(chatID), userID, data)
	})
	return queryID
}

// PushUpdate queues raw update JSON. The server sets its update_id, so the raw JSON may
// leave it out. It panics when raw is not a JSON object, which is a bug in the test.
func (s *Server) PushUpdate(raw string) int {
	var update map[string]any
	if err := json.Unmarshal([]byte(raw), &update); err != nil {
		panic(fmt.Sprintf("telegramtest: PushUpdate needs a JSON object: %v", err))
	}
	return s.push(func(updateID, _ int) map[string]any {
		update["update_id"] = updateID
		return update
	})
}

// push assigns the next update and message ids, builds the update and queues it.
func (s *Server) push(build func(updateID, messageID int) map[string]any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	updateID := s.nextUpdateID
	s.nextUpdateID++
	messageID := s.nextMessageID
	s.nextMessageID++

	raw, err := json.Marshal(build(updateID, messageID))
	if err != nil {
		panic(fmt.Sprintf("telegramtest: encode update: %v", err))
	}
	s.queue = append(s.queue, queuedUpdate{id: updateID, raw: raw})
	s.notifyLocked()
	return updateID
}

// MessageUpdate builds a message update in chat (from PrivateChat or GroupChat). It is
// exported for webhook tests, which post updates themselves.
func MessageUpdate(updateID, messageID int, chat map[string]any, userID int64, text string) map[string]any {
	msg := message(messageID, chat, userID)
	msg["text"] = text
	if strings.HasPrefix(text, "/") {
		command, _, _ := strings.Cut(text, " ")
		msg["entities"] = []map[string]any{{"offset": 0, "length": len(command), "type": "bot_command"}}
	}
	return map[string]any{"update_id": updateID, "message": msg}
}

// CallbackUpdate builds a callback query update for a tap on a button under the bot's
// message messageID in chat.
func CallbackUpdate(updateID int, queryID string, messageID int, chat map[string]any, userID int64, data string) map[string]any {
	botMessage := map[string]any{
		"message_id": messageID, "from": botUser(), "chat": chat,
		"date": time.Now().Unix(), "text": "Please choose an option.",
	}
	return map[string]any{
		"update_id": updateID,
		"callback_query": map[string]any{
			"id": queryID, "from": user(userID), "message": botMessage,
			"chat_instance": "-4412345678901234567", "data": data,
		},
	}
}

func message(messageID int, chat map[string]any, userID int64) map[string]any {
	return map[string]any{
		"message_id": messageID, "from": user(userID), "chat": chat, "date": time.Now().Unix(),
	}
}

func user(id int64) map[string]any {
	return map[string]any{"id": id, "is_bot": false, "first_name": "Test", "last_name": "Patient", "language_code": "en"}
}

func botUser() map[string]any {
	return map[string]any{"id": BotID, "is_bot": true, "first_name": BotName, "username": BotUsername}
}

// PrivateChat returns the chat object of a private chat with a test patient.
func PrivateChat(id int64) map[string]any {
	return map[string]any{"id": id, "type": "private", "first_name": "Test", "last_name": "Patient"}
}

// GroupChat returns the chat object of a group.
func GroupChat(id int64) map[string]any {
	return map[string]any{"id": id, "type": "group", "title": "Test group", "all_members_are_administrators": true}
}
