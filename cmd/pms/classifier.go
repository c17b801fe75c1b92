package main

import (
	"log/slog"

	"github.com/pakenham-health/pms/bot"
	"github.com/pakenham-health/pms/internal/config"
	"github.com/pakenham-health/pms/nlu"
)

// newClassifier builds the intent layer: the safety screen and rules always, and the LLM
// when LLM_PROVIDER is set.
func newClassifier(cfg *config.Config, logger *slog.Logger) (bot.Classifier, error) {
	rules := nlu.NewRules(nil)
	if cfg.LLMProvider == "" {
		return nlu.NewRouter(rules, nil, logger), nil
	}
	llm, err := nlu.NewLLM(nlu.LLMConfig{
		Provider: cfg.LLMProvider, BaseURL: cfg.LLMBaseURL, Model: cfg.LLMModel,
		APIKey: cfg.LLMAPIKey, Timeout: cfg.LLMTimeout,
	}, logger)
	if err != nil {
		return nil, err
	}
	return nlu.NewRouter(rules, llm, logger), nil
}
