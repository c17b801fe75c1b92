package nlu

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// classifiedLine is one line of ClassifyLines output.
type classifiedLine struct {
	Text       string   `json:"text"`
	Intent     Intent   `json:"intent"`
	Confidence float64  `json:"confidence"`
	Entities   Entities `json:"entities"`
	Source     string   `json:"source"`
}

// ClassifyLines classifies each of args, or each non-blank line of stdin when args is
// empty, as of now in loc, and writes one JSON object per message to stdout:
// {"text", "intent", "confidence", "entities", "source"}, with entities it did not find
// left out. It backs the `pms nlu classify` command.
func ClassifyLines(ctx context.Context, c Classifier, now time.Time, loc *time.Location, args []string, stdin io.Reader, stdout io.Writer) error {
	encoder := json.NewEncoder(stdout)
	encoder.SetEscapeHTML(false)
	classify := func(text string) error {
		result, err := c.Classify(ctx, Request{Text: text, Now: now, Location: loc})
		if err != nil {
			return fmt.Errorf("classify message: %w", err)
		}
		line := classifiedLine{
			Text:       text,
			Intent:     result.Intent,
			Confidence: math.Round(result.Confidence*100) / 100,
			Entities:   result.Entities,
			Source:     result.Source,
		}
		if err := encoder.Encode(line); err != nil {
			return fmt.Errorf("write classification: %w", err)
		}
		return nil
	}

	if len(args) > 0 {
		for _, text := range args {
			if err := classify(text); err != nil {
				return err
			}
		}
		return nil
	}

	scanner := bufio.NewScanner(stdin)
	scanner.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for scanner.Scan() {
		text := strings.TrimSpace(scanner.Text())
		if text == "" {
			continue
		}
		if err := classify(text); err != nil {
			return err
		}
	}
	if err := scanner.Err(); err != nil {
		return fmt.Errorf("read messages from standard input: %w", err)
	}
	return nil
}
