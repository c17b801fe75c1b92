// Package console runs the conversation engine in a terminal as one patient, for local
// use and trials: lines typed are messages, and buttons are shown as numbered choices.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pakenham-health/pms/bot"
)

// ChannelName is the engine channel the console uses.
const ChannelName = "console"

// Handler runs one conversation turn; *bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) (bot.Outcome, error)
}

// Channel is a terminal chat for one user.
type Channel struct {
	in      io.Reader
	out     io.Writer
	handler Handler
	user    string
	// Echo prints each input line back, which makes piped transcripts readable.
	Echo bool
	// AfterTurn, if set, runs after each turn; it waits for the replies to be printed.
	AfterTurn func(ctx context.Context) error

	mu      sync.Mutex
	buttons []bot.Button
	started int64
	seq     int
}

// New returns a terminal chat that reads lines from in and prints replies to out, as the
// user with the given id.
func New(in io.Reader, out io.Writer, handler Handler, user string) *Channel {
	return &Channel{in: in, out: out, handler: handler, user: user, started: time.Now().UnixNano()}
}

// saveDocument writes an attachment (an .ics calendar file) to a folder under the system's
// temporary directory and returns where it went, or its name and size when it cannot.
func (c *Channel) saveDocument(doc *bot.Document) string {
	safeUser := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, c.user)
	dir := filepath.Join(os.TempDir(), "pms-chat-"+safeUser)
	path := filepath.Join(dir, filepath.Base(doc.Name))
	if err := os.MkdirAll(dir, 0o700); err == nil {
		if err := os.WriteFile(path, doc.Content, 0o600); err == nil {
			return "saved to " + path
		}
	}
	return fmt.Sprintf("%s, %d bytes, not saved", doc.Name, len(doc.Content))
}

// ChatID is the chat the console's user has with the engine.
func (c *Channel) ChatID() string { return c.user }

// Sender returns the sender the outbox dispatcher uses to print replies.
func (c *Channel) Sender() bot.Sender { return sender{c} }

// Run reads lines until the input ends or ctx is cancelled.
func (c *Channel) Run(ctx context.Context) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		scanner := bufio.NewScanner(c.in)
		scanner.Buffer(make([]byte, 64*1024), 1024*1024)
		for scanner.Scan() {
			select {
			case lines <- scanner.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- scanner.Err()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			return err
		case line := <-lines:
			if err := c.turn(ctx, line); err != nil {
				return err
			}
		}
	}
}

func (c *Channel) turn(ctx context.Context, line string) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	if c.Echo {
		c.print("you> " + line + "\n")
	}
	in := c.inbound(line)
	// The turn finishes even if ctx ends meanwhile, so a shutdown never cuts one in half.
	if _, err := c.handler.Handle(context.WithoutCancel(ctx), in); err != nil {
		c.print("(that message could not be handled; please try again)\n")
	}
	if c.AfterTurn != nil {
		return c.AfterTurn(ctx)
	}
	return nil
}

// inbound turns a typed line into a message, or into a button tap when it is the number
// of a button on the latest message.
func (c *Channel) inbound(line string) bot.Inbound {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	in := bot.Inbound{
		Channel: ChannelName, ChatID: c.user, UserID: c.user, Kind: bot.KindText, Text: line,
		MessageID:  fmt.Sprintf("%d-%d", c.started, c.seq),
		ReceivedAt: time.Now(),
	}
	if n, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && n >= 1 && n <= len(c.buttons) {
		in.Kind, in.Text, in.Callback = bot.KindCallback, "", c.buttons[n-1].Data
	}
	return in
}

func (c *Channel) print(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = io.WriteString(c.out, s)
}

type sender struct{ c *Channel }

// touchWords rewords replies written for a touch screen, because here choices are typed.
var touchWords = strings.NewReplacer("Tap ", "Choose ", " tap ", " choose ")

// Send prints one message with its buttons numbered from 1; typing a number taps it.
// Form controls (back, skip, cancel) are listed as words to type, so a number typed as an
// answer is never mistaken for one of them.
func (s sender) Send(_ context.Context, _ string, msg bot.Outbound) (string, error) {
	c := s.c
	var b strings.Builder
	b.WriteString("pms> " + strings.ReplaceAll(touchWords.Replace(msg.Text), "\n", "\n     ") + "\n")
	var flat []bot.Button
	var controls []string
	for _, row := range msg.Buttons {
		for _, button := range row {
			if button.Control {
				controls = append(controls, strings.ToLower(strings.TrimPrefix(button.Label, "« ")))
				continue
			}
			flat = append(flat, button)
		}
	}
	for i, button := range flat {
		fmt.Fprintf(&b, "     [%d] %s\n", i+1, button.Label)
	}
	if len(controls) > 0 {
		fmt.Fprintf(&b, "     (or type: %s)\n", strings.Join(controls, ", "))
	}
	if msg.Document != nil {
		fmt.Fprintf(&b, "     (attachment: %s)\n", c.saveDocument(msg.Document))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Numbers tap the buttons of the latest message that had any. A message with only
	// form controls (back, skip, cancel) clears them, so a number typed at such a
	// question (a reference number) is taken as typed. A message with no buttons at all
	// (an FAQ reply, say) leaves the earlier ones in place, as the engine does.
	if len(msg.Buttons) > 0 {
		c.buttons = flat
	}
	if _, err := io.WriteString(c.out, b.String()); err != nil {
		return "", &bot.PermanentError{Err: err}
	}
	return "", nil
}
