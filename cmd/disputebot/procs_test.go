package main

// Helpers for the tests that run disputebot serve as separate processes
// (replicas_test.go, faults_test.go): the binary, Redis servers started
// and stopped by PID, and bots in webhook mode against a fake Bot API.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds disputebot once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "disputebot-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "disputebot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// freePort returns a loopback port nothing listens on (just now).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// redisProc is a redis-server this test started, on a port and a
// directory that outlive a restart.
type redisProc struct {
	t    *testing.T
	port int
	dir  string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// needRedisServer skips without redis-server, except in CI.
func needRedisServer(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed; CI must run this test")
		}
		t.Skip("redis-server is not installed")
	}
}

// startRedis starts redis-server on a free port with extra arguments.
func startRedis(t *testing.T, extra ...string) *redisProc {
	t.Helper()
	needRedisServer(t)
	r := &redisProc{t: t, port: freePort(t), dir: t.TempDir(),
		args: append([]string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, extra...)}
	r.start()
	t.Cleanup(func() { r.kill(syscall.SIGKILL) })
	return r
}

func (r *redisProc) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisProc) start() {
	r.t.Helper()
	args := append([]string{"--port", strconv.Itoa(r.port), "--dir", r.dir}, r.args...)
	r.cmd = exec.Command("redis-server", args...)
	r.cmd.Stdout, r.cmd.Stderr = nil, nil
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { c.Wait(); close(done) }(r.cmd, r.done)
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer rdb.Close()
	deadline := time.Now().Add(20 * time.Second) // a failure guard only
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server on %d did not answer", r.port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill stops this redis-server by its PID and waits for it to exit.
func (r *redisProc) kill(sig syscall.Signal) {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Signal(sig)
	<-r.done
}

// botProc is one disputebot serve process in webhook mode.
type botProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	stderr *lockedBuf
	done   chan struct{}
	exit   error
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

const hookSecret = "replica_test_secret"

// startBot runs disputebot serve against api and redisURL, in webhook
// mode on a free loopback port, and waits until it answers /healthz.
func startBot(t *testing.T, api *telegramtest.Server, redisURL string, env ...string) *botProc {
	t.Helper()
	port := freePort(t)
	b := &botProc{t: t, base: fmt.Sprintf("http://127.0.0.1:%d", port), stderr: &lockedBuf{}, done: make(chan struct{})}
	b.cmd = exec.Command(binary(t), "serve", "--env-file", "")
	b.cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"TELEGRAM_BOT_TOKEN=" + telegramtest.Token, "TELEGRAM_API_URL=" + api.URL(), "REDIS_URL=" + redisURL,
		"WEBHOOK_URL=https://bot.example/hook", "WEBHOOK_SECRET=" + hookSecret,
		"LISTEN_ADDR=" + fmt.Sprintf("127.0.0.1:%d", port), "TELEGRAM_PACING=off", "LOG_LEVEL=warn",
	}, env...)
	b.cmd.Stderr = b.stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { b.exit = b.cmd.Wait(); close(b.done) }()
	t.Cleanup(func() { b.signal(syscall.SIGKILL); <-b.done })
	deadline := time.Now().Add(30 * time.Second) // a failure guard only
	for {
		resp, err := http.Get(b.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return b
			}
		}
		select {
		case <-b.done:
			t.Fatalf("disputebot serve exited at start (%v):\n%s", b.exit, b.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("disputebot serve did not answer /healthz:\n%s", b.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *botProc) signal(sig syscall.Signal) {
	select {
	case <-b.done:
	default:
		b.cmd.Process.Signal(sig)
	}
}

// alive reports whether the process is still running.
func (b *botProc) alive() bool {
	select {
	case <-b.done:
		return false
	default:
		return true
	}
}

var hookClient = &http.Client{Timeout: 60 * time.Second}

// post delivers u to the bot's webhook and returns the HTTP status (0 if
// no answer came).
func (b *botProc) post(u models.Update) int {
	body, err := jsonBytes(u)
	if err != nil {
		b.t.Error(err)
		return 0
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+"/hook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", hookSecret)
	resp, err := hookClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// botMessages are the messages the bot has in chat, in order.
func botMessages(api *telegramtest.Server, chat int64) []models.Message {
	var out []models.Message
	for _, m := range api.Messages(chat) {
		if m.From != nil && m.From.ID == api.Bot.ID {
			out = append(out, m)
		}
	}
	return out
}

// buttonData finds the callback data of the option on the newest message
// with a keyboard.
func buttonData(api *telegramtest.Server, chat int64, prefix, option string) (int, string, bool) {
	ms := botMessages(api, chat)
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		if m.ReplyMarkup == nil || len(m.ReplyMarkup.InlineKeyboard) == 0 {
			continue
		}
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, k := range row {
				if strings.HasPrefix(k.CallbackData, prefix) && strings.HasSuffix(k.CallbackData, ":"+option) {
					return m.ID, k.CallbackData, true
				}
			}
		}
		return m.ID, "", false
	}
	return 0, "", false
}

func jsonBytes(v any) ([]byte, error) { return json.Marshal(v) }
