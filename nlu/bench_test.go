package nlu

import (
	"context"
	"testing"
)

// BenchmarkRulesClassify classifies every message of the labelled set in turn. Run with
// -cpu 1 to read msgs/s as a rate per core.
func BenchmarkRulesClassify(b *testing.B) {
	messages := loadLabelled(b)
	rules := NewRules(nil)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := Request{Text: messages[i%len(messages)].text, Now: labelledNow, Location: melbourne}
		if _, err := rules.Classify(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkRouterClassify measures what the intent layer adds to a turn without an LLM:
// the safety screen plus the rules.
func BenchmarkRouterClassify(b *testing.B) {
	messages := loadLabelled(b)
	router := NewRouter(NewRules(nil), nil, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := Request{Text: messages[i%len(messages)].text, Now: labelledNow, Location: melbourne}
		if _, err := router.Classify(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScreen(b *testing.B) {
	messages := loadLabelled(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Screen(messages[i%len(messages)].text)
	}
}
