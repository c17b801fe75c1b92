package telegram

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/telegram/telegramtest"
)

func postUpdate(t *testing.T, c *Channel, secret, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/telegram/webhook", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	rec := httptest.NewRecorder()
	c.WebhookHandler().ServeHTTP(rec, req)
	return rec
}

func textUpdate(t *testing.T, updateID int, chat map[string]any, text string) string {
	t.Helper()
	raw, err := json.Marshal(telegramtest.MessageUpdate(updateID, 9, chat, 42, text))
	require.NoError(t, err)
	return string(raw)
}

func TestWebhookHandlesUpdate(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, _ := newTestChannel(t, h)

	rec := postUpdate(t, c, testSecret, textUpdate(t, 9001, telegramtest.PrivateChat(42), "/start@pms_test_bot"))

	assert.Equal(t, http.StatusOK, rec.Code)
	got := h.Inbounds()
	require.Len(t, got, 1)
	assert.Equal(t, "message:42:9", got[0].MessageID)
	assert.Equal(t, "42", got[0].ChatID)
	assert.Equal(t, "/start", got[0].Text)
}

func TestWebhookRejectsBadSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		secret string
	}{
		{"missing", ""},
		{"wrong", "not-the-secret"},
		{"prefix of the secret", testSecret[:5]},
		{"secret with suffix", testSecret + "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newRecordingHandler()
			c, _ := newTestChannel(t, h)
			body := textUpdate(t, 9001, telegramtest.PrivateChat(42), "hello")

			rec := postUpdate(t, c, tc.secret, body)

			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Empty(t, h.Inbounds())
		})
	}
}

func TestWebhookWithoutSecretRejectsAll(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	fake := telegramtest.New(t)
	c, err := New(t.Context(), Config{Token: fake.Token, APIURL: fake.URL()}, h)
	require.NoError(t, err)

	rec := postUpdate(t, c, "", textUpdate(t, 9001, telegramtest.PrivateChat(42), "hello"))

	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Empty(t, h.Inbounds())
}

func TestWebhookRejectsBadRequests(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, _ := newTestChannel(t, h)

	rec := postUpdate(t, c, testSecret, `{"update_id": 9001, "message": `)
	assert.Equal(t, http.StatusBadRequest, rec.Code, "malformed JSON")

	huge := `{"update_id":9001,"message":{"text":"` + strings.Repeat("a", 1<<20) + `"}}`
	rec = postUpdate(t, c, testSecret, huge)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "body over 1 MiB")

	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/telegram/webhook", nil)
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", testSecret)
	get := httptest.NewRecorder()
	c.WebhookHandler().ServeHTTP(get, req)
	assert.Equal(t, http.StatusMethodNotAllowed, get.Code)

	assert.Empty(t, h.Inbounds())
}

func TestWebhookRefusesGroupMessage(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, fake := newTestChannel(t, h)

	rec := postUpdate(t, c, testSecret, textUpdate(t, 9001, telegramtest.GroupChat(-5001), "/start"))

	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Empty(t, h.Inbounds())
	sent := fake.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, int64(-5001), sent[0].ChatID)
	assert.Equal(t, privateOnlyText, sent[0].Text)
}

func TestWebhookAnswersCallback(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, fake := newTestChannel(t, h)
	raw, err := json.Marshal(telegramtest.CallbackUpdate(9002, "q-77", 5, telegramtest.PrivateChat(42), 42, "o:2"))
	require.NoError(t, err)

	rec := postUpdate(t, c, testSecret, string(raw))

	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, []telegramtest.CallbackAnswer{{QueryID: "q-77"}}, fake.AnswersToCallbacks())
	got := h.Inbounds()
	require.Len(t, got, 1)
	assert.Equal(t, bot.KindCallback, got[0].Kind)
	assert.Equal(t, "o:2", got[0].Callback)
}

func TestWebhookFailedTurnAsksForRedelivery(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	h.failures = 1
	c, _ := newTestChannel(t, h)
	body := textUpdate(t, 9001, telegramtest.PrivateChat(42), "hello")

	first := postUpdate(t, c, testSecret, body)
	second := postUpdate(t, c, testSecret, body)

	assert.Equal(t, http.StatusInternalServerError, first.Code)
	assert.Equal(t, http.StatusOK, second.Code)
	assert.Len(t, h.Inbounds(), 2)
}

func TestRegisterWebhook(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())

	require.NoError(t, c.RegisterWebhook(t.Context()))

	assert.Equal(t, telegramtest.WebhookInfo{
		URL:            "https://pms.example.org/telegram/webhook",
		SecretToken:    testSecret,
		MaxConnections: "1",
		AllowedUpdates: []string{"message", "callback_query"},
	}, fake.Webhook())
}

func TestRegisterWebhookNeedsConfig(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	for name, cfg := range map[string]Config{
		"missing URL":    {Token: fake.Token, APIURL: fake.URL(), WebhookSecret: testSecret},
		"missing secret": {Token: fake.Token, APIURL: fake.URL(), WebhookURL: "https://pms.example.org/telegram/webhook"},
		"relative URL":   {Token: fake.Token, APIURL: fake.URL(), WebhookURL: "/telegram/webhook", WebhookSecret: testSecret},
	} {
		c, err := New(t.Context(), cfg, newRecordingHandler())
		require.NoError(t, err, name)
		assert.Error(t, c.RegisterWebhook(t.Context()), name)
	}
	assert.Zero(t, fake.Calls("setWebhook"))
}
