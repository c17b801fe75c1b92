package booking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pakenham-health/pms/internal/clock"
)

// Config holds the booking rules that the clinic can change.
type Config struct {
	// Location is the clinic's time zone. Templates, dates and every time shown to a
	// person are in this zone.
	Location *time.Location
	// MinNotice is how far ahead a booking must start.
	MinNotice time.Duration
	// LateWindow is the time before the start inside which a cancellation or reschedule
	// counts as late.
	LateWindow time.Duration
	// OfferHold is how long a waitlist offer holds its slot when the slot is not soon.
	OfferHold time.Duration
	// SearchDays is how many days FindSlots searches when the request gives no end date.
	SearchDays int
}

// DefaultConfig returns the clinic defaults: Australia/Melbourne, one hour of notice, a
// 24-hour late window, 30-minute offer holds and a 14-day search.
func DefaultConfig() (Config, error) {
	loc, err := time.LoadLocation("Australia/Melbourne")
	if err != nil {
		return Config{}, fmt.Errorf("load clinic time zone: %w", err)
	}
	return Config{Location: loc, MinNotice: time.Hour, LateWindow: 24 * time.Hour, OfferHold: 30 * time.Minute, SearchDays: 14}, nil
}

func (c Config) validate() error {
	switch {
	case c.Location == nil:
		return fmt.Errorf("%w: config: missing clinic time zone", ErrInvalid)
	case c.MinNotice < 0, c.LateWindow < 0:
		return fmt.Errorf("%w: config: negative minimum notice or late window", ErrInvalid)
	case c.OfferHold < MinOfferHold:
		return fmt.Errorf("%w: config: offer hold %s is shorter than %s", ErrInvalid, c.OfferHold, MinOfferHold)
	case c.SearchDays < 1:
		return fmt.Errorf("%w: config: search days %d must be at least 1", ErrInvalid, c.SearchDays)
	}
	return nil
}

// Store runs the booking operations against PostgreSQL. Each method opens and commits its
// own transaction. Each has a ...Tx variant that runs inside a transaction the caller owns
// (the conversation engine's turn), so outbox messages commit together with the change.
// The ...Tx variants use savepoints around statements that may fail on a constraint, so
// an ErrSlotTaken leaves the caller's transaction usable. Changes take a per-practitioner
// advisory lock until the transaction ends: a caller that changes two practitioners'
// schedules in one transaction, in an order another transaction reverses, can get a
// deadlock error (SQLSTATE 40P01) and should retry the transaction.
type Store struct {
	pool  *pgxpool.Pool
	clock clock.Clock
	cfg   Config
	log   *slog.Logger
}

// NewStore returns a Store. It returns an error wrapping ErrInvalid for a bad config.
func NewStore(pool *pgxpool.Pool, clk clock.Clock, cfg Config, log *slog.Logger) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{pool: pool, clock: clk, cfg: cfg, log: log}, nil
}

// Config returns the store's rules.
func (s *Store) Config() Config { return s.cfg }

// inTx runs fn in a new read-committed transaction and commits it when fn succeeds.
func inTx[T any](ctx context.Context, s *Store, fn func(pgx.Tx) (T, error)) (T, error) {
	var out T
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// inSavepoint runs fn inside a savepoint of tx, so a failed statement rolls back only
// what fn did. Two transactions that insert overlapping rows for the same patient at the
// same moment can deadlock inside the exclusion constraint check; PostgreSQL aborts one
// of them, and that one is retried here so its next check waits for the other's commit.
func inSavepoint(ctx context.Context, tx pgx.Tx, fn func(pgx.Tx) error) error {
	const attempts = 3
	var err error
	for range attempts {
		err = pgx.BeginFunc(ctx, tx, fn)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "40P01" {
			return err
		}
	}
	return err
}

// practitionerLockSpace is the first key of the advisory locks taken per practitioner.
const practitionerLockSpace = 0x626b // "bk"

// lockPractitioners takes a transaction-scoped advisory lock per practitioner, in id
// order. Every change to a practitioner's appointments and offers takes it before any
// row lock, so those changes queue instead of deadlocking in the exclusion constraint
// checks, and a check of availability is still true when the row is written. Taking a
// lock the transaction already holds returns at once. The key is the id truncated to 32
// bits, so two practitioners could share a lock only past 2^32 ids, which would
// serialise them without harm.
func lockPractitioners(ctx context.Context, tx pgx.Tx, ids ...int64) error {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for _, id := range slices.Compact(sorted) {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int, $2::int)`, practitionerLockSpace, int32(id)); err != nil {
			return fmt.Errorf("lock schedule of practitioner %d: %w", id, err)
		}
	}
	return nil
}

// constraintViolated returns the name of the constraint err violated, or "".
func constraintViolated(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "23P01" || pgErr.Code == "23505") {
		return pgErr.ConstraintName
	}
	return ""
}

const (
	practitionerOverlap = "appointments_practitioner_overlap"
	patientOverlap      = "appointments_patient_overlap"
	offerPerSlot        = "waitlist_offers_one_per_slot"
	offerPerEntry       = "waitlist_offers_one_per_entry"
	entryOpen           = "waitlist_entries_one_open"
)

// occupyingStatuses is the SQL list of statuses that hold their time. It matches the
// WHERE clause of the exclusion constraints and Status.Occupies.
const occupyingStatuses = `status NOT IN ('cancelled', 'noshow', 'entered-in-error', 'waitlist')`

// tstzrange converts an interval to the [) range pgx sends as tstzrange.
func tstzrange(iv Interval) string {
	return fmt.Sprintf("[%s,%s)", iv.Start.UTC().Format(time.RFC3339Nano), iv.End.UTC().Format(time.RFC3339Nano))
}

// dayInterval returns the local day d as an absolute interval. It is 23 or 25 hours long
// on daylight-saving change days.
func dayInterval(d Date, loc *time.Location) Interval {
	return Interval{d.At(0, loc), d.AddDays(1).At(0, loc)}
}
