package bot

import (
	"context"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

// useClock makes the sender pace by clock, for tests; call it before Run.
func (s *sender) useClock(now func() time.Time) {
	s.now = now
	s.limit = newLimiter(s.limit.limits, now)
}

// A person tapping three answers in two seconds sees each next question at
// once: the replies to their own taps are not paced, whatever the limits on
// what the bot sends on its own.
func TestTapsInQuickSuccessionAreAnsweredAtOnce(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.Limits = DefaultLimits
	b := h.newBot(cfg)
	clock := newFakeClock()
	b.out.useClock(clock.Now)
	h.run(b)
	u := h.api.NewUser(300, "Wei", "en")

	h.send(u, "/start")
	taps := []struct{ label, next string }{
		{"category.quality_defect", "test.qd.what"},
		{"test.qd.opt.broken", "test.qd.bought"},
		{"test.qd.opt.online", "test.qd.price"},
	}
	for _, tp := range taps {
		clock.Advance(600 * time.Millisecond)
		expect(t, h.tap(u, h.T("en", tp.label)), h.T("en", tp.next))
	}
	if w := h.sleeps(); len(w) != 0 {
		t.Fatalf("replies to taps waited %v, want none", w)
	}
	// Each tap edited its question and sent the next one: six paced sends
	// in under two seconds, twice what Telegram's per-chat pace for the
	// bot's own sends would let through at once.
	if n := len(h.api.Calls("editMessageText")); n != 3 {
		t.Fatalf("%d edits, want 3", n)
	}
}

func TestRepliesGoOutAtOnceUntilAFlood(t *testing.T) {
	api := telegramtest.New(t)
	s, slept := newTestSender(t, api)
	ctx := asReply(context.Background())
	for range DefaultLimits.Reply.Burst + 2 {
		if _, err := s.sendMessage(ctx, &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	// A burst far beyond any person's taps goes at once; a flood from one
	// chat is then held to the reply pace.
	every := DefaultLimits.Reply.Every
	if len(*slept) != 2 || (*slept)[0] != every || (*slept)[1] != every {
		t.Fatalf("slept %v, want [%v %v]", *slept, every, every)
	}
}

func TestA429IsLearned(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(DefaultLimits, clock.Now)
	l.hold(5, 3*time.Second)
	tests := []struct {
		name  string
		chat  int64
		reply bool
		want  time.Duration
	}{
		{"a reply to the chat told to wait", 5, true, 3 * time.Second},
		{"the bot's own send to that chat", 5, false, 3 * time.Second},
		{"the bot's own send to another chat", 6, false, 3 * time.Second},
		{"a reply to another chat", 6, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.reserve(tt.chat, tt.reply); got != tt.want {
				t.Fatalf("wait %v, want %v", got, tt.want)
			}
		})
	}
	clock.Advance(3 * time.Second)
	if got := l.reserve(5, true); got != 0 {
		t.Fatalf("after retry_after, wait %v", got)
	}
}

func TestRepliesHoldTheBotsOwnSendsBack(t *testing.T) {
	clock := newFakeClock()
	l := newLimiter(DefaultLimits, clock.Now)
	for chat := range int64(30) {
		if w := l.reserve(chat+1, true); w != 0 {
			t.Fatalf("reply %d waits %v", chat, w)
		}
	}
	// The global bucket is spent by replies: a broadcast waits its turn.
	if w := l.reserve(100, false); w <= 0 {
		t.Fatal("the bot's own send did not yield to replies")
	}
}

func TestPacingOff(t *testing.T) {
	api := telegramtest.New(t)
	c, err := tgbot.New(telegramtest.Token, tgbot.WithServerURL(api.URL()), tgbot.WithSkipGetMe(), tgbot.WithErrorsHandler(func(error) {}))
	if err != nil {
		t.Fatal(err)
	}
	s, slept := newTestSender(t, api)
	s.api = c
	s.limit = newLimiter(NoPacing, s.now)
	for range 10 {
		if _, err := s.sendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(*slept) != 0 {
		t.Fatalf("slept %v with pacing off", *slept)
	}
	// A 429 is still waited out.
	api.FailNext("sendMessage", telegramtest.TooManyRequests(2))
	if _, err := s.sendMessage(context.Background(), &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if len(*slept) != 1 || (*slept)[0] != 2*time.Second {
		t.Fatalf("slept %v, want [2s]", *slept)
	}
}
