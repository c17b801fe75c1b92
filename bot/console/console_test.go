package console_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/console"
	"github.com/pakenham-health/pms/internal/dbtest"
)

// syncBuffer is a bytes.Buffer safe for the dispatcher and the test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestConsoleEnrolment(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	loc, err := time.LoadLocation("Australia/Melbourne")
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	// Numbers tap buttons ("1" is Enrol, then "1" is "Yes, I agree"); the 3 typed for the
	// reference number is an answer, because that question has no numbered buttons.
	input := strings.Join([]string{
		"hi", "1", "1", "Mia", "Example", "skip", "25 Dec 1980", "skip",
		"0412 345 678", "skip", "2123456701", "3", "skip", "1", "my details",
	}, "\n") + "\n"
	out := &syncBuffer{}
	var dispatcher *bot.Dispatcher
	engine := bot.NewEngine(pool, bot.Config{Location: loc, Logger: logger, Wake: func() { dispatcher.Wake() }})
	ch := console.New(strings.NewReader(input), out, engine, "local")
	ch.Echo = true
	ch.AfterTurn = func(ctx context.Context) error {
		return bot.WaitDelivered(ctx, pool, console.ChannelName, ch.ChatID())
	}
	dispatcher = bot.NewDispatcher(pool, map[string]bot.Channel{console.ChannelName: {Sender: ch.Sender()}}, logger)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = dispatcher.Run(ctx) }()
	require.NoError(t, ch.Run(ctx))

	transcript := out.String()
	assert.Contains(t, transcript, "[1] Enrol")
	assert.Contains(t, transcript, "(or type: back, skip, cancel)")
	assert.Contains(t, transcript, "You're enrolled, Mia!")
	assert.Contains(t, transcript, "Medicare: ending 701, reference 3")
	assert.Less(t, strings.Index(transcript, "you> Mia"), strings.Index(transcript, "family name"),
		"each reply is printed before the next line is read")
}
