package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/bot/telegram"
	"github.com/pakenham-health/pms/bot/telegram/telegramtest"
	"github.com/pakenham-health/pms/internal/clock"
	"github.com/pakenham-health/pms/internal/dbtest"
	"github.com/pakenham-health/pms/records"
)

// fastLimits let tests run a whole conversation without Telegram's one-a-second pace.
var fastLimits = bot.Limits{PerSecond: 1000, ChatBurst: 1000, ChatInterval: time.Millisecond}

// service is the engine, the outbox dispatcher and the Telegram channel, wired as
// `pms serve` wires them, against a fake Bot API server and a real database.
type service struct {
	t      *testing.T
	fake   *telegramtest.Server
	pool   *pgxpool.Pool
	engine *bot.Engine
	ch     *telegram.Channel
	clock  *clock.Manual
	stop   func()
}

func startService(t *testing.T, fake *telegramtest.Server, pool *pgxpool.Pool, polling bool, secret string) *service {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	loc, err := time.LoadLocation("Australia/Melbourne")
	require.NoError(t, err)
	clk := clock.NewManual(time.Date(2026, 12, 4, 10, 0, 0, 0, loc))
	require.NoError(t, pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		return booking.SeedDemo(context.Background(), tx, loc)
	}))
	bookingCfg, err := booking.DefaultConfig()
	require.NoError(t, err)
	store, err := booking.NewStore(pool, clk, bookingCfg, logger)
	require.NoError(t, err)
	var dispatcher *bot.Dispatcher
	engine := bot.NewEngine(pool, bot.Config{
		Clock: clk, Location: loc, Logger: logger, Booking: store,
		ClinicName: "Pakenham Community Hospital", Wake: func() { dispatcher.Wake() },
	})
	cfg := telegram.Config{Token: fake.Token, APIURL: fake.URL(), Logger: logger}
	if secret != "" {
		cfg.WebhookURL, cfg.WebhookSecret = "https://pms.example.org/telegram/webhook", secret
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := telegram.New(ctx, cfg, engine)
	require.NoError(t, err)
	dispatcher = bot.NewDispatcher(pool, map[string]bot.Channel{telegram.ChannelName: {Sender: ch.Sender(), Limits: fastLimits}}, logger)
	dispatcher.RetryDelay = func(int) time.Duration { return 20 * time.Millisecond }

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = dispatcher.Run(ctx)
	}()
	if polling {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, ch.RunPolling(ctx))
		}()
	}
	s := &service{t: t, fake: fake, pool: pool, engine: engine, ch: ch, clock: clk}
	s.stop = sync.OnceFunc(func() {
		cancel()
		wg.Wait()
	})
	t.Cleanup(s.stop)
	return s
}

// patient drives one private chat through the fake server.
type patient struct {
	s    *service
	id   int64
	seen int
}

func (s *service) patient(id int64) *patient {
	return &patient{s: s, id: id, seen: len(s.fake.Sent())}
}

// replies waits until n more messages have been sent to this chat and returns them.
func (p *patient) replies(n int) []telegramtest.Sent {
	p.s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var mine []telegramtest.Sent
		for _, m := range p.s.fake.Sent() {
			if m.ChatID == p.id {
				mine = append(mine, m)
			}
		}
		if len(mine) >= p.seen+n {
			got := mine[p.seen : p.seen+n]
			p.seen += n
			return got
		}
		if time.Now().After(deadline) {
			p.s.t.Fatalf("chat %d: waited for %d replies, have %d: %+v", p.id, n, len(mine)-p.seen, mine[p.seen:])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitUntil polls cond every 10 ms until it holds, failing the test after 15 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// say sends text and returns the next n replies.
func (p *patient) say(text string, n int) []telegramtest.Sent {
	p.s.t.Helper()
	p.s.fake.PushMessage(p.id, p.id, text)
	return p.replies(n)
}

// tap presses the button labelled label on the latest reply that has it.
func (p *patient) tap(last []telegramtest.Sent, label string, n int) []telegramtest.Sent {
	p.s.t.Helper()
	p.s.fake.PushCallback(p.id, p.id, buttonData(p.s.t, last, label))
	return p.replies(n)
}

func buttonData(t *testing.T, sent []telegramtest.Sent, label string) string {
	t.Helper()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].ReplyMarkup == nil {
			continue
		}
		for _, row := range sent[i].ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.Text == label {
					return b.CallbackData
				}
			}
		}
	}
	t.Fatalf("no button %q in %+v", label, sent)
	return ""
}

func joined(sent []telegramtest.Sent) string {
	var parts []string
	for _, m := range sent {
		parts = append(parts, m.Text)
	}
	return strings.Join(parts, "\n---\n")
}

func TestTelegramEnrolmentEndToEnd(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	s := startService(t, fake, pool, true, "")
	p := s.patient(424242)

	out := p.say("/start", 1)
	assert.Contains(t, out[0].Text, "Pakenham Community Hospital")
	out = p.tap(out, "Enrol", 1)
	assert.Contains(t, out[0].Text, "Do you agree?")
	out = p.tap(out, "Yes, I agree", 1)
	assert.Contains(t, out[0].Text, "first name")
	assert.Contains(t, p.say("Chloé", 1)[0].Text, "family name")
	assert.Contains(t, p.say("O'Brien", 1)[0].Text, "rather we call you")
	out = p.say("skip", 1)
	assert.Contains(t, out[0].Text, "date of birth")

	assert.Contains(t, p.say("31/02/1990", 2)[0].Text, "February", "impossible date")
	assert.Contains(t, p.say("25/12/2031", 2)[0].Text, "future", "future date")
	out = p.say("25 Dec 1980", 1)
	assert.Contains(t, out[0].Text, "gender")
	out = p.tap(out, "Skip", 2)
	assert.Contains(t, out[0].Text, "phone number")
	require.NotNil(t, out[1].ReplyMarkup)
	require.NotEmpty(t, out[1].ReplyMarkup.Keyboard, "a contact keyboard follows the question")
	assert.True(t, out[1].ReplyMarkup.Keyboard[0][0].RequestContact)

	fake.PushContact(p.id, p.id, "+61491570156", p.id)
	out = p.replies(1)
	assert.Contains(t, out[0].Text, "email")
	assert.Contains(t, p.say("chloe@example.com", 1)[0].Text, "Medicare")
	assert.Contains(t, p.say("2123 45671 1", 2)[0].Text, "doesn't check out", "wrong check digit")
	assert.Contains(t, p.say("2123 45670 1", 1)[0].Text, "reference number")
	assert.Contains(t, p.say("4", 1)[0].Text, "emergency")
	out = p.say("skip", 1)
	assert.Contains(t, out[0].Text, "Name: Chloé O'Brien")
	assert.Contains(t, out[0].Text, "Date of birth: 25/12/1980")
	out = p.tap(out, "Yes, enrol me", 1)
	assert.Contains(t, out[0].Text, "You're enrolled, Chloé!")

	got, err := records.ByAccount(context.Background(), pool, records.Account{Channel: "telegram", ID: "424242"})
	require.NoError(t, err)
	assert.Equal(t, "Chloé", got.GivenName)
	assert.Equal(t, "O'Brien", got.FamilyName)
	assert.Equal(t, "+61491570156", got.Phone)
	assert.Equal(t, "2123456701", got.MedicareNumber)
	assert.Equal(t, 4, got.MedicareIRN)
	assert.Equal(t, "1980-12-25", got.BirthDate.Format("2006-01-02"))

	assert.Contains(t, p.say("hey", 1)[0].Text, "Welcome back, Chloé!")
	for _, m := range fake.Sent() {
		assert.Empty(t, m.ParseMode, "text is sent as plain text")
	}
	assert.Len(t, fake.AnswersToCallbacks(), 4, "every tap is answered")
}

func TestTelegramRedeliveryAfterRestartHasOneEffect(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	s := startService(t, fake, pool, true, "")
	p := s.patient(5001)
	p.say("enrol", 1)
	s.stop()

	// The restarted service polls from the start; Telegram hands back the unconfirmed
	// update, and the engine drops it as a repeat.
	s2 := startService(t, fake, pool, true, "")
	p2 := s2.patient(5001)
	out := p2.say("yes", 1)
	assert.Contains(t, out[0].Text, "first name")

	var inbound, replies int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM inbound_messages`).Scan(&inbound))
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox`).Scan(&replies))
	assert.Equal(t, 2, inbound)
	assert.Equal(t, 2, replies)
}

func TestTelegramBadInput(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	s := startService(t, fake, pool, true, "")
	p := s.patient(6001)
	p.say("enrol", 1)
	p.say("yes", 1)

	out := p.say(strings.Repeat("blah ", 1000), 2)
	assert.Contains(t, out[0].Text, "too long")

	fake.PushSticker(p.id, p.id)
	out = p.replies(2)
	assert.Contains(t, out[0].Text, "stickers")
	assert.Contains(t, out[1].Text, "first name")

	fake.PushCallback(p.id, p.id, "o999")
	out = p.replies(1)
	assert.Contains(t, out[0].Text, "no longer applies")

	out = p.say("_under_*score* 🌸", 1)
	assert.Contains(t, out[0].Text, "family name")

	fake.PushGroupMessage(-100777, p.id, "hello from a group")
	var refusal []telegramtest.Sent
	waitUntil(t, "the group refusal", func() bool {
		refusal = nil
		for _, m := range fake.Sent() {
			if m.ChatID == -100777 {
				refusal = append(refusal, m)
			}
		}
		return len(refusal) > 0
	})
	assert.Len(t, refusal, 1)
	assert.Contains(t, refusal[0].Text, "private")

	out = p.say("I took all my pills, I want to die", 2)
	assert.Contains(t, out[0].Text, "000", "crisis reply comes first, mid-form")
	assert.Contains(t, out[0].Text, "13 11 14")

	var stored int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM inbound_messages WHERE chat_id = '-100777'`).Scan(&stored))
	assert.Equal(t, 0, stored, "nothing is stored for a group")
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM patients`).Scan(&stored))
	assert.Equal(t, 0, stored)
	var state string
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT state->'form'->'answers'->>'given_name' FROM conversations WHERE chat_id = '6001'`).Scan(&state))
	assert.Equal(t, "_under_*score* 🌸", state)
}

func TestTelegramWebhookEndToEnd(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	s := startService(t, fake, pool, false, "hook-secret_1")
	require.NoError(t, s.ch.RegisterWebhook(context.Background()))
	assert.Equal(t, "hook-secret_1", fake.Webhook().SecretToken)
	assert.Equal(t, "1", fake.Webhook().MaxConnections, "one connection keeps each chat's updates in order")
	server := httptest.NewServer(s.ch.WebhookHandler())
	t.Cleanup(server.Close)

	update := telegramtest.MessageUpdate(9001, 1, telegramtest.PrivateChat(7001), 7001, "enrol")
	body, err := json.Marshal(update)
	require.NoError(t, err)
	post := func(secret string, payload []byte) int {
		req, err := http.NewRequest(http.MethodPost, server.URL, bytes.NewReader(payload))
		require.NoError(t, err)
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}

	assert.Equal(t, http.StatusUnauthorized, post("", body))
	assert.Equal(t, http.StatusUnauthorized, post("wrong", body))
	assert.Equal(t, http.StatusBadRequest, post("hook-secret_1", []byte(`{"update_id":`)))
	assert.Equal(t, http.StatusOK, post("hook-secret_1", body))
	assert.Equal(t, http.StatusOK, post("hook-secret_1", body), "a retried delivery is acknowledged")

	p := s.patient(7001)
	p.seen = 0
	out := p.replies(1)
	assert.Contains(t, out[0].Text, "Do you agree?")
	var inbound, replies int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM inbound_messages`).Scan(&inbound))
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox`).Scan(&replies))
	assert.Equal(t, 1, inbound, "one message recorded for two deliveries")
	assert.Equal(t, 1, replies, "one reply for two deliveries")
}

func TestTelegramDispatcherRetries429And500(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	fake.FailNext("sendMessage", 429, 1, "Too Many Requests: retry after 1")
	fake.FailNext("sendMessage", 500, 0, "Internal Server Error")
	s := startService(t, fake, pool, true, "")
	p := s.patient(8001)

	out := p.say("hi", 1)
	assert.Contains(t, out[0].Text, "Pakenham Community Hospital")
	out = p.say("help", 1)
	assert.NotEmpty(t, out[0].Text)
	assert.Equal(t, 4, fake.Calls("sendMessage"), "two failed attempts, then two sends")

	var attempts int
	var lastError string
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT attempts, last_error FROM outbox ORDER BY id LIMIT 1`).Scan(&attempts, &lastError))
	assert.Equal(t, 2, attempts, "the 500 and the success count; the 429 does not")
	assert.Contains(t, lastError, "Internal Server Error")
	assert.NotContains(t, lastError, fake.Token)
}

// enrol links a made-up patient to a Telegram user, as a finished enrolment does.
func enrol(t *testing.T, pool *pgxpool.Pool, userID int64) {
	t.Helper()
	p := &records.Patient{GivenName: "Pat", FamilyName: "Example", BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC),
		Phone: "+61491570157", ConsentAt: time.Now(), ConsentVersion: records.ConsentVersion}
	_, err := records.Create(context.Background(), pool, p, records.Account{Channel: telegram.ChannelName, ID: fmt.Sprint(userID)})
	require.NoError(t, err)
}

func TestTelegramBookRescheduleCancel(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	s := startService(t, fake, pool, true, "")
	enrol(t, pool, 9101)
	p := s.patient(9101)

	out := p.say("book Dr Nguyen next Tuesday at 3pm", 1)
	out = p.tap(out, "Tue 8 Dec, 3:00 pm – Dr Anh Nguyen", 1)
	assert.Equal(t, "Tuesday 8 December, 3:00 pm with Dr Anh Nguyen (GP), 15 minutes. Book it?", out[0].Text)
	out = p.tap(out, "Yes, book it", 1)
	assert.Equal(t, "sendDocument", out[0].Method, "the confirmation carries the .ics file")
	require.NotNil(t, out[0].Document)
	assert.Contains(t, string(out[0].Document.Content), "BEGIN:VEVENT")
	assert.Contains(t, out[0].Text, "You're booked in")

	out = p.say("can I move my appointment?", 1)
	assert.Contains(t, out[0].Text, "When would you like it instead?")
	out = p.say("Thursday at 9am", 1)
	out = p.tap(out, "Thu 10 Dec, 9:00 am – Dr Anh Nguyen", 1)
	out = p.tap(out, "Yes, move it", 1)
	assert.Contains(t, out[0].Text, "your appointment is now Thursday 10 December, 9:00 am")

	out = p.say("cancel my appt", 1)
	out = p.tap(out, "Yes, cancel it", 1)
	assert.Contains(t, out[0].Text, "I've cancelled your appointment on Thursday 10 December, 9:00 am")
	assert.Contains(t, string(out[0].Document.Content), "STATUS:CANCELLED")
}

func TestTelegramWaitlistOffer(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	s := startService(t, fake, pool, true, "")
	enrol(t, pool, 9201)
	enrol(t, pool, 9202)
	holder, waiting := s.patient(9201), s.patient(9202)

	out := holder.say("book Dr Nguyen on Tuesday at 3pm", 1)
	out = holder.tap(out, "Tue 8 Dec, 3:00 pm – Dr Anh Nguyen", 1)
	holder.tap(out, "Yes, book it", 1)
	out = waiting.say("add me to the waitlist for Dr Nguyen on Tuesday", 1)
	assert.Contains(t, out[0].Text, "You're on the waitlist for Dr Anh Nguyen")

	out = holder.say("cancel my appointment", 1)
	holder.tap(out, "Yes, cancel it", 1)
	offer := waiting.replies(1)
	assert.Contains(t, offer[0].Text, "Good news! A time has freed up: Tuesday 8 December, 3:00 pm")
	out = waiting.tap(offer, "Yes, book it", 1)
	assert.Contains(t, out[0].Text, "You're booked in: Tuesday 8 December, 3:00 pm")
}

func TestTelegramAutomaticAllocation(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	s := startService(t, fake, pool, true, "")
	enrol(t, pool, 9301)
	p := s.patient(9301)

	out := p.say("I need to see a GP on Monday morning", 1)
	require.NotNil(t, out[0].ReplyMarkup)
	rows := out[0].ReplyMarkup.InlineKeyboard
	require.Len(t, rows, 5, "three times, other times, the waitlist")
	first := rows[0][0].Text
	assert.True(t, strings.HasPrefix(first, "Mon 7 Dec, "), first)
	assert.Contains(t, first, " am – Dr ")
	out = p.tap(out, first, 1)
	assert.Contains(t, out[0].Text, "(GP), 15 minutes. Book it?")
	out = p.tap(out, "Yes, book it", 1)
	assert.Contains(t, out[0].Text, "You're booked in: Monday 7 December")
}

func TestTelegramOfferDeclinedThenExpired(t *testing.T) {
	t.Parallel()
	fake := telegramtest.New(t)
	pool := dbtest.NewPool(t)
	s := startService(t, fake, pool, true, "")
	for _, id := range []int64{9401, 9402, 9403} {
		enrol(t, pool, id)
	}
	holder, first, second := s.patient(9401), s.patient(9402), s.patient(9403)

	out := holder.say("book Dr Nguyen on Tuesday at 3pm", 1)
	out = holder.tap(out, "Tue 8 Dec, 3:00 pm – Dr Anh Nguyen", 1)
	holder.tap(out, "Yes, book it", 1)
	first.say("waitlist for Dr Nguyen on Tuesday", 1)
	s.clock.Advance(time.Minute)
	second.say("waitlist for Dr Nguyen on Tuesday", 1)

	out = holder.say("cancel my appointment", 1)
	holder.tap(out, "Yes, cancel it", 1)
	offer := first.replies(1)
	assert.Contains(t, offer[0].Text, "Good news!")
	out = first.tap(offer, "No thanks", 1)
	assert.Contains(t, out[0].Text, "passed it on")

	offer = second.replies(1)
	assert.Contains(t, offer[0].Text, "Tuesday 8 December, 3:00 pm")
	s.clock.Advance(31 * time.Minute)
	closed, err := s.engine.ExpireOffers(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, closed)
	out = second.replies(1)
	assert.Contains(t, out[0].Text, "released, as the hold ran out")
	out = second.tap(offer, "Yes, book it", 1)
	assert.Contains(t, out[0].Text, "expired or been withdrawn")
}
