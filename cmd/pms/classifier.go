package main

import (
	"context"
	"log/slog"
	"slices"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/internal/config"
	"github.com/pakenham-health/pms/nlu"
	"github.com/pakenham-health/pms/nlu/faq"
)

// newClassifier builds the intent layer: the safety screen and rules always, and the LLM
// when LLM_PROVIDER is set. The rules recognise the default specialties plus any extra
// ones the clinic's practitioners have (a dentist, say), as read when the service starts.
// The FAQ phraser is nil without an LLM.
func newClassifier(cfg *config.Config, logger *slog.Logger, extraSpecialties ...string) (bot.Classifier, bot.FAQPhraser, error) {
	rules := nlu.NewRules(append(slices.Clone(nlu.DefaultSpecialties), extraSpecialties...))
	if cfg.LLMProvider == "" {
		return nlu.NewRouter(rules, nil, logger), nil, nil
	}
	llm, err := nlu.NewLLM(nlu.LLMConfig{
		Provider: cfg.LLMProvider, BaseURL: cfg.LLMBaseURL, Model: cfg.LLMModel,
		APIKey: cfg.LLMAPIKey, Timeout: cfg.LLMTimeout,
	}, logger)
	if err != nil {
		return nil, nil, err
	}
	phraser := func(ctx context.Context, question string, entries []faq.Entry, names []string) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, cfg.LLMTimeout)
		defer cancel()
		return faq.Phrase(ctx, llm.Model(), question, entries, names)
	}
	return nlu.NewRouter(rules, llm, logger), phraser, nil
}
