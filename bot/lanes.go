package bot

import (
	"context"
	"sync"
	"time"
)

// lanes runs jobs one at a time per key (a chat) and concurrently across
// keys. Polled updates are handled concurrently, and webhook requests
// come concurrently; a chat's updates must still apply in the order they
// came, or a typed answer could be read against the question before the
// tap that precedes it. A lane exists only while it has work, so idle chats cost nothing.
//
// Lanes with work wait in a queue for a worker; a worker runs one job of
// the lane at the head, and puts the lane back at the tail if it has more.
// Workers outlive their lanes and park when the queue is empty: a
// goroutine started per lane grew its stack from the smallest size on
// every update (runtime.newstack was 4% of the bot's CPU under load), and
// a goroutine per waiting lane would hold that grown stack while it waits.
type lanes struct {
	max int // queued jobs per lane; more are refused (a flood)
	// slots bounds the jobs running at once, across lanes: past a few
	// dozen at once a busy bot gains no speed, only memory (a goroutine's
	// grown stack, a Bot API connection with its buffers and two
	// goroutines, for each). nil: unbounded.
	slots chan struct{}

	mu      sync.Mutex
	busy    map[int64][]func()
	ready   []int64 // lanes with work and no worker, oldest first
	workers int     // workers not parked (and not in a yielded wait)
	running int     // of those, the ones running a job
	closed  bool
	wg      sync.WaitGroup // queued jobs
	// noticed holds the lanes that overflowed in their current burst and
	// have their notice queued; a lane leaves it when it drains.
	noticed map[int64]bool
	// wake hands work to a parked worker (unbuffered: a send succeeds only
	// if one is waiting); stop releases the parked workers once closed.
	wake     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
}

// parkFor is how long a worker with nothing to do waits for work before
// it ends.
const parkFor = 30 * time.Second

func newLanes(max int) *lanes {
	return &lanes{max: max, busy: map[int64][]func(){}, noticed: map[int64]bool{},
		wake: make(chan struct{}), stop: make(chan struct{})}
}

// bounded sets how many jobs may run at once, across lanes.
func (l *lanes) bounded(n int) *lanes {
	l.slots = make(chan struct{}, n)
	return l
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
		l.ready = append(l.ready, key)
		l.dispatch()
	}
	return nil
}

// dispatch gives each ready lane a worker, up to the bound; l.mu is held.
// Workers running a job don't count: a lane does not wait for one to
// finish while the bound allows another.
func (l *lanes) dispatch() {
	for l.workers-l.running < len(l.ready) && (l.slots == nil || l.workers < cap(l.slots)) {
		l.workers++
		select {
		case l.wake <- struct{}{}:
		default:
			go l.work()
		}
	}
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

// work runs the ready lanes' jobs, one job of a lane at a time, until
// none is ready; it then parks for more. A job stays at the head of its
// lane while it runs, so the lane exists (and run queues behind it) until
// its last job is done.
func (l *lanes) work() {
	var park *time.Timer
	for {
		l.mu.Lock()
		if len(l.ready) == 0 || (l.slots != nil && l.workers > cap(l.slots)) {
			l.workers--
			l.mu.Unlock()
			if park == nil {
				park = time.NewTimer(parkFor)
			} else {
				park.Reset(parkFor)
			}
			select {
			case <-l.wake: // dispatch counted this worker again
				continue
			case <-park.C:
				return
			case <-l.stop:
				return
			}
		}
		key := l.ready[0]
		l.ready = l.ready[1:]
		job := l.busy[key][0]
		l.running++
		l.mu.Unlock()

		if l.slots != nil {
			l.slots <- struct{}{}
		}
		job()
		if l.slots != nil {
			<-l.slots
		}

		l.mu.Lock()
		l.running--
		q := l.busy[key]
		q[0] = nil
		q = q[1:]
		if len(q) == 0 {
			delete(l.busy, key)
			delete(l.noticed, key)
		} else {
			l.busy[key] = q
			l.ready = append(l.ready, key)
		}
		l.wg.Done()
		l.mu.Unlock()
	}
}

// close refuses new jobs and waits until every queued job has run, or ctx
// ends (it then returns ctx's error; the jobs keep running).
func (l *lanes) close(ctx context.Context) error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	done := make(chan struct{})
	go func() {
		l.wg.Wait()
		l.stopOnce.Do(func() { close(l.stop) })
		close(done)
	}()
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

// A job that must wait long (a 429's retry_after, pacing, a backoff) gives
// its slot up meanwhile, so chats Telegram is not holding back are not
// held behind it. The job's context carries its lanes (withSlot); waits
// shorter than slotWait keep the slot, as giving it up costs more.
const slotWait = 50 * time.Millisecond

type slotKey struct{}

// withSlot marks ctx as the context of a job that holds one of l's slots.
func withSlot(ctx context.Context, l *lanes) context.Context {
	if l.slots == nil {
		return ctx
	}
	return context.WithValue(ctx, slotKey{}, l)
}

// yieldSlot gives up the slot of the job running in ctx for a wait of d,
// and returns the function that takes a slot again after the wait.
func yieldSlot(ctx context.Context, d time.Duration) (reacquire func()) {
	l, _ := ctx.Value(slotKey{}).(*lanes)
	if l == nil || d < slotWait {
		return func() {}
	}
	// Out of the count of workers meanwhile, so that another takes the
	// ready lanes; counted again (perhaps above the bound, until a
	// worker parks) before it waits for a slot.
	<-l.slots
	l.mu.Lock()
	l.workers--
	l.running--
	l.dispatch()
	l.mu.Unlock()
	return func() {
		l.mu.Lock()
		l.workers++
		l.running++
		l.mu.Unlock()
		l.slots <- struct{}{}
	}
}
