package nlu

import (
	"context"
	"log/slog"
)

// Router is the intent layer: the safety screen first, then the LLM when one is set, and
// the rules otherwise or whenever the LLM fails. It is safe for concurrent use.
type Router struct {
	rules  *Rules
	llm    Classifier
	logger *slog.Logger
}

// NewRouter returns a Router. llm may be nil, and rules nil means NewRules(nil).
func NewRouter(rules *Rules, llm Classifier, logger *slog.Logger) *Router {
	if rules == nil {
		rules = NewRules(nil)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Router{rules: rules, llm: llm, logger: logger}
}

// Classify classifies req. A message the screen flags is IntentCrisis with Source
// SourceScreen and confidence 1, whatever any model says. The error is always nil: an LLM
// failure falls back to the rules.
func (r *Router) Classify(ctx context.Context, req Request) (Result, error) {
	if Screen(req.Text) {
		r.logger.Debug("safety_screen_fired")
		return crisisResult(), nil
	}
	if r.llm == nil {
		return r.rules.classifyScreened(req), nil
	}

	result, err := r.llm.Classify(ctx, req)
	if err != nil {
		fallback := r.rules.classifyScreened(req)
		r.logger.Debug("intent_from_rules_after_llm_failure", "intent", string(fallback.Intent))
		return fallback, nil
	}
	return r.fillEntities(result, req), nil
}

// LLMStats returns the LLM's call and failure counts, and false when the router has no
// LLM or it keeps no counts.
func (r *Router) LLMStats() (LLMStats, bool) {
	counted, ok := r.llm.(interface{ Stats() LLMStats })
	if !ok {
		return LLMStats{}, false
	}
	return counted.Stats(), true
}

// fillEntities adds the date, time and part of day the deterministic parser finds when the
// model left them out.
func (r *Router) fillEntities(result Result, req Request) Result {
	if req.Now.IsZero() {
		return result
	}
	parsed := r.rules.entities(req, normalize(req.Text))
	if result.Entities.Date == "" {
		result.Entities.Date = parsed.Date
	}
	if result.Entities.Time == "" {
		result.Entities.Time = parsed.Time
	}
	if result.Entities.PartOfDay == "" {
		result.Entities.PartOfDay = parsed.PartOfDay
	}
	return result
}
