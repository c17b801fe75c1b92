package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/jackc/pgx/v5"
)

// MaxMessageLength is the longest text, in UTF-16 code units, that one outbound message
// carries; Telegram rejects longer messages. Longer texts are split before they are queued.
const MaxMessageLength = 4096

// Enqueue writes msg to the outbox in tx, split into as many messages as its text needs,
// and returns how many rows it wrote. Buttons, the document, the contact request and the
// offer reference go with the last part, so they stay under the text they belong to.
func Enqueue(ctx context.Context, tx pgx.Tx, channel, chatID string, msg Outbound) (int, error) {
	parts := SplitText(msg.Text, MaxMessageLength)
	for i, part := range parts {
		body := Outbound{Text: part}
		if i == len(parts)-1 {
			body.Buttons, body.Document, body.RequestContact, body.Offer = msg.Buttons, msg.Document, msg.RequestContact, msg.Offer
		}
		raw, err := json.Marshal(body)
		if err != nil {
			return i, fmt.Errorf("encode outbound message: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO outbox (channel, chat_id, body) VALUES ($1, $2, $3)`, channel, chatID, raw)
		if err != nil {
			return i, fmt.Errorf("queue outbound message: %w", err)
		}
	}
	return len(parts), nil
}

// SplitText cuts text into parts of at most limit UTF-16 code units, preferring to cut
// after a line break, then after a space, and never inside a character.
func SplitText(text string, limit int) []string {
	var parts []string
	for utf16Len(text) > limit {
		cut := cutPoint(text, limit)
		parts = append(parts, strings.TrimRight(text[:cut], " \n"))
		text = strings.TrimLeft(text[cut:], " \n")
	}
	return append(parts, text)
}

// cutPoint returns a byte offset in text where the prefix fits in limit UTF-16 units.
func cutPoint(text string, limit int) int {
	units, fit := 0, 0
	for i, r := range text {
		n := len(utf16.Encode([]rune{r}))
		if units+n > limit {
			break
		}
		units += n
		fit = i + len(string(r))
	}
	prefix := text[:fit]
	if i := strings.LastIndex(prefix, "\n"); i > fit/2 {
		return i + 1
	}
	if i := strings.LastIndex(prefix, " "); i > fit/2 {
		return i + 1
	}
	return fit
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// WaitDelivered blocks until the chat has no undelivered messages in the outbox, ctx ends,
// or a minute passes. Failed messages count as delivered. It polls every 20 ms.
func WaitDelivered(ctx context.Context, db interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, channel, chatID string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for {
		var pending bool
		err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM outbox WHERE channel = $1 AND chat_id = $2
			AND sent_at IS NULL AND failed_at IS NULL)`, channel, chatID).Scan(&pending)
		if err != nil {
			return fmt.Errorf("check outbox of %s chat %s: %w", channel, chatID, err)
		}
		if !pending {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}
