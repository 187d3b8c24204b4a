package bot

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLanesKeepOrderPerKeyAndRunKeysConcurrently(t *testing.T) {
	l := newLanes(1000)
	const keys, jobs = 8, 200
	var mu sync.Mutex
	got := map[int64][]int{}
	var running [keys]atomic.Int32
	var overlap atomic.Bool
	for i := range jobs {
		for k := range int64(keys) {
			err := l.run(k, func() {
				if running[k].Add(1) > 1 {
					overlap.Store(true)
				}
				mu.Lock()
				got[k] = append(got[k], i)
				mu.Unlock()
				running[k].Add(-1)
			})
			if err != nil {
				t.Fatalf("run refused a job: %v", err)
			}
		}
	}
	if err := l.close(ctxTimeout(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if overlap.Load() {
		t.Error("two jobs of one key ran at once")
	}
	for k := range int64(keys) {
		if len(got[k]) != jobs {
			t.Fatalf("key %d ran %d jobs, want %d", k, len(got[k]), jobs)
		}
		for i, v := range got[k] {
			if v != i {
				t.Fatalf("key %d ran job %d at position %d", k, v, i)
			}
		}
	}
	if n := l.active(); n != 0 {
		t.Errorf("%d lanes left after draining", n)
	}
}

func TestLanesOtherKeysDoNotWait(t *testing.T) {
	l := newLanes(10)
	release := make(chan struct{})
	l.run(1, func() { <-release })
	done := make(chan struct{})
	l.run(2, func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a slow chat held up another chat")
	}
	close(release)
	l.close(ctxTimeout(t, 5*time.Second))
}

func TestLanesRefuseFloodsAndWorkAfterClose(t *testing.T) {
	l := newLanes(2)
	release := make(chan struct{})
	if l.run(1, func() { <-release }) != nil || l.run(1, func() {}) != nil {
		t.Fatal("refused jobs under the limit")
	}
	// The first job may already be running (dequeued) or still queued.
	var err error
	for err == nil {
		err = l.run(1, func() {})
	}
	if err != errFull {
		t.Fatalf("flood refused with %v, want errFull", err)
	}
	close(release)
	if err := l.close(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := l.run(3, func() {}); err != errClosed {
		t.Fatalf("closed lanes answered %v, want errClosed", err)
	}
}

func TestLanesCloseWaitsForInFlightJobs(t *testing.T) {
	l := newLanes(10)
	var finished atomic.Bool
	started := make(chan struct{})
	l.run(1, func() { close(started); time.Sleep(50 * time.Millisecond); finished.Store(true) })
	<-started
	if err := l.close(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("close returned before the job finished")
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestLanesOverflowNoticeOncePerBurst: when a lane refuses jobs, one notice
// job is queued behind the rest (beyond the limit, so it is never refused
// itself), once per burst: a lane that drained and fills again gets another.
func TestLanesOverflowNoticeOncePerBurst(t *testing.T) {
	l := newLanes(2)
	for burst := 0; burst < 2; burst++ {
		release := make(chan struct{})
		var mu sync.Mutex
		var ran []string
		job := func(name string) func() {
			return func() { mu.Lock(); ran = append(ran, name); mu.Unlock() }
		}
		if err := l.run(1, func() { <-release }); err != nil {
			t.Fatal(err)
		}
		for l.run(1, job("job")) == nil {
		}
		if !l.overflow(1, job("notice")) {
			t.Fatal("first overflow of a burst queued no notice")
		}
		for i := 0; i < 10; i++ {
			if l.run(1, job("job")) != errFull {
				t.Fatal("a full lane took a job")
			}
			if l.overflow(1, job("notice")) {
				t.Fatal("a second notice in one burst")
			}
		}
		close(release)
		for l.active() > 0 {
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		if len(ran) == 0 || ran[len(ran)-1] != "notice" || slices.Index(ran, "notice") != len(ran)-1 {
			t.Fatalf("burst %d ran %v, want the jobs then one notice", burst, ran)
		}
		mu.Unlock()
	}
	if l.overflow(2, func() {}) {
		t.Fatal("a notice queued on an idle lane")
	}
}

// Bounded lanes run at most n jobs at once across chats, and every job
// still runs, in its chat's order.
func TestLanesBounded(t *testing.T) {
	const n, chats, per = 3, 12, 5
	l := newLanes(100).bounded(n)
	var mu sync.Mutex
	running, peak := 0, 0
	order := map[int64][]int{}
	var wg sync.WaitGroup
	for c := range int64(chats) {
		for k := range per {
			wg.Add(1)
			if err := l.run(c, func() {
				defer wg.Done()
				mu.Lock()
				running++
				peak = max(peak, running)
				order[c] = append(order[c], k)
				mu.Unlock()
				time.Sleep(time.Millisecond)
				mu.Lock()
				running--
				mu.Unlock()
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	wg.Wait()
	if peak > n || peak < 2 {
		t.Fatalf("%d jobs ran at once, want between 2 and %d", peak, n)
	}
	for c, ks := range order {
		if !slices.Equal(ks, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("chat %d ran its jobs in order %v", c, ks)
		}
	}
}

// A job waiting long gives its slot up: another chat's job runs meanwhile,
// even when one slot is all there is.
func TestLanesLongWaitYieldsTheSlot(t *testing.T) {
	l := newLanes(10).bounded(1)
	other := make(chan struct{})
	done := make(chan struct{})
	if err := l.run(1, func() {
		ctx := withSlot(context.Background(), l)
		reacquire := yieldSlot(ctx, time.Second) // a 429's retry_after, say
		select {
		case <-other:
		case <-time.After(5 * time.Second): // a failure guard
			t.Error("the other chat's job did not run while this one waited")
		}
		reacquire()
		close(done)
	}); err != nil {
		t.Fatal(err)
	}
	if err := l.run(2, func() { close(other) }); err != nil {
		t.Fatal(err)
	}
	<-done
	if got := len(l.slots); got != 0 {
		t.Fatalf("%d slots held after both jobs, want 0", got)
	}
	// A short wait keeps the slot.
	if reacquire := yieldSlot(withSlot(context.Background(), l), time.Millisecond); len(l.slots) != 0 {
		t.Fatal("a short wait gave a slot up")
	} else {
		reacquire()
	}
}

// Workers outlive their lanes: a burst on many chats, one at a time each,
// is run by at most the bound's workers, which park when it is done and
// end when the lanes close (closing twice, as Run does, is safe).
func TestLanesWorkersParkAndStop(t *testing.T) {
	const n = 4
	l := newLanes(10).bounded(n)
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	release := make(chan struct{})
	for c := range int64(50) {
		wg.Add(1)
		if err := l.run(c, func() { <-release; wg.Done() }); err != nil {
			t.Fatal(err)
		}
	}
	if got := runtime.NumGoroutine() - before; got > n {
		t.Fatalf("%d goroutines for 50 waiting chats, want at most %d workers", got, n)
	}
	close(release)
	wg.Wait()
	// Parked, the workers take the next burst without new goroutines.
	if err := l.run(99, func() {}); err != nil {
		t.Fatal(err)
	}
	if err := l.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.close(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := runtime.NumGoroutine() - before; got > 0 {
		t.Fatalf("%d workers still running after close", got)
	}
}

// A chat does not wait for another chat's job to finish while the bound
// allows one more to run.
func TestLanesDoNotWaitBehindARunningJob(t *testing.T) {
	for _, l := range []*lanes{newLanes(10), newLanes(10).bounded(2)} {
		hold := make(chan struct{})
		ran := make(chan struct{})
		if err := l.run(1, func() { <-hold }); err != nil {
			t.Fatal(err)
		}
		if err := l.run(2, func() { close(ran) }); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ran:
		case <-time.After(5 * time.Second):
			t.Fatal("chat 2 waited behind chat 1's running job")
		}
		close(hold)
		if err := l.close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
