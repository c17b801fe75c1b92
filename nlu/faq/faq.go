// Package faq loads the hospital's FAQ entries from a Markdown file into PostgreSQL and
// finds the entries that answer a patient's question with full-text search.
package faq

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Entry is one question and its answer.
type Entry struct {
	Slug     string
	Question string
	Answer   string
	Keywords []string
}

// DB is the database handle Import and Search use. *pgxpool.Pool, *pgx.Conn and pgx.Tx
// all implement it.
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// ErrInvalidFile is wrapped by the errors LoadFile and Parse return for content that does
// not follow the format.
var ErrInvalidFile = errors.New("invalid FAQ file")

var slugRegexp = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// LoadFile reads FAQ entries from a Markdown file (see Parse for the format).
func LoadFile(path string) ([]Entry, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load FAQ file: %w", err)
	}
	defer file.Close()
	entries, err := Parse(file)
	if err != nil {
		return nil, fmt.Errorf("load FAQ file %s: %w", path, err)
	}
	return entries, nil
}

// Parse reads FAQ entries. Each entry starts with a "## slug" line (lower-case words
// joined by hyphens), followed by a "Q:" line, an optional "Keywords:" line with
// comma-separated terms, and the answer as the remaining lines up to the next "## ".
// Anything before the first entry is a preface and is ignored.
func Parse(r io.Reader) ([]Entry, error) {
	var entries []Entry
	seen := map[string]int{}
	var current *Entry
	var answer []string
	startLine := 0

	finish := func() error {
		if current == nil {
			return nil
		}
		current.Answer = reflow(answer)
		if current.Question == "" {
			return fmt.Errorf("%w: entry %q at line %d has no Q: line", ErrInvalidFile, current.Slug, startLine)
		}
		if current.Answer == "" {
			return fmt.Errorf("%w: entry %q at line %d has no answer", ErrInvalidFile, current.Slug, startLine)
		}
		entries = append(entries, *current)
		return nil
	}

	scanner := bufio.NewScanner(r)
	for line := 1; scanner.Scan(); line++ {
		text := strings.TrimRight(scanner.Text(), " \t\r")
		switch {
		case strings.HasPrefix(text, "## "):
			if err := finish(); err != nil {
				return nil, err
			}
			slug := strings.TrimSpace(strings.TrimPrefix(text, "## "))
			if !slugRegexp.MatchString(slug) {
				return nil, fmt.Errorf("%w: line %d: slug %q must be lower-case words joined by hyphens", ErrInvalidFile, line, slug)
			}
			if first, ok := seen[slug]; ok {
				return nil, fmt.Errorf("%w: line %d: slug %q is already used at line %d", ErrInvalidFile, line, slug, first)
			}
			seen[slug] = line
			current, answer, startLine = &Entry{Slug: slug}, nil, line
		case current == nil:
			// Preface.
		case current.Question == "" && strings.HasPrefix(text, "Q:"):
			current.Question = strings.TrimSpace(strings.TrimPrefix(text, "Q:"))
		case len(answer) == 0 && strings.HasPrefix(text, "Keywords:"):
			current.Keywords = splitKeywords(strings.TrimPrefix(text, "Keywords:"))
		default:
			if len(answer) > 0 || text != "" {
				answer = append(answer, text)
			}
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read FAQ entries: %w", err)
	}
	if err := finish(); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: no entries (each starts with a \"## slug\" line)", ErrInvalidFile)
	}
	return entries, nil
}

// reflow joins the lines of each paragraph with spaces, because a chat client wraps text
// itself and the file's line breaks would show as ragged lines. Blank lines still separate
// paragraphs, and list items ("- " or "• ") keep their own lines.
func reflow(lines []string) string {
	var b strings.Builder
	for i, line := range lines {
		line = strings.TrimSpace(line)
		switch {
		case i == 0:
		case line == "" || lines[i-1] == "":
			b.WriteString("\n")
		case strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "• "):
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
		b.WriteString(line)
	}
	return strings.TrimSpace(b.String())
}

func splitKeywords(text string) []string {
	var keywords []string
	for _, keyword := range strings.Split(text, ",") {
		if keyword = strings.TrimSpace(keyword); keyword != "" {
			keywords = append(keywords, keyword)
		}
	}
	return keywords
}

// Import replaces the stored FAQ with entries in one transaction: entries are inserted or
// updated by slug, and stored entries whose slug is not in entries are deleted. It returns
// the number of entries stored.
func Import(ctx context.Context, db DB, entries []Entry) (n int, err error) {
	if len(entries) == 0 {
		return 0, errors.New("import FAQ: no entries; refusing to delete every stored entry")
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("import FAQ: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(ctx)
		}
	}()

	slugs := make([]string, 0, len(entries))
	for position, entry := range entries {
		_, err = tx.Exec(ctx, `
			INSERT INTO faq_entries (slug, question, answer, keywords, position)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (slug) DO UPDATE
			SET question = EXCLUDED.question, answer = EXCLUDED.answer,
			    keywords = EXCLUDED.keywords, position = EXCLUDED.position, imported_at = now()`,
			entry.Slug, entry.Question, entry.Answer, strings.Join(entry.Keywords, ", "), position)
		if err != nil {
			return 0, fmt.Errorf("import FAQ entry %q: %w", entry.Slug, err)
		}
		slugs = append(slugs, entry.Slug)
	}
	if _, err = tx.Exec(ctx, `DELETE FROM faq_entries WHERE slug <> ALL($1)`, slugs); err != nil {
		return 0, fmt.Errorf("import FAQ: delete old entries: %w", err)
	}
	if err = tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("import FAQ: commit: %w", err)
	}
	return len(entries), nil
}
