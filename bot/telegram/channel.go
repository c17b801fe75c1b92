// Package telegram is the Telegram channel: it receives updates by long polling or by
// webhook, turns them into the engine's inbound messages, and sends the engine's
// outbound messages through the Bot API with go-telegram-bot-api.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/pakenham-health/pms/bot"
)

// DefaultAPIURL is the public Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Handler runs one conversation turn. *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) (bot.Outcome, error)
}

// Config configures a Channel.
type Config struct {
	// Token is the bot token from BotFather. It is never logged.
	Token string
	// APIURL is the Bot API server's base address. Empty means DefaultAPIURL.
	APIURL string
	// WebhookURL is the public HTTPS address Telegram posts updates to. Only
	// RegisterWebhook uses it.
	WebhookURL string
	// WebhookSecret is sent by Telegram in X-Telegram-Bot-Api-Secret-Token with every
	// update: 1 to 256 characters from A-Z, a-z, 0-9, "_" and "-". Without it the webhook
	// handler rejects every request.
	WebhookSecret string
	// HTTPClient makes the Bot API requests, and nil means a new http.Client. Each request is
	// bound to its caller's context, so the client needs no timeout of its own.
	HTTPClient *http.Client
	// Logger receives ids and outcomes only, never message text or the token.
	Logger *slog.Logger
}

// Channel is one bot's connection to Telegram.
type Channel struct {
	token   string
	http    *http.Client
	base    *tgbotapi.BotAPI
	handler Handler
	log     *slog.Logger
	secret  string
	hook    string
	// retryWait is the wait before retry number attempt of a failing turn; tests shorten it.
	retryWait func(attempt int) time.Duration
}

// New checks the token with getMe and returns a channel that passes updates to h.
func New(ctx context.Context, cfg Config, h Handler) (*Channel, error) {
	if cfg.Token == "" {
		return nil, errors.New("new telegram channel: missing bot token")
	}
	if h == nil {
		return nil, errors.New("new telegram channel: missing handler")
	}
	apiURL := strings.TrimRight(cfg.APIURL, "/")
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if _, err := url.ParseRequestURI(apiURL); err != nil || strings.Contains(apiURL, "%") {
		return nil, fmt.Errorf("new telegram channel: invalid Bot API URL %q", apiURL)
	}
	if cfg.WebhookSecret != "" && !validSecret(cfg.WebhookSecret) {
		return nil, errors.New("new telegram channel: invalid webhook secret, want 1 to 256 characters from A-Z, a-z, 0-9, _ and -")
	}
	c := &Channel{
		token: cfg.Token, http: cfg.HTTPClient, handler: h, log: cfg.Logger,
		secret: cfg.WebhookSecret, hook: cfg.WebhookURL,
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}

	// NewBotAPIWithClient calls getMe at once.
	api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, apiURL+"/bot%s/%s", c.boundClient(ctx))
	if err != nil {
		return nil, fmt.Errorf("check telegram bot token with getMe: %w", c.redact(err))
	}
	c.base = api
	c.log.Info("telegram_connected", "bot_id", api.Self.ID, "bot_username", api.Self.UserName)
	return c, nil
}

// api returns a copy of the client whose requests end when ctx ends. The library builds
// requests without a context, so the context goes in through the HTTP client.
func (c *Channel) api(ctx context.Context) *tgbotapi.BotAPI {
	api := *c.base
	api.Client = c.boundClient(ctx)
	return &api
}

func (c *Channel) boundClient(ctx context.Context) tgbotapi.HTTPClient {
	return contextClient{ctx: ctx, client: c.http}
}

// contextClient sends each request with a fixed context.
type contextClient struct {
	ctx    context.Context
	client *http.Client
}

func (cc contextClient) Do(req *http.Request) (*http.Response, error) {
	return cc.client.Do(req.WithContext(cc.ctx))
}

// redact hides the bot token in err. Go's HTTP errors quote the request URL, and the Bot
// API puts the token in the URL path. The result unwraps past the *url.Error (which contains
// the URL) to its cause, so errors.Is(err, context.Canceled) still works.
func (c *Channel) redact(err error) error {
	if err == nil || !strings.Contains(err.Error(), c.token) {
		return err
	}
	cause := errors.Unwrap(err)
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		cause = urlErr.Err
	}
	if cause != nil && strings.Contains(cause.Error(), c.token) {
		cause = nil
	}
	return &redactedError{text: strings.ReplaceAll(err.Error(), c.token, "<token>"), cause: cause}
}

type redactedError struct {
	text  string
	cause error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.cause }

// classify turns a failed Bot API call into the error kinds the outbox dispatcher acts
// on: *bot.RetryAfterError for 429, *bot.PermanentError for a request Telegram will
// never accept, and the redacted error itself for anything worth retrying (5xx, network).
// resp may be nil. The library drops error_code from upload errors, so the code is taken
// from the response too.
func (c *Channel) classify(err error, resp *tgbotapi.APIResponse) error {
	err = c.redact(err)
	code := 0
	retryAfter := 0
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		code, retryAfter = apiErr.Code, apiErr.RetryAfter
	}
	if resp != nil && !resp.Ok {
		if code == 0 {
			code = resp.ErrorCode
		}
		if retryAfter == 0 && resp.Parameters != nil {
			retryAfter = resp.Parameters.RetryAfter
		}
	}

	switch {
	case code == http.StatusTooManyRequests:
		return &bot.RetryAfterError{After: retryAfterDuration(retryAfter), Err: apiError(code, err)}
	case code == http.StatusForbidden, code == http.StatusBadRequest:
		// 403: the patient blocked the bot or deleted their account. 400: the chat does
		// not exist or the request is malformed, which fails the same way every time.
		return &bot.PermanentError{Err: apiError(code, err)}
	case code != 0:
		return apiError(code, err)
	}
	return err
}

// apiError adds the Bot API's error code to err's text, which is only the description.
func apiError(code int, err error) error {
	return fmt.Errorf("telegram error %d: %w", code, err)
}
