package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/internal/store/redisstore"
)

// today is the advisor's clock in the tests: dates typed are read against it.
var today = time.Date(2026, 11, 26, 9, 0, 0, 0, engine.China)

// fast limits keep the tests quick; pacing has its own tests.
var fast = Limits{PerChat: Rate{Every: time.Microsecond, Burst: 1000}, Global: Rate{Every: time.Microsecond, Burst: 1000}}

// harness is a fake Bot API server, a store and the bots under test.
// Updates are delivered by long polling (deliver) or webhook (post), and
// every helper waits until the bot is done with them: no sleeps.
type harness struct {
	t     *testing.T
	api   *telegramtest.Server
	r     *render.Renderer
	store store.Store
	logs  *lockedBuffer

	mu      sync.Mutex
	handled map[int64]int
	changed chan struct{}
	slept   []time.Duration
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{
		t: t, api: telegramtest.New(t), r: testRenderer(t), store: memstore.New(0, nil),
		logs: &lockedBuffer{}, handled: map[int64]int{}, changed: make(chan struct{}),
	}
}

// config is a bot configuration against the harness's server and store.
func (h *harness) config() Config {
	return Config{
		Token: telegramtest.Token, APIURL: h.api.URL(), Catalog: testCatalog(), Store: h.store, Renderer: h.r,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return today }, Limits: fast, ShutdownTimeout: 5 * time.Second,
	}
}

// newBot creates a bot whose waits are recorded and skipped, and whose
// handled updates the harness counts.
func (h *harness) newBot(cfg Config) *Bot {
	h.t.Helper()
	b, err := New(context.Background(), cfg)
	if err != nil {
		h.t.Fatalf("new bot: %v", err)
	}
	b.handled = func(id int64) {
		h.mu.Lock()
		h.handled[id]++
		close(h.changed)
		h.changed = make(chan struct{})
		h.mu.Unlock()
	}
	b.out.sleep = func(ctx context.Context, d time.Duration) error {
		if d >= time.Millisecond {
			h.mu.Lock()
			h.slept = append(h.slept, d)
			h.mu.Unlock()
		}
		return ctx.Err()
	}
	return b
}

// start creates a bot and runs it (long polling) until the test ends.
func (h *harness) start(edit ...func(*Config)) *Bot {
	h.t.Helper()
	cfg := h.config()
	for _, e := range edit {
		e(&cfg)
	}
	b := h.newBot(cfg)
	h.run(b)
	return b
}

// run runs b until the test ends; the returned func stops it and returns
// Run's error.
func (h *harness) run(b *Bot) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(15 * time.Second):
				err = errors.New("Run did not return")
			}
		})
		return err
	}
	h.t.Cleanup(func() {
		if err := stop(); err != nil {
			h.t.Errorf("run: %v", err)
		}
	})
	return stop
}

// deliver queues updates for long polling and waits until each is handled.
func (h *harness) deliver(us ...models.Update) {
	h.t.Helper()
	for _, id := range h.api.Push(us...) {
		h.waitHandled(id, 1)
	}
}

// post delivers an update to b's webhook and returns the HTTP status.
func (h *harness) post(b *Bot, secret string, u models.Update) int {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(mustJSON(h.t, u)))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	rec := httptest.NewRecorder()
	b.Handler().ServeHTTP(rec, req)
	return rec.Code
}

func (h *harness) waitHandled(id int64, times int) {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		h.mu.Lock()
		n, ch := h.handled[id], h.changed
		h.mu.Unlock()
		if n >= times {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			h.t.Fatalf("update %d not handled within 10s", id)
		}
	}
}

// send delivers a text message and returns what the bot sent after it.
func (h *harness) send(u *telegramtest.User, text string) []models.Message {
	h.t.Helper()
	return h.during(u, func() { h.deliver(u.Text(text)) })
}

// tap taps the newest button labelled label and returns what the bot sent.
func (h *harness) tap(u *telegramtest.User, label string) []models.Message {
	h.t.Helper()
	upd, ok := u.TapButton(label)
	if !ok {
		h.t.Fatalf("no button %q on screen; chat:\n%s", label, h.transcript(u.Chat.ID))
	}
	return h.during(u, func() { h.deliver(upd) })
}

// tapFirst taps the first button of the newest message with buttons.
func (h *harness) tapFirst(u *telegramtest.User) []models.Message {
	h.t.Helper()
	msgs := h.api.Messages(u.Chat.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if m := msgs[i]; m.ReplyMarkup != nil && len(m.ReplyMarkup.InlineKeyboard) > 0 {
			return h.during(u, func() { h.deliver(u.Tap(m.ID, m.ReplyMarkup.InlineKeyboard[0][0].CallbackData)) })
		}
	}
	h.t.Fatalf("no buttons on screen; chat:\n%s", h.transcript(u.Chat.ID))
	return nil
}

// during runs f and returns the bot's messages sent meanwhile.
func (h *harness) during(u *telegramtest.User, f func()) []models.Message {
	before := len(h.api.Messages(u.Chat.ID))
	f()
	var out []models.Message
	for _, m := range h.api.Messages(u.Chat.ID)[before:] {
		if m.From != nil && m.From.ID == h.api.Bot.ID {
			out = append(out, m)
		}
	}
	return out
}

// T is a message as the user reads it (plain text).
func (h *harness) T(lang, key string, data ...map[string]any) string {
	h.t.Helper()
	var d map[string]any
	if len(data) > 0 {
		d = data[0]
	}
	s, err := h.r.T(lang, key, d)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (h *harness) session(chat int64) (engine.Session, error) {
	return h.store.Get(context.Background(), sessionKey(chat))
}

func (h *harness) sleeps() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.slept...)
}

// transcript renders a chat for failure messages.
func (h *harness) transcript(chat int64) string {
	var b strings.Builder
	for _, m := range h.api.Messages(chat) {
		who := "user"
		if m.From != nil && m.From.ID == h.api.Bot.ID {
			who = "bot"
		}
		b.WriteString("  [" + who + "] " + truncate(m.Text, 200))
		if m.ReplyMarkup != nil {
			for _, row := range m.ReplyMarkup.InlineKeyboard {
				for _, k := range row {
					b.WriteString(" [" + k.Text + "|" + k.CallbackData + "]")
				}
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// expect fails unless some message contains each of wants.
func expect(t *testing.T, msgs []models.Message, wants ...string) {
	t.Helper()
	for _, want := range wants {
		found := false
		for _, m := range msgs {
			if strings.Contains(m.Text, want) {
				found = true
			}
		}
		if !found {
			var got []string
			for _, m := range msgs {
				got = append(got, truncate(m.Text, 300))
			}
			t.Fatalf("no message contains %q; got %q", want, got)
		}
	}
}

// buttons lists the labels on a message.
func buttons(m models.Message) []string {
	var out []string
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				out = append(out, b.Text)
			}
		}
	}
	return out
}

func last(t *testing.T, msgs []models.Message) models.Message {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("the bot sent nothing")
	}
	return msgs[len(msgs)-1]
}

// redisStore is a store on the Redis at REDIS_URL when set (CI), else on
// an embedded miniredis; both outlive any bot, like a real Redis.
func redisStore(t *testing.T) store.Store {
	t.Helper()
	var client *redis.Client
	if url := os.Getenv("REDIS_URL"); url != "" {
		_, c, err := redisstore.Open(context.Background(), url, redisstore.Options{})
		if err != nil {
			t.Fatalf("REDIS_URL is set but unusable: %v", err)
		}
		client = c
	} else {
		client = redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
	}
	prefix := "disputebot-bot-test:" + strings.ReplaceAll(t.Name(), "/", "-") + ":" + time.Now().Format("150405.000000") + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		for it := client.Scan(ctx, 0, prefix+"*", 100).Iterator(); it.Next(ctx); {
			client.Del(ctx, it.Val())
		}
		client.Close()
	})
	return redisstore.New(client, redisstore.Options{Prefix: prefix})
}

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// called is a condition for telegramtest.Server.Wait: method succeeded.
func called(method string) func([]telegramtest.Call) bool {
	return func(calls []telegramtest.Call) bool {
		for _, c := range calls {
			if c.Method == method && c.OK() {
				return true
			}
		}
		return false
	}
}

// recorder is a minimal ResponseWriter for handler tests.
type recorder struct {
	code int
	h    http.Header
	body bytes.Buffer
}

func newRecorder() *recorder { return &recorder{code: 200, h: http.Header{}} }

func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
func (r *recorder) WriteHeader(code int)        { r.code = code }
