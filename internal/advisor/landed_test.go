package advisor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

// landedStore applies a Put and then fails it, as a go-redis read timeout
// does when the script ran but its reply was lost. fails is how many Puts
// do so; then (retry) how the next ones end: "timeout" again, or "conflict"
// as go-redis's own retry of the script sees the version it just wrote.
type landedStore struct {
	store.Store
	mu    sync.Mutex
	fails int
	then  string
	puts  int
}

var errReadTimeout = fmt.Errorf("%w: i/o timeout", store.ErrUnavailable)

func (l *landedStore) Put(ctx context.Context, key string, s engine.Session) (engine.Session, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.puts++
	if l.fails == 0 {
		return l.Store.Put(ctx, key, s)
	}
	l.fails--
	if l.then == "conflict" {
		if _, err := l.Store.Put(ctx, key, s); err != nil {
			return engine.Session{}, err
		}
		// The lost reply, then go-redis's retry of the script: it finds
		// the version it wrote itself.
		return engine.Session{}, fmt.Errorf("put session %s: %w", key, store.ErrConflict)
	}
	if _, err := l.Store.Put(ctx, key, s); err != nil {
		return engine.Session{}, err
	}
	return engine.Session{}, errReadTimeout
}

// A save that landed but whose reply was lost is this update applied: the
// user sees the step's replies, not silence (after a conflict) nor "not
// saved" (after a timeout).
func TestSaveThatLandedButTimedOut(t *testing.T) {
	for _, then := range []string{"conflict", "timeout"} {
		t.Run(then, func(t *testing.T) {
			a := newAdvisor(nil)
			ctx := context.Background()
			r, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t", ID: "1"})
			if err != nil {
				t.Fatal(err)
			}
			ls := &landedStore{Store: a.Store, fails: 1, then: then}
			a.Store = ls
			ev := engine.Event{Kind: engine.Choose, Token: engine.Token(r.Session.Seq), Option: "goods", ID: "2"}
			res, err := a.Handle(ctx, "k", ev)
			if err != nil {
				t.Fatalf("the step was saved, but Handle says %v", err)
			}
			if res.Duplicate || len(res.Replies) == 0 || res.Session.Node != "amount" {
				t.Fatalf("duplicate=%v, %d replies, at %q: the user is not shown the step", res.Duplicate, len(res.Replies), res.Session.Node)
			}
			s, _ := a.Session(ctx, "k")
			if s.Version != res.Session.Version || len(s.History) != 1 {
				t.Fatalf("stored version %d (history %d), result's %d", s.Version, len(s.History), res.Session.Version)
			}
			// A real redelivery afterwards is still a duplicate.
			if res, err := a.Handle(ctx, "k", ev); err != nil || !res.Duplicate {
				t.Fatalf("redelivery: duplicate=%v err=%v", res.Duplicate, err)
			}
		})
	}
}

// Another replica applying the same update (a redelivery racing this one)
// is still a duplicate here: that replica answers.
func TestSameUpdateSavedByAnotherIsDuplicate(t *testing.T) {
	a := newAdvisor(nil)
	ctx := context.Background()
	r, _ := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t", ID: "1"})
	ev := engine.Event{Kind: engine.Choose, Token: engine.Token(r.Session.Seq), Option: "goods", ID: "2"}
	other := newAdvisor(nil)
	other.Store = a.Store
	a.Store = &racingStore{Store: a.Store, before: func() {
		if _, err := other.Handle(ctx, "k", ev); err != nil {
			t.Error(err)
		}
	}}
	res, err := a.Handle(ctx, "k", ev)
	if err != nil || !res.Duplicate {
		t.Fatalf("duplicate=%v err=%v: both replicas would answer", res.Duplicate, err)
	}
}

// racingStore runs before once, just before the first Put.
type racingStore struct {
	store.Store
	once   sync.Once
	before func()
}

func (r *racingStore) Put(ctx context.Context, key string, s engine.Session) (engine.Session, error) {
	r.once.Do(r.before)
	return r.Store.Put(ctx, key, s)
}

// When the save did not land, a timeout is still reported as one.
func TestSaveThatFailedIsReported(t *testing.T) {
	a := newAdvisor(nil)
	ctx := context.Background()
	r, _ := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t", ID: "1"})
	a.Store = failingPut{a.Store}
	_, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Choose, Token: engine.Token(r.Session.Seq), Option: "goods", ID: "2"})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

type failingPut struct{ store.Store }

func (failingPut) Put(context.Context, string, engine.Session) (engine.Session, error) {
	return engine.Session{}, errReadTimeout
}
