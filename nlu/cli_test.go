package nlu

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClassifyLinesArguments(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	args := []string{"book a physio friday 3pm", "hello"}
	err := ClassifyLines(context.Background(), NewRouter(nil, nil, nil), llmNow, melbourne, args, strings.NewReader("ignored"), &out)
	require.NoError(t, err)

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 2)
	assert.JSONEq(t, `{"text":"book a physio friday 3pm","intent":"book","confidence":0.88,`+
		`"entities":{"date":"2026-12-11","time":"15:00","specialty":"physiotherapist"},"source":"rules"}`, lines[0])
	assert.JSONEq(t, `{"text":"hello","intent":"greet","confidence":0.74,"entities":{},"source":"rules"}`, lines[1])
}

func TestClassifyLinesStandardInput(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	stdin := strings.NewReader("cancel my appt\n\n  I want to kill myself  \n")
	err := ClassifyLines(context.Background(), NewRouter(nil, nil, nil), llmNow, melbourne, nil, stdin, &out)
	require.NoError(t, err)

	var results []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var result map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &result), line)
		results = append(results, result)
	}
	require.Len(t, results, 2)
	assert.Equal(t, "cancel", results[0]["intent"])
	assert.Equal(t, "crisis", results[1]["intent"])
	assert.Equal(t, "screen", results[1]["source"])
	assert.InDelta(t, 1.0, results[1]["confidence"], 1e-9)
	assert.Equal(t, "I want to kill myself", results[1]["text"])
}
