package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestBucketBurstThenSteady(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(Limits{PerChat: Rate{Every: time.Second, Burst: 3}, Global: Rate{Every: time.Second / 30, Burst: 30}}, clock.Now)
	var waits []time.Duration
	for range 5 {
		waits = append(waits, l.reserve(7, false))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits = %v, want %v", waits, want)
		}
	}
	// Another chat is not held up by the first one's queue.
	if w := l.reserve(8, false); w != 0 {
		t.Fatalf("another chat waits %v", w)
	}
	// After a quiet spell the burst is back.
	clock.Advance(10 * time.Second)
	if w := l.reserve(7, false); w != 0 {
		t.Fatalf("after a pause, wait %v", w)
	}
}

func TestGlobalLimitSpansChats(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(Limits{PerChat: Rate{Every: time.Second, Burst: 3}, Global: Rate{Every: time.Second / 30, Burst: 30}}, clock.Now)
	var last time.Duration
	for chat := range int64(60) {
		last = l.reserve(chat+1, false)
	}
	// 60 sends to 60 chats: 30 at once, the other 30 over the next second.
	if last < 900*time.Millisecond || last > 1100*time.Millisecond {
		t.Fatalf("60th send waits %v, want about 1s", last)
	}
}

func TestIdleChatBucketsAreForgotten(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(DefaultLimits, clock.Now)
	for chat := range int64(sweepAt) {
		l.reserve(chat+1, false)
	}
	clock.Advance(time.Minute)
	l.reserve(-1, false)
	if n := len(l.chats); n != 1 {
		t.Fatalf("%d chat buckets kept, want 1", n)
	}
}

// newTestSender is a sender against the fake server whose waits are
// recorded instead of slept.
func newTestSender(t *testing.T, api *telegramtest.Server) (*sender, *[]time.Duration) {
	t.Helper()
	c, err := tgbot.New(telegramtest.Token, tgbot.WithServerURL(api.URL()), tgbot.WithSkipGetMe(), tgbot.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	s := newSender(c, newJSONAPI(api.URL(), telegramtest.Token, &http.Client{}), slog.New(slog.NewTextHandler(io.Discard, nil)), func(int64) string { return "x" }, DefaultLimits, clock.Now)
	var mu sync.Mutex
	var slept []time.Duration
	s.sleep = func(ctx context.Context, d time.Duration) error {
		if d > 0 {
			mu.Lock()
			slept = append(slept, d)
			mu.Unlock()
			clock.Advance(d)
		}
		return ctx.Err()
	}
	return s, &slept
}

func TestSenderRetries(t *testing.T) {
	tests := []struct {
		name      string
		failures  []telegramtest.Failure
		wantErr   error // nil: delivered
		wantCalls int
		wantSlept []time.Duration
	}{
		{"429 waits retry_after then succeeds", []telegramtest.Failure{telegramtest.TooManyRequests(3)}, nil, 2, []time.Duration{3 * time.Second}},
		{"two 429 in a row", []telegramtest.Failure{telegramtest.TooManyRequests(1), telegramtest.TooManyRequests(2)}, nil, 3, []time.Duration{time.Second, 2 * time.Second}},
		{"retry_after is capped", []telegramtest.Failure{telegramtest.TooManyRequests(3600)}, nil, 2, []time.Duration{time.Minute}},
		{"5xx retried with backoff", []telegramtest.Failure{telegramtest.ServerError(), telegramtest.ServerError()}, nil, 3, []time.Duration{firstBackoff, 2 * firstBackoff}},
		// The request was read: the message may be in the chat. Repeating
		// it could show it twice (issue 11, defect 7).
		{"dropped connection after the request is not repeated", []telegramtest.Failure{{Drop: true}}, errUnsure, 1, nil},
		{"5xx gives up after three tries", []telegramtest.Failure{telegramtest.ServerError(), telegramtest.ServerError(), telegramtest.ServerError()}, errors.New("5xx"), 3, []time.Duration{firstBackoff, 2 * firstBackoff}},
		{"403 is not retried", []telegramtest.Failure{telegramtest.Blocked()}, errBlocked, 1, nil},
		{"400 is not retried", []telegramtest.Failure{{Code: 400, Description: "Bad Request: chat not found"}}, tgbot.ErrorBadRequest, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := telegramtest.New(t)
			s, slept := newTestSender(t, api)
			api.FailNext("sendMessage", tt.failures...)
			_, err := s.sendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"})
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v, want delivery", err)
			case tt.wantErr != nil && err == nil:
				t.Fatalf("delivered, want an error")
			case tt.wantErr == errBlocked || tt.wantErr == tgbot.ErrorBadRequest || tt.wantErr == errUnsure:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			}
			if n := len(api.Calls("sendMessage")); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
			if len(*slept) != len(tt.wantSlept) {
				t.Fatalf("slept %v, want %v", *slept, tt.wantSlept)
			}
			for i := range tt.wantSlept {
				if (*slept)[i] != tt.wantSlept[i] {
					t.Fatalf("slept %v, want %v", *slept, tt.wantSlept)
				}
			}
		})
	}
}

func TestSenderStopsSendingToABlockedChat(t *testing.T) {
	api := telegramtest.New(t)
	s, _ := newTestSender(t, api)
	ctx := context.Background()
	api.Block(5)
	for range 3 {
		if _, err := s.sendMessage(ctx, &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"}); !errors.Is(err, errBlocked) {
			t.Fatalf("err = %v, want errBlocked", err)
		}
	}
	if n := len(api.Calls("sendMessage")); n != 1 {
		t.Fatalf("%d calls to a blocked chat, want 1", n)
	}
	// Other chats are unaffected, and the user writing again lifts the block.
	if _, err := s.sendMessage(ctx, &tgbot.SendMessageParams{ChatID: int64(6), Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	api.Unblock(5)
	s.unblock(5)
	if _, err := s.sendMessage(ctx, &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"}); err != nil {
		t.Fatal(err)
	}
}

func TestSenderPacesAChat(t *testing.T) {
	api := telegramtest.New(t)
	s, slept := newTestSender(t, api)
	for range 5 {
		if _, err := s.sendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	// A burst of three, then one a second.
	if len(*slept) != 2 || (*slept)[0] != time.Second || (*slept)[1] != time.Second {
		t.Fatalf("slept %v, want [1s 1s]", *slept)
	}
}

func TestErrClassHidesText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{errors.New(`error decode response body for method sendMessage, {"text":"my phone is 13812345678"}, invalid`), "bad_response"},
		{errors.New("error response from telegram for method sendMessage, 502 Bad Gateway"), "server_error_502"},
		{errBlocked, "blocked"},
		{context.Canceled, "canceled"},
		{&tgbot.TooManyRequestsError{Message: "x", RetryAfter: 1}, "rate_limited"},
		{errors.Join(tgbot.ErrorBadRequest, errors.New("Bad Request: message is not modified: ...")), "bad_request: message is not modified"},
		{errors.Join(tgbot.ErrorBadRequest, errors.New("Bad Request: something about 张伟")), "bad_request"},
	}
	for _, tt := range tests {
		if got := errClass(tt.err); got != tt.want {
			t.Errorf("errClass(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
