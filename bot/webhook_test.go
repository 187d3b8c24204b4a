package bot

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

func TestWebhookSecret(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/hook", "right-secret_1"
	b := h.newBot(cfg)
	u := h.api.NewUser(2000, "Kong", "zh")

	for _, secret := range []string{"", "wrong", "right-secret_1x", "right-secret_"} {
		upd := u.Text("/start")
		if code := h.post(b, secret, upd); code != http.StatusUnauthorized {
			t.Fatalf("secret %q: status %d, want 401", secret, code)
		}
	}
	if n := len(h.api.Calls("sendMessage")); n != 0 {
		t.Fatalf("requests without the secret made the bot send %d messages", n)
	}
	upd := u.Text("/start")
	if code := h.post(b, "right-secret_1", upd); code != http.StatusOK {
		t.Fatalf("right secret: status %d", code)
	}
	h.waitHandled(upd.ID, 1)
	expect(t, h.api.Messages(u.Chat.ID), h.T("zh", "test.menu.pick"))

	// Not an update: refused, not fatal.
	req, _ := http.NewRequest(http.MethodPost, "/hook", strings.NewReader("{not json"))
	req.Header.Set(secretHeader, "right-secret_1")
	rec := newRecorder()
	b.Handler().ServeHTTP(rec, req)
	if rec.code != http.StatusBadRequest {
		t.Fatalf("junk body: status %d", rec.code)
	}
	// Only POST reaches the webhook.
	req, _ = http.NewRequest(http.MethodGet, "/hook", nil)
	rec = newRecorder()
	b.Handler().ServeHTTP(rec, req)
	if rec.code != http.StatusMethodNotAllowed {
		t.Fatalf("GET on the webhook: status %d", rec.code)
	}
}

func TestWebhookModeRun(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.WebhookURL, cfg.WebhookSecret, cfg.ListenAddr = "https://bot.example/tg/hook", "s3cret", "127.0.0.1:0"
	b := h.newBot(cfg)
	// Routes for later features (a summary page) go on the same server.
	b.Handle("GET /s/{token}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "summary "+r.PathValue("token"))
	}))
	addr := make(chan net.Addr, 1)
	b.listening = func(a net.Addr) { addr <- a }
	stop := h.run(b)
	base := "http://" + (<-addr).String()

	if !h.api.Wait(5*time.Second, called("setWebhook")) {
		t.Fatal("setWebhook was not called")
	}
	if url, secret := h.api.Webhook(); url != cfg.WebhookURL || secret != "s3cret" {
		t.Fatalf("webhook registered as %q with secret %q", url, secret)
	}
	for path, want := range map[string]string{"/healthz": "ok", "/s/abc": "summary abc"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != want {
			t.Fatalf("GET %s: %d %q", path, resp.StatusCode, body)
		}
	}
	u := h.api.NewUser(2100, "Pan", "en")
	upd := u.Text("/start")
	req, _ := http.NewRequest(http.MethodPost, base+"/tg/hook", strings.NewReader(mustJSON(t, upd)))
	req.Header.Set(secretHeader, "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("webhook: %s", resp.Status)
	}
	h.waitHandled(upd.ID, 1)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Stopped: the port is closed. The webhook stays registered, for the
	// next process.
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("still serving after Run returned")
	}
	if url, _ := h.api.Webhook(); url == "" {
		t.Fatal("the webhook was removed on shutdown")
	}
}

func TestPollingRemovesAWebhook(t *testing.T) {
	h := newHarness(t)
	hook := h.config()
	hook.WebhookURL, hook.WebhookSecret, hook.ListenAddr = "https://bot.example/hook", "s", "127.0.0.1:0"
	stop := h.run(h.newBot(hook))
	if !h.api.Wait(5*time.Second, called("setWebhook")) {
		t.Fatal("setWebhook was not called")
	}
	stop()
	// Back to long polling: the webhook must go, or getUpdates fails.
	h.start()
	u := h.api.NewUser(2200, "Ren", "en")
	expect(t, h.send(u, "/start"), h.T("en", "test.menu.pick"))
}

// slowDescriber blocks until released, to hold an update in flight.
type slowDescriber struct{ started, release chan struct{} }

func (d slowDescriber) Describe(string) (engine.Proposal, bool) {
	close(d.started)
	<-d.release
	return engine.Proposal{}, false
}

func TestShutdownFinishesUpdatesInFlight(t *testing.T) {
	h := newHarness(t)
	d := slowDescriber{started: make(chan struct{}), release: make(chan struct{})}
	cfg := h.config()
	cfg.Describer = d
	b := h.newBot(cfg)
	stop := h.run(b)
	u := h.api.NewUser(2300, "Shi", "en")
	upd := u.Text("my kettle broke")
	h.api.Push(upd)
	<-d.started

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// Run waits for the update in flight…
	select {
	case err := <-stopped:
		t.Fatalf("Run returned (%v) with an update in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(d.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	// …which was answered before it returned.
	expect(t, h.api.Messages(u.Chat.ID), h.T("en", "test.menu.pick"))
	// And no new update is taken after the stop.
	if err := b.lanes.run(1, func() {}); err != errClosed {
		t.Fatalf("lanes after Run: %v", err)
	}
}

func TestNewRefusesABadToken(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.Token = "123:not-the-right-one"
	_, err := New(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "rejected the bot token") || strings.Contains(err.Error(), cfg.Token) {
		t.Fatalf("err = %v", err)
	}
	cfg = h.config()
	cfg.APIURL = "http://127.0.0.1:1"
	_, err = New(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "cannot reach") || strings.Contains(err.Error(), cfg.Token) {
		t.Fatalf("err = %v", err)
	}
}
