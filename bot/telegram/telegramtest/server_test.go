package telegramtest

import (
	"errors"
	"net/http"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newClient(t *testing.T, s *Server, token string) (*tgbotapi.BotAPI, error) {
	t.Helper()
	return tgbotapi.NewBotAPIWithClient(token, s.URL()+"/bot%s/%s", &http.Client{})
}

func TestServerGetMe(t *testing.T) {
	t.Parallel()
	s := New(t)

	api, err := newClient(t, s, s.Token)
	require.NoError(t, err)
	assert.Equal(t, BotID, api.Self.ID)
	assert.Equal(t, BotUsername, api.Self.UserName)

	_, err = newClient(t, s, "123:wrong")
	var apiErr *tgbotapi.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 401, apiErr.Code)
}

func TestServerGetUpdatesHonoursOffset(t *testing.T) {
	t.Parallel()
	s := New(t)
	api, err := newClient(t, s, s.Token)
	require.NoError(t, err)
	first := s.PushMessage(42, 42, "/start")
	queryID := s.PushCallback(42, 42, "o:1")

	updates, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	require.NoError(t, err)
	require.Len(t, updates, 2)
	assert.Equal(t, first, updates[0].UpdateID)
	assert.Equal(t, "start", updates[0].Message.Command(), "commands carry a bot_command entity")
	assert.Equal(t, queryID, updates[1].CallbackQuery.ID)
	assert.Equal(t, "o:1", updates[1].CallbackQuery.Data)

	updates, err = api.GetUpdates(tgbotapi.UpdateConfig{Offset: first + 1})
	require.NoError(t, err)
	require.Len(t, updates, 1, "offset confirms the updates below it")
	assert.Equal(t, 1, s.Pending())
	assert.Equal(t, first+1, s.LastOffset())
}

func TestServerLongPollWakesOnPush(t *testing.T) {
	t.Parallel()
	s := New(t)
	api, err := newClient(t, s, s.Token)
	require.NoError(t, err)

	result := make(chan []tgbotapi.Update, 1)
	go func() {
		updates, _ := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		result <- updates
	}()
	s.WaitCalls(t, "getUpdates", 1, 10*time.Second)
	id := s.PushMessage(42, 42, "hello")

	updates := <-result
	require.Len(t, updates, 1)
	assert.Equal(t, id, updates[0].UpdateID)
}

func TestServerWebhookBlocksGetUpdates(t *testing.T) {
	t.Parallel()
	s := New(t)
	api, err := newClient(t, s, s.Token)
	require.NoError(t, err)

	_, err = api.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://example.org/hook", "secret_token": "abc"})
	require.NoError(t, err)
	info, err := api.GetWebhookInfo()
	require.NoError(t, err)
	assert.Equal(t, "https://example.org/hook", info.URL)

	_, err = api.GetUpdates(tgbotapi.UpdateConfig{})
	var apiErr *tgbotapi.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 409, apiErr.Code)

	_, err = api.Request(tgbotapi.DeleteWebhookConfig{})
	require.NoError(t, err)
	_, err = api.GetUpdates(tgbotapi.UpdateConfig{})
	assert.NoError(t, err)
}

func TestServerFailNextAndEdit(t *testing.T) {
	t.Parallel()
	s := New(t)
	api, err := newClient(t, s, s.Token)
	require.NoError(t, err)
	s.FailNext("sendMessage", 429, 3, "Too Many Requests: retry after 3")

	_, err = api.Send(tgbotapi.NewMessage(42, "first"))
	var apiErr *tgbotapi.Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, 429, apiErr.Code)
	assert.Equal(t, 3, apiErr.RetryAfter)

	msg, err := api.Send(tgbotapi.NewMessage(42, "second"))
	require.NoError(t, err)
	_, err = api.Send(tgbotapi.NewEditMessageText(42, msg.MessageID, "second, edited"))
	require.NoError(t, err)

	sent := s.WaitSent(t, 2, 10*time.Second)
	assert.Equal(t, "second", sent[0].Text)
	assert.Equal(t, "editMessageText", sent[1].Method)
	assert.Equal(t, msg.MessageID, sent[1].MessageID)
	assert.Equal(t, "second, edited", sent[1].Text)
}
