package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pakenham-health/pms/nlu/faq"
)

// actionFAQ shows the FAQ entry whose slug is Value.
const actionFAQ = "faq"

// FAQPhraser words an answer to question from the given entries only; an error means the
// entry's own answer is sent instead.
type FAQPhraser func(ctx context.Context, question string, entries []faq.Entry, names []string) (string, error)

// answerFAQ searches the hospital's FAQ for text and answers from it.
func (t *turn) answerFAQ(text string) error {
	if text == "" {
		t.say(msgFAQAsk)
		return nil
	}
	match, err := faq.Search(t.ctx, t.tx, text)
	if err != nil {
		return err
	}
	switch match.Quality {
	case faq.Good:
		t.say(t.phrase(text, match.Entries))
	case faq.Weak:
		var choices []choice
		for _, entry := range match.Entries {
			choices = append(choices, choice{label: entry.Question, option: Option{Action: actionFAQ, Value: entry.Slug}})
		}
		choices = append(choices, choice{label: "None of these", option: Option{Action: actionFAQ, Value: faqNoneOfThese}})
		t.ask(msgFAQWeak, choices...)
	default:
		t.ask(msgFAQNone, t.menu()...)
	}
	return nil
}

// answerFAQIfFound answers text from the FAQ when it matches an entry, well or weakly, and
// reports whether it did.
func (t *turn) answerFAQIfFound(text string) (bool, error) {
	if strings.TrimSpace(text) == "" {
		return false, nil
	}
	match, err := faq.Search(t.ctx, t.tx, text)
	if err != nil {
		return false, err
	}
	if match.Quality == faq.None {
		return false, nil
	}
	return true, t.answerFAQ(text)
}

// phrase returns the LLM's wording of the answer when a phraser is set and succeeds, and
// the first entry's answer otherwise.
func (t *turn) phrase(question string, entries []faq.Entry) string {
	if t.e.cfg.FAQPhraser == nil {
		return entries[0].Answer
	}
	text, err := t.e.cfg.FAQPhraser(t.ctx, question, entries, t.patientNames())
	if err != nil || text == "" {
		t.e.log.Warn("faq_phrasing_failed", "chat_id", t.in.ChatID, "error", err)
		return entries[0].Answer
	}
	return text
}

func (t *turn) patientNames() []string {
	if t.patient == nil {
		return nil
	}
	return []string{t.patient.GivenName, t.patient.FamilyName, t.patient.PreferredName}
}

// faqNoneOfThese is the value of the button under FAQ suggestions that fit nothing.
const faqNoneOfThese = "-"

// showFAQ answers with the entry a suggestion button named.
func (t *turn) showFAQ(slug string) error {
	if slug == faqNoneOfThese {
		t.ask(msgFAQNone, t.menu()...)
		return nil
	}
	entry, err := faq.Get(t.ctx, t.tx, slug)
	if errors.Is(err, faq.ErrNotFound) {
		t.outcome = OutcomeRejected
		t.say(msgStaleButton)
		return nil
	}
	if err != nil {
		return fmt.Errorf("show FAQ entry: %w", err)
	}
	t.say(entry.Answer)
	return nil
}
