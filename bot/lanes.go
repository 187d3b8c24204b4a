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
}

func newLanes(max int) *lanes { return &lanes{max: max, busy: map[int64][]func(){}} }

// run queues job on key's lane. It returns false when the lanes are closed
// (shutting down) or the lane is full; the job will not run.
func (l *lanes) run(key int64, job func()) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	q, active := l.busy[key]
	if len(q) >= l.max {
		return false
	}
	l.busy[key] = append(q, job)
	l.wg.Add(1)
	if !active {
		go l.drain(key)
	}
	return true
}

// drain runs key's jobs in order until its queue is empty, then removes it.
func (l *lanes) drain(key int64) {
	for {
		l.mu.Lock()
		q := l.busy[key]
		if len(q) == 0 {
			delete(l.busy, key)
			l.mu.Unlock()
			return
		}
		job := q[0]
		q[0] = nil
		l.busy[key] = q[1:]
		l.mu.Unlock()

		func() {
			defer l.wg.Done()
			job()
		}()
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
