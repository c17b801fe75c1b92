package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// secretHeader carries the webhook secret token on every update Telegram posts.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxWebhookBody is the largest update body the webhook accepts (1 MiB). Updates of the
// kinds in allowedUpdates are a few kilobytes.
const maxWebhookBody = 1 << 20

// RegisterWebhook calls setWebhook, so Telegram posts updates to Config.WebhookURL with
// Config.WebhookSecret in the secret token header. Telegram then rejects getUpdates until
// RunPolling deletes the webhook.
func (c *Channel) RegisterWebhook(ctx context.Context) error {
	if c.hook == "" {
		return errors.New("register telegram webhook: missing webhook URL")
	}
	if u, err := url.Parse(c.hook); err != nil || u.Host == "" {
		return errors.New("register telegram webhook: invalid webhook URL, want an absolute https:// address")
	}
	if !validSecret(c.secret) {
		return errors.New("register telegram webhook: invalid webhook secret, want 1 to 256 characters from A-Z, a-z, 0-9, _ and -")
	}
	allowed, err := json.Marshal(allowedUpdates)
	if err != nil {
		return fmt.Errorf("register telegram webhook: encode allowed updates: %w", err)
	}

	// One connection at a time: Telegram then sends the next update only after the last
	// one was answered, so a chat's messages reach the engine in the order they were sent,
	// even with several replicas behind a load balancer. A turn takes about a millisecond
	// (docs/benchmarks.md), so one connection carries hundreds of updates a second.
	params := tgbotapi.Params{"url": c.hook, "secret_token": c.secret, "allowed_updates": string(allowed),
		"max_connections": "1"}
	if _, err := c.api(ctx).MakeRequest("setWebhook", params); err != nil {
		return fmt.Errorf("register telegram webhook: %w", c.redact(err))
	}
	c.log.Info("telegram_webhook_registered")
	return nil
}

// validSecret reports whether s is a secret token the Bot API accepts.
func validSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		ok := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}

// WebhookHandler returns the HTTP handler for updates Telegram posts. It accepts only
// POST requests that carry the configured secret token, checked in constant time before
// the body is read, and bodies up to 1 MiB. An update is handled within the request, and
// the response is 200 once the engine has run. When the engine returns an error the
// response is 500, so Telegram delivers the update again. A turn the engine recorded as
// failed then comes back as a duplicate and gets 200. Only a turn it could not record
// (the database is down) runs again.
func (c *Channel) WebhookHandler() http.Handler {
	return http.HandlerFunc(c.serveWebhook)
}

func (c *Channel) serveWebhook(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// An empty configured secret rejects everything, because an unauthenticated webhook
	// would let anyone post updates as any patient. Rejections are logged at Debug level
	// because anyone on the internet can reach this endpoint.
	got := r.Header.Get(secretHeader)
	if c.secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.secret)) != 1 {
		c.log.Debug("telegram_webhook_rejected", "reason", "secret_token_mismatch", "remote_addr", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			c.log.Debug("telegram_webhook_rejected", "reason", "body_too_large", "remote_addr", r.RemoteAddr)
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "failed to read request body", http.StatusBadRequest)
		return
	}
	var u tgbotapi.Update
	if err := json.Unmarshal(body, &u); err != nil {
		c.log.Debug("telegram_webhook_rejected", "reason", "invalid_json", "remote_addr", r.RemoteAddr)
		http.Error(w, "invalid update JSON", http.StatusBadRequest)
		return
	}

	ctx := r.Context()
	if in, ok := c.prepare(ctx, u); ok {
		if err := c.handle(ctx, u.UpdateID, in); err != nil {
			c.log.Warn("telegram_webhook_update_failed", "update_id", u.UpdateID, "chat_id", in.ChatID, "error", err)
			c.replyToCrisisDirectly(ctx, u.UpdateID, in)
			http.Error(w, "update not handled", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}
