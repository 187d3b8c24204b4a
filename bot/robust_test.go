package bot

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

// hookStore runs a hook once, right after the next Get returns or just
// before the next Put, whichever comes first: another replica acting
// between this one's read (or its cached copy, advisor.Cache) and its
// save.
type hookStore struct {
	store.Store
	mu   sync.Mutex
	hook func()
}

func (s *hookStore) Get(ctx context.Context, key string) (engine.Session, error) {
	sess, err := s.Store.Get(ctx, key)
	s.fire()
	return sess, err
}

func (s *hookStore) Put(ctx context.Context, key string, sess engine.Session) (engine.Session, error) {
	s.fire()
	return s.Store.Put(ctx, key, sess)
}

func (s *hookStore) fire() {
	s.mu.Lock()
	h := s.hook
	s.hook = nil
	s.mu.Unlock()
	if h != nil {
		h()
	}
}

func (s *hookStore) arm(h func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

// replica is another serve process on the same store.
func (h *harness) replica(st store.Store) *advisor.Advisor {
	return &advisor.Advisor{Catalog: testCatalog(), Store: st, Now: h.config().Now, Lang: "en"}
}

// TestStaleBackAcrossReplicas: a Back button tapped on one replica while
// another applies a fresh answer is refused, not applied on top of it: the
// token is checked inside the compare-and-set (issue 11, defect 13).
func TestStaleBackAcrossReplicas(t *testing.T) {
	h := newHarness(t)
	inner := h.store
	hs := &hookStore{Store: inner}
	h.store = hs
	h.start()
	u := h.api.NewUser(501, "Ann", "en")
	h.send(u, "/start food_safety")
	h.tap(u, h.T("en", "test.fs.opt.expired"))
	h.tap(u, h.T("en", "bot.action.drafts"))
	expect(t, h.tap(u, h.T("en", "bot.draft.merchant")), h.T("en", "draft.ask.merchant_name"))
	back, ok := u.TapButton(h.T("en", "button.back"))
	if !ok {
		t.Fatalf("no Back on the draft question:\n%s", h.transcript(u.Chat.ID))
	}
	// The user types the name; it reaches the other replica, which saves
	// it between this replica's read and its save of the Back.
	hs.arm(func() {
		if _, err := h.replica(inner).Handle(context.Background(), sessionKey(u.Chat.ID), engine.Event{Kind: engine.Text, Text: "Hotpot King", ID: strconv.Itoa(900001)}); err != nil {
			t.Errorf("other replica: %v", err)
		}
	})
	msgs := h.during(u, func() { h.deliver(back) })
	s, err := h.session(u.Chat.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Form == nil || s.Form.Field != "demand" || s.Facts["merchant_name"] != "Hotpot King" {
		t.Fatalf("a stale Back undid a fresh answer: form %+v, facts %v\n%s", s.Form, s.Facts, h.transcript(u.Chat.ID))
	}
	expect(t, msgs, h.T("en", "notice.stale_button"), h.T("en", "draft.ask.demand"))
}

// toasts are the texts of the callback answers sent for the query ids.
func (h *harness) toasts(ids ...string) []string {
	var out []string
	for _, c := range h.api.Calls("answerCallbackQuery") {
		for _, id := range ids {
			if c.Params["callback_query_id"] == id {
				out = append(out, c.Params["text"])
			}
		}
	}
	return out
}

// TestDoubleTapGetsAToastOnly: tapping the button just applied again (a
// double tap, a slow network) answers with a toast and sends nothing, not
// "no longer current" and the whole question once per tap (issue 11,
// defect 10).
func TestDoubleTapGetsAToastOnly(t *testing.T) {
	for _, label := range []string{"test.qd.opt.online", "button.back"} {
		t.Run(label, func(t *testing.T) {
			h := newHarness(t)
			h.start()
			u := h.api.NewUser(502, "Ann", "en")
			toQuestion(t, h, u, "en")
			var taps []models.Update
			for range 8 {
				upd, ok := u.TapButton(h.T("en", label))
				if !ok {
					t.Fatalf("no button %q", label)
				}
				taps = append(taps, upd)
			}
			before, _ := h.session(u.Chat.ID)
			msgs := h.during(u, func() { h.deliver(taps...) })
			after, _ := h.session(u.Chat.ID)
			if len(after.History) == len(before.History) {
				t.Fatal("the first tap was not applied")
			}
			if d := len(after.History) - len(before.History); d != 1 && d != -1 {
				t.Fatalf("8 taps moved the history by %d", d)
			}
			if len(msgs) != 1 {
				t.Fatalf("8 taps on one button sent %d messages, want 1:\n%s", len(msgs), h.transcript(u.Chat.ID))
			}
			var ids []string
			for _, tp := range taps[1:] {
				ids = append(ids, tp.CallbackQuery.ID)
			}
			toasts := h.toasts(ids...)
			if len(toasts) != 7 {
				t.Fatalf("%d of 7 repeated taps answered", len(toasts))
			}
			for _, s := range toasts {
				if s != h.T("en", "bot.toast.repeat") {
					t.Fatalf("repeated tap toast %q, want %q", s, h.T("en", "bot.toast.repeat"))
				}
			}
		})
	}
}

// TestOldForgetButtonIsRefused: an old "Yes, delete" button does not delete
// a case that has moved on since it was asked: /forget, /forget, No on the
// second, /back, Yes on the first (issue 11, defect 3). A button from
// before confirmations had a token ("f:yes", still in chats) is refused too.
func TestOldForgetButtonIsRefused(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(503, "Ann", "en")
	toQuestion(t, h, u, "en")
	h.send(u, "/forget")
	yesMsg, yesData, ok := h.api.Button(u.Chat.ID, h.T("en", "bot.forget.yes"))
	if !ok {
		t.Fatal("no Yes button")
	}
	h.send(u, "/forget")
	h.tap(u, h.T("en", "bot.forget.no"))
	h.send(u, "/back")
	before, err := h.session(u.Chat.ID)
	if err != nil {
		t.Fatal(err)
	}
	firstYes := u.Tap(yesMsg, yesData) // update ids grow: make it now
	msgs := h.during(u, func() { h.deliver(firstYes) })
	after, err := h.session(u.Chat.ID)
	if err != nil {
		t.Fatalf("an old Yes deleted the case: %v\n%s", err, h.transcript(u.Chat.ID))
	}
	if after.Node != before.Node || after.Seq != before.Seq {
		t.Fatalf("an old Yes moved the case: %s → %s", before.Node, after.Node)
	}
	expect(t, msgs, h.T("en", "bot.forget.stale"))
	if got := h.toasts(firstYes.CallbackQuery.ID); len(got) != 1 || got[0] != h.T("en", "bot.toast.stale") {
		t.Fatalf("old Yes toast %q", got)
	}

	// A legacy button without a token is refused, not acted on.
	legacy := h.during(u, func() { h.deliver(u.Tap(last(t, msgs).ID, "f:yes")) })
	if _, err := h.session(u.Chat.ID); err != nil {
		t.Fatalf("a legacy f:yes deleted the case: %v", err)
	}
	expect(t, legacy, h.T("en", "bot.forget.stale"))

	// The current confirmation still works.
	h.send(u, "/forget")
	expect(t, h.tap(u, h.T("en", "bot.forget.yes")), h.T("en", "bot.forget.done"))
	if _, err := h.session(u.Chat.ID); err == nil {
		t.Fatal("the current Yes did not delete the case")
	}
}

// TestReadOnlyRedeliveryAnsweredOnce: an update that changes nothing
// (/help, /summary, /privacy, /lang, /forget, a stale tap, a sticker),
// delivered to one replica and again to another, is answered once (issue
// 11, defect 4).
func TestReadOnlyRedeliveryAnsweredOnce(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/hook", "s3cret"
	a, b := h.newBot(cfg), h.newBot(cfg)
	u := h.api.NewUser(504, "Ann", "en")
	deliverTo := func(bot *Bot, upd models.Update, times int) {
		t.Helper()
		if code := h.post(bot, "s3cret", upd); code != 200 {
			t.Fatalf("webhook answered %d", code)
		}
		h.waitHandled(upd.ID, times)
	}
	start := u.Text("/start quality_defect")
	deliverTo(a, start, 1)
	stale := u.Tap(1, "c:zz:broken")
	for _, upd := range []models.Update{
		u.Text("/help"), u.Text("/summary"), u.Text("/privacy"), u.Text("/lang"), u.Text("/forget"),
		u.Text("/nosuchcommand"), stale, u.Message(func(m *models.Message) { m.Sticker = &models.Sticker{FileID: "x"} }),
	} {
		n := len(h.api.Calls("sendMessage"))
		deliverTo(a, upd, 1)
		deliverTo(b, upd, 2)
		if got := len(h.api.Calls("sendMessage")) - n; got != 1 {
			t.Errorf("update %d (%s): %d messages for one update on two replicas, want 1", upd.ID, updateKind(upd), got)
		}
	}
}

func updateKind(u models.Update) string {
	switch {
	case u.Message != nil && u.Message.Text != "":
		return u.Message.Text
	case u.Message != nil:
		return "media"
	case u.CallbackQuery != nil:
		return u.CallbackQuery.Data
	}
	return "?"
}

// gateStore holds every Get until the gate opens: a slow store, so a
// chat's updates pile up in its lane.
type gateStore struct {
	store.Store
	gate chan struct{}
}

func (s gateStore) Get(ctx context.Context, key string) (engine.Session, error) {
	<-s.gate
	return s.Store.Get(ctx, key)
}

// TestFloodIsToldOnce: 100 updates at once from one chat overflow its lane;
// the user is told once that they send too fast, not left with updates
// dropped without a word (issue 11, defect 14).
func TestFloodIsToldOnce(t *testing.T) {
	h := newHarness(t)
	gate := make(chan struct{})
	h.store = gateStore{Store: h.store, gate: gate}
	cfg := h.config()
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/hook", "s3cret"
	b := h.newBot(cfg)
	u := h.api.NewUser(505, "Ann", "en")
	var ups []models.Update
	for i := range 100 {
		ups = append(ups, u.Text("flood "+strconv.Itoa(i)))
	}
	// The webhook answers once an update is applied (or dropped), so the
	// requests wait for the gate: they are made at once, and the gate
	// opened when the lane is full and the rest dropped.
	codes := make(chan int, len(ups))
	for _, up := range ups {
		go func() { codes <- h.post(b, "s3cret", up) }()
	}
	for deadline := time.Now().Add(10 * time.Second); h.doneCount() < len(ups)-maxQueuedPerChat; {
		if time.Now().After(deadline) {
			t.Fatalf("%d updates dropped, want %d", h.doneCount(), len(ups)-maxQueuedPerChat)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(gate)
	for range ups {
		if code := <-codes; code != 200 {
			t.Fatalf("webhook answered %d", code)
		}
	}
	for _, up := range ups {
		h.waitHandled(up.ID, 1)
	}
	for deadline := time.Now().Add(10 * time.Second); b.lanes.active() > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	notices := 0
	for _, m := range h.api.Messages(u.Chat.ID) {
		if m.From != nil && m.From.ID == h.api.Bot.ID && m.Text == h.T("en", "bot.notice.too_fast") {
			notices++
		}
	}
	if notices != 1 {
		t.Fatalf("%d too-fast notices for one flood, want 1", notices)
	}
	if !strings.Contains(h.logs.String(), "chat sends too fast") {
		t.Error("the dropped updates were not logged")
	}
}

// doneCount is how many updates the bot is done with, in all.
func (h *harness) doneCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.handled {
		n += c
	}
	return n
}
