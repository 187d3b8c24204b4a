package bot

import (
	"context"
	"sync"
	"testing"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

// countingStore counts the store calls of the bot under test.
type countingStore struct {
	store.Store
	mu         sync.Mutex
	gets, puts int
}

func (c *countingStore) Get(ctx context.Context, key string) (engine.Session, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.Store.Get(ctx, key)
}

func (c *countingStore) Put(ctx context.Context, key string, s engine.Session) (engine.Session, error) {
	c.mu.Lock()
	c.puts++
	c.mu.Unlock()
	return c.Store.Put(ctx, key, s)
}

func (c *countingStore) counts() (gets, puts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gets, c.puts
}

// A polling bot's steps cost one store round trip each: the save. The
// session is read once, at the chat's first update (issue 10).
func TestStepsCostOneRoundTrip(t *testing.T) {
	h := newHarness(t)
	cs := &countingStore{Store: h.store}
	h.store = cs
	h.start()
	u := h.api.NewUser(4600, "Li", "en")
	h.send(u, "/start")
	steps := []func(){
		func() { h.tap(u, h.T("en", "category.quality_defect")) },
		func() { h.tap(u, h.T("en", "test.qd.opt.broken")) },
		func() { h.tap(u, h.T("en", "test.qd.opt.online")) },
		func() { h.send(u, "299") },
		func() { h.send(u, "2026-11-20") },
	}
	g0, p0 := cs.counts()
	for _, step := range steps {
		step()
	}
	gets, puts := cs.counts()
	t.Logf("%d steps: %d reads, %d saves", len(steps), gets-g0, puts-p0)
	if gets-g0 != 0 || puts-p0 != len(steps) {
		t.Fatalf("%d steps read the store %d times and saved %d times; want 0 and %d", len(steps), gets-g0, puts-p0, len(steps))
	}
}
