package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/pakenham-health/pms/bot"
)

// maxCaptionLength is the Bot API's limit on a document caption, in UTF-16 code units.
const maxCaptionLength = 1024

// Patient-facing texts of the channel itself.
const (
	shareContactLabel = "Share my phone number"
	shareContactHint  = "Or tap \u201cShare my phone number\u201d below to send the number on your Telegram account."
	privateOnlyText   = "Sorry, I can only help in a private chat. Please message me directly, and I'll be glad to help there."
)

// Sender returns the sender the outbox dispatcher delivers Telegram messages with.
func (c *Channel) Sender() bot.Sender { return sender{c: c} }

type sender struct{ c *Channel }

// Send delivers msg to chatID and returns the id of the last Telegram message it sent.
//
// Text goes without parse_mode, so it arrives exactly as written. Inline buttons carry
// Button.Data as callback_data. Telegram allows one keyboard per message, so a contact
// request together with buttons becomes two messages: the text with the buttons, then a
// short hint with the one-time "Share my phone number" keyboard. A message with neither
// removes any reply keyboard still shown, so the contact button disappears once the
// question has moved on. A message with inline buttons cannot remove it.
//
// NOTE: when a message needs two requests and the second fails, a retry sends the first
// again, so the patient may see it twice.
func (s sender) Send(ctx context.Context, chatID string, msg bot.Outbound) (string, error) {
	id, err := strconv.ParseInt(chatID, 10, 64)
	if err != nil {
		return "", &bot.PermanentError{Err: fmt.Errorf("send telegram message: invalid chat id %q", chatID)}
	}
	if msg.Document != nil {
		return s.c.sendDocument(ctx, id, msg)
	}
	if msg.Text == "" {
		return "", &bot.PermanentError{Err: errors.New("send telegram message: empty text")}
	}

	if msg.RequestContact && len(msg.Buttons) > 0 {
		if _, err := s.c.sendText(ctx, id, msg.Text, inlineKeyboard(msg.Buttons)); err != nil {
			return "", err
		}
		return s.c.sendText(ctx, id, shareContactHint, contactKeyboard())
	}
	return s.c.sendText(ctx, id, msg.Text, markupFor(msg))
}

// markupFor picks the one keyboard a single message can carry.
func markupFor(msg bot.Outbound) any {
	switch {
	case msg.RequestContact:
		return contactKeyboard()
	case len(msg.Buttons) > 0:
		return inlineKeyboard(msg.Buttons)
	}
	return tgbotapi.NewRemoveKeyboard(false)
}

func inlineKeyboard(rows [][]bot.Button) tgbotapi.InlineKeyboardMarkup {
	keyboard := make([][]tgbotapi.InlineKeyboardButton, 0, len(rows))
	for _, row := range rows {
		buttons := make([]tgbotapi.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			buttons = append(buttons, tgbotapi.NewInlineKeyboardButtonData(b.Label, b.Data))
		}
		keyboard = append(keyboard, buttons)
	}
	return tgbotapi.InlineKeyboardMarkup{InlineKeyboard: keyboard}
}

func contactKeyboard() tgbotapi.ReplyKeyboardMarkup {
	keyboard := tgbotapi.NewOneTimeReplyKeyboard(
		tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(shareContactLabel)),
	)
	keyboard.ResizeKeyboard = true
	return keyboard
}

func (c *Channel) sendText(ctx context.Context, chatID int64, text string, markup any) (string, error) {
	config := tgbotapi.NewMessage(chatID, text)
	config.ReplyMarkup = markup
	id, err := c.request(ctx, config)
	if err != nil {
		return "", fmt.Errorf("send telegram message to chat %d: %w", chatID, err)
	}
	return id, nil
}

// sendDocument uploads the document with the text as its caption, or sends the text
// first when it is longer than a caption may be. The keyboard goes on the document.
func (c *Channel) sendDocument(ctx context.Context, chatID int64, msg bot.Outbound) (string, error) {
	config := tgbotapi.NewDocument(chatID, tgbotapi.FileBytes{Name: msg.Document.Name, Bytes: msg.Document.Content})
	if msg.RequestContact {
		config.ReplyMarkup = contactKeyboard()
	} else if len(msg.Buttons) > 0 {
		config.ReplyMarkup = inlineKeyboard(msg.Buttons)
	}

	if len(utf16.Encode([]rune(msg.Text))) <= maxCaptionLength {
		config.Caption = msg.Text
	} else if _, err := c.sendText(ctx, chatID, msg.Text, nil); err != nil {
		return "", err
	}

	id, err := c.request(ctx, config)
	if err != nil {
		return "", fmt.Errorf("send telegram document to chat %d: %w", chatID, err)
	}
	return id, nil
}

// request sends a message-returning Bot API request and returns the new message's id.
func (c *Channel) request(ctx context.Context, config tgbotapi.Chattable) (string, error) {
	resp, err := c.api(ctx).Request(config)
	if err != nil {
		return "", c.classify(err, resp)
	}
	// Telegram has accepted the message, so an unreadable result is logged, not returned,
	// because a retry would send the message twice.
	var sent tgbotapi.Message
	if err := json.Unmarshal(resp.Result, &sent); err != nil || sent.MessageID == 0 {
		c.log.Warn("telegram_sent_message_id_unreadable", "error", err)
		return "", nil
	}
	return strconv.Itoa(sent.MessageID), nil
}

// retryAfterDuration converts Telegram's retry_after seconds. A missing value gives one
// second.
func retryAfterDuration(seconds int) time.Duration {
	if seconds <= 0 {
		return time.Second
	}
	return time.Duration(seconds) * time.Second
}
