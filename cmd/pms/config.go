package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"

	"github.com/pakenham-health/pms/internal/config"
)

var allVars = func() []string {
	var names []string
	for _, v := range config.Vars {
		names = append(names, v.Name)
	}
	return names
}()

var chatVars = []string{"DATABASE_URL", "PMS_TIMEZONE", "PMS_CLINIC_NAME", "LOG_LEVEL", "LLM_PROVIDER", "LLM_BASE_URL", "LLM_MODEL", "LLM_API_KEY", "LLM_TIMEOUT"}

func printEnv(w io.Writer, names []string) {
	if len(names) == 0 {
		return
	}
	fmt.Fprint(w, "Environment variables (also read from ./.env; NAME_FILE reads a value from a file):\n")
	for _, v := range config.Vars {
		if !slices.Contains(names, v.Name) {
			continue
		}
		def := ""
		if v.Default != "" {
			def = fmt.Sprintf(" (default %s)", v.Default)
		}
		fmt.Fprintf(w, "  %-24s %s%s\n", v.Name, v.Description, def)
	}
}

// loadConfig reads ./.env (variables already set win) and then the environment.
func loadConfig() (*config.Config, error) {
	if err := config.LoadDotEnv(".env"); err != nil {
		return nil, err
	}
	return config.Load(os.LookupEnv)
}

// newLogger logs JSON when stderr is not a terminal, text otherwise.
func newLogger(level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if isTerminal(os.Stderr) {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
