package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pakenham-health/pms/bot/telegram/telegramtest"
	"github.com/pakenham-health/pms/internal/dbtest"
)

// lockedBuffer is a bytes.Buffer that a child process's output and the test may use at
// the same time.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// binary is the pms binary built once for the tests in this file.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pms-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pms")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pms:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// databaseURL returns the URL of the test's own database.
func databaseURL(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	cfg := pool.Config().ConnConfig
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// pms runs the binary in a clean environment plus env and returns its output and error.
func pms(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestInvalidConfigStopsWithOneLine(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"PMS_TIMEZONE=Mars/Base":              "PMS_TIMEZONE",
		"HTTP_ADDR=nonsense":                  "HTTP_ADDR",
		"TELEGRAM_WEBHOOK_SECRET=with spaces": "TELEGRAM_WEBHOOK_SECRET",
	}
	for env, name := range cases {
		out, err := pms(t, []string{env, "DATABASE_URL=postgres://127.0.0.1:1/x"}, "serve")
		require.Error(t, err, env)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		assert.Len(t, lines, 1, "one line for %s: %q", env, out)
		assert.Contains(t, out, name)
	}
	out, err := pms(t, nil, "serve")
	require.Error(t, err)
	assert.Contains(t, out, "missing DATABASE_URL")
}

func TestHelpListsCommandsAndVariables(t *testing.T) {
	t.Parallel()
	out, err := pms(t, nil, "help")
	require.NoError(t, err)
	for _, want := range []string{"serve", "migrate", "seed", "chat", "version", "nlu", "faq", "DATABASE_URL", "TELEGRAM_WEBHOOK_SECRET", "LLM_TIMEOUT"} {
		assert.Contains(t, out, want)
	}
	out, err = pms(t, nil, "serve", "-h")
	require.NoError(t, err)
	assert.Contains(t, out, "-console")
	assert.Contains(t, out, "TELEGRAM_BOT_TOKEN")

	_, err = pms(t, nil, "frobnicate")
	assert.Error(t, err)
}

func TestServeRefusesDatabaseBehind(t *testing.T) {
	t.Parallel()
	env := []string{"DATABASE_URL=" + emptyDatabase(t), "HTTP_ADDR=" + freePort(t)}

	out, err := pms(t, env, "serve", "--console=off")
	require.Error(t, err)
	assert.Contains(t, out, "pms migrate")

	out, err = pms(t, env, "migrate")
	require.NoError(t, err, out)
	assert.Contains(t, out, "schema version")
	out, err = pms(t, env, "migrate")
	require.NoError(t, err, "a second migrate changes nothing: %s", out)
}

// emptyDatabase creates a database with no schema and returns its URL.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	admin := dbtest.AdminURL(t)
	conn, err := pgx.Connect(context.Background(), admin)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	name := fmt.Sprintf("pms_empty_%d", time.Now().UnixNano())
	_, err = conn.Exec(context.Background(), "CREATE DATABASE "+name)
	require.NoError(t, err)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	cfg := conn.Config()
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
}

func TestSeedDemoIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	env := []string{"DATABASE_URL=" + databaseURL(t, pool)}
	out, err := pms(t, env, "seed", "--demo")
	require.NoError(t, err, out)
	out, err = pms(t, env, "seed", "--demo")
	require.NoError(t, err, out)
	assert.Contains(t, out, "0 new patients")
}

func TestNLUClassifyPrintsJSONLines(t *testing.T) {
	t.Parallel()
	out, err := pms(t, nil, "nlu", "classify", "--now", "2026-12-04T10:00:00+11:00", "book a GP tmrw arvo", "everyone would be better off without me")
	require.NoError(t, err, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], `"intent":"book"`)
	assert.Contains(t, lines[0], `"date":"2026-12-05"`)
	assert.Contains(t, lines[1], `"intent":"crisis"`)
	assert.Contains(t, lines[1], `"source":"screen"`)
}

// TestServeTelegramAndShutdown runs the real binary against the fake Bot API server: it
// answers a patient, reports healthy and ready, and exits cleanly on SIGTERM.
func TestServeTelegramAndShutdown(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	fake := telegramtest.New(t)
	addr := freePort(t)

	cmd := exec.Command(binary, "serve")
	cmd.Dir = t.TempDir()
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "DATABASE_URL=" + databaseURL(t, pool), "HTTP_ADDR=" + addr,
		"TELEGRAM_BOT_TOKEN=" + fake.Token, "TELEGRAM_API_URL=" + fake.URL(),
	}
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for code, _ := get("/healthz"); code != http.StatusOK; code, _ = get("/healthz") {
		require.True(t, time.Now().Before(deadline), "serve did not come up: %s", logs.String())
		time.Sleep(20 * time.Millisecond)
	}
	code, body := get("/readyz")
	assert.Equal(t, http.StatusOK, code, body)

	fake.PushMessage(31337, 31337, "/start")
	sent := fake.WaitSent(t, 1, 20*time.Second)
	assert.Contains(t, sent[0].Text, "Pakenham Community Hospital")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		assert.NoError(t, err, logs.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not stop after SIGTERM: %s", logs.String())
	}
	assert.Contains(t, logs.String(), "service_stopped")
	assert.NotContains(t, logs.String(), fake.Token, "the token is never logged")
}

func TestBadFlagsAndArguments(t *testing.T) {
	t.Parallel()
	out, err := pms(t, []string{"DATABASE_URL=postgres://127.0.0.1:1/x"}, "serve", "--console=maybe")
	require.Error(t, err)
	assert.Contains(t, out, `invalid --console "maybe"`)

	out, err = pms(t, []string{"DATABASE_URL=postgres://127.0.0.1:1/x"}, "migrate", "extra")
	require.Error(t, err)
	assert.Contains(t, out, `unexpected argument "extra"`)

	out, err = pms(t, nil, "version", "--x")
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, 2, exitErr.ExitCode())
	assert.Equal(t, 1, strings.Count(out, "flag provided but not defined"), "the problem is printed once: %s", out)

	out, err = pms(t, []string{"DATABASE_URL=postgres://127.0.0.1:1/x"}, "chat", "--user", " ")
	require.Error(t, err)
	assert.Contains(t, out, "invalid --user")
}

// fakeLLM is an OpenAI-compatible chat completions server on 127.0.0.1 that answers
// every request with content, or with status when it is not 200.
func fakeLLM(t *testing.T, status int, content string) string {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status != http.StatusOK {
			http.Error(w, `{"error":{"message":"overloaded"}}`, status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		reply := map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "model": "test",
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content}}},
		}
		_ = json.NewEncoder(w).Encode(reply)
	}))
	t.Cleanup(server.Close)
	return server.URL
}

func TestNLUClassifyUsesLLMAndFallsBack(t *testing.T) {
	t.Parallel()
	good := fakeLLM(t, http.StatusOK, `{"intent":"faq","confidence":0.9,"entities":{}}`)
	env := []string{"LLM_PROVIDER=openai", "LLM_MODEL=test", "LLM_BASE_URL=" + good}
	out, err := pms(t, env, "nlu", "classify", "where do I park")
	require.NoError(t, err, out)
	assert.Contains(t, out, `"source":"llm"`)

	broken := fakeLLM(t, http.StatusInternalServerError, "")
	env = []string{"LLM_PROVIDER=openai", "LLM_MODEL=test", "LLM_BASE_URL=" + broken}
	out, err = pms(t, env, "nlu", "classify", "where do I park")
	require.NoError(t, err, out)
	assert.Contains(t, out, `"source":"rules"`, "a failing LLM falls back to the rules")

	out, err = pms(t, env, "nlu", "classify", "I want to end it all")
	require.NoError(t, err, out)
	assert.Contains(t, out, `"source":"screen"`)
}

func TestImportWarnsAboutBookingsInLeave(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewPool(t)
	env := []string{"DATABASE_URL=" + databaseURL(t, pool)}
	out, err := pms(t, env, "seed", "--demo")
	require.NoError(t, err, out)

	// Book a made-up patient with Dr Nguyen on the next Monday at 10:00, Melbourne time.
	loc, err := time.LoadLocation("Australia/Melbourne")
	require.NoError(t, err)
	now := time.Now().In(loc)
	monday := now.AddDate(0, 0, (8-int(now.Weekday()))%7+7)
	start := time.Date(monday.Year(), monday.Month(), monday.Day(), 10, 0, 0, 0, loc)
	_, err = pool.Exec(context.Background(), `INSERT INTO appointments (patient_id, practitioner_id, appointment_type, specialty, during, status)
		SELECT (SELECT min(id) FROM patients), id, 'standard', 'gp', tstzrange($1::timestamptz, $1::timestamptz + interval '15 minutes'), 'booked'
		FROM practitioners WHERE code = 'nguyen'`, start)
	require.NoError(t, err)

	leave := filepath.Join(t.TempDir(), "leave.csv")
	day := start.Format("2/1/2006")
	csv := "record,practitioner,name,specialties,minutes,slack_user_id,days,start,end,breaks,from,to,reason\n" +
		"leave,nguyen,,,,,,,,," + day + "," + day + ",conference\n"
	require.NoError(t, os.WriteFile(leave, []byte(csv), 0o600))
	out, err = pms(t, env, "practitioners", "import", leave)
	require.NoError(t, err, out)
	assert.Contains(t, out, "Warning: 1 booked appointment now falls in leave")
	assert.Contains(t, out, "10:00 am  Dr Anh Nguyen")
}
