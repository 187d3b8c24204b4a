package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/internal/store/storetest"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, ttl time.Duration) (store.Store, func(time.Duration)) {
		clock := newFakeClock()
		return memstore.New(ttl, clock.Now), clock.Advance
	})
}

func TestDefaultTTL(t *testing.T) {
	clock := newFakeClock()
	s := memstore.New(0, clock.Now)
	ctx := context.Background()
	if _, err := s.Put(ctx, "k", engine.Session{}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(store.DefaultTTL - time.Second)
	if _, err := s.Get(ctx, "k"); err != nil {
		t.Fatalf("Get just before DefaultTTL: %v", err)
	}
	clock.Advance(time.Second)
	if _, err := s.Get(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get at DefaultTTL: %v, want ErrNotFound", err)
	}
}

func TestNilClockUsesRealTime(t *testing.T) {
	s := memstore.New(time.Hour, nil)
	if _, err := s.Put(context.Background(), "k", engine.Session{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
}

func TestSweepsExpiredEntries(t *testing.T) {
	clock := newFakeClock()
	s := memstore.New(time.Minute, clock.Now)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := s.Put(ctx, fmt.Sprint("old", i), engine.Session{}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(2 * time.Minute)
	for i := range 100 {
		if _, err := s.Put(ctx, fmt.Sprint("new", i), engine.Session{}); err != nil {
			t.Fatal(err)
		}
	}
	// The 1024th Put swept the 1000 never-read expired sessions.
	if n := s.Len(); n != 100 {
		t.Fatalf("Len = %d after sweep, want 100", n)
	}
}

func TestRemindersConformance(t *testing.T) {
	storetest.RunReminders(t, func(t *testing.T) (store.Reminders, store.Reminders) {
		s := memstore.New(0, nil)
		return s, s
	})
}

// The outbox view keeps the reminders' contract, apart from the reminders.
func TestOutboxConformance(t *testing.T) {
	storetest.RunReminders(t, func(t *testing.T) (store.Reminders, store.Reminders) {
		s := memstore.New(0, nil)
		return s.Outbox(), s.Outbox()
	})
	storetest.SeparateQueues(t, func(t *testing.T) (store.Reminders, store.Reminders) {
		s := memstore.New(0, nil)
		return s, s.Outbox()
	})
}
