package nlu

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOllamaProviderEndToEnd runs the native Ollama provider against a fake of Ollama's
// /api/chat on 127.0.0.1, for a good reply and for a server error.
func TestOllamaProviderEndToEnd(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies []string
	status := http.StatusOK
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, r.URL.Path+" "+string(body))
		code := status
		mu.Unlock()
		if r.URL.Path != "/api/chat" {
			http.NotFound(w, r)
			return
		}
		if code != http.StatusOK {
			http.Error(w, `{"error":"model is loading"}`, code)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"model": "llama3.2", "created_at": "2026-12-09T03:00:00Z", "done": true,
			"message": map[string]string{"role": "assistant", "content": `{"intent":"faq","confidence":0.8,"entities":{}}`},
		})
	}))
	t.Cleanup(server.Close)

	llm, err := NewLLM(LLMConfig{Provider: ProviderOllama, BaseURL: server.URL, Model: "llama3.2"}, nil)
	require.NoError(t, err)
	router := NewRouter(NewRules(nil), llm, nil)
	req := Request{Text: "where do I park? call me on 0412 345 678", Now: llmNow, Location: melbourne}

	result, err := router.Classify(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, SourceLLM, result.Source)
	assert.Equal(t, IntentFAQ, result.Intent)

	mu.Lock()
	status = http.StatusServiceUnavailable
	require.NotEmpty(t, bodies)
	assert.Contains(t, bodies[0], "/api/chat ")
	assert.NotContains(t, bodies[0], "0412 345 678", "the phone number is masked before it leaves")
	mu.Unlock()

	result, err = router.Classify(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, SourceRules, result.Source, "a failing Ollama falls back to the rules")
}
