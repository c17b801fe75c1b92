package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/booking"
	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/internal/clock"
	"github.com/pakenham-health/pms/internal/dbtest"
)

var melbourne = mustLoad("Australia/Melbourne")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// testNow is a fixed instant: Friday 4 December 2026, 10:00 in Melbourne.
var testNow = time.Date(2026, 12, 4, 10, 0, 0, 0, melbourne)

type harness struct {
	t      *testing.T
	pool   *pgxpool.Pool
	engine *bot.Engine
	clock  *clock.Manual
	store  *booking.Store
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	pool := dbtest.NewPool(t)
	clk := clock.NewManual(testNow)
	engine := bot.NewEngine(pool, bot.Config{Clock: clk, Location: melbourne, ClinicName: "Pakenham Community Hospital"})
	return &harness{t: t, pool: pool, engine: engine, clock: clk}
}

var messageSeq atomic.Int64

// chat is one patient's conversation with the engine.
type chat struct {
	h        *harness
	id       string
	lastSeen int64
	last     []bot.Outbound
}

func (h *harness) chat(id string) *chat { return &chat{h: h, id: id} }

func (c *chat) inbound(kind bot.Kind) bot.Inbound {
	return bot.Inbound{
		Channel: "test", ChatID: c.id, UserID: c.id, Kind: kind,
		MessageID: fmt.Sprintf("m%d", messageSeq.Add(1)),
	}
}

// send delivers text and returns the replies it queued.
func (c *chat) send(text string) []bot.Outbound {
	c.h.t.Helper()
	in := c.inbound(bot.KindText)
	in.Text = text
	return c.deliver(in)
}

// tap presses the button with the given label on the latest message that had buttons.
func (c *chat) tap(label string) []bot.Outbound {
	c.h.t.Helper()
	in := c.inbound(bot.KindCallback)
	in.Callback = c.buttonData(label)
	return c.deliver(in)
}

func (c *chat) buttonData(label string) string {
	c.h.t.Helper()
	for i := len(c.last) - 1; i >= 0; i-- {
		for _, row := range c.last[i].Buttons {
			for _, b := range row {
				if b.Label == label {
					return b.Data
				}
			}
		}
	}
	c.h.t.Fatalf("no button %q in the latest replies %+v", label, c.last)
	return ""
}

func (c *chat) deliver(in bot.Inbound) []bot.Outbound {
	c.h.t.Helper()
	_, err := c.h.engine.Handle(context.Background(), in)
	require.NoError(c.h.t, err)
	c.last = c.pending()
	return c.last
}

// pending returns outbox messages for this chat queued since the previous call.
func (c *chat) pending() []bot.Outbound {
	c.h.t.Helper()
	rows, err := c.h.pool.Query(context.Background(),
		`SELECT id, body FROM outbox WHERE channel = 'test' AND chat_id = $1 AND id > $2 ORDER BY id`, c.id, c.lastSeen)
	require.NoError(c.h.t, err)
	defer rows.Close()
	var out []bot.Outbound
	for rows.Next() {
		var raw []byte
		require.NoError(c.h.t, rows.Scan(&c.lastSeen, &raw))
		var msg bot.Outbound
		require.NoError(c.h.t, json.Unmarshal(raw, &msg))
		out = append(out, msg)
	}
	require.NoError(c.h.t, rows.Err())
	return out
}

// texts joins the texts of replies, for assertions on what the patient read.
func texts(out []bot.Outbound) string {
	var parts []string
	for _, m := range out {
		parts = append(parts, m.Text)
	}
	return strings.Join(parts, "\n---\n")
}

func (h *harness) count(sql string, args ...any) int {
	h.t.Helper()
	var n int
	require.NoError(h.t, h.pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}
