package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/internal/clock"
	"github.com/pakenham-health/pms/nlu"
	"github.com/pakenham-health/pms/records"
)

// Classifier routes free text to an intent. nlu.Router implements it.
type Classifier interface {
	Classify(ctx context.Context, req nlu.Request) (nlu.Result, error)
}

// Outcome is the result of handling one inbound message.
type Outcome string

// Outcomes recorded in inbound_messages.outcome.
const (
	OutcomeProcessed Outcome = "processed"
	OutcomeDuplicate Outcome = "duplicate"
	OutcomeRejected  Outcome = "rejected"
	OutcomeFailed    Outcome = "failed"
)

// Config is the engine configuration, apart from the database pool.
type Config struct {
	Clock      clock.Clock
	Location   *time.Location
	Classifier Classifier
	Logger     *slog.Logger
	// ClinicName is the hospital name used in greetings.
	ClinicName string
	// ClinicPhone is reception's phone number, given wherever the bot sends people to staff.
	ClinicPhone string
	// FAQPhraser, if set, words FAQ answers with an LLM from the retrieved entries only.
	FAQPhraser FAQPhraser
	// Booking is the appointment store; without it appointment requests get an honest
	// "not available" reply.
	Booking *booking.Store
	// ClassifyEarly classifies text before the turn's transaction begins, so a slow
	// classifier (an LLM) does not hold a database connection and the conversation lock.
	// The early answer is used if the turn needs one; it costs a classification for
	// messages that turn out not to need it (form answers).
	ClassifyEarly bool
	// Wake is called after a commit that queued outbound messages, so the dispatcher sends
	// them without waiting for its next poll. It may be nil.
	Wake func()
}

// Engine runs conversation turns.
type Engine struct {
	pool *pgxpool.Pool
	cfg  Config
	log  *slog.Logger
}

// NewEngine returns an engine on pool.
func NewEngine(pool *pgxpool.Pool, cfg Config) *Engine {
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Classifier == nil {
		cfg.Classifier = nlu.NewRules(nil)
	}
	if cfg.ClinicName == "" {
		cfg.ClinicName = "the clinic"
	}
	if cfg.ClinicPhone == "" {
		cfg.ClinicPhone = "the clinic's usual number"
	}
	return &Engine{pool: pool, cfg: cfg, log: cfg.Logger}
}

// turnTimeout bounds one turn, retries included.
const turnTimeout = 30 * time.Second

// maxTurnAttempts bounds retries of a turn that failed on a serialization or deadlock error.
const maxTurnAttempts = 3

// Handle runs one turn for in: it records the message id (a repeat is dropped), locks the
// conversation, runs the step, and writes the new state and every reply in one
// transaction. A turn that fails is recorded as failed with an apology to the chat, so no
// message is silently lost, and the error is returned for logging.
func (e *Engine) Handle(ctx context.Context, in Inbound) (Outcome, error) {
	// A turn that has started finishes even when the caller's context ends (a shutdown),
	// so a message is never half handled; turnTimeout still bounds it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), turnTimeout)
	defer cancel()
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = e.cfg.Clock.Now()
	}
	var outcome Outcome
	var err error
	early := e.classifyEarly(ctx, in)
	for attempt := 1; attempt <= maxTurnAttempts; attempt++ {
		outcome, err = e.handleOnce(ctx, in, early)
		if err == nil || !retryable(err) {
			break
		}
	}
	if err != nil {
		e.log.Error("turn_failed", "channel", in.Channel, "chat_id", in.ChatID, "message_id", in.MessageID, "error", err)
		if recErr := e.recordFailure(ctx, in); recErr != nil {
			e.log.Error("turn_failure_not_recorded", "channel", in.Channel, "message_id", in.MessageID, "error", recErr)
		}
		return OutcomeFailed, err
	}
	e.log.Debug("turn_done", "channel", in.Channel, "chat_id", in.ChatID, "message_id", in.MessageID, "outcome", outcome)
	return outcome, nil
}

// earlyResult is a classification made before the transaction, for text.
type earlyResult struct {
	text   string
	result nlu.Result
}

// classifyEarly classifies a text message outside any transaction, from a snapshot of the
// conversation (no lock). It returns nil when there is nothing to classify or it fails;
// the turn then classifies inside its transaction as usual.
func (e *Engine) classifyEarly(ctx context.Context, in Inbound) *earlyResult {
	text := strings.TrimSpace(in.Text)
	if !e.cfg.ClassifyEarly || in.Kind != KindText || text == "" || nlu.Screen(text) {
		return nil
	}
	state := &State{}
	var raw []byte
	err := e.pool.QueryRow(ctx, `SELECT state FROM conversations WHERE channel = $1 AND chat_id = $2`, in.Channel, in.ChatID).Scan(&raw)
	if err == nil {
		_ = json.Unmarshal(raw, state)
	}
	patient, _ := records.ByAccount(ctx, e.pool, records.Account{Channel: in.Channel, ID: in.UserID})
	result, err := e.classify(ctx, classifyRequest(text, e.cfg.Clock.Now(), e.cfg.Location, state, patient))
	if err != nil {
		return nil
	}
	return &earlyResult{text: text, result: result}
}

func (e *Engine) handleOnce(ctx context.Context, in Inbound, early *earlyResult) (Outcome, error) {
	var outcome Outcome
	queued := 0
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		fresh, err := claimMessage(ctx, tx, in)
		if err != nil {
			return err
		}
		if !fresh {
			outcome = OutcomeDuplicate
			return nil
		}
		state, err := lockConversation(ctx, tx, in.Channel, in.ChatID)
		if err != nil {
			return err
		}
		t := &turn{ctx: ctx, tx: tx, e: e, in: in, now: e.cfg.Clock.Now(), state: state, early: early}
		if err := t.loadPatient(); err != nil {
			return err
		}
		if err := t.run(); err != nil {
			return err
		}
		if err := saveConversation(ctx, tx, in.Channel, in.ChatID, t.state); err != nil {
			return err
		}
		for _, msg := range t.out {
			n, err := Enqueue(ctx, tx, in.Channel, in.ChatID, msg)
			if err != nil {
				return err
			}
			queued += n
		}
		outcome = t.outcome
		return setOutcome(ctx, tx, in, outcome)
	})
	if err != nil {
		return "", fmt.Errorf("handle %s message %s: %w", in.Channel, in.MessageID, err)
	}
	if queued > 0 && e.cfg.Wake != nil {
		e.cfg.Wake()
	}
	return outcome, nil
}

// claimMessage records the inbound message id and reports whether it is new. A concurrent
// delivery of the same id waits on the unique index and then sees it as a repeat.
func claimMessage(ctx context.Context, tx pgx.Tx, in Inbound) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO inbound_messages (channel, message_id, chat_id, received_at, outcome)
		VALUES ($1, $2, $3, $4, 'processing') ON CONFLICT DO NOTHING`,
		in.Channel, in.MessageID, in.ChatID, in.ReceivedAt)
	if err != nil {
		return false, fmt.Errorf("record inbound message: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func setOutcome(ctx context.Context, tx pgx.Tx, in Inbound, outcome Outcome) error {
	_, err := tx.Exec(ctx, `UPDATE inbound_messages SET outcome = $3, processed_at = now()
		WHERE channel = $1 AND message_id = $2`, in.Channel, in.MessageID, string(outcome))
	if err != nil {
		return fmt.Errorf("record message outcome: %w", err)
	}
	return nil
}

func lockConversation(ctx context.Context, tx pgx.Tx, channel, chatID string) (*State, error) {
	_, err := tx.Exec(ctx, `INSERT INTO conversations (channel, chat_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, channel, chatID)
	if err != nil {
		return nil, fmt.Errorf("create conversation: %w", err)
	}
	var raw []byte
	err = tx.QueryRow(ctx, `SELECT state FROM conversations WHERE channel = $1 AND chat_id = $2 FOR UPDATE`, channel, chatID).Scan(&raw)
	if err != nil {
		return nil, fmt.Errorf("lock conversation: %w", err)
	}
	state := &State{}
	if err := json.Unmarshal(raw, state); err != nil {
		return nil, fmt.Errorf("decode conversation state: %w", err)
	}
	return state, nil
}

func saveConversation(ctx context.Context, tx pgx.Tx, channel, chatID string, state *State) error {
	raw, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("encode conversation state: %w", err)
	}
	_, err = tx.Exec(ctx, `UPDATE conversations SET state = $3, updated_at = now() WHERE channel = $1 AND chat_id = $2`, channel, chatID, raw)
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	return nil
}

// recordFailure marks a message that could not be processed and apologises to the chat,
// in a transaction of its own. A message already recorded is left as it is.
func (e *Engine) recordFailure(ctx context.Context, in Inbound) error {
	ctx = context.WithoutCancel(ctx)
	return pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO inbound_messages (channel, message_id, chat_id, received_at, outcome)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			in.Channel, in.MessageID, in.ChatID, in.ReceivedAt, string(OutcomeFailed))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		// Lock the conversation as a turn does, so the apology is queued in order with
		// anything else being sent to this chat.
		if _, err := lockConversation(ctx, tx, in.Channel, in.ChatID); err != nil {
			return err
		}
		_, err = Enqueue(ctx, tx, in.Channel, in.ChatID, Outbound{Text: e.fill(msgInternalError)})
		return err
	})
}

// retryable reports errors worth running the whole turn again for: serialization
// failures and deadlocks.
func retryable(err error) bool {
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) {
		switch pgErr.SQLState() {
		case "40001", "40P01":
			return true
		}
	}
	return false
}

// loadPatient sets t.patient to the patient linked to the sender, if any.
func (t *turn) loadPatient() error {
	p, err := records.ByAccount(t.ctx, t.tx, t.account())
	if errors.Is(err, records.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	t.patient = p
	return nil
}
