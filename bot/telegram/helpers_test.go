package telegram

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/telegram/telegramtest"
)

// waitTimeout bounds every wait for the fake server or the handler. It is a deadline for
// a hung test, not a speed check.
const waitTimeout = 10 * time.Second

const testSecret = "s3cret_Token-for-tests"

// recordingHandler replaces the engine in tests. It records every inbound message and
// can fail its first calls.
type recordingHandler struct {
	mu       sync.Mutex
	inbounds []bot.Inbound
	changed  chan struct{}
	failures int // calls left to fail
	// onHandle, when set, runs at the start of every call.
	onHandle func(bot.Inbound)
}

func newRecordingHandler() *recordingHandler {
	return &recordingHandler{changed: make(chan struct{})}
}

func (h *recordingHandler) Handle(_ context.Context, in bot.Inbound) (bot.Outcome, error) {
	if h.onHandle != nil {
		h.onHandle(in)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inbounds = append(h.inbounds, in)
	close(h.changed)
	h.changed = make(chan struct{})
	if h.failures > 0 {
		h.failures--
		return bot.OutcomeFailed, errors.New("database unavailable")
	}
	return bot.OutcomeProcessed, nil
}

func (h *recordingHandler) Inbounds() []bot.Inbound {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Inbound(nil), h.inbounds...)
}

// wait waits until the handler has been called at least n times and returns the calls.
func (h *recordingHandler) wait(t *testing.T, n int) []bot.Inbound {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		h.mu.Lock()
		got := append([]bot.Inbound(nil), h.inbounds...)
		changed := h.changed
		h.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("waited %s for %d handler calls, got %d", waitTimeout, n, len(got))
		}
	}
}

// failingTransport fails every request while failing is set, as a dropped network would.
type failingTransport struct {
	failing atomic.Bool
}

func (ft *failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if ft.failing.Load() {
		return nil, errors.New("connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(req)
}

// newTestChannel starts a fake Bot API server and a channel connected to it.
func newTestChannel(t *testing.T, h Handler) (*Channel, *telegramtest.Server) {
	t.Helper()
	fake := telegramtest.New(t)
	c, err := New(t.Context(), Config{
		Token: fake.Token, APIURL: fake.URL(),
		WebhookURL: "https://pms.example.org/telegram/webhook", WebhookSecret: testSecret,
	}, h)
	require.NoError(t, err)
	return c, fake
}

// runPolling starts RunPolling and returns a function that stops it and returns its
// result.
func runPolling(t *testing.T, c *Channel) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.RunPolling(ctx) }()
	stopped := false
	stop = func() error {
		t.Helper()
		cancel()
		if stopped {
			return nil
		}
		stopped = true
		select {
		case err := <-done:
			return err
		case <-time.After(waitTimeout):
			t.Fatalf("RunPolling did not return within %s of cancel", waitTimeout)
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}
