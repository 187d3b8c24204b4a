package bot

import "sync"

// acks tells a webhook request when its update has been applied, so that
// Telegram gets its 200 only then: an update acknowledged and then lost
// (a crash, the end of the shutdown grace) is never delivered again.
type acks struct {
	mu sync.Mutex
	m  map[int64]chan struct{}
}

func newAcks() *acks { return &acks{m: map[int64]chan struct{}{}} }

// closedCh is what a wait on nothing pending returns.
var closedCh = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// add registers update id as pending and returns the channel closed once
// it is applied.
func (a *acks) add(id int64) <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.m[id]; ok {
		return c
	}
	c := make(chan struct{})
	a.m[id] = c
	return c
}

// wait returns the channel of a pending update id, or a closed one if it
// is not pending (done with, or never seen).
func (a *acks) wait(id int64) <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.m[id]; ok {
		return c
	}
	return closedCh
}

// release marks update id applied (or done with). Releasing twice, or an
// id never added, is harmless.
func (a *acks) release(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.m[id]; ok {
		close(c)
		delete(a.m, id)
	}
}
