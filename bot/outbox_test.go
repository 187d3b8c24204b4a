package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
)

// withOutbox gives the bot the harness store's outbox and clk as its clock;
// the tests pay debts themselves.
func withOutbox(h *harness, clk *clock) func(*Config) {
	return func(c *Config) {
		c.Outbox = h.store.(*memstore.Store).Outbox()
		c.Now = clk.Now
		c.OutboxEvery = time.Hour
	}
}

// serverDown is the Bot API failing every try the sender makes.
func serverDown() []telegramtest.Failure {
	fs := make([]telegramtest.Failure, maxTries)
	for i := range fs {
		fs[i] = telegramtest.ServerError()
	}
	return fs
}

func debts(t *testing.T, h *harness, chat int64) []remind.Reminder {
	t.Helper()
	rs, err := h.store.(*memstore.Store).Outbox().Reminders(context.Background(), sessionKey(chat))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// toBroken walks u into quality_defect and makes Telegram refuse the
// reply to the next tap (failures), then taps "broken": the step is
// saved, its reply not delivered.
func toBroken(t *testing.T, h *harness, u *telegramtest.User, failures ...telegramtest.Failure) {
	t.Helper()
	h.send(u, "/start")
	h.tap(u, h.T("en", "category.quality_defect"))
	h.api.FailNext("sendMessage", failures...)
	if got := h.tap(u, h.T("en", "test.qd.opt.broken")); len(got) != 0 {
		t.Fatalf("the failing API delivered %d messages", len(got))
	}
	s, err := h.session(u.Chat.ID)
	if err != nil || s.Node != "bought" {
		t.Fatalf("the step was not saved: at %q (%v)", s.Node, err)
	}
}

// The replies of a saved step whose sends fail for good (500 × 3, 429 ×
// 6) are owed and delivered later, once, with where the case stands; no
// apology is sent meanwhile (issue 11, defect 8).
func TestOwedRepliesArePaidLater(t *testing.T) {
	var tooMany []telegramtest.Failure
	for range max429 + 1 {
		tooMany = append(tooMany, telegramtest.TooManyRequests(1))
	}
	for _, tt := range []struct {
		name     string
		failures []telegramtest.Failure
	}{{"500 three times", serverDown()}, {"429 six times", tooMany}} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			clk := &clock{now: today}
			m := newMetricsRecorder()
			b := h.start(withOutbox(h, clk), func(c *Config) { c.Metrics = m })
			u := h.api.NewUser(4100, "Lin", "en")
			toBroken(t, h, u, tt.failures...)

			ds := debts(t, h, u.Chat.ID)
			if len(ds) != 1 || ds[0].Kind != debtKind || !strings.HasPrefix(ds[0].ID, debtPrefix) || !ds[0].At.After(today) {
				t.Fatalf("debts %+v, want one due after now", ds)
			}
			if n := b.PayDebts(context.Background()); n != 0 {
				t.Fatalf("paid %d before it was due", n)
			}
			clk.Set(ds[0].At)
			var n int
			got := h.during(u, func() { n = b.PayDebts(context.Background()) })
			if n != 1 || len(got) != 1 {
				t.Fatalf("paid %d with %d messages, want 1 and 1", n, len(got))
			}
			expect(t, got, h.T("en", "bot.notice.owed"), h.T("en", "test.qd.bought"))
			if bs := buttons(got[0]); len(bs) == 0 || bs[0] != h.T("en", "test.qd.opt.online") {
				t.Fatalf("the owed question's buttons: %q", bs)
			}
			if len(debts(t, h, u.Chat.ID)) != 0 {
				t.Fatal("the debt is still there once paid")
			}
			if n := b.PayDebts(context.Background()); n != 0 {
				t.Fatalf("paid again: %d", n)
			}
			if m.get("owed recorded") != 1 || m.get("owed paid") != 1 {
				t.Errorf("metrics %v", m.counts)
			}
			for _, msg := range h.api.Messages(u.Chat.ID) {
				if strings.Contains(msg.Text, h.T("en", "bot.notice.sorry")) {
					t.Fatal("an apology was sent for a reply that is owed")
				}
			}
			// The conversation goes on from the owed question.
			expect(t, h.tap(u, h.T("en", "test.qd.opt.online")), h.T("en", "test.qd.price"), h.T("en", "input.hint.money"))
		})
	}
}

// A debt is void once the chat moved on (a newer update got its replies)
// or the case is gone; it is settled without a message.
func TestOwedRepliesVoid(t *testing.T) {
	for _, tt := range []struct {
		name  string
		after func(h *harness, u *telegramtest.User)
	}{
		{"the user went on", func(h *harness, u *telegramtest.User) { h.send(u, "/help") }},
		{"the case is gone", func(h *harness, u *telegramtest.User) {
			if err := h.store.Delete(context.Background(), sessionKey(u.Chat.ID)); err != nil {
				h.t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			clk := &clock{now: today}
			b := h.start(withOutbox(h, clk))
			u := h.api.NewUser(4200, "Sun", "en")
			toBroken(t, h, u, serverDown()...)
			tt.after(h, u)
			clk.Set(today.Add(time.Hour))
			var n int
			got := h.during(u, func() { n = b.PayDebts(context.Background()) })
			if n != 0 || len(got) != 0 {
				t.Fatalf("paid %d (%d messages) for a void debt", n, len(got))
			}
			if ds := debts(t, h, u.Chat.ID); len(ds) != 0 {
				t.Fatalf("a void debt is kept: %+v", ds)
			}
		})
	}
}

// A debt Telegram keeps refusing is tried a bounded number of times, each
// later than the last, then dropped.
func TestOwedRepliesGiveUp(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	b := h.start(withOutbox(h, clk))
	u := h.api.NewUser(4300, "Wu", "en")
	toBroken(t, h, u, serverDown()...)
	last := today
	for try := 1; ; try++ {
		ds := debts(t, h, u.Chat.ID)
		if len(ds) == 0 {
			if try != owedTries+1 {
				t.Fatalf("dropped after %d tries, want %d", try-1, owedTries)
			}
			break
		}
		if !ds[0].At.After(last) || ds[0].Tries != try-1 {
			t.Fatalf("try %d: debt %+v, want one due after %v with %d tries", try, ds[0], last, try-1)
		}
		last = ds[0].At
		clk.Set(last)
		h.api.FailNext("sendMessage", serverDown()...)
		if n := b.PayDebts(context.Background()); n != 0 {
			t.Fatalf("try %d paid while Telegram fails", try)
		}
	}
}

// A reply cut short by the end of the shutdown grace is owed, due at once,
// and the next process pays it at start (issue 11, defect 9).
func TestOwedRepliesSurviveShutdown(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	cfg := h.config()
	withOutbox(h, clk)(&cfg)
	cfg.ShutdownTimeout = 200 * time.Millisecond
	b := h.newBot(cfg)
	stop := h.run(b)
	u := h.api.NewUser(4400, "Zhao", "en")
	h.send(u, "/start")
	h.tap(u, h.T("en", "category.quality_defect"))
	// The reply hangs; the bot is stopped meanwhile.
	h.api.FailNext("sendMessage", telegramtest.Failure{Hang: true})
	upd, ok := u.TapButton(h.T("en", "test.qd.opt.broken"))
	if !ok {
		t.Fatal("no button")
	}
	before := len(h.api.Calls("sendMessage"))
	h.api.Push(upd)
	if !h.api.Wait(5*time.Second, func(calls []telegramtest.Call) bool {
		n := 0
		for _, c := range calls {
			if c.Method == "sendMessage" {
				n++
			}
		}
		return n > before
	}) {
		t.Fatal("the reply was never sent")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	ds := debts(t, h, u.Chat.ID)
	if len(ds) != 1 || ds[0].At.After(today) {
		t.Fatalf("debts after shutdown %+v, want one due now", ds)
	}
	// The next process pays it as it starts.
	got := h.during(u, func() {
		b2 := h.newBot(cfg)
		h.run(b2)
		// The debt is settled just after the message: wait for both.
		deadline := time.Now().Add(5 * time.Second)
		for len(debts(t, h, u.Chat.ID)) != 0 {
			if time.Now().After(deadline) {
				t.Fatal("the restarted bot did not pay the debt")
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	if len(got) != 1 {
		t.Fatalf("%d messages after restart, want 1", len(got))
	}
	expect(t, got, h.T("en", "bot.notice.owed"), h.T("en", "test.qd.bought"))
}

// A forgotten chat owes nothing.
func TestForgetDeletesDebts(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	h.start(withOutbox(h, clk))
	u := h.api.NewUser(4500, "Qian", "en")
	toBroken(t, h, u, serverDown()...)
	h.send(u, "/forget")
	h.tap(u, h.T("en", "bot.forget.yes"))
	if ds := debts(t, h, u.Chat.ID); len(ds) != 0 {
		t.Fatalf("debts after /forget: %+v", ds)
	}
	if _, err := h.session(u.Chat.ID); err == nil {
		t.Fatal("the session survived /forget")
	}
}

// owable: what a later delivery can mend.
func TestOwable(t *testing.T) {
	for _, tt := range []struct {
		name     string
		err      error
		shutting bool
		want     bool
	}{
		{"canceled", context.Canceled, true, true},
		{"deadline", context.DeadlineExceeded, false, true},
		{"blocked", errBlocked, false, false},
		{"unsure", errUnsure, false, false},
		{"unsure while shutting down", errUnsure, true, true},
		{"render", renderError{context.Canceled}, false, false},
		{"store down", store.ErrUnavailable, false, false},
		{"nothing to say", errNothingToSay, false, false},
	} {
		if got := owable(tt.err, tt.shutting); got != tt.want {
			t.Errorf("%s: owable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A debt whose lease ran out while it waited for the chat's lane is not
// paid by the replica that claimed it: another replica claims it again
// and pays it, once.
func TestOwedReplyPaidOnceAfterLease(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	b1 := h.start(withOutbox(h, clk))
	cfg := h.config()
	withOutbox(h, clk)(&cfg)
	b2 := h.newBot(cfg) // another replica, not polling
	u := h.api.NewUser(4700, "A", "en")
	toBroken(t, h, u, serverDown()...)
	ds := debts(t, h, u.Chat.ID)
	clk.Set(ds[0].At)
	// The chat's lane on b1 is busy (a slow update ahead of the payment).
	release := make(chan struct{})
	if err := b1.lanes.run(u.Chat.ID, func() { <-release }); err != nil {
		t.Fatal(err)
	}
	paid1 := make(chan int)
	go func() { paid1 <- b1.PayDebts(context.Background()) }()
	// b1 has claimed the debt (it is leased) and queued its payment.
	deadline := time.Now().Add(5 * time.Second)
	for {
		b1.lanes.mu.Lock()
		queued := len(b1.lanes.busy[u.Chat.ID])
		b1.lanes.mu.Unlock()
		if queued == 2 {
			break // the payment waits behind the slow job
		}
		if time.Now().After(deadline) {
			t.Fatal("b1 did not claim the debt")
		}
		time.Sleep(5 * time.Millisecond)
	}
	clk.Set(ds[0].At.Add(owedLease + time.Second))
	n2 := b2.PayDebts(context.Background())
	close(release)
	n1 := <-paid1
	notices := 0
	for _, m := range h.api.Messages(u.Chat.ID) {
		if strings.HasPrefix(m.Text, h.T("en", "bot.notice.owed")) {
			notices++
		}
	}
	if notices != 1 || n1+n2 != 1 {
		t.Fatalf("paid by b1 %d, by b2 %d, %d notices in the chat; want once", n1, n2, notices)
	}
}

// A chat owing the replies of two updates (two replicas, each failing)
// keeps both debts whatever order they are written in; the later update's
// is paid, the earlier's is void.
func TestOlderDebtKeepsTheNewer(t *testing.T) {
	h := newHarness(t)
	clk := &clock{now: today}
	b := h.start(withOutbox(h, clk))
	u := h.api.NewUser(4800, "C", "en")
	toBroken(t, h, u, serverDown()...)
	s1, _ := h.session(u.Chat.ID)
	first, _ := strconv.ParseInt(s1.Recent[len(s1.Recent)-1], 10, 64)
	// The first update's debt is gone (paid, say); the next update's
	// reply fails too and is owed.
	if err := h.store.(*memstore.Store).Outbox().SetReminders(context.Background(), sessionKey(u.Chat.ID), nil); err != nil {
		t.Fatal(err)
	}
	h.api.FailNext("sendMessage", serverDown()...)
	h.send(u, h.T("en", "test.qd.opt.online"))
	// The first update's turn, on another replica, gives up only now.
	late := &turn{b: b, update: first, chat: u.Chat.ID, key: sessionKey(u.Chat.ID), lang: "en", stepped: true}
	if !late.owe(context.Background(), context.DeadlineExceeded) {
		t.Fatal("the late debt was not recorded")
	}
	if ds := debts(t, h, u.Chat.ID); len(ds) != 2 {
		t.Fatalf("debts %+v, want both", ds)
	}
	clk.Set(today.Add(time.Hour))
	var n int
	got := h.during(u, func() { n = b.PayDebts(context.Background()) })
	if n != 1 || len(got) != 1 {
		t.Fatalf("paid %d with %d messages, want the later update's once", n, len(got))
	}
	expect(t, got, h.T("en", "bot.notice.owed"), h.T("en", "test.qd.price"))
	if ds := debts(t, h, u.Chat.ID); len(ds) != 0 {
		t.Fatalf("debts left %+v", ds)
	}
}
