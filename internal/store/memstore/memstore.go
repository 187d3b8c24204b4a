// Package memstore is an in-memory store.Store for tests, the CLI and
// single-process deployments. Sessions are kept as JSON, exactly as
// redisstore keeps them, so both stores round-trip a session the same way
// and callers can never alias stored data.
package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

var _ store.Store = (*Store)(nil)

// sweepEvery is how many Puts pass between sweeps of expired entries, so
// keys that are never read again do not accumulate forever.
const sweepEvery = 1024

type entry struct {
	version int64
	data    []byte // session JSON, Version included
	expires time.Time
}

// Store is an in-memory store.Store. The zero value is not usable; use New.
type Store struct {
	ttl   time.Duration
	clock func() time.Time

	mu      sync.Mutex
	entries map[string]entry
	links   map[string]link
	puts    int
	// rems holds planned reminders by session key and reminder id.
	rems map[string]map[string]*planned
	// outbox is the Outbox view, made on first use.
	outbox *Store
}

type link struct {
	key     string
	expires time.Time
}

// New returns an empty store whose sessions expire ttl after their last Put
// (store.DefaultTTL if ttl <= 0). clock tells the time (time.Now if nil);
// tests inject a fake clock to exercise expiry.
func New(ttl time.Duration, clock func() time.Time) *Store {
	if ttl <= 0 {
		ttl = store.DefaultTTL
	}
	if clock == nil {
		clock = time.Now
	}
	return &Store{ttl: ttl, clock: clock, entries: make(map[string]entry), links: make(map[string]link)}
}

// lookup returns the live entry under key, dropping it if it has expired.
// s.mu must be held.
func (s *Store) lookup(key string, now time.Time) (entry, bool) {
	e, ok := s.entries[key]
	if !ok {
		return entry{}, false
	}
	if !now.Before(e.expires) {
		delete(s.entries, key)
		return entry{}, false
	}
	return e, true
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) (engine.Session, error) {
	if err := ctx.Err(); err != nil {
		return engine.Session{}, fmt.Errorf("get session %s: %w", key, err)
	}
	s.mu.Lock()
	e, ok := s.lookup(key, s.clock())
	s.mu.Unlock()
	if !ok {
		return engine.Session{}, store.ErrNotFound
	}
	var sess engine.Session
	if err := json.Unmarshal(e.data, &sess); err != nil {
		// Cannot happen: data was produced by json.Marshal in Put.
		return engine.Session{}, fmt.Errorf("get session %s: decode: %w", key, err)
	}
	return sess, nil
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key string, sess engine.Session) (engine.Session, error) {
	if err := ctx.Err(); err != nil {
		return engine.Session{}, fmt.Errorf("put session %s: %w", key, err)
	}
	want := sess.Version
	sess.Version = want + 1
	data, err := json.Marshal(sess)
	if err != nil {
		return engine.Session{}, fmt.Errorf("put session %s: encode: %w", key, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	var cur int64
	if e, ok := s.lookup(key, now); ok {
		cur = e.version
	}
	if cur != want {
		return engine.Session{}, fmt.Errorf("put session %s: have version %d, stored %d: %w", key, want, cur, store.ErrConflict)
	}
	s.entries[key] = entry{version: sess.Version, data: data, expires: now.Add(s.ttl)}
	if s.puts++; s.puts%sweepEvery == 0 {
		for k, e := range s.entries {
			if !now.Before(e.expires) {
				delete(s.entries, k)
			}
		}
	}
	return sess, nil
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete session %s: %w", key, err)
	}
	s.mu.Lock()
	delete(s.entries, key)
	s.mu.Unlock()
	return nil
}

// Len reports how many sessions are stored, counting expired ones not yet
// swept. Meant for tests and metrics.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// PutLink implements store.Store.
func (s *Store) PutLink(ctx context.Context, token, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put link: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.links[token] = link{key: key, expires: s.clock().Add(s.ttl)}
	return nil
}

// GetLink implements store.Store.
func (s *Store) GetLink(ctx context.Context, token string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("get link: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[token]
	if !ok || !s.clock().Before(l.expires) {
		delete(s.links, token)
		return "", store.ErrNotFound
	}
	return l.key, nil
}

// DeleteLink implements store.Store.
func (s *Store) DeleteLink(ctx context.Context, token string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete link: %w", err)
	}
	s.mu.Lock()
	delete(s.links, token)
	s.mu.Unlock()
	return nil
}
