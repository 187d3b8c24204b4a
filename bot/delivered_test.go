package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

// A send whose answer was lost after Telegram delivered it is not sent
// again; one that is known not to have gone out is (issue 11, defect 7).
func TestSendsAreNotRepeatedOnceTheyMayHaveLanded(t *testing.T) {
	badGateway := telegramtest.Failure{Code: http.StatusBadGateway, Body: "<html><body><h1>502 Bad Gateway</h1></body></html>", Applied: true}
	tests := []struct {
		name      string
		failures  []telegramtest.Failure
		wantErr   error // nil: delivered without error
		wantSent  int   // messages in the chat
		wantCalls int
	}{
		{"502 from a gateway after delivery", []telegramtest.Failure{badGateway}, errUnsure, 1, 1},
		{"JSON 502 after delivery", []telegramtest.Failure{{Code: 502, Description: "Bad Gateway", Applied: true}}, errUnsure, 1, 1},
		{"timeout after delivery", []telegramtest.Failure{{Hang: true, Applied: true}}, errUnsure, 1, 1},
		{"reset after delivery", []telegramtest.Failure{{Drop: true, Applied: true}}, errUnsure, 1, 1},
		{"the API's own 500 is retried", []telegramtest.Failure{telegramtest.ServerError()}, nil, 1, 2},
		{"429 is retried", []telegramtest.Failure{telegramtest.TooManyRequests(1)}, nil, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := telegramtest.New(t)
			s := shortTimeoutSender(t, api.URL())
			api.FailNext("sendMessage", tt.failures...)
			_, err := s.sendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"})
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if n := len(api.Messages(5)); n != tt.wantSent {
				t.Errorf("%d messages in the chat, want %d", n, tt.wantSent)
			}
			if n := len(api.Calls("sendMessage")); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
		})
	}
}

// A refused connection never carried the message: it is retried.
func TestSendRetriesARefusedConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	s := shortTimeoutSender(t, "http://"+addr)
	p := &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"}
	body, err := encodeParams("sendMessage", p)
	if err != nil {
		t.Fatal(err)
	}
	// Both ways out: go-telegram/bot's and the JSON one.
	calls := map[string]func(ctx context.Context) error{
		"go-telegram": func(ctx context.Context) error { _, err := s.api.SendMessage(ctx, p); return err },
		"json":        func(ctx context.Context) error { _, err := s.hot.sendMessage(ctx, body); return err },
	}
	for name, call := range calls {
		tries := 0
		err = s.do(context.Background(), 5, "sendMessage", true, func(ctx context.Context) error {
			tries++
			return call(ctx)
		})
		if err == nil || errors.Is(err, errUnsure) || tries != maxTries {
			t.Fatalf("%s: err = %v after %d tries, want a plain failure after %d", name, err, tries, maxTries)
		}
	}
}

// shortTimeoutSender is a sender whose HTTP client gives up after a
// fraction of a second (a hung Bot API) and whose backoffs are skipped.
func shortTimeoutSender(t *testing.T, url string) *sender {
	t.Helper()
	client := &http.Client{Timeout: 300 * time.Millisecond}
	c, err := tgbot.New(telegramtest.Token, tgbot.WithServerURL(url), tgbot.WithSkipGetMe(), tgbot.WithErrorsHandler(func(error) {}),
		tgbot.WithHTTPClient(time.Second, client))
	if err != nil {
		t.Fatal(err)
	}
	s := newSender(c, newJSONAPI(url, telegramtest.Token, client), slog.New(slog.NewTextHandler(io.Discard, nil)), func(int64) string { return "x" }, fast, time.Now)
	s.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return s
}

// The user gets the message once and no apology when its answer was lost.
func TestNoApologyForAMessageThatMayHaveLanded(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(7100, "Lu", "en")
	h.api.FailNext("sendMessage", telegramtest.Failure{Code: http.StatusBadGateway, Body: "<html>502</html>", Applied: true})
	got := h.send(u, "/help")
	if len(got) != 1 {
		t.Fatalf("%d messages, want the one delivered:\n%s", len(got), h.transcript(u.Chat.ID))
	}
	for _, m := range got {
		if strings.Contains(m.Text, "Sorry") {
			t.Fatalf("apology for a delivered message: %q", m.Text)
		}
	}
}

// A Bot API that delivers and then never answers: the user has the
// message once and no apology (the bot's client gives up after its
// timeout).
func TestTimeoutAfterDeliveryIsNotRepeated(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/hook", "s"
	cfg.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	b := h.newBot(cfg)
	u := h.api.NewUser(7400, "Hu", "en")
	h.api.FailNext("sendMessage", telegramtest.Failure{Hang: true, Applied: true})
	upd := u.Text("/help")
	if c := h.post(b, "s", upd); c != http.StatusOK {
		t.Fatalf("webhook answered %d", c)
	}
	h.waitHandled(upd.ID, 1)
	msgs := h.api.Messages(u.Chat.ID)
	n := 0
	for _, m := range msgs {
		if m.From != nil && m.From.ID == h.api.Bot.ID {
			n++
			if strings.Contains(m.Text, "Sorry") {
				t.Fatalf("apology for a delivered message: %q", m.Text)
			}
		}
	}
	if n != 1 || len(h.api.Calls("sendMessage")) != 1 {
		t.Fatalf("%d messages from %d sends, want 1 and 1:\n%s", n, len(h.api.Calls("sendMessage")), h.transcript(u.Chat.ID))
	}
}
