package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
)

// clock is a settable clock for the advisor and the reminder sender.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func cst(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, engine.China)
}

// withReminders gives the test catalog's quality_defect outcome the 15-day
// 三包 deadline (from the date received) and the bot a reminder store and
// a settable clock.
func withReminders(h *harness, clk *clock) func(*Config) {
	return func(c *Config) {
		c.Catalog.Trees["quality_defect"].Nodes["advice"].Outcome.Deadlines = []engine.DeadlineSpec{{Rule: "sanbao_exchange", From: "received"}}
		c.Reminders = h.store.(store.Reminders)
		c.Now = clk.Now
		c.RemindEvery = time.Hour // the tests call SendReminders themselves
	}
}

// toDeadline walks u to the quality_defect outcome, received on 20
// November: the 15-day deadline's last day is 5 December.
func toDeadline(t *testing.T, h *harness, u *telegramtest.User, lang string) []models.Message {
	t.Helper()
	h.send(u, "/new")
	h.tap(u, h.T(lang, "category.quality_defect"))
	h.tap(u, h.T(lang, "test.qd.opt.broken"))
	h.tap(u, h.T(lang, "test.qd.opt.online"))
	h.send(u, "299")
	msgs := h.send(u, "2026-11-20")
	expect(t, msgs, h.T(lang, "test.qd.title"))
	return msgs
}

func remindOn(t *testing.T, h *harness, u *telegramtest.User, lang string) {
	t.Helper()
	expect(t, h.tap(u, h.T(lang, "remind.button.on")), strings.Split(h.T(lang, "remind.on", map[string]any{"Next": "X"}), "X")[0])
}

// sendDue runs b's sender and returns what u got.
func sendDue(h *harness, b *Bot, u *telegramtest.User) (int, []models.Message) {
	var n int
	msgs := h.during(u, func() { n = b.SendReminders(context.Background()) })
	return n, msgs
}

// The acceptance path: a consultation reaches an outcome, the user taps
// "Remind me", the clock moves, each reminder arrives once in the user's
// language (never at night), and "Stop reminders" stops the rest.
func TestRemindMeEndToEnd(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			clk := &clock{now: today}
			b := h.start(withReminders(h, clk))
			u := h.api.NewUser(int64(3000+i), "Lin", l.code)
			msgs := toDeadline(t, h, u, l.lang)
			if !slices.Contains(buttons(last(t, msgs)), h.T(l.lang, "remind.button.on")) {
				t.Fatalf("no Remind me under the outcome: %q", buttons(last(t, msgs)))
			}
			remindOn(t, h, u, l.lang)

			// 29 November, 08:00 China time: the follow-up is due at 09:00.
			clk.Set(cst(11, 29, 8))
			if n, got := sendDue(h, b, u); n != 0 || len(got) != 0 {
				t.Fatalf("sent %d before the morning", n)
			}
			clk.Set(cst(11, 29, 9))
			n, got := sendDue(h, b, u)
			if n != 1 {
				t.Fatalf("sent %d at 09:00, want the follow-up", n)
			}
			expect(t, got, h.T(l.lang, "remind.title.followup"))
			if want := []string{h.T(l.lang, "remind.button.solved"), h.T(l.lang, "remind.button.platform"), h.T(l.lang, "remind.button.12315"),
				h.T(l.lang, "remind.button.filed"), h.T(l.lang, "remind.button.show"), h.T(l.lang, "remind.button.stop")}; !slices.Equal(buttons(got[0]), want) {
				t.Fatalf("follow-up buttons %q", buttons(got[0]))
			}
			if n, _ := sendDue(h, b, u); n != 0 {
				t.Fatalf("the follow-up was sent again")
			}

			// 3 December, late: night in China; the next morning it comes.
			clk.Set(cst(12, 3, 22))
			if n, _ := sendDue(h, b, u); n != 0 {
				t.Fatal("sent at night")
			}
			clk.Set(cst(12, 4, 9).Add(5 * time.Minute))
			n, got = sendDue(h, b, u)
			if n != 1 {
				t.Fatalf("sent %d on the 4th, want the 2-days-before reminder", n)
			}
			m := got[0]
			name := h.T(l.lang, "deadline.sanbao_exchange", map[string]any{"From": render.Date(l.lang, "2026-11-20")})
			// Sent a day late (the night passed): it says 1 day is left.
			expect(t, got, h.T(l.lang, "remind.deadline", map[string]any{"Name": name, "Due": render.Date(l.lang, "2026-12-05")}),
				map[string]string{"en": "Reminder: 1 day left", "zh": "还剩1天"}[l.lang])
			if want := []string{h.T(l.lang, "remind.button.done"), h.T(l.lang, "remind.button.show"), h.T(l.lang, "remind.button.stop")}; !slices.Equal(buttons(m), want) {
				t.Fatalf("reminder buttons %q", buttons(m))
			}

			// "Show the case" sends the summary; "Stop reminders" stops.
			expect(t, h.tap(u, h.T(l.lang, "remind.button.show")), h.T(l.lang, "test.qd.title"))
			expect(t, h.tap(u, h.T(l.lang, "remind.button.stop")), h.T(l.lang, "remind.off"))
			clk.Set(cst(12, 5, 10))
			if n, _ := sendDue(h, b, u); n != 0 {
				t.Fatalf("sent %d after Stop reminders", n)
			}
			if strings.Contains(h.transcript(u.Chat.ID), h.T(l.lang, "bot.notice.sorry")) {
				t.Fatalf("the bot apologised:\n%s", h.transcript(u.Chat.ID))
			}
		})
	}
}

func TestRemindDoneAndCommand(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	b := h.start(withReminders(h, clk))
	u := h.api.NewUser(3100, "Zhou", "en")
	expect(t, h.send(u, "/remind on"), h.T("en", "remind.none"))
	toDeadline(t, h, u, "en")
	expect(t, h.send(u, "/remind on"), "Reminders are on")
	expect(t, h.send(u, "/remind"), h.T("en", "remind.usage"))
	expect(t, h.send(u, "/privacy"), h.T("en", "remind.privacy"))
	clk.Set(cst(12, 3, 9))
	if n, _ := sendDue(h, b, u); n != 2 { // the follow-up and 2 days before
		t.Fatalf("sent %d", n)
	}
	expect(t, h.tap(u, h.T("en", "remind.button.done")), h.T("en", "remind.done"))
	clk.Set(cst(12, 5, 9))
	if n, _ := sendDue(h, b, u); n != 0 {
		t.Fatal("Done did not stop that deadline's reminders")
	}
	// /remind off, and a new case, leave nothing.
	clk.Set(today)
	toDeadline(t, h, u, "en")
	expect(t, h.send(u, "/remind on"), "Reminders are on")
	expect(t, h.send(u, "/remind off"), h.T("en", "remind.off"))
	if rs, _ := h.store.(store.Reminders).Reminders(context.Background(), sessionKey(u.Chat.ID)); len(rs) != 0 {
		t.Fatalf("after /remind off: %+v", rs)
	}
}

// A user who blocked the bot is written to once: the 403 deletes the
// chat's reminders, nothing is retried.
func TestRemindBlockedChat(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	b := h.start(withReminders(h, clk))
	u := h.api.NewUser(3200, "Qian", "en")
	toDeadline(t, h, u, "en")
	remindOn(t, h, u, "en")
	h.api.Block(u.Chat.ID)
	clk.Set(cst(12, 3, 9))
	before := len(h.api.Calls("sendMessage"))
	if n, _ := sendDue(h, b, u); n != 0 {
		t.Fatalf("sent %d to a blocked chat", n)
	}
	if got := len(h.api.Calls("sendMessage")) - before; got != 1 {
		t.Fatalf("%d sendMessage calls to a blocked chat, want 1", got)
	}
	if rs, _ := h.store.(store.Reminders).Reminders(context.Background(), sessionKey(u.Chat.ID)); len(rs) != 0 {
		t.Fatalf("a blocked chat's reminders are kept: %+v", rs)
	}
	clk.Set(cst(12, 5, 9))
	if n, _ := sendDue(h, b, u); n != 0 || len(h.api.Calls("sendMessage")) != before+1 {
		t.Fatal("a blocked chat was tried again")
	}
}

// A 429 is waited out as Telegram asks, through the bot's sender; the
// reminder then arrives once.
func TestRemindTooManyRequests(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	b := h.start(withReminders(h, clk))
	u := h.api.NewUser(3300, "Sun", "en")
	toDeadline(t, h, u, "en")
	remindOn(t, h, u, "en")
	clk.Set(cst(11, 29, 10))
	h.api.FailNext("sendMessage", telegramtest.TooManyRequests(7))
	n, got := sendDue(h, b, u)
	if n != 1 || len(got) != 1 {
		t.Fatalf("sent %d (%d messages), want the follow-up once", n, len(got))
	}
	if !slices.Contains(h.sleeps(), 7*time.Second) {
		t.Fatalf("waits %v, want retry_after of 7s", h.sleeps())
	}
	// Telegram down for good: the reminder is put back and tried later,
	// not lost and not retried at once.
	for range 3 {
		h.api.FailNext("sendMessage", telegramtest.ServerError())
	}
	clk.Set(cst(12, 3, 9))
	if n, _ := sendDue(h, b, u); n != 0 {
		t.Fatalf("sent %d while Telegram fails", n)
	}
	rs, _ := h.store.(store.Reminders).Reminders(context.Background(), sessionKey(u.Chat.ID))
	if len(rs) == 0 || rs[0].Tries != 1 || !rs[0].At.After(cst(12, 3, 9)) {
		t.Fatalf("after a failed send: %+v", rs)
	}
	clk.Set(rs[0].At)
	if n, _ := sendDue(h, b, u); n != 1 {
		t.Fatalf("the retry sent %d", n)
	}
}

// Two replicas on one Redis, racing: each reminder reaches the user once.
// A replica that dies holding a claim delays its reminders until the lease
// ends, then another sends them; a restarted bot finds them in Redis.
func TestRemindReplicas(t *testing.T) {
	h := newHarness(t)
	h.store = redisStore(t)
	clk := &clock{now: today}
	a := h.start(withReminders(h, clk))
	// The other replica sends reminders only: two bots polling one fake
	// Bot API would race for the conversation's updates.
	cfg := h.config()
	withReminders(h, clk)(&cfg)
	b := h.newBot(cfg)
	var users []*telegramtest.User
	for i := range 3 {
		u := h.api.NewUser(int64(3400+i), "Wu", "zh-hans")
		toDeadline(t, h, u, "zh")
		remindOn(t, h, u, "zh")
		users = append(users, u)
	}
	clk.Set(cst(12, 3, 9))
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 4 {
		for _, bot := range []*Bot{a, b} {
			wg.Go(func() {
				n := bot.SendReminders(context.Background())
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	if total != 2*len(users) {
		t.Fatalf("sent %d, want %d (follow-up and 2 days before, for each user)", total, 2*len(users))
	}
	for _, u := range users {
		var titles []string
		for _, m := range h.api.Messages(u.Chat.ID) {
			if strings.HasPrefix(m.Text, "⏰") || strings.HasPrefix(m.Text, "👋") {
				titles = append(titles, strings.SplitN(m.Text, "\n", 2)[0])
			}
		}
		if want := []string{h.T("zh", "remind.title.followup"), h.T("zh", "remind.title.before", map[string]any{"Days": 2})}; !slices.Equal(titles, want) &&
			!slices.Equal(titles, []string{want[1], want[0]}) {
			t.Fatalf("user %d got %q", u.Chat.ID, titles)
		}
	}

	// A replica claims the last-day reminders and dies.
	rems := h.store.(store.Reminders)
	clk.Set(cst(12, 5, 9))
	dead, err := rems.ClaimReminders(context.Background(), clk.Now(), "tg:", remindLease, 10)
	if err != nil || len(dead) != len(users) {
		t.Fatalf("claim: %d, %v", len(dead), err)
	}
	if n := a.SendReminders(context.Background()); n != 0 {
		t.Fatalf("sent %d reminders a live lease holds", n)
	}
	// A restart: a new bot on the same Redis, after the lease ended.
	c := h.newBot(cfg)
	clk.Set(cst(12, 5, 9).Add(remindLease))
	if n := c.SendReminders(context.Background()); n != len(users) {
		t.Fatalf("after the lease ended, sent %d, want %d", n, len(users))
	}
	if err := rems.FinishReminder(context.Background(), dead[0]); err == nil {
		t.Fatal("the dead replica's claim still finishes")
	}
	if n := a.SendReminders(context.Background()) + b.SendReminders(context.Background()); n != 0 {
		t.Fatalf("sent %d again", n)
	}
}

// A reminder about a deadline the case no longer has (the user changed an
// answer, or started anew) is dropped, not sent.
func TestRemindDroppedWhenTheCaseChanged(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	b := h.start(withReminders(h, clk))
	u := h.api.NewUser(3500, "Zheng", "en")
	toDeadline(t, h, u, "en")
	remindOn(t, h, u, "en")
	// Behind the advisor's back, the received date changes.
	s, _ := h.session(u.Chat.ID)
	s.Facts["received"] = "2026-11-22"
	if _, err := h.store.Put(context.Background(), sessionKey(u.Chat.ID), s); err != nil {
		t.Fatal(err)
	}
	clk.Set(cst(12, 3, 9))
	if n, got := sendDue(h, b, u); n != 1 || !strings.Contains(got[0].Text, h.T("en", "remind.title.followup")) {
		t.Fatalf("sent %d: %v; want only the follow-up", n, got)
	}
	if rs, _ := h.store.(store.Reminders).Reminders(context.Background(), sessionKey(u.Chat.ID)); len(rs) != 1 || rs[0].Due != "2026-12-05" || rs[0].ID != "before0:sanbao_exchange:2026-12-05" {
		t.Fatalf("left %+v", rs)
	}
}

// TestRemindMessages checks locales/remind.*.yaml: every key renders in
// both languages and button labels fit a phone.
func TestRemindMessages(t *testing.T) {
	r := testRenderer(t)
	data := map[string]any{"Next": "x", "Days": 2, "Name": "x", "Due": "x", "Cite": "x", "Do": "x"}
	for _, k := range remind.Keys() {
		for _, lang := range []string{render.EN, render.ZH} {
			s, err := r.T(lang, k, data)
			if err != nil && k != "remind.title.before" {
				t.Errorf("%s (%s): %v", k, lang, err)
			}
			if strings.HasPrefix(k, "remind.button.") && utf16Len(s) > 30 {
				t.Errorf("%s (%s): a button label this long is cut on a phone", k, lang)
			}
		}
	}
	for _, data := range []string{"r:on:abc", "r:done:sanbao_exchange", "r:show", "r:stop", "r:solved", "r:filed"} {
		if _, ok := parseTap(data); !ok {
			t.Errorf("%s refused", data)
		}
	}
	for _, data := range []string{"r:on:", "r:on:A B", "r:done:", "r:show:x", "r:nope", "r:"} {
		if _, ok := parseTap(data); ok {
			t.Errorf("%s accepted", data)
		}
	}
}
