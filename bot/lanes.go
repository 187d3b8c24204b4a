package bot

import (
	"context"
	"sync"
)

// lanes runs jobs one at a time per key (a chat) and concurrently across
// keys. go-telegram/bot and webhook requests deliver updates concurrently;
// a chat's updates must still apply in the order they came, or a typed
// answer could be read against the question before the tap that precedes
// it. A lane exists only while it has work, so idle chats cost nothing.
type lanes struct {
	max int // queued jobs per lane; more are refused (a flood)

	mu     sync.Mutex
	busy   map[int64][]func()
	closed bool
	wg     sync.WaitGroup
	// noticed holds the lanes that overflowed in their current burst and
	// have their notice queued; a lane leaves it when it drains.
	noticed map[int64]bool
}

func newLanes(max int) *lanes {
	return &lanes{max: max, busy: map[int64][]func(){}, noticed: map[int64]bool{}}
}

// run queues job on key's lane. It returns errClosed when the lanes are
// closed (shutting down) and errFull when the lane is full; the job will
// then not run.
func (l *lanes) run(key int64, job func()) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errClosed
	}
	q, active := l.busy[key]
	if len(q) >= l.max {
		return errFull
	}
	l.busy[key] = append(q, job)
	l.wg.Add(1)
	if !active {
		go l.drain(key)
	}
	return nil
}

// overflow queues notice behind key's jobs, beyond the limit, when the
// lane is busy and has no notice queued in this burst; it reports whether
// it did. A flood is told once that it was cut, and then once again only
// after the lane drained: at most one extra job per lane.
func (l *lanes) overflow(key int64, notice func()) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	q, active := l.busy[key]
	if l.closed || !active || l.noticed[key] {
		return false
	}
	l.noticed[key] = true
	l.busy[key] = append(q, notice)
	l.wg.Add(1)
	return true
}

// drain runs key's jobs in order until its queue is empty, then removes the
// lane. A job stays at the head of the queue while it runs, so the lane
// exists (and run queues behind it) until the last job is done.
func (l *lanes) drain(key int64) {
	for {
		l.mu.Lock()
		job := l.busy[key][0]
		l.mu.Unlock()

		job()

		l.mu.Lock()
		q := l.busy[key]
		q[0] = nil
		q = q[1:]
		if len(q) == 0 {
			delete(l.busy, key)
			delete(l.noticed, key)
		} else {
			l.busy[key] = q
		}
		l.wg.Done()
		l.mu.Unlock()
		if len(q) == 0 {
			return
		}
	}
}

// close refuses new jobs and waits until every queued job has run, or ctx
// ends (it then returns ctx's error; the jobs keep running).
func (l *lanes) close(ctx context.Context) error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// active is the number of lanes with work, for tests.
func (l *lanes) active() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.busy)
}
