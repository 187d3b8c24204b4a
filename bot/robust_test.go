package bot

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

// hookStore runs a hook once, right after the next Get returns: another
// replica acting between this one's read and its save.
type hookStore struct {
	store.Store
	mu   sync.Mutex
	hook func()
}

func (s *hookStore) Get(ctx context.Context, key string) (engine.Session, error) {
	sess, err := s.Store.Get(ctx, key)
	s.mu.Lock()
	h := s.hook
	s.hook = nil
	s.mu.Unlock()
	if h != nil {
		h()
	}
	return sess, err
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
