package bot

import (
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A webhook update is acknowledged only once it is applied, so nothing
// acknowledged can be lost (issue 11, defect 9).
func TestWebhookAcknowledgesOnceApplied(t *testing.T) {
	h := newHarness(t)
	d := slowDescriber{started: make(chan struct{}), release: make(chan struct{})}
	cfg := h.config()
	cfg.Describer = d
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/hook", "s"
	b := h.newBot(cfg)
	u := h.api.NewUser(7200, "Qi", "en")
	upd := u.Text("my kettle broke")
	code := make(chan int, 1)
	go func() { code <- h.post(b, "s", upd) }()
	<-d.started
	select {
	case c := <-code:
		t.Fatalf("answered %d before the update was applied", c)
	case <-time.After(100 * time.Millisecond):
	}
	close(d.release)
	if c := <-code; c != http.StatusOK {
		t.Fatalf("webhook answered %d", c)
	}
	s, err := h.session(u.Chat.ID)
	if err != nil || !slices.Contains(s.Recent, strconv.FormatInt(upd.ID, 10)) {
		t.Fatalf("acknowledged but not applied: %v, recent %v", err, s.Recent)
	}
	// The same update again, once applied: acknowledged at once.
	if c := h.post(b, "s", upd); c != http.StatusOK {
		t.Fatalf("redelivery answered %d", c)
	}
}

// An update still not applied when the shutdown grace ends is answered
// 503, for Telegram to deliver again, rather than 200 and lost.
func TestWebhookUpdateNotAppliedInTheGraceIsRefused(t *testing.T) {
	h := newHarness(t)
	d := slowDescriber{started: make(chan struct{}), release: make(chan struct{})}
	cfg := h.config()
	cfg.Describer = d
	cfg.WebhookURL, cfg.WebhookSecret, cfg.ListenAddr = "https://bot.example/hook", "s", "127.0.0.1:0"
	cfg.ShutdownTimeout = 200 * time.Millisecond
	b := h.newBot(cfg)
	addr := make(chan net.Addr, 1)
	b.listening = func(a net.Addr) { addr <- a }
	stop := h.run(b)
	base := "http://" + (<-addr).String()
	if !h.api.Wait(5*time.Second, called("setWebhook")) {
		t.Fatal("setWebhook was not called")
	}
	u := h.api.NewUser(7300, "Ma", "en")
	code := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, base+"/hook", strings.NewReader(mustJSON(t, u.Text("my kettle broke"))))
		req.Header.Set(secretHeader, "s")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			code <- 0 // no answer at all is as good: not acknowledged
			return
		}
		resp.Body.Close()
		code <- resp.StatusCode
	}()
	<-d.started
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	if c := <-code; c == http.StatusOK {
		t.Fatal("an update not applied was acknowledged with 200")
	}
	close(d.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}
