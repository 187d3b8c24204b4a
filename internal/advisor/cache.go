package advisor

import (
	"container/list"
	"sync"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

// Cache keeps the sessions this process saved last, so that the next step
// of a chat starts from the session it saved instead of reading it back:
// one store round trip per step instead of two. The compare-and-set keeps
// it honest: a step from a cached session that another process changed
// since fails to save, and is stepped again on the session read from the
// store. A step that would save nothing (a stale tap, a re-asked
// question) has no compare-and-set to catch a stale copy: the stored
// session is read, and the step decided again only if it differs; a
// duplicate is trusted (update ids are only ever added to a session, so
// one found in a cached session was applied).
//
// The compare-and-set checks versions only, and versions start again
// after a delete: a process holding a copy of version N of a case that
// another process deleted and rebuilt to version N within maxAge would
// save over the new case. Only two processes polling at once (the
// overlap of a deploy) could do that.
//
// It pays where one process handles a chat's updates, as with long
// polling (Telegram gives updates to one poller); behind a load balancer
// each replica would mostly hold stale copies, and a miss costs a failed
// save. An entry lives maxAge from when it was read from the store, not
// from its last save, so what the store does on a read (sealed drops a
// complainant's details past their time) still happens that often.
type Cache struct {
	max    int
	maxAge time.Duration
	now    func() time.Time

	mu  sync.Mutex
	m   map[string]*list.Element
	lru list.List // front: most recently used
}

type cached struct {
	key    string
	s      engine.Session
	loaded time.Time
}

// NewCache keeps at most max sessions, each at most maxAge after it was
// read from the store; now is the clock (time.Now if nil).
func NewCache(max int, maxAge time.Duration, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{max: max, maxAge: maxAge, now: now, m: map[string]*list.Element{}}
}

// get returns a copy of key's cached session.
func (c *Cache) get(key string) (engine.Session, bool) {
	if c == nil {
		return engine.Session{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return engine.Session{}, false
	}
	v := e.Value.(*cached)
	if c.now().Sub(v.loaded) >= c.maxAge {
		c.lru.Remove(e)
		delete(c.m, key)
		return engine.Session{}, false
	}
	c.lru.MoveToFront(e)
	return v.s.Clone(), true
}

// keep caches s as key's session, just saved. fresh says the step started
// from a read of the store (the entry's age starts now); otherwise it
// started from the cache and the entry keeps its age.
func (c *Cache) keep(key string, s engine.Session, fresh bool) {
	if c == nil || c.max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		v := e.Value.(*cached)
		v.s = s.Clone()
		if fresh {
			v.loaded = c.now()
		}
		c.lru.MoveToFront(e)
		return
	}
	if !fresh {
		return // evicted meanwhile: its age is not known
	}
	c.m[key] = c.lru.PushFront(&cached{key: key, s: s.Clone(), loaded: c.now()})
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.m, old.Value.(*cached).key)
	}
}

// Drop forgets key's session: for a front end that saved it by another
// way than the advisor (a share token), so the next step reads it.
func (c *Cache) Drop(key string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.lru.Remove(e)
		delete(c.m, key)
	}
}

// Len is the number of sessions cached.
func (c *Cache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
