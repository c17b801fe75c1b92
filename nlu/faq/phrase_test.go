package faq

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/nlu"
)

// newPhraseModel starts an OpenAI-compatible fake on 127.0.0.1 that answers with content
// (or with status when it is not 200) and sends each request body to bodies.
func newPhraseModel(t *testing.T, status int, content string, bodies chan<- string) *nlu.LLM {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		bodies <- string(body)
		w.Header().Set("Content-Type", "application/json")
		if status != http.StatusOK {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"error":{"message":"fake failure"}}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]string{"role": "assistant", "content": content}}},
		})
	}))
	t.Cleanup(server.Close)
	llm, err := nlu.NewLLM(nlu.LLMConfig{Provider: nlu.ProviderOpenAI, BaseURL: server.URL, Model: "test-model", Timeout: 5 * time.Second}, nil)
	require.NoError(t, err)
	return llm
}

var parkingEntry = Entry{Slug: "parking", Question: "Where can I park?", Answer: "Free visitor parking is in the car park off Main Street."}

func TestPhraseUsesEntries(t *testing.T) {
	t.Parallel()
	bodies := make(chan string, 1)
	llm := newPhraseModel(t, http.StatusOK, "  You can park for free in the car park off Main Street.  ", bodies)

	answer, err := Phrase(context.Background(), llm.Model(), "where do I park? I'm Sam, 0412 345 678", []Entry{parkingEntry}, []string{"Sam"})
	require.NoError(t, err)
	assert.Equal(t, "You can park for free in the car park off Main Street.", answer)

	body := <-bodies
	assert.Contains(t, body, "Free visitor parking is in the car park off Main Street.")
	assert.Contains(t, body, "no medical advice")
	assert.NotContains(t, body, "0412")
	assert.NotContains(t, body, "Sam")
}

func TestPhraseFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		content string
		want    error
	}{
		{"no answer", http.StatusOK, "NO_ANSWER", ErrNoAnswer},
		{"empty reply", http.StatusOK, "   ", ErrNoAnswer},
		{"too long", http.StatusOK, strings.Repeat("a", 2000), nlu.ErrInvalidReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			llm := newPhraseModel(t, tt.status, tt.content, make(chan string, 1))
			_, err := Phrase(context.Background(), llm.Model(), "where do I park", []Entry{parkingEntry}, nil)
			assert.ErrorIs(t, err, tt.want)
		})
	}

	llm := newPhraseModel(t, http.StatusInternalServerError, "", make(chan string, 1))
	_, err := Phrase(context.Background(), llm.Model(), "where do I park", []Entry{parkingEntry}, nil)
	assert.ErrorContains(t, err, "phrase FAQ answer")

	_, err = Phrase(context.Background(), llm.Model(), "where do I park", nil, nil)
	assert.ErrorIs(t, err, ErrNoAnswer)
}
