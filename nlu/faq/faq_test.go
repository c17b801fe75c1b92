package faq

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/internal/dbtest"
)

const sampleFile = "sample-faq.md"

func TestLoadSampleFile(t *testing.T) {
	t.Parallel()
	entries, err := LoadFile(sampleFile)
	require.NoError(t, err)

	slugs := make([]string, 0, len(entries))
	for _, entry := range entries {
		slugs = append(slugs, entry.Slug)
		assert.NotEmpty(t, entry.Question, entry.Slug)
		assert.NotEmpty(t, entry.Answer, entry.Slug)
		assert.NotEmpty(t, entry.Keywords, entry.Slug)
	}
	assert.Equal(t, []string{
		"opening-hours", "parking", "costs-bulk-billing", "what-to-bring", "interpreters",
		"accessibility", "visiting-hours", "pharmacy", "test-results", "referrals",
		"emergency-department", "contact-us",
	}, slugs)
	assert.Equal(t, "Where can I park?", entries[1].Question)
	assert.True(t, strings.HasPrefix(entries[1].Answer, "Free visitor parking"))
	assert.Contains(t, entries[1].Keywords, "car park")
}

func TestParseRejectsBadFiles(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"no entries":     "# Just a title\nSome text.\n",
		"bad slug":       "## Opening Hours\nQ: When?\nAlways.\n",
		"duplicate slug": "## hours\nQ: When?\nAlways.\n## hours\nQ: Again?\nYes.\n",
		"no question":    "## hours\nAlways open.\n",
		"no answer":      "## hours\nQ: When?\nKeywords: open\n",
	}
	for name, content := range tests {
		_, err := Parse(strings.NewReader(content))
		assert.ErrorIs(t, err, ErrInvalidFile, name)
	}
}

// sampleQuestions are ways patients ask each sample entry, the entry's own question first.
var sampleQuestions = map[string][]string{
	"contact-us":           {"How do I contact the hospital?", "what is the clinic's phone number", "what is your address?"},
	"opening-hours":        {"What are your opening hours?", "what time do you close on saturday", "are you open on public holidays"},
	"parking":              {"Where can I park?", "is there disabled parking", "where's the car park"},
	"costs-bulk-billing":   {"How much does it cost? Do you bulk bill?", "do you bulk bill", "how much is the gap fee"},
	"what-to-bring":        {"What should I bring to my appointment?", "what do I need to bring"},
	"interpreters":         {"Can I have an interpreter?", "I need a translator for my mum"},
	"accessibility":        {"Is the hospital accessible for wheelchairs and people with disability?", "is there wheelchair access", "do you have a lift"},
	"visiting-hours":       {"When are visiting hours?", "when can I visit my dad on the ward"},
	"pharmacy":             {"Is there a pharmacy?", "where's the chemist"},
	"test-results":         {"How do I get my test results?", "are my blood test results back"},
	"referrals":            {"Do I need a referral?", "do i need a referral to see the physio"},
	"emergency-department": {"Where is the emergency department?", "where's ED"},
}

func TestSearchFindsEachSampleEntry(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()
	entries, err := LoadFile(sampleFile)
	require.NoError(t, err)
	n, err := Import(ctx, pool, entries)
	require.NoError(t, err)
	require.Equal(t, len(entries), n)

	for slug, questions := range sampleQuestions {
		for _, question := range questions {
			match, err := Search(ctx, pool, question)
			require.NoError(t, err, question)
			require.Equal(t, Good, match.Quality, "question %q for %s: got %v", question, slug, match.Titles())
			assert.Equal(t, slug, match.Entries[0].Slug, question)
		}
	}
}

func TestSearchUnrelatedAndWeak(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()
	entries, err := LoadFile(sampleFile)
	require.NoError(t, err)
	_, err = Import(ctx, pool, entries)
	require.NoError(t, err)

	for _, question := range []string{"who won the footy last night", "what's the weather like", "", "the and of it"} {
		match, err := Search(ctx, pool, question)
		require.NoError(t, err, question)
		assert.Equal(t, None, match.Quality, "question %q: got %v", question, match.Titles())
		assert.Empty(t, match.Entries, question)
	}

	match, err := Search(ctx, pool, "hours")
	require.NoError(t, err)
	assert.Equal(t, Weak, match.Quality, "got %v", match.Titles())
	assert.LessOrEqual(t, len(match.Entries), MaxSuggestions)
	assert.GreaterOrEqual(t, len(match.Entries), 2)
}

func TestImportReplaces(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	ctx := context.Background()

	first := []Entry{
		{Slug: "parking", Question: "Where can I park?", Answer: "Out the back.", Keywords: []string{"parking"}},
		{Slug: "cafe", Question: "Is there a cafe?", Answer: "On level 1.", Keywords: []string{"coffee", "food"}},
	}
	_, err := Import(ctx, pool, first)
	require.NoError(t, err)
	_, err = Import(ctx, pool, first)
	require.NoError(t, err, "importing the same entries twice")

	second := []Entry{{Slug: "parking", Question: "Where can I park?", Answer: "In the multi-storey car park.", Keywords: []string{"parking"}}}
	n, err := Import(ctx, pool, second)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	var count int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM faq_entries`).Scan(&count))
	assert.Equal(t, 1, count)

	match, err := Search(ctx, pool, "where do I park")
	require.NoError(t, err)
	require.Equal(t, Good, match.Quality)
	assert.Equal(t, "In the multi-storey car park.", match.Entries[0].Answer)

	match, err = Search(ctx, pool, "is there a cafe for coffee")
	require.NoError(t, err)
	assert.Equal(t, None, match.Quality)

	_, err = Import(ctx, pool, nil)
	assert.ErrorContains(t, err, "no entries")
}
