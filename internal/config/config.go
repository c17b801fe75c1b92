// Package config reads pms's settings from environment variables (and an optional .env
// file) through one typed table with defaults, validation and a description each.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// Config is every setting of the service.
type Config struct {
	DatabaseURL string
	Location    *time.Location
	HTTPAddr    string
	LogLevel    slog.Level
	ClinicName  string
	ClinicPhone string

	TelegramToken         string
	TelegramAPIURL        string
	TelegramWebhookURL    string
	TelegramWebhookSecret string

	LLMProvider string
	LLMBaseURL  string
	LLMModel    string
	LLMAPIKey   string
	LLMTimeout  time.Duration

	MinNotice  time.Duration
	LateWindow time.Duration
	OfferHold  time.Duration
}

// Var describes one environment variable.
type Var struct {
	Name        string
	Default     string
	Description string
	Secret      bool
	set         func(c *Config, value string) error
}

var webhookSecret = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// Vars is the table of every variable pms reads, in the order help text lists them.
var Vars = []Var{
	{Name: "DATABASE_URL", Description: "PostgreSQL connection URL (postgres://user:pass@host:port/db); `make run` starts a private cluster when unset",
		set: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
				return fmt.Errorf("expected a postgres:// URL")
			}
			c.DatabaseURL = v
			return nil
		}},
	{Name: "PMS_TIMEZONE", Default: "Australia/Melbourne", Description: "the clinic's IANA time zone; every date and time shown to a person is in it",
		set: func(c *Config, v string) error {
			loc, err := time.LoadLocation(v)
			if err != nil {
				return fmt.Errorf("expected an IANA time zone name such as Australia/Melbourne")
			}
			c.Location = loc
			return nil
		}},
	{Name: "HTTP_ADDR", Default: "127.0.0.1:8080", Description: "listen address for /healthz, /readyz and the Telegram webhook",
		set: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("expected host:port, such as 127.0.0.1:8080 or :8080")
			}
			c.HTTPAddr = v
			return nil
		}},
	{Name: "PMS_CLINIC_NAME", Default: "Pakenham Community Hospital", Description: "the hospital's name as the bot says it to patients",
		set: func(c *Config, v string) error {
			if len(v) > 100 {
				return fmt.Errorf("expected at most 100 characters")
			}
			c.ClinicName = v
			return nil
		}},
	{Name: "PMS_MIN_NOTICE", Default: "1h", Description: "how far ahead a booking must start (Go duration)",
		set: durationSetter(0, 14*24*time.Hour, func(c *Config, d time.Duration) { c.MinNotice = d })},
	{Name: "PMS_LATE_WINDOW", Default: "24h", Description: "cancelling or moving inside this time before the start counts as late (Go duration)",
		set: durationSetter(0, 14*24*time.Hour, func(c *Config, d time.Duration) { c.LateWindow = d })},
	{Name: "PMS_OFFER_HOLD", Default: "30m", Description: "how long a waitlist offer holds a freed time (Go duration; shorter when the time is soon)",
		set: durationSetter(5*time.Minute, 24*time.Hour, func(c *Config, d time.Duration) { c.OfferHold = d })},
	{Name: "PMS_CLINIC_PHONE", Default: "(03) 5550 0100", Description: "reception's phone number, which the bot gives when it sends people to staff (the default is a made-up demo number)",
		set: func(c *Config, v string) error {
			if len(v) > 40 || strings.ContainsAny(v, "\n\r") {
				return fmt.Errorf("expected a phone number of at most 40 characters")
			}
			c.ClinicPhone = v
			return nil
		}},
	{Name: "LOG_LEVEL", Default: "info", Description: "debug, info, warn or error",
		set: func(c *Config, v string) error {
			if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
				return fmt.Errorf("expected debug, info, warn or error")
			}
			return nil
		}},
	{Name: "TELEGRAM_BOT_TOKEN", Secret: true, Description: "bot token from BotFather; without it the service runs the terminal chat only",
		set: func(c *Config, v string) error {
			if v != "" && !strings.Contains(v, ":") {
				return fmt.Errorf("expected a BotFather token of the form 123456:ABC...")
			}
			c.TelegramToken = v
			return nil
		}},
	{Name: "TELEGRAM_API_URL", Default: "https://api.telegram.org", Description: "Bot API server base URL; requests go to {URL}/bot{token}/{method}",
		set: func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("expected an http or https URL")
			}
			c.TelegramAPIURL = strings.TrimRight(v, "/")
			return nil
		}},
	{Name: "TELEGRAM_WEBHOOK_URL", Description: "public https URL Telegram posts updates to; unset means long polling",
		set: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			// Telegram delivers webhooks over HTTPS only.
			u, err := url.Parse(v)
			if err != nil || u.Scheme != "https" || u.Host == "" {
				return fmt.Errorf("expected an https URL such as https://pms.example.org/telegram/webhook")
			}
			c.TelegramWebhookURL = v
			return nil
		}},
	{Name: "TELEGRAM_WEBHOOK_SECRET", Secret: true, Description: "secret token Telegram sends in X-Telegram-Bot-Api-Secret-Token; required with TELEGRAM_WEBHOOK_URL (1-256 of A-Z a-z 0-9 _ -)",
		set: func(c *Config, v string) error {
			if v != "" && !webhookSecret.MatchString(v) {
				return fmt.Errorf("expected 1 to 256 characters from A-Z, a-z, 0-9, _ and -")
			}
			c.TelegramWebhookSecret = v
			return nil
		}},
	{Name: "LLM_PROVIDER", Description: "openai (any OpenAI-compatible server) or ollama; unset means the rule-based intent layer only",
		set: func(c *Config, v string) error {
			switch v {
			case "", "openai", "ollama":
				c.LLMProvider = v
				return nil
			}
			return fmt.Errorf("expected openai, ollama or nothing")
		}},
	{Name: "LLM_BASE_URL", Description: "LLM server base URL, such as http://127.0.0.1:11434 for Ollama or http://127.0.0.1:8000/v1 for vLLM",
		set: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("expected an http or https URL")
			}
			c.LLMBaseURL = v
			return nil
		}},
	{Name: "LLM_MODEL", Description: "model name the LLM server knows; required with LLM_PROVIDER",
		set: func(c *Config, v string) error { c.LLMModel = v; return nil }},
	{Name: "LLM_API_KEY", Secret: true, Description: "API key for the LLM server, if it needs one",
		set: func(c *Config, v string) error { c.LLMAPIKey = v; return nil }},
	{Name: "LLM_TIMEOUT", Default: "3s", Description: "time limit for one LLM call (Go duration, such as 3s or 1500ms)",
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 || d > time.Minute {
				return fmt.Errorf("expected a duration between 1ms and 1m, such as 3s")
			}
			c.LLMTimeout = d
			return nil
		}},
}

// durationSetter parses a Go duration between lowest and highest.
func durationSetter(lowest, highest time.Duration, apply func(*Config, time.Duration)) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lowest || d > highest {
			return fmt.Errorf("expected a duration from %s to %s, such as 1h or 30m", lowest, highest)
		}
		apply(c, d)
		return nil
	}
}

// Load builds a Config from lookup (os.LookupEnv in production). A variable NAME may also
// be given as NAME_FILE, the path of a file holding the value, which suits secrets. The
// first invalid or missing value stops loading with an error naming the variable.
func Load(lookup func(string) (string, bool)) (*Config, error) {
	c := &Config{}
	for _, v := range Vars {
		value, err := valueOf(v, lookup)
		if err != nil {
			return nil, err
		}
		if err := v.set(c, value); err != nil {
			if v.Secret || strings.Contains(value, "@") {
				// Secrets, and URLs that may carry a password, are never echoed.
				return nil, fmt.Errorf("invalid %s: %w", v.Name, err)
			}
			return nil, fmt.Errorf("invalid %s %q: %w", v.Name, value, err)
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func valueOf(v Var, lookup func(string) (string, bool)) (string, error) {
	if value, ok := lookup(v.Name); ok && value != "" {
		return strings.TrimSpace(value), nil
	}
	if path, ok := lookup(v.Name + "_FILE"); ok && path != "" {
		body, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("invalid %s_FILE: cannot read %s: %w", v.Name, path, err)
		}
		return strings.TrimSpace(string(body)), nil
	}
	return v.Default, nil
}

func (c *Config) validate() error {
	if c.TelegramWebhookURL != "" && c.TelegramToken == "" {
		return fmt.Errorf("missing TELEGRAM_BOT_TOKEN: TELEGRAM_WEBHOOK_URL is set, so a bot token is required")
	}
	if c.TelegramWebhookURL != "" && c.TelegramWebhookSecret == "" {
		return fmt.Errorf("missing TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL so forged updates are rejected")
	}
	if c.LLMProvider != "" && c.LLMModel == "" {
		return fmt.Errorf("missing LLM_MODEL: required with LLM_PROVIDER=%s", c.LLMProvider)
	}
	if c.LLMProvider == "openai" && c.LLMBaseURL == "" {
		return fmt.Errorf("missing LLM_BASE_URL: required with LLM_PROVIDER=openai")
	}
	return nil
}

// RequireDatabase returns an error naming DATABASE_URL when it is unset.
func (c *Config) RequireDatabase() error {
	if c.DatabaseURL == "" {
		return fmt.Errorf("missing DATABASE_URL: expected a postgres:// URL (`make run` starts a private cluster and sets it)")
	}
	return nil
}
