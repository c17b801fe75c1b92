package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/console"
	"github.com/pakenham-health/pms/internal/config"
)

func runChat(ctx context.Context, args []string) error {
	fs := newFlagSet("chat", "chat [--user NAME]", chatVars)
	userName := fs.String("user", defaultChatUser(), "who you are in the chat; each name is a separate patient")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if strings.TrimSpace(*userName) == "" {
		return fmt.Errorf("invalid --user: expected a name, such as --user alex")
	}
	cfg, pool, err := openCurrentDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	// The chat owns the terminal, so only warnings and errors are logged, to stderr.
	logger := newLogger(max(cfg.LogLevel, slog.LevelWarn))
	fmt.Fprintf(os.Stderr, "Chatting as %q. Type a message and press Enter; Ctrl-D or Ctrl-C ends the chat.\n", *userName)
	return chatInTerminal(ctx, cfg, pool, logger, *userName, true)
}

// chatInTerminal runs the engine, an outbox dispatcher and the terminal chat until the
// input ends or ctx is cancelled.
// withJobs also runs the scheduled jobs, for a chat that runs without `pms serve`.
func chatInTerminal(ctx context.Context, cfg *config.Config, pool *pgxpool.Pool, logger *slog.Logger, userName string, withJobs bool) error {
	store, err := newBookingStore(cfg, pool, logger)
	if err != nil {
		return err
	}
	specialties, err := store.Specialties(ctx)
	if err != nil {
		return err
	}
	classifier, phraser, err := newClassifier(cfg, logger, specialties...)
	if err != nil {
		return err
	}
	var dispatcher *bot.Dispatcher
	engine := bot.NewEngine(pool, bot.Config{
		Location: cfg.Location, Classifier: classifier, FAQPhraser: phraser, ClassifyEarly: phraser != nil, Logger: logger, ClinicName: cfg.ClinicName, ClinicPhone: cfg.ClinicPhone, Booking: store,
		Wake: func() { dispatcher.Wake() },
	})
	ch := console.New(os.Stdin, os.Stdout, engine, userName)
	ch.Echo = !isTerminal(os.Stdin)
	ch.AfterTurn = func(ctx context.Context) error {
		return bot.WaitDelivered(ctx, pool, console.ChannelName, ch.ChatID())
	}
	dispatcher = bot.NewDispatcher(pool, map[string]bot.Channel{console.ChannelName: {Sender: ch.Sender(), OnlyChat: ch.ChatID()}}, logger)
	dispatcher.OnFailed = engine.OfferUndelivered

	dispatchCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = dispatcher.Run(dispatchCtx)
	}()
	if withJobs {
		stopJobs := startJobs(ctx, cfg, engine, logger)
		defer stopJobs()
	}
	err = ch.Run(ctx)
	// Deliver what the last turn queued before leaving.
	if waitErr := bot.WaitDelivered(context.WithoutCancel(ctx), pool, console.ChannelName, ch.ChatID()); waitErr != nil && !errors.Is(waitErr, context.DeadlineExceeded) {
		logger.Warn("console_flush_failed", "error", waitErr)
	}
	stopDispatch()
	wg.Wait()
	return err
}

func defaultChatUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "local"
}
