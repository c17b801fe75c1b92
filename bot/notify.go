package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/nlu"
	"github.com/pakenham-health/pms/records"
)

// notifyPatient sends a message the clinic starts (not a reply) to every chat linked to
// the patient, with sticky buttons that stay live until they are used or expire. When the
// chat is the one the current turn is in, the turn's own state takes the buttons, so the
// turn does not overwrite them when it saves.
func (e *Engine) notifyPatient(ctx context.Context, tx pgx.Tx, current *turn, patientID int64, msg Outbound,
	choices []choice, expires time.Time) error {
	accounts, err := records.AccountsOf(ctx, tx, patientID)
	if err != nil {
		return err
	}
	for _, account := range accounts {
		if account.Channel == records.DemoChannel {
			continue
		}
		// In private chats (Telegram, the console) the chat id is the user id.
		chatID := account.ID
		var state *State
		if current != nil && current.in.Channel == account.Channel && current.in.ChatID == chatID {
			state = current.state
		} else if state, err = lockConversation(ctx, tx, account.Channel, chatID); err != nil {
			return err
		}
		out := msg
		out.Text = e.fill(out.Text)
		out.Buttons = nil
		for _, c := range choices {
			state.NextToken++
			token := fmt.Sprintf("o%d", state.NextToken)
			option := c.option
			option.Sticky, option.ExpiresAt = true, expires
			if state.Options == nil {
				state.Options = map[string]Option{}
			}
			state.Options[token] = option
			out.Buttons = append(out.Buttons, []Button{{Label: c.label, Data: token}})
		}
		if state == current.stateOrNil() {
			// The turn saves its own state and queues this after its replies.
			current.out = append(current.out, out)
			continue
		}
		if err := saveConversation(ctx, tx, account.Channel, chatID, state); err != nil {
			return err
		}
		if _, err := Enqueue(ctx, tx, account.Channel, chatID, out); err != nil {
			return err
		}
	}
	return nil
}

func (t *turn) stateOrNil() *State {
	if t == nil {
		return nil
	}
	return t.state
}

// sendOffer tells a waitlisted patient about a slot held for them. freed says the slot was
// just given up by someone else, rather than free all along (new sessions).
func (e *Engine) sendOffer(ctx context.Context, tx pgx.Tx, current *turn, offer booking.Offer, freed bool) error {
	store := e.cfg.Booking
	p, err := store.PractitionerTx(ctx, tx, offer.PractitionerID)
	if err != nil {
		return err
	}
	specialty := ""
	if len(p.Specialties) > 0 {
		specialty = p.Specialties[0]
	}
	loc := e.cfg.Location
	until := booking.FormatClock(offer.ExpiresAt, loc)
	if booking.DateOf(offer.ExpiresAt, loc) != booking.DateOf(e.cfg.Clock.Now(), loc) {
		until += " on " + booking.FormatDay(offer.ExpiresAt, loc)
	}
	template := msgOfferOpen
	if freed {
		template = msgOffer
	}
	text := fmt.Sprintf(template, booking.Describe(offer.Slot.Start, offer.Slot.End, p, specialtyLabel(specialty), loc), until)
	id := strconv.FormatInt(offer.ID, 10)
	choices := []choice{
		{label: "Yes, book it", option: Option{Action: actionOfferAccept, Value: id}},
		{label: "No thanks", option: Option{Action: actionOfferDecline, Value: id}},
	}
	e.log.Info("waitlist_offer_sent", "offer_id", offer.ID, "patient_id", offer.PatientID)
	msg := Outbound{Text: text, Offer: &OfferRef{ID: offer.ID, PatientID: offer.PatientID}}
	return e.notifyPatient(ctx, tx, current, offer.PatientID, msg, choices, offer.ExpiresAt)
}

// ExpireOffers closes waitlist offers whose hold has run out, tells those patients, offers
// each slot to the next patient waiting, and withdraws offers for slots whose time has
// passed. It returns how many offers it closed. Scheduled jobs call it.
func (e *Engine) ExpireOffers(ctx context.Context) (int, error) {
	if e.cfg.Booking == nil {
		return 0, nil
	}
	closed := 0
	err := e.exclusiveJob(ctx, jobExpireOffers, func() error {
		return e.inTx(ctx, func(tx pgx.Tx) error {
			closed = 0
			return e.expireOffersTx(ctx, tx, &closed)
		})
	})
	if err != nil {
		return 0, fmt.Errorf("expire waitlist offers: %w", err)
	}
	if closed > 0 && e.cfg.Wake != nil {
		e.cfg.Wake()
	}
	return closed, nil
}

// expireOffersTx withdraws offers for slots that have passed, expires offers whose hold
// ran out, tells those patients, and offers each expired slot to the next in line.
func (e *Engine) expireOffersTx(ctx context.Context, tx pgx.Tx, closed *int) error {
	now := e.cfg.Clock.Now()
	withdrawn, err := e.cfg.Booking.WithdrawPastOffersTx(ctx, tx, now)
	if err != nil {
		return err
	}
	changes, err := e.cfg.Booking.ExpireOffersTx(ctx, tx, now)
	if err != nil {
		return err
	}
	for _, o := range withdrawn {
		if err := e.notifyPatient(ctx, tx, nil, o.PatientID, Outbound{Text: msgOfferWithdrawn}, nil, time.Time{}); err != nil {
			return err
		}
	}
	for _, change := range changes {
		text := msgOfferExpiredReleased
		if change.OfferMade != nil {
			text = msgOfferExpired
		}
		if err := e.notifyPatient(ctx, tx, nil, change.Closed.PatientID, Outbound{Text: text}, nil, time.Time{}); err != nil {
			return err
		}
		if change.OfferMade != nil {
			if err := e.sendOffer(ctx, tx, nil, *change.OfferMade, true); err != nil {
				return err
			}
		}
	}
	*closed = len(withdrawn) + len(changes)
	return nil
}

// OfferOpenSlots offers free times to waitlisted patients: for each patient still waiting,
// in priority order, the best free slot that fits their request is offered (to whoever is
// first in line for it). This covers time that frees up without a cancellation, such as
// new sessions after an availability import. It returns how many offers it made.
func (e *Engine) OfferOpenSlots(ctx context.Context) (int, error) {
	if e.cfg.Booking == nil {
		return 0, nil
	}
	made := 0
	err := e.exclusiveJob(ctx, jobOfferOpenSlots, func() error {
		var waiting []booking.WaitlistEntry
		err := e.inTx(ctx, func(tx pgx.Tx) error {
			var err error
			waiting, err = e.cfg.Booking.WaitingTx(ctx, tx)
			return err
		})
		if err != nil {
			return err
		}
		// One short transaction per patient, so bookings are never held up for long.
		for _, entry := range waiting {
			offered := false
			err := e.inTx(ctx, func(tx pgx.Tx) error {
				var err error
				offered, err = e.offerBestSlotTx(ctx, tx, entry)
				return err
			})
			if err != nil {
				return err
			}
			if offered {
				made++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("offer open slots: %w", err)
	}
	if made > 0 && e.cfg.Wake != nil {
		e.cfg.Wake()
	}
	return made, nil
}

// offerBestSlotTx offers the best free slot that fits a waiting entry, if there is one, and
// reports whether an offer was made (to this patient or to someone ahead of them).
func (e *Engine) offerBestSlotTx(ctx context.Context, tx pgx.Tx, entry booking.WaitlistEntry) (bool, error) {
	store := e.cfg.Booking
	prefs := booking.Preferences{From: entry.Earliest, To: entry.Latest}
	if len(entry.PartsOfDay) == 1 {
		prefs.PartOfDay = entry.PartsOfDay[0]
	}
	search, err := store.FindSlotsTx(ctx, tx, booking.SlotRequest{
		PatientID: entry.PatientID, Specialty: entry.Specialty, PractitionerID: entry.PractitionerID,
		AppointmentType: entry.AppointmentType, Prefs: prefs, Limit: 1,
	})
	if err != nil || len(search.Candidates) == 0 {
		return false, err
	}
	best := search.Candidates[0]
	offer, ok, err := store.OfferSlotTx(ctx, tx, best.PractitionerID, best.Interval)
	if err != nil || !ok {
		return false, err
	}
	return true, e.sendOffer(ctx, tx, nil, offer, false)
}

// OfferUndelivered passes on a waitlist offer whose message could not be delivered (the
// patient blocked the bot, say), as if the patient had declined it, so the time is not
// held for someone who never hears of it. The dispatcher calls it for failed messages.
func (e *Engine) OfferUndelivered(ctx context.Context, msg Outbound) error {
	if e.cfg.Booking == nil || msg.Offer == nil {
		return nil
	}
	err := e.inTx(ctx, func(tx pgx.Tx) error {
		change, err := e.cfg.Booking.DeclineOfferTx(ctx, tx, msg.Offer.PatientID, msg.Offer.ID)
		if errors.Is(err, booking.ErrOfferClosed) || errors.Is(err, booking.ErrNotFound) {
			return nil // already answered, expired or withdrawn
		}
		if err != nil {
			return err
		}
		e.log.Warn("waitlist_offer_undelivered", "offer_id", msg.Offer.ID, "patient_id", msg.Offer.PatientID,
			"passed_on", change.OfferMade != nil)
		if change.OfferMade != nil {
			return e.sendOffer(ctx, tx, nil, *change.OfferMade, true)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pass on undelivered offer %d: %w", msg.Offer.ID, err)
	}
	if e.cfg.Wake != nil {
		e.cfg.Wake()
	}
	return nil
}

// DraftLifetime is how long an unfinished form or booking request (and the personal
// details typed into it) is kept after the chat's last message.
const DraftLifetime = 14 * 24 * time.Hour

// PurgeStaleDrafts deletes unfinished forms, paused forms and booking requests from chats
// idle for longer than DraftLifetime, so answers a patient never submitted are not kept
// indefinitely. It returns how many conversations it cleared.
func (e *Engine) PurgeStaleDrafts(ctx context.Context) (int64, error) {
	cutoff := e.cfg.Clock.Now().Add(-DraftLifetime)
	tag, err := e.pool.Exec(ctx, `UPDATE conversations SET state = state - 'form' - 'paused' - 'booking'
		WHERE updated_at < $1 AND (state ? 'form' OR state ? 'paused' OR state ? 'booking')`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge stale drafts: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Advisory lock keys of the scheduled jobs, so each runs on one replica at a time.
const (
	jobExpireOffers   = 0x706d735f6a6f6201 // "pms_job" + 1
	jobOfferOpenSlots = 0x706d735f6a6f6202
)

// exclusiveJob runs fn unless another replica is running the same job, which it detects with
// a transaction-scoped advisory lock held on a connection of its own while fn runs.
func (e *Engine) exclusiveJob(ctx context.Context, key int64, fn func() error) error {
	guard, err := e.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin job guard: %w", err)
	}
	defer guard.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // the guard only holds the lock
	var mine bool
	if err := guard.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", key).Scan(&mine); err != nil {
		return fmt.Errorf("lock job: %w", err)
	}
	if !mine {
		e.log.Debug("job_skipped_running_elsewhere", "job", key)
		return nil
	}
	return fn()
}

// inTx runs fn in a transaction, again (up to three times in all) when PostgreSQL aborts it
// as a deadlock victim or a serialization failure. Jobs take practitioner locks before
// conversation locks and chat turns the other way round, so such aborts can happen.
func (e *Engine) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	var err error
	for range maxTurnAttempts {
		err = pgx.BeginFunc(ctx, e.pool, fn)
		if err == nil || !retryable(err) {
			return err
		}
	}
	return err
}

// CancelPractitionerDay cancels a practitioner's appointments on a day on behalf of the
// clinic and tells each patient, with a button to book another time. It returns the
// number of appointments cancelled.
func (e *Engine) CancelPractitionerDay(ctx context.Context, practitionerID int64, day booking.Date, reason string) (int, error) {
	if e.cfg.Booking == nil {
		return 0, fmt.Errorf("cancel practitioner day: booking is not configured")
	}
	cancelled := 0
	err := e.inTx(ctx, func(tx pgx.Tx) error {
		result, err := e.cfg.Booking.CancelPractitionerDayTx(ctx, tx, practitionerID, day, reason)
		if err != nil {
			return err
		}
		p, err := e.cfg.Booking.PractitionerTx(ctx, tx, practitionerID)
		if err != nil {
			return err
		}
		for _, a := range result.Appointments {
			text := fmt.Sprintf(msgClinicCancelled, p.DisplayName, booking.FormatDay(a.Start, e.cfg.Location),
				booking.FormatClock(a.Start, e.cfg.Location))
			rebook := []choice{
				{label: "Book another time", option: Option{Action: actionRebook, Value: a.Specialty}},
				intentChoice("Help", nlu.IntentHelp),
			}
			msg := Outbound{Text: text, Document: e.calendarFile(ctx, tx, a, true)}
			if err := e.notifyPatient(ctx, tx, nil, a.PatientID, msg, rebook, time.Time{}); err != nil {
				return err
			}
		}
		for _, o := range result.WithdrawnOffers {
			if err := e.notifyPatient(ctx, tx, nil, o.PatientID, Outbound{Text: msgOfferWithdrawn}, nil, time.Time{}); err != nil {
				return err
			}
		}
		cancelled = len(result.Appointments)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("cancel practitioner %d on %s: %w", practitionerID, day, err)
	}
	if cancelled > 0 && e.cfg.Wake != nil {
		e.cfg.Wake()
	}
	return cancelled, nil
}
