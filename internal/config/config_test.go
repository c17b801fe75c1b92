package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(lookupFrom(nil))
	require.NoError(t, err)
	assert.Equal(t, "Australia/Melbourne", c.Location.String())
	assert.Equal(t, "127.0.0.1:8080", c.HTTPAddr)
	assert.Equal(t, "https://api.telegram.org", c.TelegramAPIURL)
	assert.Equal(t, 3*time.Second, c.LLMTimeout)
	assert.Empty(t, c.DatabaseURL)
	assert.Error(t, c.RequireDatabase())
}

func TestLoadRejectsInvalidValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{"PMS_TIMEZONE": "Mars/Olympus"}, "PMS_TIMEZONE"},
		{map[string]string{"HTTP_ADDR": "8080"}, "HTTP_ADDR"},
		{map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "nocolon"}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_URL": "https://pms.example.org/hook"}, "TELEGRAM_WEBHOOK_SECRET"},
		{map[string]string{"TELEGRAM_WEBHOOK_SECRET": "has space"}, "TELEGRAM_WEBHOOK_SECRET"},
		{map[string]string{"LLM_PROVIDER": "skynet"}, "LLM_PROVIDER"},
		{map[string]string{"LLM_PROVIDER": "openai", "LLM_BASE_URL": "http://127.0.0.1:1/v1"}, "LLM_MODEL"},
		{map[string]string{"LLM_TIMEOUT": "soon"}, "LLM_TIMEOUT"},
	}
	for _, tc := range cases {
		_, err := Load(lookupFrom(tc.env))
		require.Error(t, err, tc.env)
		assert.Contains(t, err.Error(), tc.name)
	}
}

func TestLoadNeverEchoesSecret(t *testing.T) {
	t.Parallel()
	_, err := Load(lookupFrom(map[string]string{"TELEGRAM_WEBHOOK_SECRET": "s3cret value!"}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}

func TestLoadReadsFileVariant(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(path, []byte("123:abc\n"), 0o600))
	c, err := Load(lookupFrom(map[string]string{"TELEGRAM_BOT_TOKEN_FILE": path}))
	require.NoError(t, err)
	assert.Equal(t, "123:abc", c.TelegramToken)
}

func TestParseDotEnvLine(t *testing.T) {
	t.Parallel()
	key, value, ok, err := parseDotEnvLine(`export LOG_LEVEL="debug"`)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "LOG_LEVEL", key)
	assert.Equal(t, "debug", value)

	_, _, ok, err = parseDotEnvLine("# comment")
	require.NoError(t, err)
	assert.False(t, ok)

	_, _, _, err = parseDotEnvLine("NOVALUE")
	assert.Error(t, err)
}
