package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/nlu"
)

// allowedUpdates are the update kinds the bot requests from Telegram, in polling and
// webhook mode. Channel posts are left out because a refusal posted in a channel would
// reach every subscriber.
var allowedUpdates = []string{"message", "callback_query"}

const (
	// pollTimeout is how long one getUpdates call waits for an update.
	pollTimeout = 30 * time.Second
	// pollRoundTrip is the extra time a getUpdates request may take beyond pollTimeout.
	pollRoundTrip = 15 * time.Second
	// maxBackoff is the longest wait between retries of a failing Bot API call.
	maxBackoff = 30 * time.Second
)

// RunPolling receives updates with getUpdates until ctx ends, then returns nil. It first
// deletes any webhook, because Telegram rejects getUpdates while one is set. Updates are
// handled one at a time, in order. The offset moves past an update once the handler has
// returned, so a crash redelivers at most the current batch, and the engine drops the
// updates it has already recorded. Failing Bot API calls are retried with a backoff from
// 1 s doubling to 30 s. Only one process may poll a bot token at a time.
//
// NOTE: updates handled since the last getUpdates are confirmed only by the next call,
// so after a clean stop Telegram delivers them again and the engine drops them.
func (c *Channel) RunPolling(ctx context.Context) error {
	if err := c.deleteWebhook(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	c.log.Info("telegram_polling_started")
	defer c.log.Info("telegram_polling_stopped")

	offset := 0
	failures := 0
	for ctx.Err() == nil {
		updates, err := c.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			wait := backoff(failures)
			var retry *bot.RetryAfterError
			if errors.As(err, &retry) {
				wait = max(wait, retry.After)
			}
			c.log.Warn("telegram_poll_failed", "attempt", failures, "retry_in", wait, "error", err)
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		failures = 0
		for _, u := range updates {
			if !c.handleWithRetry(ctx, u) {
				return nil
			}
			offset = u.UpdateID + 1
		}
	}
	return nil
}

func (c *Channel) getUpdates(ctx context.Context, offset int) ([]tgbotapi.Update, error) {
	ctx, cancel := context.WithTimeout(ctx, pollTimeout+pollRoundTrip)
	defer cancel()
	config := tgbotapi.UpdateConfig{
		Offset:         offset,
		Timeout:        int(pollTimeout / time.Second),
		AllowedUpdates: allowedUpdates,
	}
	updates, err := c.api(ctx).GetUpdates(config)
	if err != nil {
		return nil, fmt.Errorf("get telegram updates from offset %d: %w", offset, c.classify(err, nil))
	}
	return updates, nil
}

// deleteWebhook switches the bot to polling. It retries until the call succeeds or ctx
// ends, unless Telegram rejects the token or the API URL, which no retry fixes.
func (c *Channel) deleteWebhook(ctx context.Context) error {
	for attempt := 1; ; attempt++ {
		callCtx, cancel := context.WithTimeout(ctx, pollRoundTrip)
		_, err := c.api(callCtx).Request(tgbotapi.DeleteWebhookConfig{})
		cancel()
		if err == nil {
			return nil
		}
		err = c.redact(err)
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && (apiErr.Code == http.StatusUnauthorized || apiErr.Code == http.StatusNotFound) {
			return fmt.Errorf("delete telegram webhook before polling: telegram error %d: %w", apiErr.Code, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := backoff(attempt)
		c.log.Warn("telegram_delete_webhook_failed", "attempt", attempt, "retry_in", wait, "error", err)
		if !sleep(ctx, wait) {
			return ctx.Err()
		}
	}
}

// handleWithRetry runs one update and reports whether polling may move past it. It
// returns false only when ctx has ended. A failing update is retried, with a backoff
// capped at 30 s, until it succeeds. A turn the engine could record (as done or failed)
// comes back as a duplicate and succeeds. So only turns that could not be recorded at all
// keep failing, because the database is unreachable, and then nothing later can be handled
// either. Dropping the update would lose the patient's message.
func (c *Channel) handleWithRetry(ctx context.Context, u tgbotapi.Update) bool {
	in, ok := c.prepare(ctx, u)
	if !ok {
		return ctx.Err() == nil
	}
	for attempt := 1; ; attempt++ {
		err := c.handle(ctx, u.UpdateID, in)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if attempt == 1 {
			c.replyToCrisisDirectly(ctx, u.UpdateID, in)
		}
		wait := backoff(attempt)
		if c.retryWait != nil {
			wait = c.retryWait(attempt)
		}
		c.log.Warn("telegram_update_failed_will_retry", "update_id", u.UpdateID, "chat_id", in.ChatID,
			"attempt", attempt, "retry_in", wait.String(), "error", err)
		if !sleep(ctx, wait) {
			return false
		}
	}
}

// replyToCrisisDirectly sends the crisis reply straight to the chat, bypassing the
// database, when a message the safety screen flags could not be handled: someone in
// danger hears about 000 at once even while the database is down. When the turn later
// succeeds the engine sends the reply again, which is the safer way to be wrong.
func (c *Channel) replyToCrisisDirectly(ctx context.Context, updateID int, in bot.Inbound) {
	if !nlu.Screen(in.Text) {
		return
	}
	chatID, err := strconv.ParseInt(in.ChatID, 10, 64)
	if err != nil {
		return
	}
	if _, err := c.sendText(ctx, chatID, nlu.CrisisReply, nil); err != nil {
		c.log.Error("telegram_direct_crisis_reply_failed", "update_id", updateID, "chat_id", in.ChatID, "error", err)
		return
	}
	c.log.Warn("telegram_direct_crisis_reply_sent", "update_id", updateID, "chat_id", in.ChatID)
}

// prepare does what an update needs before the engine runs. It answers a callback query
// at once (answerCallbackQuery), so the patient's button stops spinning, and sends a
// refusal to a group, supergroup or channel. It returns the inbound message and whether
// to pass it on.
func (c *Channel) prepare(ctx context.Context, u tgbotapi.Update) (bot.Inbound, bool) {
	if u.CallbackQuery != nil {
		c.answerCallback(ctx, u.UpdateID, u.CallbackQuery.ID)
	}
	in, ok, reason := ToInbound(u)
	if ok {
		return in, true
	}
	c.log.Debug("telegram_update_skipped", "update_id", u.UpdateID, "reason", reason)
	if reason == ReasonNotPrivate {
		c.refuse(ctx, u)
	}
	return bot.Inbound{}, false
}

func (c *Channel) handle(ctx context.Context, updateID int, in bot.Inbound) error {
	outcome, err := c.handler.Handle(ctx, in)
	if err != nil {
		return fmt.Errorf("handle telegram update %d: %w", updateID, err)
	}
	c.log.Debug("telegram_update_handled", "update_id", updateID, "chat_id", in.ChatID, "outcome", outcome)
	return nil
}

func (c *Channel) answerCallback(ctx context.Context, updateID int, queryID string) {
	if _, err := c.api(ctx).Request(tgbotapi.NewCallback(queryID, "")); err != nil {
		c.log.Warn("telegram_callback_answer_failed", "update_id", updateID, "error", c.redact(err))
	}
}

// refuse sends the private-chat-only reply straight to the chat. Nothing is stored, so a
// redelivered group message is refused again.
func (c *Channel) refuse(ctx context.Context, u tgbotapi.Update) {
	var chat *tgbotapi.Chat
	switch {
	case u.Message != nil:
		chat = u.Message.Chat
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil:
		chat = u.CallbackQuery.Message.Chat
	}
	if chat == nil {
		return
	}
	if _, err := c.sendText(ctx, chat.ID, privateOnlyText, nil); err != nil {
		c.log.Warn("telegram_refusal_failed", "update_id", u.UpdateID, "chat_id", chat.ID, "error", err)
		return
	}
	c.log.Debug("telegram_group_refused", "update_id", u.UpdateID, "chat_id", chat.ID, "chat_type", chat.Type)
}

// backoff is the wait before retry number attempt: 1 s doubling to maxBackoff.
func backoff(attempt int) time.Duration {
	wait := time.Second
	for i := 1; i < attempt && wait < maxBackoff; i++ {
		wait *= 2
	}
	return min(wait, maxBackoff)
}

// sleep waits for d and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
