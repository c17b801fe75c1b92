package faq

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
)

// Quality is how well the stored FAQ covers a question.
type Quality string

// Match qualities.
const (
	Good Quality = "good" // answer with Entries[0]
	Weak Quality = "weak" // offer Entries (up to MaxSuggestions) as buttons
	None Quality = "none" // offer to pass the question to staff
)

// MaxSuggestions is the most entries a weak match offers.
const MaxSuggestions = 3

// Thresholds on the share of the question's words (after stop words are dropped and the
// rest stemmed) that appear in an entry's question or keywords. They were set on the
// sample FAQ's questions and paraphrases in the tests.
const (
	goodCoverage = 0.5
	weakCoverage = 0.25
)

// Match is the result of a search. Entries are best first: one for Good, up to
// MaxSuggestions for Weak, none for None.
type Match struct {
	Quality Quality
	Entries []Entry
}

// candidate is an entry with its search scores.
type candidate struct {
	entry   Entry
	matched int     // question words found in the entry's question and keywords
	total   int     // question words after stop words are dropped
	rank    float64 // ts_rank over question, keywords and answer
}

func (c candidate) coverage() float64 {
	if c.total == 0 {
		return 0
	}
	return float64(c.matched) / float64(c.total)
}

// searchSQL matches any of the question's lexemes against each entry's question and
// keywords (heading) and ranks by how many match, then by ts_rank over the whole entry.
// The lexemes are already stemmed by the english configuration, so the query is built
// with 'simple', which leaves them as they are.
const searchSQL = `
WITH terms AS (
    SELECT coalesce(array_agg(DISTINCT lexeme), '{}') AS lexemes
    FROM unnest(to_tsvector('english', $1))
), query AS (
    SELECT lexemes,
           to_tsquery('simple', coalesce(
               (SELECT string_agg(quote_literal(l), ' | ') FROM unnest(lexemes) AS l), '')) AS tsq
    FROM terms
)
SELECT e.slug, e.question, e.answer, e.keywords,
       cardinality(ARRAY(SELECT unnest(tsvector_to_array(e.heading))
                         INTERSECT SELECT unnest(query.lexemes))) AS matched,
       cardinality(query.lexemes) AS total,
       ts_rank(e.search, query.tsq) AS rank
FROM faq_entries AS e, query
WHERE e.heading @@ query.tsq
ORDER BY matched DESC, rank DESC, e.position
LIMIT $2`

// Search finds the stored entries that answer question. A Good match needs half of the
// question's words in one entry's question or keywords, and more of them than the
// runner-up has. A Weak match offers the closest entries, and anything else is None.
func Search(ctx context.Context, db DB, question string) (Match, error) {
	rows, err := db.Query(ctx, searchSQL, dropFillerWords(question), MaxSuggestions+1)
	if err != nil {
		return Match{}, fmt.Errorf("search FAQ: %w", err)
	}
	candidates, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (candidate, error) {
		var c candidate
		var keywords string
		err := row.Scan(&c.entry.Slug, &c.entry.Question, &c.entry.Answer, &keywords, &c.matched, &c.total, &c.rank)
		c.entry.Keywords = splitKeywords(keywords)
		return c, err
	})
	if err != nil {
		return Match{}, fmt.Errorf("search FAQ: read rows: %w", err)
	}
	return decide(candidates), nil
}

// fillerWords are words patients put around a question that PostgreSQL's english stop
// list keeps but that name no topic ("I need to know...", "can you tell me...").
var fillerWords = map[string]bool{
	"need": true, "needs": true, "want": true, "wanted": true, "like": true, "please": true,
	"pls": true, "know": true, "tell": true, "get": true, "go": true, "hi": true,
	"hello": true, "hey": true, "thanks": true, "thank": true, "could": true, "would": true,
	"wondering": true, "question": true, "ask": true, "anyone": true, "someone": true,
	// Every question is about the hospital, so these words name no topic either.
	"hospital": true, "clinic": true,
}

// dropFillerWords removes fillerWords from question.
func dropFillerWords(question string) string {
	words := strings.FieldsFunc(strings.ToLower(question), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	kept := words[:0]
	for _, word := range words {
		if !fillerWords[word] {
			kept = append(kept, word)
		}
	}
	return strings.Join(kept, " ")
}

// decide turns ranked candidates into a Match.
func decide(candidates []candidate) Match {
	var near []candidate
	for _, c := range candidates {
		if c.coverage() >= weakCoverage {
			near = append(near, c)
		}
	}
	if len(near) == 0 {
		return Match{Quality: None}
	}

	best := near[0]
	clearWinner := len(near) == 1 || best.matched > near[1].matched
	if best.coverage() >= goodCoverage && clearWinner {
		return Match{Quality: Good, Entries: []Entry{best.entry}}
	}

	if len(near) > MaxSuggestions {
		near = near[:MaxSuggestions]
	}
	entries := make([]Entry, 0, len(near))
	for _, c := range near {
		entries = append(entries, c.entry)
	}
	return Match{Quality: Weak, Entries: entries}
}

// Titles returns the entries' questions, for button labels.
func (m Match) Titles() []string {
	titles := make([]string, 0, len(m.Entries))
	for _, entry := range m.Entries {
		titles = append(titles, strings.TrimSpace(entry.Question))
	}
	return titles
}

// ErrNotFound reports an FAQ entry that does not exist (it may have been removed by a
// later import).
var ErrNotFound = errors.New("FAQ entry not found")

// Get returns the entry with the given slug, or ErrNotFound.
func Get(ctx context.Context, db DB, slug string) (Entry, error) {
	rows, err := db.Query(ctx, `SELECT slug, question, answer, keywords FROM faq_entries WHERE slug = $1`, slug)
	if err != nil {
		return Entry{}, fmt.Errorf("get FAQ entry %s: %w", slug, err)
	}
	entry, err := pgx.CollectOneRow(rows, func(row pgx.CollectableRow) (Entry, error) {
		var e Entry
		var keywords string
		err := row.Scan(&e.Slug, &e.Question, &e.Answer, &keywords)
		e.Keywords = splitKeywords(keywords)
		return e, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, fmt.Errorf("get FAQ entry %s: %w", slug, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get FAQ entry %s: %w", slug, err)
	}
	return entry, nil
}
