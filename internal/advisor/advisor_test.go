package advisor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
)

func catalog() *engine.Catalog {
	t := &engine.Tree{ID: "t", Version: 1, Start: "kind", Nodes: map[string]*engine.Node{
		"kind": {ID: "kind", Kind: engine.Choice, Text: "q.kind", Options: []engine.Option{
			{ID: "goods", Text: "o.goods", Next: engine.Next{{To: "amount"}}}}},
		"amount": {ID: "amount", Kind: engine.Input, Text: "q.amount", Input: &engine.InputSpec{Kind: engine.MoneyInput, Max: 1e6, HasMax: true}, SaveAs: "amount", Next: engine.Next{{To: "end"}}},
		"end":    {ID: "end", Kind: engine.Outcome, Outcome: &engine.OutcomeSpec{Category: "t", Title: "end", Law: []engine.Cited{{Key: "x"}}}},
	}}
	m := &engine.Tree{ID: "menu", Version: 1, Start: "pick", Nodes: map[string]*engine.Node{
		"pick": {ID: "pick", Kind: engine.Choice, Text: "menu.pick", Options: []engine.Option{{ID: "t", Text: "c.t", Goto: "t"}}},
	}}
	return &engine.Catalog{Trees: map[string]*engine.Tree{"t": t, "menu": m}, Menu: "menu"}
}

type fakeDescriber struct {
	p  engine.Proposal
	ok bool
}

func (f fakeDescriber) Describe(string) (engine.Proposal, bool) { return f.p, f.ok }

func newAdvisor(d Describer) *Advisor {
	return &Advisor{Catalog: catalog(), Store: memstore.New(0, nil), Now: time.Now, Lang: "en", Describer: d}
}

// Two taps on the same button at once: exactly one applies, the other is
// answered as a repeat (a double tap), whatever the interleaving.
func TestConcurrentTapsApplyOnce(t *testing.T) {
	for round := 0; round < 20; round++ {
		a := newAdvisor(nil)
		ctx := context.Background()
		r, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t"})
		if err != nil {
			t.Fatal(err)
		}
		tok := engine.Token(r.Session.Seq)
		var wg sync.WaitGroup
		var mu sync.Mutex
		stale := 0
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Choose, Token: tok, Option: "goods"})
				if err != nil {
					t.Error(err)
					return
				}
				if res.Repeat && !res.Changed {
					mu.Lock()
					stale++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		s, _ := a.Session(ctx, "k")
		if stale != 1 || len(s.History) != 1 || s.Node != "amount" {
			t.Fatalf("round %d: stale=%d history=%d node=%s", round, stale, len(s.History), s.Node)
		}
	}
}

func TestRedeliveredUpdateAppliedOnce(t *testing.T) {
	a := newAdvisor(nil)
	ctx := context.Background()
	r, _ := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t", ID: "1"})
	ev := engine.Event{Kind: engine.Choose, Token: engine.Token(r.Session.Seq), Option: "goods", ID: "2"}
	if res, _ := a.Handle(ctx, "k", ev); res.Duplicate || len(res.Replies) == 0 {
		t.Fatal("first delivery not applied")
	}
	if res, _ := a.Handle(ctx, "k", ev); !res.Duplicate || len(res.Replies) != 0 {
		t.Fatal("second delivery applied again")
	}
}

func TestTextEvent(t *testing.T) {
	sure := fakeDescriber{engine.Proposal{Category: "other", Confidence: 0.9}, true}
	unsure := fakeDescriber{engine.Proposal{Category: "t", Confidence: 0.4}, true}
	none := fakeDescriber{}
	tests := []struct {
		name string
		d    Describer
		s    engine.Session
		want engine.EventKind
	}{
		{"new user describes a case", sure, engine.Session{}, engine.Propose},
		{"new user says nothing placeable", none, engine.Session{}, engine.Start},
		{"at the menu", unsure, engine.Session{Tree: "menu", Node: "pick"}, engine.Propose},
		{"answer to an input question", sure, engine.Session{Tree: "t", Node: "amount"}, engine.Text},
		{"confident new description mid-case", sure, engine.Session{Tree: "t", Node: "kind"}, engine.Propose},
		{"unsure text mid-case is an answer", unsure, engine.Session{Tree: "t", Node: "kind"}, engine.Text},
		{"more about the same case is not a switch", fakeDescriber{engine.Proposal{Category: "t", Confidence: 0.9}, true}, engine.Session{Tree: "t", Node: "kind"}, engine.Text},
		{"at an outcome, a new case", sure, engine.Session{Tree: "t", Node: "end"}, engine.Propose},
		{"another description while confirming replaces the guess", sure, engine.Session{Pending: &engine.Proposal{Category: "t"}}, engine.Propose},
		{"the same guess again while confirming is re-asked", sure, engine.Session{Pending: &engine.Proposal{Category: "other"}}, engine.Text},
		{"an unsure description mid-case is an answer", fakeDescriber{engine.Proposal{Category: "other", Confidence: 0.9, Alternatives: []string{"t"}}, true}, engine.Session{Tree: "t", Node: "kind"}, engine.Text},
		{"typing a draft's details", sure, engine.Session{Tree: "t", Node: "end", Form: &engine.Form{Channel: "12315", Field: "demand"}}, engine.Text},
		{"no describer", nil, engine.Session{}, engine.Text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAdvisor(tt.d)
			if tt.d == nil {
				a.Describer = nil
			}
			if got := a.TextEvent(tt.s, "my new phone broke after two days and the shop refuses to help").Kind; got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestForgetRevokesLink(t *testing.T) {
	a := newAdvisor(nil)
	ctx := context.Background()
	r, _ := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t"})
	s := r.Session
	s.Share = "tok"
	if _, err := a.Store.Put(ctx, "k", s); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.PutLink(ctx, "tok", "k"); err != nil {
		t.Fatal(err)
	}
	if err := a.Forget(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.GetLink(ctx, "tok"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("link survives /forget: %v", err)
	}
	if _, err := a.Store.Get(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session survives /forget: %v", err)
	}
	if err := a.Forget(ctx, "never"); err != nil {
		t.Fatalf("forgetting nothing: %v", err)
	}
}

func TestNewCaseRevokesTheOldLink(t *testing.T) {
	a := newAdvisor(nil)
	ctx := context.Background()
	r, _ := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t"})
	s := r.Session
	s.Share = "old"
	if _, err := a.Store.Put(ctx, "k", s); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.PutLink(ctx, "old", "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.GetLink(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the old case's link survives a new case: %v", err)
	}
}

// countingStore counts session reads.
type countingStore struct {
	store.Store
	mu   sync.Mutex
	gets int
}

func (c *countingStore) Get(ctx context.Context, key string) (engine.Session, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.Store.Get(ctx, key)
}

// A typed answer is decided on the session loaded for the step: one read.
func TestHandleFuncReadsTheSessionOnce(t *testing.T) {
	a := newAdvisor(fakeDescriber{p: engine.Proposal{Category: "t", Confidence: 0.9}, ok: true})
	cs := &countingStore{Store: a.Store}
	a.Store = cs
	ctx := context.Background()
	r, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Choose, Token: engine.Token(r.Session.Seq), Option: "goods"}); err != nil {
		t.Fatal(err)
	}
	cs.gets = 0
	res, ev, err := a.HandleFunc(ctx, "k", func(s engine.Session) engine.Event { return a.TextEvent(s, "12.5") })
	if err != nil {
		t.Fatal(err)
	}
	if ev.Kind != engine.Text || res.Session.Facts["amount"] != "12.50" || res.Session.Node != "end" {
		t.Fatalf("event %s, session at %s with %v", ev.Kind, res.Session.Node, res.Session.Facts)
	}
	if cs.gets != 1 {
		t.Fatalf("%d reads of the session, want 1", cs.gets)
	}
}
