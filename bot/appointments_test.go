package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/records"
)

// newBookingHarness is newHarness with the demo practitioners loaded and booking on.
func newBookingHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	require.NoError(t, pgx.BeginFunc(context.Background(), h.pool, func(tx pgx.Tx) error {
		return booking.SeedDemo(context.Background(), tx, melbourne)
	}))
	cfg, err := booking.DefaultConfig()
	require.NoError(t, err)
	store, err := booking.NewStore(h.pool, h.clock, cfg, nil)
	require.NoError(t, err)
	h.store = store
	h.engine = bot.NewEngine(h.pool, bot.Config{Clock: h.clock, Location: melbourne, Booking: store, ClinicName: "Pakenham Community Hospital"})
	return h
}

// enrolled creates a patient linked to the chat and returns the chat.
func (h *harness) enrolled(id string) *chat {
	h.t.Helper()
	p := &records.Patient{GivenName: "Test" + id, FamilyName: "Patient", BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
		Phone: "+61491570156", ConsentAt: testNow, ConsentVersion: records.ConsentVersion}
	_, err := records.Create(context.Background(), h.pool, p, records.Account{Channel: "test", ID: id})
	require.NoError(h.t, err)
	return h.chat(id)
}

func (h *harness) appointments(where string, args ...any) []booking.Appointment {
	h.t.Helper()
	rows, err := h.pool.Query(context.Background(), `SELECT id, status, version, lower(during) FROM appointments WHERE `+where+` ORDER BY id`, args...)
	require.NoError(h.t, err)
	var out []booking.Appointment
	for rows.Next() {
		var a booking.Appointment
		require.NoError(h.t, rows.Scan(&a.ID, &a.Status, &a.Version, &a.Start))
		out = append(out, a)
	}
	require.NoError(h.t, rows.Err())
	return out
}

func buttonLabels(out []bot.Outbound) []string {
	var labels []string
	for _, m := range out {
		for _, row := range m.Buttons {
			for _, b := range row {
				labels = append(labels, b.Label)
			}
		}
	}
	return labels
}

func TestBookNamedPractitioner(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3001")

	out := c.send("can I see Dr Nguyen next Tuesday at 3pm?")
	labels := buttonLabels(out)
	require.NotEmpty(t, labels)
	assert.Equal(t, "Tue 8 Dec, 3:00 pm – Dr Anh Nguyen", labels[0])
	assert.Contains(t, labels, "Other times")
	assert.Contains(t, labels, "Join the waitlist")

	out = c.tap("Tue 8 Dec, 3:00 pm – Dr Anh Nguyen")
	assert.Equal(t, "Tuesday 8 December, 3:00 pm with Dr Anh Nguyen (GP), 15 minutes. Book it?", out[0].Text)
	out = c.tap("Yes, book it")
	assert.Contains(t, texts(out), "You're booked in: Tuesday 8 December, 3:00 pm")
	require.NotNil(t, out[0].Document)
	assert.Equal(t, "text/calendar", out[0].Document.MIME)
	assert.Contains(t, string(out[0].Document.Content), "DTSTART:20261208T040000Z")

	booked := h.appointments(`status = 'booked'`)
	require.Len(t, booked, 1)
	assert.True(t, booked[0].Start.Equal(time.Date(2026, 12, 8, 15, 0, 0, 0, melbourne)))

	out = c.send("my appointments")
	assert.Contains(t, texts(out), "Tuesday 8 December, 3:00 pm with Dr Anh Nguyen (GP)")
}

func TestBookWithAutomaticAllocation(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3002")

	out := c.send("I need an appointment")
	assert.Contains(t, texts(out), "What kind of appointment")
	out = c.tap("GP")
	labels := buttonLabels(out)
	require.GreaterOrEqual(t, len(labels), 5, "three times, other times, waitlist")
	first := labels[0]
	out = c.tap(first)
	assert.Contains(t, out[0].Text, "(GP), 15 minutes. Book it?")
	out = c.tap("Yes, book it")
	assert.Contains(t, texts(out), "You're booked in")
	assert.Len(t, h.appointments(`status = 'booked'`), 1)
}

func TestBookingAskFollowUpDate(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3003")

	out := c.send("book a physio on 31/02")
	assert.Contains(t, texts(out), "February")
	assert.Contains(t, texts(out), "Which day would you like?")
	out = c.send("Monday morning")
	labels := buttonLabels(out)
	require.NotEmpty(t, labels)
	assert.True(t, strings.HasPrefix(labels[0], "Mon 7 Dec, "), labels[0])
	assert.Contains(t, labels[0], "am – Sam Taylor")
}

func TestRescheduleAndCancel(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3004")
	c.send("book Dr Nguyen on Tuesday at 3pm")
	c.tap("Tue 8 Dec, 3:00 pm – Dr Anh Nguyen")
	c.tap("Yes, book it")
	original := h.appointments(`status = 'booked'`)
	require.Len(t, original, 1)

	out := c.send("my appointments")
	staleCancel := c.buttonData("Cancel Tue 8 Dec 3:00 pm")
	out = c.tap("Change Tue 8 Dec 3:00 pm")
	assert.Contains(t, out[0].Text, "When would you like it instead?")
	out = c.send("Wednesday at 10am")
	require.NotEmpty(t, buttonLabels(out))
	assert.Equal(t, "Wed 9 Dec, 10:00 am – Dr Anh Nguyen", buttonLabels(out)[0])
	out = c.tap("Wed 9 Dec, 10:00 am – Dr Anh Nguyen")
	assert.Contains(t, out[0].Text, "Move your appointment to Wednesday 9 December, 10:00 am")
	out = c.tap("Yes, move it")
	assert.Contains(t, texts(out), "your appointment is now Wednesday 9 December, 10:00 am")

	moved := h.appointments(`status = 'booked'`)
	require.Len(t, moved, 1)
	assert.Equal(t, original[0].ID, moved[0].ID, "the same appointment moves")
	assert.Greater(t, moved[0].Version, original[0].Version)

	// The cancel button from before the move names an old version: it does nothing.
	in := c.inbound(bot.KindCallback)
	in.Callback = staleCancel
	out = c.deliver(in)
	assert.Contains(t, texts(out), "no longer applies")
	assert.Len(t, h.appointments(`status = 'booked'`), 1)

	out = c.send("cancel my appointment")
	assert.Contains(t, out[0].Text, "Cancel your appointment on Wednesday 9 December, 10:00 am")
	out = c.tap("Yes, cancel it")
	assert.Contains(t, texts(out), "I've cancelled your appointment")
	assert.Empty(t, h.appointments(`status = 'booked'`))
	assert.Len(t, h.appointments(`status = 'cancelled'`), 1)
}

func TestWaitlistOfferAcceptDeclineExpire(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	holder := h.enrolled("3101")
	first := h.enrolled("3102")
	second := h.enrolled("3103")

	holder.send("book Dr Nguyen on Tuesday at 3pm")
	holder.tap("Tue 8 Dec, 3:00 pm – Dr Anh Nguyen")
	holder.tap("Yes, book it")

	for _, c := range []*chat{first, second} {
		out := c.send("put me on the waitlist for Dr Nguyen on Tuesday")
		assert.Contains(t, texts(out), "You're on the waitlist for Dr Anh Nguyen")
		h.clock.Advance(time.Minute) // joined in order
	}

	holder.send("cancel my appointment")
	holder.tap("Yes, cancel it")

	offer := first.pending()
	require.Len(t, offer, 1, "the first on the waitlist is offered the slot")
	assert.Contains(t, offer[0].Text, "Tuesday 8 December, 3:00 pm with Dr Anh Nguyen")
	assert.Empty(t, second.pending(), "only one patient is offered a slot at a time")

	// The offered patient chats about something else; the offer buttons stay live.
	first.last = offer
	first.send("hello")
	first.last = offer
	out := first.tap("No thanks")
	assert.Contains(t, texts(out), "passed it on")

	offer = second.pending()
	require.Len(t, offer, 1, "a declined offer goes to the next patient")
	second.last = offer

	// The hold runs out; the slot is not offered again (nobody else waits), and the
	// patient is told.
	h.clock.Advance(31 * time.Minute)
	closed, err := h.engine.ExpireOffers(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, closed)
	assert.Contains(t, texts(second.pending()), "released, as the hold ran out")
	out = second.tap("Yes, book it")
	assert.Contains(t, texts(out), "expired or been withdrawn")
	assert.Empty(t, h.appointments(`status = 'booked'`))
}

func TestWaitlistOfferAccepted(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	holder := h.enrolled("3201")
	waiting := h.enrolled("3202")
	holder.send("book Dr Nguyen on Tuesday at 3pm")
	holder.tap("Tue 8 Dec, 3:00 pm – Dr Anh Nguyen")
	holder.tap("Yes, book it")
	waiting.send("waitlist for a GP on Tuesday")

	holder.send("cancel my appointment")
	holder.tap("Yes, cancel it")
	waiting.last = waiting.pending()
	out := waiting.tap("Yes, book it")
	assert.Contains(t, texts(out), "You're booked in: Tuesday 8 December, 3:00 pm")
	require.NotNil(t, out[0].Document)
	booked := h.appointments(`status = 'booked'`)
	require.Len(t, booked, 1)
}

func TestForgedCallbackCannotCancel(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	owner := h.enrolled("3301")
	other := h.enrolled("3302")
	owner.send("book Dr Nguyen on Tuesday at 3pm")
	owner.tap("Tue 8 Dec, 3:00 pm – Dr Anh Nguyen")
	owner.tap("Yes, book it")
	owner.send("cancel my appointment")
	token := owner.buttonData("Yes, cancel it")

	// Another patient replays the owner's button token in their own chat.
	in := other.inbound(bot.KindCallback)
	in.Callback = token
	out := other.deliver(in)
	assert.Contains(t, texts(out), "no longer applies")
	assert.Len(t, h.appointments(`status = 'booked'`), 1)

	// The booking API refuses another patient's appointment outright.
	booked := h.appointments(`status = 'booked'`)
	var otherID int64
	require.NoError(t, h.pool.QueryRow(context.Background(), `SELECT patient_id FROM patient_accounts WHERE account_id = '3302'`).Scan(&otherID))
	_, err := h.store.Cancel(context.Background(), booking.CancelRequest{PatientID: otherID, AppointmentID: booked[0].ID})
	assert.ErrorIs(t, err, booking.ErrNotFound)
}

func TestFiftyChatsRaceForOneSlot(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	const n = 50
	chats := make([]*chat, n)
	for i := range chats {
		chats[i] = h.enrolled(fmt.Sprintf("35%02d", i))
		chats[i].send("book Dr Nguyen on Tuesday at 3pm")
		chats[i].tap("Tue 8 Dec, 3:00 pm – Dr Anh Nguyen")
	}
	ins := make([]bot.Inbound, n)
	for i, c := range chats {
		ins[i] = c.inbound(bot.KindCallback)
		ins[i].Callback = c.buttonData("Yes, book it")
	}

	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range chats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := h.engine.Handle(context.Background(), ins[i])
			assert.NoError(t, err)
		}()
	}
	close(start)
	wg.Wait()

	booked := h.appointments(`status = 'booked'`)
	require.Len(t, booked, 1, "exactly one appointment for one slot")
	winners, taken := 0, 0
	for _, c := range chats {
		out := texts(c.pending())
		switch {
		case strings.Contains(out, "You're booked in"):
			winners++
		case strings.Contains(out, "just taken"):
			taken++
			assert.Contains(t, out, "Tap one to book it", "alternatives are offered")
		}
	}
	assert.Equal(t, 1, winners)
	assert.Equal(t, n-1, taken)
}

func TestDaylightSavingDaysShowLocalTime(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	// Sunday sessions on both 2027 change days: clocks go back at 3:00 am on 4 April and
	// forward at 2:00 am on 3 October in Victoria.
	csv := "record,practitioner,name,specialties,minutes,slack_user_id,days,start,end,breaks,from,to,reason\n" +
		"template,nguyen,,,,,sun,09:00,12:00,,,,\n"
	require.NoError(t, h.store.ImportCSV(context.Background(), strings.NewReader(csv)))

	cases := []struct {
		now  time.Time
		text string
		day  string
		utc  time.Time
	}{
		{time.Date(2027, 4, 1, 10, 0, 0, 0, melbourne), "book Dr Nguyen on 4/4 at 9am", "Sun 4 Apr, 9:00 am – Dr Anh Nguyen", time.Date(2027, 4, 3, 23, 0, 0, 0, time.UTC)},
		{time.Date(2027, 9, 30, 10, 0, 0, 0, melbourne), "book Dr Nguyen on 3/10 at 9am", "Sun 3 Oct, 9:00 am – Dr Anh Nguyen", time.Date(2027, 10, 2, 22, 0, 0, 0, time.UTC)},
	}
	for i, tc := range cases {
		h.clock.Set(tc.now)
		c := h.enrolled(fmt.Sprintf("360%d", i))
		out := c.send(tc.text)
		require.NotEmpty(t, buttonLabels(out), tc.text)
		assert.Equal(t, tc.day, buttonLabels(out)[0])
		out = c.tap(tc.day)
		assert.Contains(t, out[0].Text, ", 9:00 am with Dr Anh Nguyen")
		out = c.tap("Yes, book it")
		assert.Contains(t, texts(out), ", 9:00 am with Dr Anh Nguyen")
		booked := h.appointments(`status = 'booked' AND lower(during) = $1`, tc.utc)
		assert.Len(t, booked, 1, "stored at %s", tc.utc)
	}
}

func TestSessionLengthFollowsSpecialty(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3701")

	out := c.send("book a psychologist on Wednesday")
	labels := buttonLabels(out)
	require.NotEmpty(t, labels)
	out = c.tap(labels[0])
	assert.Contains(t, out[0].Text, "with Dr Mei Chen (psychologist), 50 minutes. Book it?")
	c.tap("Yes, book it")

	out = c.send("book a physio on Monday")
	out = c.tap(buttonLabels(out)[0])
	assert.Contains(t, out[0].Text, "(physio), 30 minutes. Book it?")
	c.tap("Yes, book it")

	var lengths []int
	rows, err := h.pool.Query(context.Background(),
		`SELECT extract(epoch FROM upper(during) - lower(during))::int / 60 FROM appointments WHERE status = 'booked' ORDER BY id`)
	require.NoError(t, err)
	for rows.Next() {
		var minutes int
		require.NoError(t, rows.Scan(&minutes))
		lengths = append(lengths, minutes)
	}
	assert.Equal(t, []int{50, 30}, lengths)
}

func TestNewSessionIsOfferedToWaitlist(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3801")
	out := c.send("waitlist for Dr Nguyen on Sunday")
	assert.Contains(t, texts(out), "You're on the waitlist for Dr Anh Nguyen")

	made, err := h.engine.OfferOpenSlots(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 0, made, "Dr Nguyen has no Sunday sessions yet")

	csv := "record,practitioner,name,specialties,minutes,slack_user_id,days,start,end,breaks,from,to,reason\n" +
		"template,nguyen,,,,,sun,09:00,12:00,,,,\n"
	require.NoError(t, h.store.ImportCSV(context.Background(), strings.NewReader(csv)))
	made, err = h.engine.OfferOpenSlots(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, made)
	offer := c.pending()
	require.Len(t, offer, 1)
	assert.Contains(t, offer[0].Text, "Sunday 6 December, 9:00 am with Dr Anh Nguyen")

	made, err = h.engine.OfferOpenSlots(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 0, made, "one open offer at a time")
}

func TestBookingDatesPatientsType(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	importSampleFAQ(t, h)
	c := h.enrolled("3901")

	// Today is Friday 4 December 2026.
	out := c.send("book a GP on 3/12")
	assert.Contains(t, texts(out), "already passed this year", "a yearless date rolls over and says so")
	require.NotEmpty(t, buttonLabels(out))
	assert.Contains(t, buttonLabels(out)[0], "Dec 2027, ", "the year is on the button")
	c.send("cancel")

	out = c.send("book a GP yesterday")
	assert.Contains(t, texts(out), "That day has already passed.")

	out = c.send("GP on Sunday")
	assert.Contains(t, texts(out), "has no free times on Sunday 6 December")
	assert.Contains(t, texts(out), "nearest free times after that")
	require.NotEmpty(t, buttonLabels(out))
	assert.True(t, strings.HasPrefix(buttonLabels(out)[0], "Mon 7 Dec"), buttonLabels(out)[0])

	times := out
	out = c.send("where can I park?")
	assert.Contains(t, texts(out), "car park")
	assert.Contains(t, texts(out), "Your booking is still open")
	c.last = times
	out = c.tap("Mon 7 Dec, 8:30 am – Dr Anh Nguyen")
	assert.Contains(t, out[0].Text, "Monday 7 December, 8:30 am with Dr Anh Nguyen (GP)", "the times offered before the question still work")
}

func TestPhysioNextWeekWithoutVerb(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3902")
	out := c.send("physio next week")
	labels := buttonLabels(out)
	require.NotEmpty(t, labels)
	assert.True(t, strings.HasPrefix(labels[0], "Mon 7 Dec"), labels[0])
	assert.Contains(t, labels[0], "Sam Taylor")
}

func TestRequestedTimeIsAlwaysOffered(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3903")
	// Dr Sharma becomes this patient's usual GP, which ranks her times first.
	past := time.Date(2026, 11, 30, 9, 0, 0, 0, melbourne)
	_, err := h.pool.Exec(context.Background(), `INSERT INTO appointments (patient_id, practitioner_id, appointment_type, specialty, during, status)
		SELECT pa.patient_id, p.id, 'standard', 'gp', tstzrange($1::timestamptz, $1::timestamptz + interval '15 minutes'), 'fulfilled'
		FROM patient_accounts pa, practitioners p WHERE pa.account_id = '3903' AND p.code = 'sharma'`, past)
	require.NoError(t, err)

	out := c.send("book a GP on Monday at 8:30am")
	labels := buttonLabels(out)
	require.Len(t, labels, 5)
	assert.Contains(t, labels[:3], "Mon 7 Dec, 8:30 am – Dr Anh Nguyen", "the time asked for is offered even though the usual GP starts later")
}

func TestJobRunsOnOneReplicaAtATime(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3802")
	c.send("waitlist for Dr Nguyen on Sunday")
	csv := "record,practitioner,name,specialties,minutes,slack_user_id,days,start,end,breaks,from,to,reason\n" +
		"template,nguyen,,,,,sun,09:00,12:00,,,,\n"
	require.NoError(t, h.store.ImportCSV(context.Background(), strings.NewReader(csv)))

	// Another replica is running the job: this one skips it.
	other, err := h.pool.Begin(context.Background())
	require.NoError(t, err)
	_, err = other.Exec(context.Background(), "SELECT pg_advisory_xact_lock($1)", int64(0x706d735f6a6f6202))
	require.NoError(t, err)
	made, err := h.engine.OfferOpenSlots(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 0, made)
	require.NoError(t, other.Rollback(context.Background()))

	made, err = h.engine.OfferOpenSlots(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, made, "once the other run ends, the job runs here")
}

func TestFullPractitionerNameAndTimesAfterDetour(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	c := h.enrolled("3904")
	out := c.send("book with Dr Priya Sharma on Monday")
	labels := buttonLabels(out)
	require.NotEmpty(t, labels)
	assert.Contains(t, labels[0], "Dr Priya Sharma")

	out = c.send("hello")
	assert.Contains(t, texts(out), "Here are the times again")
	assert.Contains(t, buttonLabels(out), labels[0], "the times come back after a reply with its own buttons")
}

// blockingSender rejects every message to one chat, as Telegram does when a patient has
// blocked the bot, and records the rest.
type blockingSender struct {
	blocked string
	*recordingSender
}

func (s blockingSender) Send(ctx context.Context, chatID string, msg bot.Outbound) (string, error) {
	if chatID == s.blocked {
		return "", &bot.PermanentError{Err: errors.New("Forbidden: bot was blocked by the user")}
	}
	return s.recordingSender.Send(ctx, chatID, msg)
}

func TestUndeliverableOfferPassesOn(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	holder, blocked, next := h.enrolled("3951"), h.enrolled("3952"), h.enrolled("3953")
	holder.send("book Dr Nguyen on Tuesday at 3pm")
	holder.tap("Tue 8 Dec, 3:00 pm – Dr Anh Nguyen")
	holder.tap("Yes, book it")
	blocked.send("waitlist for Dr Nguyen on Tuesday")
	h.clock.Advance(time.Minute)
	next.send("waitlist for Dr Nguyen on Tuesday")

	sender := newRecordingSender()
	d := bot.NewDispatcher(h.pool, map[string]bot.Channel{"test": {Sender: blockingSender{blocked: "3952", recordingSender: sender}}},
		slog.New(slog.DiscardHandler))
	d.OnFailed = h.engine.OfferUndelivered
	d.PollInterval = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()

	holder.send("cancel my appointment")
	holder.tap("Yes, cancel it")
	d.Wake()
	sender.waitFor(t, func(sent []string) bool {
		for _, s := range sent {
			if strings.HasPrefix(s, "3953:Good news!") {
				return true
			}
		}
		return false
	})
	assert.Equal(t, 1, h.count(`SELECT count(*) FROM waitlist_offers WHERE status = 'declined'`), "the blocked patient's offer is passed on")
	assert.Equal(t, 1, h.count(`SELECT count(*) FROM waitlist_offers WHERE status = 'active'`))
}

func TestLateWarningAndTimesAfterQuestion(t *testing.T) {
	t.Parallel()
	h := newBookingHarness(t)
	importSampleFAQ(t, h)
	c := h.enrolled("3960")

	out := c.send("book a physio on Monday")
	require.NotEmpty(t, buttonLabels(out))
	out = c.send("can I bring my dog?")
	assert.NotContains(t, texts(out), "Here are the times again", "a reply with its own choices is not followed by the times")
	if len(buttonLabels(out)) > 0 {
		assert.Contains(t, texts(out), `type "times" to see the times again`)
	}
	out = c.send("times")
	labels := buttonLabels(out)
	require.NotEmpty(t, labels)
	assert.True(t, strings.HasPrefix(labels[0], "Mon 7 Dec"), labels[0])

	// Today is Friday 10:00: a booking for 3:00 pm is inside the 24-hour late window.
	h.clock.Set(time.Date(2026, 12, 7, 8, 0, 0, 0, melbourne))
	c.send("cancel")
	c.send("book Dr Nguyen today at 3pm")
	c.tap("Mon 7 Dec, 3:00 pm – Dr Anh Nguyen")
	c.tap("Yes, book it")
	out = c.send("cancel my appointment")
	assert.Contains(t, texts(out), "less than 24 hours away, so cancelling now is recorded as a late change")
}
