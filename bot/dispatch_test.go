package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/internal/dbtest"
)

// recordingSender records what it sends and fails sends on request.
type recordingSender struct {
	mu      sync.Mutex
	sent    []string // "chat:text"
	failFor map[string][]error
	changed chan struct{}
}

func newRecordingSender() *recordingSender {
	return &recordingSender{failFor: map[string][]error{}, changed: make(chan struct{}, 1000)}
}

func (s *recordingSender) Send(_ context.Context, chatID string, msg bot.Outbound) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.changed <- struct{}{} }()
	if queue := s.failFor[msg.Text]; len(queue) > 0 {
		s.failFor[msg.Text] = queue[1:]
		return "", queue[0]
	}
	s.sent = append(s.sent, chatID+":"+msg.Text)
	return fmt.Sprint(len(s.sent)), nil
}

func (s *recordingSender) sentList() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// waitFor blocks until cond holds or the deadline passes, re-checking after each send.
func (s *recordingSender) waitFor(t *testing.T, cond func([]string) bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond(s.sentList()) {
		select {
		case <-s.changed:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("condition not met; sent so far: %v", s.sentList())
		}
	}
}

func enqueue(t *testing.T, pool *pgxpool.Pool, chatID string, texts ...string) {
	t.Helper()
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		for _, text := range texts {
			if _, err := bot.Enqueue(context.Background(), tx, "test", chatID, bot.Outbound{Text: text}); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
}

func startDispatcher(t *testing.T, sender bot.Sender, limits bot.Limits) (*pgxpool.Pool, *bot.Dispatcher) {
	t.Helper()
	pool := dbtest.NewPool(t)
	d := bot.NewDispatcher(pool, map[string]bot.Channel{"test": {Sender: sender, Limits: limits}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.PollInterval = 20 * time.Millisecond
	d.RetryDelay = func(int) time.Duration { return 10 * time.Millisecond }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		assert.NoError(t, d.Run(ctx))
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return pool, d
}

func chatOrder(sent []string, chatID string) []string {
	var out []string
	for _, s := range sent {
		if strings.HasPrefix(s, chatID+":") {
			out = append(out, strings.TrimPrefix(s, chatID+":"))
		}
	}
	return out
}

func TestDispatcherKeepsPerChatOrder(t *testing.T) {
	t.Parallel()
	sender := newRecordingSender()
	pool, d := startDispatcher(t, sender, bot.Limits{})
	enqueue(t, pool, "a", "a1", "a2", "a3", "a4", "a5")
	enqueue(t, pool, "b", "b1", "b2", "b3")
	d.Wake()
	sender.waitFor(t, func(s []string) bool { return len(s) == 8 })
	assert.Equal(t, []string{"a1", "a2", "a3", "a4", "a5"}, chatOrder(sender.sentList(), "a"))
	assert.Equal(t, []string{"b1", "b2", "b3"}, chatOrder(sender.sentList(), "b"))
}

func TestDispatcherRetriesAfter429And500(t *testing.T) {
	t.Parallel()
	sender := newRecordingSender()
	sender.failFor["first"] = []error{
		&bot.RetryAfterError{After: 50 * time.Millisecond, Err: errors.New("Too Many Requests")},
		errors.New("Internal Server Error"),
	}
	pool, d := startDispatcher(t, sender, bot.Limits{})
	enqueue(t, pool, "c", "first", "second")
	d.Wake()
	sender.waitFor(t, func(s []string) bool { return len(s) == 2 })
	assert.Equal(t, []string{"first", "second"}, chatOrder(sender.sentList(), "c"), "the retried message still goes first")

	var attempts int
	var lastError string
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT attempts, coalesce(last_error, '') FROM outbox WHERE body->>'text' = 'first'`).Scan(&attempts, &lastError))
	assert.Equal(t, 2, attempts, "the 500 and the success count; the 429 does not")
	assert.Contains(t, lastError, "Internal Server Error")
}

func TestDispatcherMarksPermanentFailureAndMovesOn(t *testing.T) {
	t.Parallel()
	sender := newRecordingSender()
	sender.failFor["blocked"] = []error{&bot.PermanentError{Err: errors.New("Forbidden: bot was blocked by the user")}}
	pool, d := startDispatcher(t, sender, bot.Limits{})
	enqueue(t, pool, "d", "blocked", "after")
	d.Wake()
	sender.waitFor(t, func(s []string) bool { return len(s) == 1 })
	assert.Equal(t, []string{"after"}, chatOrder(sender.sentList(), "d"))
	var failed int
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT count(*) FROM outbox WHERE body->>'text' = 'blocked' AND failed_at IS NOT NULL AND sent_at IS NULL`).Scan(&failed))
	assert.Equal(t, 1, failed, "the rejected message is marked failed, not sent")
}

// slowSender takes a while per message, as a slow Bot API does.
type slowSender struct {
	*recordingSender
	delay time.Duration
}

func (s slowSender) Send(ctx context.Context, chatID string, msg bot.Outbound) (string, error) {
	time.Sleep(s.delay)
	return s.recordingSender.Send(ctx, chatID, msg)
}

func TestTwoDispatchersSendEachMessageOnce(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	sender := newRecordingSender()
	slow := slowSender{recordingSender: sender, delay: 20 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		d := bot.NewDispatcher(pool, map[string]bot.Channel{"test": {Sender: slow}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		d.PollInterval = 10 * time.Millisecond
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = d.Run(ctx)
		}()
	}
	defer func() {
		cancel()
		wg.Wait()
	}()
	var want []string
	for chat := range 10 {
		id := fmt.Sprintf("c%d", chat)
		enqueue(t, pool, id, id+"-1", id+"-2", id+"-3")
		want = append(want, id+":"+id+"-1", id+":"+id+"-2", id+":"+id+"-3")
	}
	sender.waitFor(t, func(s []string) bool { return len(s) >= 30 })
	assert.ElementsMatch(t, want, sender.sentList(), "each message once")
	for chat := range 10 {
		id := fmt.Sprintf("c%d", chat)
		assert.Equal(t, []string{id + "-1", id + "-2", id + "-3"}, chatOrder(sender.sentList(), id))
	}
}

func TestDispatcherPacesOneChat(t *testing.T) {
	t.Parallel()
	sender := newRecordingSender()
	pool, d := startDispatcher(t, sender, bot.Limits{ChatBurst: 2, ChatInterval: 30 * time.Millisecond})
	enqueue(t, pool, "e", "e1", "e2", "e3", "e4")
	d.Wake()
	sender.waitFor(t, func(s []string) bool { return len(s) == 4 })
	assert.Equal(t, []string{"e1", "e2", "e3", "e4"}, chatOrder(sender.sentList(), "e"))
}

func TestEnqueueSplitsLongText(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	long := strings.Repeat("word ", 2000) // 10,000 characters
	var n int
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		var err error
		n, err = bot.Enqueue(context.Background(), tx, "test", "f", bot.Outbound{
			Text: long, Buttons: [][]bot.Button{{{Label: "OK", Data: "o1"}}},
		})
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	var withButtons int
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT count(*) FROM outbox WHERE body ? 'buttons'`).Scan(&withButtons))
	assert.Equal(t, 1, withButtons)
}

func TestSplitText(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"short"}, bot.SplitText("short", 10))
	assert.Equal(t, []string{"hello", "world"}, bot.SplitText("hello world", 8))
	assert.Equal(t, []string{"line one", "line two"}, bot.SplitText("line one\nline two", 12))

	// Emoji take two UTF-16 units each and are never cut in half.
	parts := bot.SplitText(strings.Repeat("🌸", 5), 4)
	assert.Equal(t, []string{"🌸🌸", "🌸🌸", "🌸"}, parts)

	joined := strings.Join(bot.SplitText(strings.Repeat("x", 9000), bot.MaxMessageLength), "")
	assert.Len(t, joined, 9000, "nothing is lost when there is no space to cut at")
}

func TestBackoffGrowsToCap(t *testing.T) {
	t.Parallel()
	assert.Equal(t, time.Second, bot.Backoff(1))
	assert.Equal(t, 2*time.Second, bot.Backoff(2))
	assert.Equal(t, 8*time.Second, bot.Backoff(4))
	assert.Equal(t, 5*time.Minute, bot.Backoff(30))
}

func TestDispatcherOnlyChatLeavesOthers(t *testing.T) {
	t.Parallel()
	sender := newRecordingSender()
	pool := dbtest.NewPool(t)
	d := bot.NewDispatcher(pool, map[string]bot.Channel{"test": {Sender: sender, OnlyChat: "mine"}},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.PollInterval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	enqueue(t, pool, "theirs", "not for this terminal")
	enqueue(t, pool, "mine", "for this terminal")
	d.Wake()
	sender.waitFor(t, func(s []string) bool { return len(s) == 1 })
	assert.Equal(t, []string{"mine:for this terminal"}, sender.sentList())

	var pending int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND chat_id = 'theirs'`).Scan(&pending))
	assert.Equal(t, 1, pending, "the other chat's message waits for its own terminal")
}
