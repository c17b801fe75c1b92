package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Sender delivers one outbound message on its channel and returns the channel's id for it.
type Sender interface {
	Send(ctx context.Context, chatID string, msg Outbound) (externalID string, err error)
}

// RetryAfterError is a channel asking us to wait before sending again (Telegram's 429).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// PermanentError is a send that will never succeed (the patient blocked the bot, the chat
// no longer exists), so the message is marked failed instead of retried.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Limits are a channel's sending rates.
type Limits struct {
	// PerSecond is the channel-wide rate; 0 means unlimited.
	PerSecond float64
	// ChatBurst messages may go to one chat at once, then one per ChatInterval.
	ChatBurst    int
	ChatInterval time.Duration
}

// TelegramLimits follow the Bot API's published guidance: about 30 messages a second
// overall, and in one chat short bursts but about one a second sustained.
var TelegramLimits = Limits{PerSecond: 30, ChatBurst: 3, ChatInterval: time.Second}

// Channel is one channel the dispatcher delivers to.
type Channel struct {
	Sender Sender
	Limits Limits
	// OnlyChat, if set, limits delivery to one chat, for a terminal that serves one user
	// while other users' terminals (other processes) deliver their own messages.
	OnlyChat string
}

// Dispatcher delivers committed outbox messages: in order within a chat, within each
// channel's limits, retrying failures with backoff. Several dispatchers (replicas) may
// run at once; each message is leased to one of them at a time.
type Dispatcher struct {
	pool     *pgxpool.Pool
	channels map[string]Channel
	names    []string
	only     []string // OnlyChat of each channel in names
	log      *slog.Logger
	wake     chan struct{}
	// owner identifies this dispatcher's leases.
	owner string

	mu      sync.Mutex
	global  map[string]*bucket
	perChat map[string]*bucket

	// PollInterval is how often the outbox is scanned when nothing wakes the dispatcher.
	PollInterval time.Duration
	// MaxAttempts is how many failed sends mark a message as failed.
	MaxAttempts int
	// RetryDelay returns the wait before retry number attempt after a failed send.
	RetryDelay func(attempt int) time.Duration
	// OnFailed, if set, runs after a message is marked failed (rejected for good, or out
	// of attempts), for follow-up such as passing on an undeliverable waitlist offer.
	OnFailed func(ctx context.Context, msg Outbound) error
}

// NewDispatcher returns a dispatcher for the given channels.
func NewDispatcher(pool *pgxpool.Pool, channels map[string]Channel, logger *slog.Logger) *Dispatcher {
	d := &Dispatcher{
		pool: pool, channels: channels, log: logger, owner: newLeaseOwner(),
		wake:         make(chan struct{}, 1),
		global:       map[string]*bucket{},
		perChat:      map[string]*bucket{},
		PollInterval: time.Second,
		MaxAttempts:  10,
		RetryDelay:   Backoff,
	}
	for name, ch := range channels {
		d.names = append(d.names, name)
		d.only = append(d.only, ch.OnlyChat)
	}
	return d
}

// Wake makes the dispatcher scan the outbox now. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.log.Info("dispatcher_started", "channels", d.names)
	defer d.log.Info("dispatcher_stopped")
	timer := time.NewTimer(0)
	defer timer.Stop()
	failures := repeatLimiter{every: 30 * time.Second}
	for {
		sent, wait, err := d.dispatchOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			// While the database is down every scan fails; log the first failure and then a
			// count every 30 seconds.
			if n, ok := failures.note(time.Now()); ok {
				d.log.Error("outbox_scan_failed", "error", err, "failures_since_last_log", n)
			}
		} else if n := failures.reset(); n > 0 {
			d.log.Info("outbox_scan_recovered", "failures", n)
		}
		if sent > 0 {
			continue
		}
		if wait <= 0 || wait > d.PollInterval {
			wait = d.PollInterval
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-timer.C:
		}
	}
}

type outboxRow struct {
	id       int64
	channel  string
	chatID   string
	body     []byte
	attempts int
}

// leaseDuration is how long a claimed message is reserved for one dispatcher; a
// dispatcher that dies mid-send releases it when the lease runs out. Each message's lease
// is renewed just before it is sent, so a slow batch never outlives its leases.
const leaseDuration = time.Minute

// claimSize is how many messages (each the head of its chat) one scan leases.
const claimSize = 20

func newLeaseOwner() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// claimBatch leases the oldest pending message of each chat that is due. A chat whose
// earlier message is still pending (or leased elsewhere) yields nothing, which keeps each
// chat's messages in order.
func (d *Dispatcher) claimBatch(ctx context.Context) ([]outboxRow, error) {
	rows, err := d.pool.Query(ctx, `
		UPDATE outbox SET lease_until = now() + $2::interval, lease_owner = $4
		WHERE id IN (
			SELECT o.id FROM outbox o
			JOIN unnest($1::text[], $3::text[]) AS c (name, only_chat)
			  ON o.channel = c.name AND (c.only_chat = '' OR o.chat_id = c.only_chat)
			WHERE o.sent_at IS NULL AND o.failed_at IS NULL
			  AND o.next_attempt_at <= now()
			  AND (o.lease_until IS NULL OR o.lease_until < now())
			  AND NOT EXISTS (
				SELECT 1 FROM outbox p
				WHERE p.channel = o.channel AND p.chat_id = o.chat_id AND p.id < o.id
				  AND p.sent_at IS NULL AND p.failed_at IS NULL)
			ORDER BY o.id
			LIMIT $5
			FOR UPDATE OF o SKIP LOCKED)
		RETURNING id, channel, chat_id, body, attempts`, d.names, leaseDuration.String(), d.only, d.owner, claimSize)
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outboxRow, error) {
		var r outboxRow
		err := row.Scan(&r.id, &r.channel, &r.chatID, &r.body, &r.attempts)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox messages: %w", err)
	}
	return batch, nil
}

// dispatchOnce sends one round of messages. It returns how many were sent and, when
// none were, how long until the next one is due (0 if unknown).
func (d *Dispatcher) dispatchOnce(ctx context.Context) (int, time.Duration, error) {
	batch, err := d.claimBatch(ctx)
	if err != nil {
		return 0, 0, err
	}
	sent := 0
	var soonest time.Duration
	for i, r := range batch {
		if ctx.Err() != nil {
			// Shutting down: hand the rest back at once instead of sending them.
			for _, rest := range batch[i:] {
				if err := d.release(rest.id); err != nil {
					return sent, 0, err
				}
			}
			return sent, 0, nil
		}
		ok, wait, err := d.deliver(ctx, r)
		if err != nil {
			return sent, 0, err
		}
		if ok {
			sent++
		} else if wait > 0 && (soonest == 0 || wait < soonest) {
			soonest = wait
		}
	}
	return sent, soonest, nil
}

// deliver sends one claimed message and records the result.
func (d *Dispatcher) deliver(ctx context.Context, r outboxRow) (bool, time.Duration, error) {
	ch := d.channels[r.channel]
	now := time.Now()
	if wait := d.chatBucket(r.channel, r.chatID, ch.Limits).take(now); wait > 0 {
		return false, wait, d.postpone(ctx, r.id, wait, false, "")
	}
	if wait := d.globalBucket(r.channel, ch.Limits).take(now); wait > 0 {
		select {
		case <-ctx.Done():
			return false, 0, d.release(r.id)
		case <-time.After(wait):
		}
	}
	held, err := d.renewLease(ctx, r.id)
	if err != nil || !held {
		// The lease ran out and another dispatcher may have the message now.
		return false, 0, err
	}

	var msg Outbound
	if err := json.Unmarshal(r.body, &msg); err != nil {
		return false, 0, d.fail(ctx, r.id, fmt.Sprintf("decode outbox body: %v", err))
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	externalID, err := ch.Sender.Send(sendCtx, r.chatID, msg)
	cancel()

	var retryAfter *RetryAfterError
	var permanent *PermanentError
	switch {
	case err == nil:
		_, err := d.pool.Exec(context.WithoutCancel(ctx), `UPDATE outbox SET sent_at = now(), lease_until = NULL,
			attempts = attempts + 1, external_id = $2 WHERE id = $1 AND lease_owner = $3`, r.id, externalID, d.owner)
		if err != nil {
			return false, 0, fmt.Errorf("mark outbox message %d sent: %w", r.id, err)
		}
		d.log.Debug("message_sent", "outbox_id", r.id, "channel", r.channel, "chat_id", r.chatID)
		return true, 0, nil
	case errors.As(err, &retryAfter):
		// A 429 says nothing about the message, so it does not count towards MaxAttempts.
		d.log.Warn("send_rate_limited", "outbox_id", r.id, "channel", r.channel, "chat_id", r.chatID, "retry_after", retryAfter.After.String())
		return false, retryAfter.After, d.postpone(ctx, r.id, retryAfter.After, false, err.Error())
	case errors.As(err, &permanent):
		d.log.Warn("send_rejected", "outbox_id", r.id, "channel", r.channel, "chat_id", r.chatID, "error", err)
		return false, 0, d.failed(ctx, r.id, msg, err.Error())
	}
	if r.attempts+1 >= d.MaxAttempts {
		d.log.Error("send_gave_up", "outbox_id", r.id, "channel", r.channel, "attempts", r.attempts+1, "error", err)
		return false, 0, d.failed(ctx, r.id, msg, err.Error())
	}
	wait := d.RetryDelay(r.attempts + 1)
	d.log.Warn("send_failed_will_retry", "outbox_id", r.id, "channel", r.channel, "attempt", r.attempts+1, "retry_in", wait.String(), "error", err)
	return false, wait, d.postpone(ctx, r.id, wait, true, err.Error())
}

// Backoff is the wait before retry number attempt: 1 s doubling to at most 5 minutes.
func Backoff(attempt int) time.Duration {
	wait := time.Second
	for i := 1; i < attempt && wait < 5*time.Minute; i++ {
		wait *= 2
	}
	return min(wait, 5*time.Minute)
}

func (d *Dispatcher) postpone(ctx context.Context, id int64, wait time.Duration, attempted bool, lastError string) error {
	inc := 0
	if attempted {
		inc = 1
	}
	_, err := d.pool.Exec(context.WithoutCancel(ctx), `UPDATE outbox SET lease_until = NULL,
		next_attempt_at = now() + $2::interval, attempts = attempts + $3,
		last_error = coalesce(nullif($4, ''), last_error) WHERE id = $1 AND lease_owner = $5`,
		id, strconv.FormatInt(wait.Microseconds(), 10)+" microseconds", inc, lastError, d.owner)
	if err != nil {
		return fmt.Errorf("postpone outbox message %d: %w", id, err)
	}
	return nil
}

func (d *Dispatcher) fail(ctx context.Context, id int64, lastError string) error {
	_, err := d.pool.Exec(context.WithoutCancel(ctx), `UPDATE outbox SET failed_at = now(), lease_until = NULL,
		attempts = attempts + 1, last_error = $2 WHERE id = $1 AND lease_owner = $3`, id, lastError, d.owner)
	if err != nil {
		return fmt.Errorf("mark outbox message %d failed: %w", id, err)
	}
	return nil
}

// failed marks a message failed and runs OnFailed for it.
func (d *Dispatcher) failed(ctx context.Context, id int64, msg Outbound, lastError string) error {
	if err := d.fail(ctx, id, lastError); err != nil {
		return err
	}
	if d.OnFailed == nil {
		return nil
	}
	if err := d.OnFailed(context.WithoutCancel(ctx), msg); err != nil {
		d.log.Error("failed_message_follow_up_failed", "outbox_id", id, "error", err)
	}
	return nil
}

func (d *Dispatcher) release(id int64) error {
	_, err := d.pool.Exec(context.Background(), `UPDATE outbox SET lease_until = NULL WHERE id = $1 AND lease_owner = $2`, id, d.owner)
	return err
}

// renewLease extends this dispatcher's lease on a message and reports whether it still
// holds it.
func (d *Dispatcher) renewLease(ctx context.Context, id int64) (bool, error) {
	tag, err := d.pool.Exec(context.WithoutCancel(ctx), `UPDATE outbox SET lease_until = now() + $3::interval
		WHERE id = $1 AND lease_owner = $2 AND sent_at IS NULL AND failed_at IS NULL`, id, d.owner, leaseDuration.String())
	if err != nil {
		return false, fmt.Errorf("renew lease of outbox message %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

func (d *Dispatcher) chatBucket(channel, chatID string, l Limits) *bucket {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := channel + "\x00" + chatID
	b, ok := d.perChat[key]
	if !ok {
		if len(d.perChat) >= maxChatBuckets {
			d.perChat = map[string]*bucket{}
		}
		b = newBucket(l.ChatBurst, l.ChatInterval)
		d.perChat[key] = b
	}
	return b
}

// maxChatBuckets bounds the per-chat rate state. When it is reached the state is reset,
// which at worst lets each chat have one more short burst.
const maxChatBuckets = 10000

func (d *Dispatcher) globalBucket(channel string, l Limits) *bucket {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.global[channel]
	if !ok {
		var interval time.Duration
		burst := 0
		if l.PerSecond > 0 {
			interval = time.Duration(float64(time.Second) / l.PerSecond)
			burst = int(l.PerSecond)
		}
		b = newBucket(burst, interval)
		d.global[channel] = b
	}
	return b
}
