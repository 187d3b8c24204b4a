package bot

import (
	"context"
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
