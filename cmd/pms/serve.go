package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/telegram"
	"github.com/pakenham-health/pms/internal/config"
	"github.com/pakenham-health/pms/internal/db"
	"github.com/pakenham-health/pms/nlu"
)

// drainTimeout bounds how long shutdown waits for queued replies to be delivered.
const drainTimeout = 10 * time.Second

func runServe(ctx context.Context, args []string) error {
	fs := newFlagSet("serve", "serve [--console=auto|on|off]", allVars)
	consoleMode := fs.String("console", "auto", "run the terminal chat in this process: auto (when there is no TELEGRAM_BOT_TOKEN and stdin is a terminal), on or off")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	switch *consoleMode {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("invalid --console %q: expected auto, on or off", *consoleMode)
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if err := cfg.RequireDatabase(); err != nil {
		return err
	}
	withConsole := *consoleMode == "on" || (*consoleMode == "auto" && cfg.TelegramToken == "" && isTerminal(os.Stdin))
	level := cfg.LogLevel
	if withConsole {
		// The chat owns the terminal, so only warnings and errors are logged.
		level = max(level, slog.LevelWarn)
	}
	logger := newLogger(level)

	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.CheckCurrent(ctx, pool); err != nil {
		return err
	}
	s := &server{cfg: cfg, pool: pool, log: logger}
	return s.run(ctx, withConsole)
}

type server struct {
	cfg        *config.Config
	pool       *pgxpool.Pool
	log        *slog.Logger
	classifier bot.Classifier
}

func (s *server) run(ctx context.Context, withConsole bool) error {
	store, err := newBookingStore(s.cfg, s.pool, s.log)
	if err != nil {
		return err
	}
	specialties, err := store.Specialties(ctx)
	if err != nil {
		return err
	}
	classifier, phraser, err := newClassifier(s.cfg, s.log, specialties...)
	if err != nil {
		return err
	}
	s.classifier = classifier
	var dispatcher *bot.Dispatcher
	engine := bot.NewEngine(s.pool, bot.Config{
		Location: s.cfg.Location, Classifier: classifier, FAQPhraser: phraser, ClassifyEarly: phraser != nil, Logger: s.log, ClinicName: s.cfg.ClinicName, ClinicPhone: s.cfg.ClinicPhone, Booking: store,
		Wake: func() { dispatcher.Wake() },
	})
	channels := map[string]bot.Channel{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", s.ready)

	var tg *telegram.Channel
	if s.cfg.TelegramToken != "" {
		tg, err = s.connectTelegram(ctx, engine)
		if err != nil {
			return err
		}
		channels[telegram.ChannelName] = bot.Channel{Sender: tg.Sender(), Limits: bot.TelegramLimits}
		if s.cfg.TelegramWebhookURL != "" {
			mux.Handle("POST /telegram/webhook", tg.WebhookHandler())
		}
	}

	listener, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s: %w (set HTTP_ADDR to a free address, such as 127.0.0.1:8081)", s.cfg.HTTPAddr, err)
	}
	httpServer := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.log.Info("service_started", "version", versionString(), "http_addr", listener.Addr().String(),
		"telegram", tg != nil, "webhook", s.cfg.TelegramWebhookURL != "", "console", withConsole,
		"llm", s.cfg.LLMProvider != "")

	var intake sync.WaitGroup
	intakeErr := make(chan error, 3)
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(listener) }()

	if tg != nil && s.cfg.TelegramWebhookURL != "" {
		if err := tg.RegisterWebhook(ctx); err != nil {
			return err
		}
	} else if tg != nil {
		intake.Add(1)
		go func() {
			defer intake.Done()
			intakeErr <- tg.RunPolling(ctx)
		}()
	}

	consoleDone := make(chan struct{})
	if withConsole {
		fmt.Fprintf(os.Stderr, "Terminal chat as %q (no TELEGRAM_BOT_TOKEN). Type a message; Ctrl-D or Ctrl-C stops the service.\n", defaultChatUser())
		intake.Add(1)
		go func() {
			defer intake.Done()
			defer close(consoleDone)
			if err := chatInTerminal(ctx, s.cfg, s.pool, s.log, defaultChatUser(), false); err != nil {
				intakeErr <- err
			}
		}()
	}

	dispatchCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	dispatcher = bot.NewDispatcher(s.pool, channels, s.log)
	dispatcher.OnFailed = engine.OfferUndelivered
	var dispatching sync.WaitGroup
	dispatching.Add(1)
	go func() {
		defer dispatching.Done()
		_ = dispatcher.Run(dispatchCtx)
	}()

	stopJobs := startJobs(ctx, s.cfg, engine, s.log)
	defer stopJobs()

	var runErr error
	select {
	case <-ctx.Done():
	case <-consoleDone:
		// The terminal chat ended (Ctrl-D): stop the service with it.
	case err := <-serveErr:
		runErr = fmt.Errorf("HTTP server: %w", err)
	case err := <-intakeErr:
		runErr = err
	}
	return s.shutdown(ctx, runErr, &intake, httpServer, stopDispatch, &dispatching, channelNames(channels))
}

// connectTelegram creates the Telegram channel, which checks the token with getMe. A
// Bot API hiccup at start-up (a 502, say) is retried a few times; an error that persists,
// such as a rejected token, stops start-up.
func (s *server) connectTelegram(ctx context.Context, engine *bot.Engine) (*telegram.Channel, error) {
	cfg := telegram.Config{
		Token: s.cfg.TelegramToken, APIURL: s.cfg.TelegramAPIURL,
		WebhookURL: s.cfg.TelegramWebhookURL, WebhookSecret: s.cfg.TelegramWebhookSecret,
		Logger: s.log,
	}
	const attempts = 4
	var err error
	for attempt := 1; attempt <= attempts; attempt++ {
		var tg *telegram.Channel
		if tg, err = telegram.New(ctx, cfg, engine); err == nil {
			return tg, nil
		}
		if attempt == attempts || ctx.Err() != nil {
			break
		}
		wait := time.Duration(attempt) * 2 * time.Second
		s.log.Warn("telegram_connect_failed_will_retry", "attempt", attempt, "retry_in", wait.String(), "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	return nil, err
}

func channelNames(channels map[string]bot.Channel) []string {
	var names []string
	for name := range channels {
		names = append(names, name)
	}
	return names
}

// shutdown stops intake (finishing the turn in progress), gives queued replies a short
// while to go out, then closes HTTP.
func (s *server) shutdown(ctx context.Context, runErr error, intake *sync.WaitGroup, httpServer *http.Server,
	stopDispatch context.CancelFunc, dispatching *sync.WaitGroup, channels []string) error {
	s.log.Info("service_stopping")
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
	defer cancel()
	if err := httpServer.Shutdown(stopCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("http_shutdown_failed", "error", err)
	}
	intake.Wait()
	s.drain(stopCtx, channels)
	stopDispatch()
	dispatching.Wait()
	if router, ok := s.classifier.(*nlu.Router); ok {
		if stats, ok := router.LLMStats(); ok {
			s.log.Info("llm_calls", "calls", stats.Calls, "failures", stats.Failures)
		}
	}
	s.log.Info("service_stopped")
	return runErr
}

// drain waits until the given channels have no message in the outbox that is due before
// the drain deadline (replies held back by a chat's pacing included), or the context ends.
func (s *server) drain(ctx context.Context, channels []string) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(drainTimeout)
	}
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	for {
		var due int
		err := s.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE channel = ANY($1)
			AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2`, channels, deadline).Scan(&due)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("outbox_drain_check_failed", "error", err)
			return
		}
		if due == 0 {
			return
		}
		select {
		case <-ctx.Done():
			s.log.Warn("outbox_not_drained", "due", due)
			return
		case <-ticker.C:
		}
	}
}

// ready responds 200 when the database is reachable and its schema is current, and 503
// otherwise.
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	if err := db.CheckCurrent(ctx, s.pool); err != nil {
		http.Error(w, "database schema is behind; run `pms migrate`", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}
