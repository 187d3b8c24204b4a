package main

import (
	"bytes"
	"context"
	"github.com/disputebot/disputebot/bot"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

const goodToken = "123456:ABCdef_ghi-JKL"

func TestServeConfig(t *testing.T) {
	base := func(extra map[string]string) map[string]string {
		m := map[string]string{"TELEGRAM_BOT_TOKEN": goodToken, "REDIS_URL": "redis://localhost:6379/0"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		vars    map[string]string
		memory  bool
		wantErr string // "" for valid
		check   func(serveConfig) bool
	}{
		{name: "polling with Redis", vars: base(nil), check: func(c serveConfig) bool {
			return c.webhookURL == "" && c.listenAddr == "" && c.ttl == 720*time.Hour && c.logLevel == slog.LevelInfo
		}},
		{name: "webhook defaults to :8080", vars: base(map[string]string{"WEBHOOK_URL": "https://bot.example.org/tg", "WEBHOOK_SECRET": "abc_DEF-123"}),
			check: func(c serveConfig) bool { return c.listenAddr == ":8080" && c.webhookSecret == "abc_DEF-123" }},
		{name: "memory needs no Redis", vars: map[string]string{"TELEGRAM_BOT_TOKEN": goodToken}, memory: true,
			check: func(c serveConfig) bool { return c.redis == nil }},
		{name: "all set", vars: base(map[string]string{"LISTEN_ADDR": "127.0.0.1:9000", "TELEGRAM_API_URL": "http://localhost:8081", "SESSION_TTL": "48h", "LOG_LEVEL": "debug"}),
			check: func(c serveConfig) bool {
				return c.listenAddr == "127.0.0.1:9000" && c.apiURL == "http://localhost:8081" && c.ttl == 48*time.Hour && c.logLevel == slog.LevelDebug
			}},

		{name: "public URL defaults to :8080", vars: base(map[string]string{"PUBLIC_URL": "https://bot.example.org/"}),
			check: func(c serveConfig) bool { return c.publicURL == "https://bot.example.org/" && c.listenAddr == ":8080" }},
		{name: "public URL on localhost over http", vars: base(map[string]string{"PUBLIC_URL": "http://localhost:8080", "LISTEN_ADDR": "127.0.0.1:8080"}),
			check: func(c serveConfig) bool {
				return c.publicURL == "http://localhost:8080" && c.listenAddr == "127.0.0.1:8080"
			}},
		{name: "public URL over http", vars: base(map[string]string{"PUBLIC_URL": "http://bot.example.org"}), wantErr: "PUBLIC_URL must be the https://"},
		{name: "public URL not a URL", vars: base(map[string]string{"PUBLIC_URL": "bot.example.org"}), wantErr: "PUBLIC_URL must be the https://"},
		{name: "public URL with query", vars: base(map[string]string{"PUBLIC_URL": "https://bot.example.org/?a=1"}), wantErr: "PUBLIC_URL must not have a query"},
		{name: "no token", vars: map[string]string{"REDIS_URL": "redis://x"}, wantErr: "TELEGRAM_BOT_TOKEN is not set"},
		{name: "malformed token", vars: base(map[string]string{"TELEGRAM_BOT_TOKEN": "not a token"}), wantErr: "does not look like a bot token"},
		{name: "no Redis", vars: map[string]string{"TELEGRAM_BOT_TOKEN": goodToken}, wantErr: "REDIS_URL is not set"},
		{name: "bad Redis URL", vars: base(map[string]string{"REDIS_URL": "localhost:6379"}), wantErr: "REDIS_URL must be"},
		{name: "webhook over http", vars: base(map[string]string{"WEBHOOK_URL": "http://bot.example.org/tg", "WEBHOOK_SECRET": "s"}), wantErr: "WEBHOOK_URL must be an https"},
		{name: "webhook not a URL", vars: base(map[string]string{"WEBHOOK_URL": "bot.example.org", "WEBHOOK_SECRET": "s"}), wantErr: "WEBHOOK_URL must be an https"},
		{name: "webhook without secret", vars: base(map[string]string{"WEBHOOK_URL": "https://bot.example.org/tg"}), wantErr: "WEBHOOK_SECRET is not set"},
		{name: "secret with bad characters", vars: base(map[string]string{"WEBHOOK_URL": "https://b.example/tg", "WEBHOOK_SECRET": "has space"}), wantErr: "WEBHOOK_SECRET may only"},
		{name: "bad listen address", vars: base(map[string]string{"LISTEN_ADDR": "8080"}), wantErr: "LISTEN_ADDR"},
		{name: "bad API URL", vars: base(map[string]string{"TELEGRAM_API_URL": "ftp://x"}), wantErr: "TELEGRAM_API_URL"},
		{name: "bad TTL", vars: base(map[string]string{"SESSION_TTL": "30 days"}), wantErr: "SESSION_TTL"},
		{name: "negative TTL", vars: base(map[string]string{"SESSION_TTL": "-1h"}), wantErr: "SESSION_TTL"},
		{name: "shutdown grace", vars: base(map[string]string{"SHUTDOWN_GRACE": "45s"}), check: func(c serveConfig) bool { return c.grace == 45*time.Second }},
		{name: "shutdown grace default", vars: base(nil), check: func(c serveConfig) bool { return c.grace == bot.DefaultShutdownGrace }},
		{name: "bad shutdown grace", vars: base(map[string]string{"SHUTDOWN_GRACE": "0"}), wantErr: "SHUTDOWN_GRACE"},
		{name: "session key", vars: base(map[string]string{"SESSION_KEY": "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}), check: func(c serveConfig) bool { return len(c.sessionKey) == 32 }},
		{name: "no session key", vars: base(nil), check: func(c serveConfig) bool { return c.sessionKey == nil && c.personalTTL == 14*24*time.Hour }},
		{name: "short session key", vars: base(map[string]string{"SESSION_KEY": "c2hvcnQ="}), wantErr: "SESSION_KEY decodes to 5 bytes"},
		{name: "personal TTL", vars: base(map[string]string{"PERSONAL_TTL": "72h"}), check: func(c serveConfig) bool { return c.personalTTL == 72*time.Hour }},
		{name: "bad personal TTL", vars: base(map[string]string{"PERSONAL_TTL": "2w"}), wantErr: "PERSONAL_TTL"},
		{name: "bad log level", vars: base(map[string]string{"LOG_LEVEL": "loud"}), wantErr: "LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := serveConfigFrom(env(tt.vars), tt.memory)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			case tt.wantErr == "" && !tt.check(c):
				t.Fatalf("config = %+v", c)
			}
			if err != nil && (strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "ABCdef") || strings.Contains(err.Error(), "has space")) {
				t.Fatalf("error is not one line, or repeats a secret: %q", err)
			}
		})
	}
}

func TestServeEnvFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(path, []byte("# comment\n\nexport TELEGRAM_BOT_TOKEN=\"1:from_file\"\nREDIS_URL='redis://file'\nLOG_LEVEL=debug\n"), 0o600)
	lookup, err := withEnvFile(env(map[string]string{"LOG_LEVEL": "warn"}), path)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"TELEGRAM_BOT_TOKEN": "1:from_file", "REDIS_URL": "redis://file", "LOG_LEVEL": "warn"} {
		if got, _ := lookup(k); got != want {
			t.Errorf("%s = %q, want %q (the environment wins over the file)", k, got, want)
		}
	}
	if _, err := withEnvFile(env(nil), filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Fatalf("a missing .env is fine: %v", err)
	}
	os.WriteFile(path, []byte("JUST A LINE\n"), 0o600)
	if _, err := withEnvFile(env(nil), path); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Fatalf("malformed .env: %v", err)
	}
}

// TestServeStartupFailures: each is one line on stderr and exit 1, and
// never shows the token.
func TestServeStartupFailures(t *testing.T) {
	api := telegramtest.New(t)
	tests := []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"no token", []string{"--memory"}, map[string]string{}, "TELEGRAM_BOT_TOKEN is not set"},
		{"token rejected", []string{"--memory"}, map[string]string{"TELEGRAM_BOT_TOKEN": goodToken, "TELEGRAM_API_URL": api.URL()}, "rejected the bot token"},
		{"Bot API unreachable", []string{"--memory"}, map[string]string{"TELEGRAM_BOT_TOKEN": goodToken, "TELEGRAM_API_URL": "http://127.0.0.1:1"}, "cannot reach the Telegram Bot API"},
		{"Redis unreachable", nil, map[string]string{"TELEGRAM_BOT_TOKEN": goodToken, "REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"}, "cannot reach redis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := serve(context.Background(), append([]string{"--env-file="}, tt.args...), env(tt.vars), &stderr)
			out := stderr.String()
			lines := strings.Split(strings.TrimSpace(out), "\n")
			last := lines[len(lines)-1]
			if code != 1 || !strings.HasPrefix(last, "disputebot serve: ") || !strings.Contains(last, tt.want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant one line with %q", code, out, tt.want)
			}
			if strings.Contains(out, "ABCdef") || strings.Contains(out, "hunter2") {
				t.Fatalf("stderr shows a secret: %s", out)
			}
		})
	}
}

// TestServeRunsAndStops boots serve against the fake Bot API (in memory),
// holds a short conversation, and stops it as SIGTERM would.
func TestServeRunsAndStops(t *testing.T) {
	api := telegramtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, []string{"--memory", "--env-file="}, env(map[string]string{
			"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": api.URL(), "LOG_LEVEL": "debug",
		}), &stderr)
	}()
	u := api.NewUser(77, "Ann", "en")
	api.Push(u.Text("/start"))
	if !api.Wait(30*time.Second, func(calls []telegramtest.Call) bool {
		for _, c := range calls {
			if c.Method == "sendMessage" && c.OK() {
				return true
			}
		}
		return false
	}) {
		cancel()
		t.Fatalf("no reply to /start; stderr:\n%s", stderr.String())
	}
	if cmds := api.Commands(); len(cmds) != 3 {
		t.Errorf("%d command menus registered, want 3", len(cmds))
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d after stop; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(stderr.String(), strings.Split(telegramtest.Token, ":")[1]) {
		t.Fatal("the log shows the token")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestTelegramPacing(t *testing.T) {
	for v, want := range map[string]bot.Limits{"": {}, "on": {}, "off": bot.NoPacing, "OFF": bot.NoPacing} {
		env := map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc", "REDIS_URL": "redis://localhost:6379/0", "TELEGRAM_PACING": v}
		c, err := serveConfigFrom(func(k string) (string, bool) { s, ok := env[k]; return s, ok }, false)
		if err != nil || c.limits != want {
			t.Errorf("TELEGRAM_PACING=%q: limits %+v, %v", v, c.limits, err)
		}
	}
	env := map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc", "REDIS_URL": "redis://localhost:6379/0", "TELEGRAM_PACING": "slow"}
	if _, err := serveConfigFrom(func(k string) (string, bool) { s, ok := env[k]; return s, ok }, false); err == nil {
		t.Error("TELEGRAM_PACING=slow accepted")
	}
}
