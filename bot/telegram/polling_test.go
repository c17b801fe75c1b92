package telegram

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/telegram/telegramtest"
)

func TestPollingDeliversInOrder(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, fake := newTestChannel(t, h)
	fake.PushMessage(42, 42, "/start")
	fake.PushMessage(42, 42, "book")
	third := fake.PushSticker(42, 42)
	stop := runPolling(t, c)

	got := h.wait(t, 3)
	fake.WaitOffset(t, third+1, waitTimeout)
	require.NoError(t, stop())

	require.Len(t, got, 3)
	assert.Equal(t, "message:42:1", got[0].MessageID)
	assert.Equal(t, "/start", got[0].Text)
	assert.Equal(t, "message:42:2", got[1].MessageID)
	assert.Equal(t, "book", got[1].Text)
	assert.Equal(t, "message:42:3", got[2].MessageID)
	assert.Equal(t, bot.KindUnsupported, got[2].Kind)
	assert.Equal(t, "stickers", got[2].Unsupported)
	assert.Zero(t, fake.Pending(), "every handled update is confirmed")
}

func TestPollingAdvancesOffsetPerBatch(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, fake := newTestChannel(t, h)
	stop := runPolling(t, c)

	first := fake.PushMessage(42, 42, "hello")
	h.wait(t, 1)
	fake.WaitOffset(t, first+1, waitTimeout)
	second := fake.PushContact(42, 42, "+61491570006", 42)
	got := h.wait(t, 2)
	fake.WaitOffset(t, second+1, waitTimeout)
	require.NoError(t, stop())

	require.Len(t, got, 2, "a confirmed update is not delivered again")
	assert.Equal(t, bot.KindContact, got[1].Kind)
	assert.Equal(t, "42", got[1].ContactUserID)
}

func TestPollingRefusesGroupMessages(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, fake := newTestChannel(t, h)
	fake.PushGroupMessage(-5001, 42, "/start")
	private := fake.PushMessage(42, 42, "hello")
	stop := runPolling(t, c)

	got := h.wait(t, 1)
	fake.WaitOffset(t, private+1, waitTimeout)
	require.NoError(t, stop())

	require.Len(t, got, 1, "the group message never reaches the handler")
	assert.Equal(t, "42", got[0].ChatID)
	sent := fake.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, int64(-5001), sent[0].ChatID)
	assert.Equal(t, privateOnlyText, sent[0].Text)
}

func TestPollingAnswersCallbacksFirst(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, fake := newTestChannel(t, h)
	var answeredBeforeHandle atomic.Bool
	h.onHandle = func(bot.Inbound) { answeredBeforeHandle.Store(len(fake.AnswersToCallbacks()) == 1) }
	queryID := fake.PushCallback(42, 42, "o:7")
	stop := runPolling(t, c)

	got := h.wait(t, 1)
	require.NoError(t, stop())

	assert.Equal(t, bot.KindCallback, got[0].Kind)
	assert.Equal(t, "o:7", got[0].Callback)
	assert.True(t, answeredBeforeHandle.Load(), "the callback is answered before the engine runs")
	answers := fake.AnswersToCallbacks()
	require.Len(t, answers, 1)
	assert.Equal(t, queryID, answers[0].QueryID)
}

func TestPollingStopsOnCancel(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	stop := runPolling(t, c)
	fake.WaitCalls(t, "getUpdates", 1, waitTimeout)

	// The long poll is waiting for updates; cancelling must end it at once.
	require.NoError(t, stop())
}

func TestPollingDeletesWebhookFirst(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, fake := newTestChannel(t, h)
	fake.SetWebhook(telegramtest.WebhookInfo{URL: "https://old.example.org/hook"})
	fake.PushMessage(42, 42, "hello")
	stop := runPolling(t, c)

	h.wait(t, 1)
	require.NoError(t, stop())

	assert.Empty(t, fake.Webhook().URL)
	assert.Equal(t, 1, fake.Calls("deleteWebhook"))
}

func TestPollingRetriesAfterErrors(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	c, fake := newTestChannel(t, h)
	fake.FailNext("getUpdates", 502, 0, "Bad Gateway")
	fake.PushMessage(42, 42, "hello")
	stop := runPolling(t, c)

	got := h.wait(t, 1)
	require.NoError(t, stop())

	assert.Equal(t, "hello", got[0].Text)
	assert.GreaterOrEqual(t, fake.Calls("getUpdates"), 2)
}

func TestPollingRetriesFailedTurn(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	h.failures = 1
	c, fake := newTestChannel(t, h)
	update := fake.PushMessage(42, 42, "hello")
	stop := runPolling(t, c)

	got := h.wait(t, 2)
	fake.WaitOffset(t, update+1, waitTimeout)
	require.NoError(t, stop())

	require.Len(t, got, 2)
	assert.Equal(t, got[0].MessageID, got[1].MessageID, "a retry keeps the message id, so the engine can drop a repeat")
}

func TestPollingStopsDuringBackoff(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	for range 3 {
		fake.FailNext("getUpdates", 500, 0, "Internal Server Error")
	}
	stop := runPolling(t, c)
	fake.WaitCalls(t, "getUpdates", 2, waitTimeout)

	require.NoError(t, stop())
}

func TestPollingRejectedToken(t *testing.T) {
	t.Parallel()
	c, fake := newTestChannel(t, newRecordingHandler())
	fake.FailNext("deleteWebhook", 401, 0, "Unauthorized")
	ctx := t.Context()

	err := c.RunPolling(ctx)

	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
	assert.NotContains(t, err.Error(), fake.Token)
}

func TestPollingKeepsFailingUpdateAndRepliesToCrisis(t *testing.T) {
	t.Parallel()
	h := newRecordingHandler()
	h.failures = 6 // more than the old fixed number of tries: the update must not be dropped
	c, fake := newTestChannel(t, h)
	c.retryWait = func(int) time.Duration { return 10 * time.Millisecond }
	update := fake.PushMessage(42, 42, "i want to kill myself")
	stop := runPolling(t, c)

	sent := fake.WaitSent(t, 1, waitTimeout)
	assert.Contains(t, sent[0].Text, "000", "the crisis reply goes out while the engine cannot run")
	got := h.wait(t, 7)
	fake.WaitOffset(t, update+1, waitTimeout)
	require.NoError(t, stop())
	assert.Len(t, got, 7, "six failures, then the turn that worked")
	assert.Len(t, fake.Sent(), 1, "the direct reply is sent once, not on every retry")
}
