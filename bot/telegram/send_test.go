package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/telegram/telegramtest"
)

func TestSendTextArrivesExactly(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	text := "Hi _under_*score*, see <b>x</b> & [this](http://x) `code` 😀👩‍⚕️ 李小龙\nLine two"

	id, err := c.Sender().Send(t.Context(), "42", bot.Outbound{Text: text})
	require.NoError(t, err)

	sent := fake.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "sendMessage", sent[0].Method)
	assert.Equal(t, int64(42), sent[0].ChatID)
	assert.Equal(t, text, sent[0].Text)
	assert.Empty(t, sent[0].ParseMode)
	assert.Equal(t, strconv.Itoa(sent[0].MessageID), id)
	require.NotNil(t, sent[0].ReplyMarkup)
	assert.True(t, sent[0].ReplyMarkup.RemoveKeyboard, "a plain message removes a leftover contact keyboard")
}

func TestSendInlineButtons(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	msg := bot.Outbound{
		Text: "Which day suits you?",
		Buttons: [][]bot.Button{
			{{Label: "Tuesday 8 December", Data: "o:1"}, {Label: "Wednesday 9 December", Data: "o:2"}},
			{{Label: "Cancel", Data: "o:3"}},
		},
	}

	_, err := c.Sender().Send(t.Context(), "42", msg)
	require.NoError(t, err)

	sent := fake.Sent()
	require.Len(t, sent, 1)
	require.NotNil(t, sent[0].ReplyMarkup)
	assert.Equal(t, [][]telegramtest.InlineButton{
		{{Text: "Tuesday 8 December", CallbackData: "o:1"}, {Text: "Wednesday 9 December", CallbackData: "o:2"}},
		{{Text: "Cancel", CallbackData: "o:3"}},
	}, sent[0].ReplyMarkup.InlineKeyboard)
	assert.False(t, sent[0].ReplyMarkup.RemoveKeyboard)
}

func TestSendRequestContactKeyboard(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())

	_, err := c.Sender().Send(t.Context(), "42", bot.Outbound{Text: "What's your mobile number?", RequestContact: true})
	require.NoError(t, err)

	sent := fake.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "What's your mobile number?", sent[0].Text)
	require.NotNil(t, sent[0].ReplyMarkup)
	assert.Equal(t, [][]telegramtest.KeyboardButton{{{Text: "Share my phone number", RequestContact: true}}}, sent[0].ReplyMarkup.Keyboard)
	assert.True(t, sent[0].ReplyMarkup.OneTimeKeyboard)
	assert.Empty(t, sent[0].ReplyMarkup.InlineKeyboard)
}

func TestSendRequestContactWithButtons(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	msg := bot.Outbound{
		Text:           "What's your mobile number?",
		Buttons:        [][]bot.Button{{{Label: "Skip", Data: "o:1"}, {Label: "Cancel", Data: "o:2"}}},
		RequestContact: true,
	}

	id, err := c.Sender().Send(t.Context(), "42", msg)
	require.NoError(t, err)

	sent := fake.Sent()
	require.Len(t, sent, 2)
	assert.Equal(t, msg.Text, sent[0].Text)
	require.NotNil(t, sent[0].ReplyMarkup)
	assert.Len(t, sent[0].ReplyMarkup.InlineKeyboard, 1)
	assert.Equal(t, shareContactHint, sent[1].Text)
	require.NotNil(t, sent[1].ReplyMarkup)
	assert.True(t, sent[1].ReplyMarkup.Keyboard[0][0].RequestContact)
	assert.Equal(t, strconv.Itoa(sent[1].MessageID), id)
}

func TestSendDocumentWithCaption(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	content := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
	msg := bot.Outbound{
		Text:     "Here's your appointment for your calendar.",
		Document: &bot.Document{Name: "appointment.ics", MIME: "text/calendar", Content: content},
		Buttons:  [][]bot.Button{{{Label: "Done", Data: "o:1"}}},
	}

	id, err := c.Sender().Send(t.Context(), "42", msg)
	require.NoError(t, err)

	sent := fake.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "sendDocument", sent[0].Method)
	assert.Equal(t, msg.Text, sent[0].Text)
	require.NotNil(t, sent[0].Document)
	assert.Equal(t, "appointment.ics", sent[0].Document.Name)
	assert.Equal(t, content, sent[0].Document.Content)
	require.NotNil(t, sent[0].ReplyMarkup)
	assert.Len(t, sent[0].ReplyMarkup.InlineKeyboard, 1)
	assert.Equal(t, strconv.Itoa(sent[0].MessageID), id)
}

func TestSendDocumentLongTextFirst(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	// 1,000 characters but 2,000 UTF-16 code units, over the 1,024 caption limit.
	text := strings.Repeat("😀", 1000)
	msg := bot.Outbound{Text: text, Document: &bot.Document{Name: "a.ics", Content: []byte("x")}}

	_, err := c.Sender().Send(t.Context(), "42", msg)
	require.NoError(t, err)

	sent := fake.Sent()
	require.Len(t, sent, 2)
	assert.Equal(t, "sendMessage", sent[0].Method)
	assert.Equal(t, text, sent[0].Text)
	assert.Equal(t, "sendDocument", sent[1].Method)
	assert.Empty(t, sent[1].Text)
}

func TestSendErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		method      string
		code        int
		retryAfter  int
		description string
		document    bool
		check       func(t *testing.T, err error)
	}{
		{"rate limited", "sendMessage", 429, 7, "Too Many Requests: retry after 7", false, func(t *testing.T, err error) {
			var retry *bot.RetryAfterError
			require.ErrorAs(t, err, &retry)
			assert.Equal(t, 7*time.Second, retry.After)
		}},
		{"rate limited document", "sendDocument", 429, 12, "Too Many Requests: retry after 12", true, func(t *testing.T, err error) {
			var retry *bot.RetryAfterError
			require.ErrorAs(t, err, &retry)
			assert.Equal(t, 12*time.Second, retry.After)
		}},
		{"server error", "sendMessage", 500, 0, "Internal Server Error", false, func(t *testing.T, err error) {
			var retry *bot.RetryAfterError
			var permanent *bot.PermanentError
			assert.False(t, errors.As(err, &retry), "a 500 is not a rate limit")
			assert.False(t, errors.As(err, &permanent), "a 500 may succeed on retry")
			assert.Contains(t, err.Error(), "500")
		}},
		{"blocked by user", "sendMessage", 403, 0, "Forbidden: bot was blocked by the user", false, func(t *testing.T, err error) {
			var permanent *bot.PermanentError
			assert.ErrorAs(t, err, &permanent)
		}},
		{"blocked by user on document", "sendDocument", 403, 0, "Forbidden: bot was blocked by the user", true, func(t *testing.T, err error) {
			var permanent *bot.PermanentError
			assert.ErrorAs(t, err, &permanent)
		}},
		{"chat not found", "sendMessage", 400, 0, "Bad Request: chat not found", false, func(t *testing.T, err error) {
			var permanent *bot.PermanentError
			assert.ErrorAs(t, err, &permanent)
			assert.Contains(t, err.Error(), "chat not found")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, fake := newTestChannel(t, newRecordingHandler())
			fake.FailNext(tc.method, tc.code, tc.retryAfter, tc.description)
			msg := bot.Outbound{Text: "Your appointment is confirmed."}
			if tc.document {
				msg.Document = &bot.Document{Name: "a.ics", Content: []byte("x")}
			}

			_, err := c.Sender().Send(t.Context(), "42", msg)

			require.Error(t, err)
			assert.NotContains(t, err.Error(), fake.Token)
			tc.check(t, err)
			assert.Empty(t, fake.Sent())
		})
	}
}

func TestSendNetworkErrorHidesToken(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	transport := &failingTransport{}
	c, err := New(t.Context(), Config{Token: fake.Token, APIURL: fake.URL(), HTTPClient: &http.Client{Transport: transport}}, newRecordingHandler())
	require.NoError(t, err)
	transport.failing.Store(true)

	_, err = c.Sender().Send(t.Context(), "42", bot.Outbound{Text: "Reminder"})

	require.Error(t, err)
	assert.NotContains(t, err.Error(), fake.Token)
	assert.Contains(t, err.Error(), "<token>")
	assert.Contains(t, err.Error(), "connection reset by peer")
	var retry *bot.RetryAfterError
	var permanent *bot.PermanentError
	assert.False(t, errors.As(err, &retry))
	assert.False(t, errors.As(err, &permanent))
}

func TestSendCancelledContext(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	_, err := c.Sender().Send(ctx, "42", bot.Outbound{Text: "Reminder"})

	require.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, err.Error(), fake.Token)
	assert.Empty(t, fake.Sent())
}

func TestSendRejectsBadInput(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	var permanent *bot.PermanentError

	_, err := c.Sender().Send(t.Context(), "not-a-chat", bot.Outbound{Text: "Hello"})
	assert.ErrorAs(t, err, &permanent, "invalid chat id")

	_, err = c.Sender().Send(t.Context(), "42", bot.Outbound{})
	assert.ErrorAs(t, err, &permanent, "empty text")

	assert.Empty(t, fake.Sent())
}

func TestNewErrorsHideToken(t *testing.T) {
	t.Parallel()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	const token = "7000000001:AAF-secret-token-value"

	_, err := New(t.Context(), Config{Token: token, APIURL: closed.URL}, newRecordingHandler())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), token)

	fake := telegramtest.New(t)
	_, err = New(t.Context(), Config{Token: token, APIURL: fake.URL()}, newRecordingHandler())
	require.Error(t, err, "the fake accepts only its own token")
	assert.NotContains(t, err.Error(), token)
	assert.Contains(t, err.Error(), "Unauthorized")
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	tests := []struct {
		name    string
		cfg     Config
		handler Handler
	}{
		{"missing token", Config{APIURL: fake.URL()}, newRecordingHandler()},
		{"invalid API URL", Config{Token: fake.Token, APIURL: "not a url"}, newRecordingHandler()},
		{"invalid webhook secret", Config{Token: fake.Token, APIURL: fake.URL(), WebhookSecret: "has spaces"}, newRecordingHandler()},
		{"missing handler", Config{Token: fake.Token, APIURL: fake.URL()}, nil},
	}
	for _, tc := range tests {
		_, err := New(t.Context(), tc.cfg, tc.handler)
		assert.Error(t, err, tc.name)
	}
	assert.Zero(t, fake.Calls("getMe"), "bad config fails before any request")
}
