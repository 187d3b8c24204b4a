// Package storetest is the conformance suite every store.Store must pass,
// in the style of testing/slogtest:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, ttl time.Duration) (store.Store, func(time.Duration)) {
//			clock := newFakeClock()
//			return memstore.New(ttl, clock.Now), clock.Advance
//		})
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

// NewStore returns a new, empty store (sharing no keys with any other store
// it returned) whose sessions expire ttl after their last Put, and a function
// that makes d pass for that store: a fake clock's advance, miniredis's
// FastForward, or time.Sleep for a real server. ttl 0 means the store's
// default; the suite passes TTL, at most a couple of seconds, only to the
// expiry tests, so a real sleep stays short.
type NewStore func(t *testing.T, ttl time.Duration) (s store.Store, advance func(d time.Duration))

// TTL is the short expiry the suite uses for its expiry tests.
const TTL = 1500 * time.Millisecond

// Concurrency of the concurrent-update test: Workers goroutines each apply
// Steps updates to one key.
const (
	Workers = 50
	Steps   = 20
)

// Run runs the conformance suite against stores made by newStore.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, newStore NewStore)
	}{
		{"GetMissing", testGetMissing},
		{"CreateWithVersionZero", testCreate},
		{"PutIncrementsVersion", testPutIncrements},
		{"StaleVersionConflicts", testStaleConflict},
		{"CreateOverExistingConflicts", testCreateOverExisting},
		{"FutureVersionConflicts", testFutureVersion},
		{"RoundTripAllFields", testRoundTrip},
		{"ZeroSessionRoundTrip", testZeroRoundTrip},
		{"NoAliasing", testNoAliasing},
		{"DeleteThenGet", testDelete},
		{"DeleteMissing", testDeleteMissing},
		{"KeysIsolated", testKeysIsolated},
		{"Expiry", testExpiry},
		{"PutRefreshesTTL", testTTLRefresh},
		{"CancelledContext", testCancelled},
		{"ConcurrentUpdates", testConcurrent},
		{"Links", testLinks},
		{"LinksExpire", testLinksExpire},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore)
		})
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustGet(t *testing.T, s store.Store, key string) engine.Session {
	t.Helper()
	got, err := s.Get(ctxT(t), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return got
}

func mustPut(t *testing.T, s store.Store, key string, sess engine.Session) engine.Session {
	t.Helper()
	got, err := s.Put(ctxT(t), key, sess)
	if err != nil {
		t.Fatalf("Put(%q, version %d): %v", key, sess.Version, err)
	}
	return got
}

func wantNotFound(t *testing.T, s store.Store, key string) {
	t.Helper()
	got, err := s.Get(ctxT(t), key)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q) = %+v, %v; want ErrNotFound", key, got, err)
	}
}

func wantConflict(t *testing.T, s store.Store, key string, sess engine.Session) {
	t.Helper()
	got, err := s.Put(ctxT(t), key, sess)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Put(%q, version %d) = %+v, %v; want ErrConflict", key, sess.Version, got, err)
	}
}

func wantEqual(t *testing.T, what string, got, want engine.Session) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func testGetMissing(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	wantNotFound(t, s, "tg:1")
	wantNotFound(t, s, "")
}

func testCreate(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	put := mustPut(t, s, "tg:1", engine.Session{Node: "start", Seq: 1})
	if put.Version != 1 {
		t.Fatalf("Put version 0 returned version %d, want 1", put.Version)
	}
	got := mustGet(t, s, "tg:1")
	wantEqual(t, "Get after create", got, engine.Session{Version: 1, Node: "start", Seq: 1})
}

func testPutIncrements(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	sess := engine.Session{}
	for i := int64(1); i <= 5; i++ {
		sess.Seq = i
		sess = mustPut(t, s, "tg:1", sess)
		if sess.Version != i {
			t.Fatalf("Put #%d returned version %d", i, sess.Version)
		}
		if got := mustGet(t, s, "tg:1"); got.Version != i || got.Seq != i {
			t.Fatalf("Get after Put #%d: version %d seq %d", i, got.Version, got.Seq)
		}
	}
}

func testStaleConflict(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	v1 := mustPut(t, s, "tg:1", engine.Session{Node: "a"})
	stale := v1 // read by a second writer
	v1.Node = "b"
	v2 := mustPut(t, s, "tg:1", v1)
	if v2.Version != 2 {
		t.Fatalf("second Put returned version %d, want 2", v2.Version)
	}
	stale.Node = "loser"
	wantConflict(t, s, "tg:1", stale)
	wantEqual(t, "after conflicting Put", mustGet(t, s, "tg:1"), engine.Session{Version: 2, Node: "b"})
}

func testCreateOverExisting(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	mustPut(t, s, "tg:1", engine.Session{Node: "a"})
	wantConflict(t, s, "tg:1", engine.Session{Node: "fresh"})
	wantEqual(t, "after conflicting create", mustGet(t, s, "tg:1"), engine.Session{Version: 1, Node: "a"})
}

func testFutureVersion(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	wantConflict(t, s, "tg:1", engine.Session{Version: 3})
	wantNotFound(t, s, "tg:1")
	mustPut(t, s, "tg:1", engine.Session{})
	wantConflict(t, s, "tg:1", engine.Session{Version: 2})
	wantConflict(t, s, "tg:1", engine.Session{Version: -1})
	if got := mustGet(t, s, "tg:1"); got.Version != 1 {
		t.Fatalf("version after conflicts = %d, want 1", got.Version)
	}
}

// fullSession sets every field of engine.Session, including UTF-8 text and
// characters JSON escapes. Times are UTC without a monotonic reading, which
// is what a JSON round-trip yields.
func fullSession() engine.Session {
	created := time.Date(2025, 3, 15, 9, 30, 0, 123456789, time.UTC)
	return engine.Session{
		Lang:        "zh-Hans",
		Tree:        "ecommerce_refund",
		TreeVersion: 7,
		Node:        "ask_platform",
		Facts: map[string]string{
			"platform": "淘宝",
			"amount":   "199.00",
			"quote":    `他说 "不退" <b>&</b>` + "\n\t\u2028",
			"empty":    "",
		},
		Prefilled: map[string]bool{"amount": true, "platform": false},
		History: []engine.Frame{
			{Tree: "root", TreeVersion: 1, Node: "start"},
			{Tree: "ecommerce_refund", TreeVersion: 7, Node: "ask_amount", Answer: "199.00", Facts: map[string]string{"amount": "199.00"}},
		},
		Seq:      42,
		At:       "16",
		Recent:   []string{"u:1001", "u:1002", "cb:abc"},
		Pressed:  "choose:16:yes",
		Evidence: map[string]bool{"order_screenshot": true, "chat_log": false},
		Pending: &engine.Proposal{
			Category:   "ecommerce_refund",
			Confidence: 0.875,
			Facts:      map[string]string{"platform": "拼多多"},
		},
		Form:          &engine.Form{Channel: "12315", Field: "merchant_address"},
		Share:         "tok_Qm9yaXM",
		Created:       created,
		Updated:       created.Add(36*time.Hour + 1500*time.Millisecond),
		PersonalSince: created.Add(2 * time.Hour),
	}
}

func testRoundTrip(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	in := fullSession()
	// Guard the test itself: every field must be non-zero, so a field added
	// to engine.Session later is caught here until fullSession sets it.
	rv := reflect.ValueOf(in)
	for i := range rv.NumField() {
		if name := rv.Type().Field(i).Name; name != "Version" && rv.Field(i).IsZero() {
			t.Fatalf("fullSession leaves engine.Session.%s zero; set it", name)
		}
	}
	put := mustPut(t, s, "tg:1", in)
	want := fullSession()
	want.Version = 1
	wantEqual(t, "Put result", put, want)
	wantEqual(t, "Get after Put", mustGet(t, s, "tg:1"), want)

	// And again from a session that was itself read back.
	got := mustGet(t, s, "tg:1")
	got.Facts["more"] = "1"
	want.Facts["more"] = "1"
	want.Version = 2
	mustPut(t, s, "tg:1", got)
	wantEqual(t, "Get after second Put", mustGet(t, s, "tg:1"), want)
}

func testZeroRoundTrip(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	mustPut(t, s, "tg:1", engine.Session{})
	wantEqual(t, "zero session", mustGet(t, s, "tg:1"), engine.Session{Version: 1})
}

func testNoAliasing(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	in := fullSession()
	mustPut(t, s, "tg:1", in)
	// Mutating what was put, or what was got, must not change what is stored.
	in.Facts["platform"] = "changed"
	in.History[0].Node = "changed"
	in.Pending.Category = "changed"
	got := mustGet(t, s, "tg:1")
	got.Facts["platform"] = "changed"
	got.Evidence["chat_log"] = true
	got.Recent[0] = "changed"
	got.History[1].Facts["amount"] = "changed"
	want := fullSession()
	want.Version = 1
	wantEqual(t, "stored session after mutating copies", mustGet(t, s, "tg:1"), want)
}

func testDelete(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	mustPut(t, s, "tg:1", engine.Session{Node: "a"})
	if err := s.Delete(ctxT(t), "tg:1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, s, "tg:1")
	// A deleted key starts over at version 0.
	if put := mustPut(t, s, "tg:1", engine.Session{Node: "b"}); put.Version != 1 {
		t.Fatalf("create after Delete returned version %d, want 1", put.Version)
	}
}

func testDeleteMissing(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	if err := s.Delete(ctxT(t), "tg:404"); err != nil {
		t.Fatalf("Delete of missing key: %v", err)
	}
	if err := s.Delete(ctxT(t), "tg:404"); err != nil {
		t.Fatalf("second Delete of missing key: %v", err)
	}
}

func testKeysIsolated(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	keys := []string{"tg:1", "tg:12", "tg:1:x", "cli:1", "TG:1", "tg:1 ", "用户:1"}
	for i, k := range keys {
		mustPut(t, s, k, engine.Session{Node: k, Seq: int64(i)})
	}
	if err := s.Delete(ctxT(t), "tg:1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, s, "tg:1")
	wantNotFound(t, s, "tg:")
	for i, k := range keys[1:] {
		wantEqual(t, "Get("+k+")", mustGet(t, s, k), engine.Session{Version: 1, Node: k, Seq: int64(i + 1)})
	}
}

func testExpiry(t *testing.T, newStore NewStore) {
	s, advance := newStore(t, TTL)
	mustPut(t, s, "tg:1", engine.Session{Node: "a"})
	advance(TTL * 6 / 10)
	if got := mustGet(t, s, "tg:1"); got.Node != "a" {
		t.Fatalf("Get before expiry: %+v", got)
	}
	advance(TTL * 6 / 10)
	wantNotFound(t, s, "tg:1")
	// An expired session is gone: its old version conflicts, version 0
	// creates it afresh.
	wantConflict(t, s, "tg:1", engine.Session{Version: 1, Node: "stale"})
	if put := mustPut(t, s, "tg:1", engine.Session{Node: "b"}); put.Version != 1 {
		t.Fatalf("create after expiry returned version %d, want 1", put.Version)
	}
}

func testTTLRefresh(t *testing.T, newStore NewStore) {
	s, advance := newStore(t, TTL)
	sess := mustPut(t, s, "tg:1", engine.Session{Node: "a"})
	advance(TTL * 6 / 10)
	sess.Node = "b"
	mustPut(t, s, "tg:1", sess)
	advance(TTL * 6 / 10) // 1.2 TTL after the first Put, 0.6 after the second
	if got := mustGet(t, s, "tg:1"); got.Node != "b" || got.Version != 2 {
		t.Fatalf("Get after refreshing Put: %+v", got)
	}
	advance(TTL * 6 / 10) // Get must not have refreshed the TTL
	wantNotFound(t, s, "tg:1")
}

func testCancelled(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	mustPut(t, s, "tg:1", engine.Session{Node: "a"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := s.Get(ctx, "tg:1"); return err }},
		{"Put", func() error { _, err := s.Put(ctx, "tg:2", engine.Session{}); return err }},
		{"Delete", func() error { return s.Delete(ctx, "tg:1") }},
	}
	for _, c := range calls {
		done := make(chan error, 1)
		go func() { done <- c.call() }()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s with cancelled context: nil error", c.name)
			} else if !errors.Is(err, context.Canceled) {
				t.Errorf("%s with cancelled context: %v; want it to wrap context.Canceled", c.name, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s with cancelled context did not return", c.name)
		}
	}
	// Nothing happened.
	wantEqual(t, "after cancelled calls", mustGet(t, s, "tg:1"), engine.Session{Version: 1, Node: "a"})
	wantNotFound(t, s, "tg:2")
}

// backoff sleeps a random time up to 250µs doubled per attempt, at most 128ms.
func backoff(attempt int) {
	limit := 250 * time.Microsecond << min(attempt, 9)
	time.Sleep(rand.N(limit))
}

// testConcurrent has Workers goroutines each apply Steps read-modify-write
// steps to one session, retrying on ErrConflict as the bot does. No update
// may be lost or applied twice.
func testConcurrent(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	const key = "tg:race"
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, Workers)
	var conflicts sync.Map // worker -> retries, for the log
	for w := range Workers {
		wg.Go(func() {
			retries := 0
			// Contention level, kept across steps and decayed on success,
			// so that a worker that just won does not barge straight back.
			attempt := 0
			for i := range Steps {
				id := fmt.Sprintf("w%02d-%02d", w, i)
				for {
					sess, err := s.Get(ctx, key)
					if errors.Is(err, store.ErrNotFound) {
						sess = engine.Session{}
					} else if err != nil {
						errs <- fmt.Errorf("worker %d step %d: %w", w, i, err)
						return
					}
					n, _ := strconv.Atoi(sess.Facts["count"])
					if sess.Facts == nil {
						sess.Facts = map[string]string{}
					}
					sess.Facts["count"] = strconv.Itoa(n + 1)
					sess.Recent = append(sess.Recent, id)
					_, err = s.Put(ctx, key, sess)
					if errors.Is(err, store.ErrConflict) {
						// Back off with jitter, as a real caller would, so
						// 50 writers do not spin on a slow store.
						retries++
						backoff(attempt)
						attempt++
						continue
					}
					if err != nil {
						errs <- fmt.Errorf("worker %d step %d: %w", w, i, err)
						return
					}
					attempt /= 2
					break
				}
			}
			conflicts.Store(w, retries)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	conflicts.Range(func(_, v any) bool { total += v.(int); return true })
	t.Logf("%d updates, %d conflicts retried", Workers*Steps, total)

	got := mustGet(t, s, key)
	if want := strconv.Itoa(Workers * Steps); got.Facts["count"] != want {
		t.Errorf("count = %s, want %s", got.Facts["count"], want)
	}
	if got.Version != Workers*Steps {
		t.Errorf("version = %d, want %d", got.Version, Workers*Steps)
	}
	seen := make(map[string]int, len(got.Recent))
	for _, id := range got.Recent {
		seen[id]++
	}
	for w := range Workers {
		for i := range Steps {
			id := fmt.Sprintf("w%02d-%02d", w, i)
			if seen[id] != 1 {
				t.Errorf("update %s applied %d times, want once", id, seen[id])
			}
		}
	}
	if len(got.Recent) != Workers*Steps {
		t.Errorf("%d updates recorded, want %d", len(got.Recent), Workers*Steps)
	}
}

func testLinks(t *testing.T, newStore NewStore) {
	s, _ := newStore(t, 0)
	ctx := ctxT(t)
	if _, err := s.GetLink(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetLink missing: %v, want ErrNotFound", err)
	}
	if err := s.PutLink(ctx, "tokA", "tg:1"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutLink(ctx, "tokB", "tg:2"); err != nil {
		t.Fatal(err)
	}
	if k, err := s.GetLink(ctx, "tokA"); err != nil || k != "tg:1" {
		t.Fatalf("GetLink = %q, %v", k, err)
	}
	if err := s.DeleteLink(ctx, "tokA"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetLink(ctx, "tokA"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoked link still resolves: %v", err)
	}
	if k, _ := s.GetLink(ctx, "tokB"); k != "tg:2" {
		t.Fatalf("revoking one link touched another: %q", k)
	}
	if err := s.DeleteLink(ctx, "never"); err != nil {
		t.Fatalf("DeleteLink missing: %v", err)
	}
}

func testLinksExpire(t *testing.T, newStore NewStore) {
	s, advance := newStore(t, 1500*time.Millisecond)
	ctx := ctxT(t)
	if err := s.PutLink(ctx, "tokC", "tg:3"); err != nil {
		t.Fatal(err)
	}
	advance(2 * time.Second)
	if _, err := s.GetLink(ctx, "tokC"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("link outlived the TTL: %v", err)
	}
}
