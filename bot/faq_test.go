package bot_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/internal/clock"
	"github.com/pakenham-health/pms/nlu"
	"github.com/pakenham-health/pms/nlu/faq"
)

func importSampleFAQ(t *testing.T, h *harness) {
	t.Helper()
	entries, err := faq.LoadFile("../nlu/faq/sample-faq.md")
	require.NoError(t, err)
	_, err = faq.Import(context.Background(), h.pool, entries)
	require.NoError(t, err)
}

func TestFAQAnsweredFromDatabase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	importSampleFAQ(t, h)
	c := h.chat("2001")

	out := c.send("where can I park?")
	assert.Contains(t, texts(out), "car park")

	out = c.send("is there a helipad at the hospital?")
	assert.Contains(t, texts(out), "don't have an answer")
}

func TestFAQAnswerInsideFormKeepsForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	importSampleFAQ(t, h)
	c := h.chat("2002")
	c.send("enrol")
	c.send("yes")

	out := c.send("sorry, where do I park my car?")
	assert.Contains(t, texts(out), "car park")
	assert.Contains(t, texts(out), "enrolment is paused")
	out = c.send("resume")
	assert.Contains(t, texts(out), "first name")
}

func TestFAQPhraserFallsBackToEntry(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	importSampleFAQ(t, h)
	calls := 0
	h.engine = bot.NewEngine(h.pool, bot.Config{
		Clock: clock.NewManual(testNow), Location: melbourne,
		FAQPhraser: func(_ context.Context, _ string, entries []faq.Entry, _ []string) (string, error) {
			calls++
			if calls == 1 {
				return "Phrased: " + entries[0].Slug, nil
			}
			return "", errors.New("model timed out")
		},
	})
	c := h.chat("2003")
	out := c.send("where can I park?")
	assert.Equal(t, "Phrased: parking", texts(out))
	out = c.send("where can I park?")
	assert.Contains(t, texts(out), "car park")
}

// countingClassifier counts calls, to show when classification happens.
type countingClassifier struct {
	mu    sync.Mutex
	calls int
	inner bot.Classifier
}

func (c *countingClassifier) Classify(ctx context.Context, req nlu.Request) (nlu.Result, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return c.inner.Classify(ctx, req)
}

func TestEarlyClassificationIsUsedOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	counter := &countingClassifier{inner: nlu.NewRules(nil)}
	h.engine = bot.NewEngine(h.pool, bot.Config{Clock: h.clock, Location: melbourne, Classifier: counter, ClassifyEarly: true})
	c := h.chat("2004")

	out := c.send("I'd like to enrol please")
	assert.Contains(t, texts(out), "Do you agree?")
	assert.Equal(t, 1, counter.calls, "classified once, before the transaction, and the turn reused it")
}
