package advisor

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
)

// readCountingStore counts reads.
type readCountingStore struct {
	store.Store
	gets atomic.Int64
}

func (c *readCountingStore) Get(ctx context.Context, key string) (engine.Session, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, key)
}

func cachedAdvisor(st store.Store, clock func() time.Time) *Advisor {
	return &Advisor{Catalog: catalog(), Store: st, Now: time.Now, Lang: "en", Cache: NewCache(16, time.Minute, clock)}
}

func node(t *testing.T, a *Advisor, key string) string {
	t.Helper()
	s, err := a.Store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return s.Node
}

// A chat's steps start from the session saved last: the store is read
// once, not at every step.
func TestCacheSavesReads(t *testing.T) {
	st := &readCountingStore{Store: memstore.New(0, nil)}
	a := cachedAdvisor(st, nil)
	ctx := context.Background()
	r, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t", ID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Choose, Token: engine.Token(r.Session.Seq), Option: "goods", ID: "2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Text, Text: "99", ID: "3"}); err != nil {
		t.Fatal(err)
	}
	if n := st.gets.Load(); n != 1 {
		t.Fatalf("%d reads for three steps, want 1", n)
	}
	if got := node(t, a, "k"); got != "end" {
		t.Fatalf("at %q, want end", got)
	}
}

// Another process changing the session behind the cache is caught: a
// step that saves conflicts and is stepped again on the stored session;
// one that saves nothing is decided on the stored session too; an update
// already applied is a duplicate either way.
func TestCacheStaysHonest(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		event func(tok string) engine.Event
		check func(t *testing.T, a *Advisor, res engine.Result)
	}{
		{"a step that saves", func(string) engine.Event { return engine.Event{Kind: engine.Text, Text: "42", ID: "10"} },
			func(t *testing.T, a *Advisor, res engine.Result) {
				// The other process moved the chat to the amount question:
				// 42 answers it, which the cached copy (at kind) would not.
				if got := node(t, a, "k"); got != "end" || res.Session.Node != "end" {
					t.Fatalf("at %q (result %q), want end", got, res.Session.Node)
				}
			}},
		{"a step that saves nothing", func(string) engine.Event { return engine.Event{Kind: engine.Show, ID: "11"} },
			func(t *testing.T, a *Advisor, res engine.Result) {
				if n := len(res.Replies); n == 0 || res.Replies[n-1].Question == nil || res.Replies[n-1].Question.Node != "amount" {
					t.Fatalf("shows %+v, want the amount question the store holds", res.Replies)
				}
			}},
		{"a stale tap", func(tok string) engine.Event {
			return engine.Event{Kind: engine.Choose, Token: tok, Option: "goods", ID: "12"}
		}, func(t *testing.T, a *Advisor, res engine.Result) {
			if res.Changed || node(t, a, "k") != "amount" {
				t.Fatalf("a tap on the question another process answered was applied: %+v", res)
			}
		}},
		{"a duplicate", func(string) engine.Event { return engine.Event{Kind: engine.Text, Text: "x", ID: "2"} },
			func(t *testing.T, a *Advisor, res engine.Result) {
				if !res.Duplicate {
					t.Fatalf("update 2, applied by the other process, was not a duplicate: %+v", res)
				}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := memstore.New(0, nil)
			a := cachedAdvisor(st, nil)
			other := &Advisor{Catalog: catalog(), Store: st, Now: time.Now, Lang: "en"}
			r, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t", ID: "1"})
			if err != nil {
				t.Fatal(err)
			}
			tok := engine.Token(r.Session.Seq)
			if _, err := other.Handle(ctx, "k", engine.Event{Kind: engine.Choose, Token: tok, Option: "goods", ID: "2"}); err != nil {
				t.Fatal(err)
			}
			res, err := a.Handle(ctx, "k", tt.event(tok))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, a, res)
		})
	}
}

// The cache is bounded in size and in age (from the read), and forgets a
// forgotten chat.
func TestCacheBounds(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, engine.China)
	clock := func() time.Time { return now }
	c := NewCache(2, time.Minute, clock)
	for i := range 3 {
		c.keep(strconv.Itoa(i), engine.Session{Node: "n"}, true)
	}
	if _, ok := c.get("0"); ok || c.Len() != 2 {
		t.Fatalf("the oldest of 3 is kept in a cache of 2 (len %d)", c.Len())
	}
	now = now.Add(40 * time.Second)
	c.keep("1", engine.Session{Node: "m"}, false) // saved from the cache: still 40s old
	now = now.Add(30 * time.Second)
	if _, ok := c.get("1"); ok {
		t.Fatal("an entry read from the store 70s ago is served")
	}
	c.keep("2", engine.Session{Node: "m"}, true)
	if s, ok := c.get("2"); !ok || s.Node != "m" {
		t.Fatalf("a fresh entry is missing: %+v %v", s, ok)
	}
	// Copies: changing what was kept or what get returned changes nothing
	// cached.
	kept := engine.Session{Node: "m", Facts: map[string]string{"a": "1"}}
	c.keep("2", kept, true)
	kept.Facts["a"] = "kept changed"
	s, _ := c.get("2")
	s.Facts["a"] = "got changed"
	if s2, _ := c.get("2"); s2.Facts["a"] != "1" {
		t.Fatalf("the cache shares its session: facts %v", s2.Facts)
	}

	a := cachedAdvisor(memstore.New(0, nil), nil)
	if _, err := a.Handle(context.Background(), "k", engine.Event{Kind: engine.Start, Tree: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Forget(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	if a.Cache.Len() != 0 {
		t.Fatal("a forgotten chat's session is still cached")
	}
}

// countingDescriber counts the descriptions read.
type countingDescriber struct{ n atomic.Int64 }

func (d *countingDescriber) Describe(string) (engine.Proposal, bool) {
	d.n.Add(1)
	return engine.Proposal{}, false
}

// Text re-asked from a cached session that is still current is read once:
// the stored session is checked, the step not decided again (a second
// read of the text would classify it twice).
func TestCacheDecidesOnce(t *testing.T) {
	st := &readCountingStore{Store: memstore.New(0, nil)}
	d := &countingDescriber{}
	a := cachedAdvisor(st, nil)
	a.Describer = d
	ctx := context.Background()
	if _, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: "t", ID: "1"}); err != nil {
		t.Fatal(err)
	}
	reads := st.gets.Load()
	text := "the shop will not take back the broken kettle I bought last week"
	res, _, err := a.HandleFunc(ctx, "k", func(s engine.Session) engine.Event { return a.TextEvent(s, text) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed {
		t.Fatalf("the text was applied: %+v", res)
	}
	if n := d.n.Load(); n != 1 {
		t.Fatalf("the text was read %d times, want 1", n)
	}
	if n := st.gets.Load() - reads; n != 1 {
		t.Fatalf("%d store reads to check the cached session, want 1", n)
	}
}
