package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/pakenham-health/pms/nlu"
	"github.com/pakenham-health/pms/nlu/faq"
)

var nluVars = []string{"PMS_TIMEZONE", "LOG_LEVEL", "LLM_PROVIDER", "LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "LLM_TIMEOUT"}

// runNLU runs `pms nlu classify`.
func runNLU(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "classify" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			args = []string{"classify", "-h"}
		} else {
			return fmt.Errorf("expected `pms nlu classify [--now RFC3339] [TEXT...]`")
		}
	}
	fs := newFlagSet("nlu", "nlu classify [--now RFC3339] [TEXT...]", nluVars)
	nowText := fs.String("now", "", "the instant dates are resolved against, RFC 3339 (default: the current time)")
	if err := parseFlags(fs, args[1:], -1); err != nil {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	now := time.Now()
	if *nowText != "" {
		now, err = time.Parse(time.RFC3339, *nowText)
		if err != nil {
			return fmt.Errorf("invalid --now %q: expected RFC 3339, such as 2026-12-04T10:00:00+11:00", *nowText)
		}
	}
	classifier, _, err := newClassifier(cfg, newLogger(cfg.LogLevel))
	if err != nil {
		return err
	}
	return nlu.ClassifyLines(ctx, classifier, now, cfg.Location, fs.Args(), os.Stdin, os.Stdout)
}

// runFAQ runs `pms faq import FILE`.
func runFAQ(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		args = []string{"import", "-h"}
	}
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("expected `pms faq import FILE`")
	}
	fs := newFlagSet("faq", "faq import [--if-empty] FILE", []string{"DATABASE_URL"})
	ifEmpty := fs.Bool("if-empty", false, "import only when no FAQ entries are stored yet (make run uses it, so an imported FAQ is not replaced by the sample)")
	if err := parseFlags(fs, args[1:], 1); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("expected one FAQ file, such as nlu/faq/sample-faq.md")
	}
	entries, err := faq.LoadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	_, pool, err := openCurrentDatabase(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	if *ifEmpty {
		var stored int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM faq_entries`).Scan(&stored); err != nil {
			return fmt.Errorf("count FAQ entries: %w", err)
		}
		if stored > 0 {
			fmt.Fprintf(os.Stdout, "kept the %d stored FAQ entries (--if-empty)\n", stored)
			return nil
		}
	}
	n, err := faq.Import(ctx, pool, entries)
	if err != nil {
		return err
	}
	noun := "entries"
	if n == 1 {
		noun = "entry"
	}
	fmt.Fprintf(os.Stdout, "imported %d FAQ %s from %s\n", n, noun, fs.Arg(0))
	return nil
}
