package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/redisstore"
	"github.com/disputebot/disputebot/internal/store/storetest"
)

// backend is where a test's stores live: the real server at REDIS_URL when
// that is set, an embedded miniredis otherwise.
type backend struct {
	client  *redis.Client
	mr      *miniredis.Miniredis // nil for a real server
	advance func(time.Duration)
}

// newBackend connects to REDIS_URL, failing the test if it is set but
// unreachable, or starts a miniredis that lives as long as the test.
func newBackend(tb testing.TB) *backend {
	tb.Helper()
	if url := os.Getenv("REDIS_URL"); url != "" {
		_, client, err := redisstore.Open(context.Background(), url, redisstore.Options{})
		if err != nil {
			tb.Fatalf("REDIS_URL is set but unusable: %v", err)
		}
		tb.Cleanup(func() { client.Close() })
		return &backend{client: client, advance: time.Sleep}
	}
	mr := miniredis.RunT(tb)
	client := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	tb.Cleanup(func() { client.Close() })
	return &backend{client: client, mr: mr, advance: mr.FastForward}
}

// uniquePrefix returns a random key prefix and deletes its keys when the
// test ends, so runs sharing one server never see each other's sessions.
func (b *backend) uniquePrefix(tb testing.TB) string {
	tb.Helper()
	var r [8]byte
	rand.Read(r[:])
	prefix := "disputebot-test:" + hex.EncodeToString(r[:]) + ":"
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := b.client.Scan(ctx, 0, prefix+"*", 100).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("cleanup: scan %s*: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := b.client.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("cleanup: %v", err)
			}
		}
	})
	return prefix
}

func TestConformance(t *testing.T) {
	var shared *backend // one connection to a real server, shared by all stores
	if os.Getenv("REDIS_URL") != "" {
		shared = newBackend(t)
	}
	storetest.Run(t, func(t *testing.T, ttl time.Duration) (store.Store, func(time.Duration)) {
		b := shared
		if b == nil {
			// One miniredis per store, so FastForward touches no other test.
			b = newBackend(t)
		}
		return redisstore.New(b.client, redisstore.Options{Prefix: b.uniquePrefix(t), TTL: ttl}), b.advance
	})
}

func TestKeyLayoutAndTTL(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	prefix := b.uniquePrefix(t)
	s := redisstore.New(b.client, redisstore.Options{Prefix: prefix})
	if _, err := s.Put(ctx, "tg:1", engine.Session{Node: "start", Seq: 3}); err != nil {
		t.Fatal(err)
	}
	raw, err := b.client.Get(ctx, prefix+"{tg:1}:session").Result()
	if err != nil {
		t.Fatalf("raw GET: %v", err)
	}
	if want := `{"v":1,"z":2,"n":"start","s":3}`; raw != want {
		t.Errorf("stored JSON = %s\nwant %s", raw, want)
	}
	ttl, err := b.client.PTTL(ctx, prefix+"{tg:1}:session").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= store.DefaultTTL-time.Minute || ttl > store.DefaultTTL {
		t.Errorf("PTTL = %v, want about %v", ttl, store.DefaultTTL)
	}
}

func TestDefaultPrefix(t *testing.T) {
	if os.Getenv("REDIS_URL") != "" {
		// Would write under the production prefix of a shared server.
		mr := miniredis.RunT(t)
		b := &backend{client: redis.NewClient(&redis.Options{Addr: mr.Addr()}), mr: mr}
		defer b.client.Close()
		testDefaultPrefix(t, b)
		return
	}
	testDefaultPrefix(t, newBackend(t))
}

func testDefaultPrefix(t *testing.T, b *backend) {
	s := redisstore.New(b.client, redisstore.Options{TTL: time.Hour})
	if _, err := s.Put(t.Context(), "cli:alice", engine.Session{}); err != nil {
		t.Fatal(err)
	}
	if !b.mr.Exists("disputebot:{cli:alice}:session") {
		t.Fatalf("keys = %v, want disputebot:session:cli:alice", b.mr.Keys())
	}
	if ttl := b.mr.TTL("disputebot:{cli:alice}:session"); ttl != time.Hour {
		t.Fatalf("TTL = %v, want 1h", ttl)
	}
}

func TestCorruptValue(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	prefix := b.uniquePrefix(t)
	s := redisstore.New(b.client, redisstore.Options{Prefix: prefix})
	for _, raw := range []string{`not json`, `{"v":"x"}`, `[1,2]`, `null`, `{"n":"a"}`} {
		if err := b.client.Set(ctx, prefix+"{tg:1}:session", raw, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		_, err := s.Put(ctx, "tg:1", engine.Session{Version: 1})
		if !errors.Is(err, redisstore.ErrCorrupt) || !strings.Contains(err.Error(), "put session tg:1") {
			t.Errorf("Put over %s: %v, want ErrCorrupt", raw, err)
		}
		if got, _ := b.client.Get(ctx, prefix+"{tg:1}:session").Result(); got != raw {
			t.Errorf("Put over %s overwrote it with %s", raw, got)
		}
	}
	for _, raw := range []string{`not json`, `{"v":"x"}`, `[1,2]`} {
		if err := b.client.Set(ctx, prefix+"{tg:1}:session", raw, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		_, err := s.Get(ctx, "tg:1")
		if !errors.Is(err, redisstore.ErrCorrupt) || !strings.Contains(err.Error(), "get session tg:1") {
			t.Errorf("Get of %s: %v, want ErrCorrupt", raw, err)
		}
		if errors.Is(err, store.ErrUnavailable) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get of %s: %v classified as unavailable/not found", raw, err)
		}
	}
	// Delete recovers.
	if err := s.Delete(ctx, "tg:1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "tg:1", engine.Session{}); err != nil {
		t.Fatalf("Put after deleting corrupt value: %v", err)
	}
}

func TestWrongType(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	prefix := b.uniquePrefix(t)
	s := redisstore.New(b.client, redisstore.Options{Prefix: prefix})
	if err := b.client.HSet(ctx, prefix+"{tg:1}:session", "a", "b").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "tg:1"); err == nil || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Get of a hash: %v, want a plain error", err)
	}
	if _, err := s.Put(ctx, "tg:1", engine.Session{}); err == nil || errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Put over a hash: %v, want a plain error", err)
	}
}

// closedAddr returns an address on which nothing listens.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestDeadRedisIsUnavailable(t *testing.T) {
	client := redis.NewClient(&redis.Options{
		Addr:        closedAddr(t),
		DialTimeout: 200 * time.Millisecond,
		MaxRetries:  -1,
	})
	defer client.Close()
	s := redisstore.New(client, redisstore.Options{})
	ctx := t.Context()
	calls := map[string]func() error{
		"get session tg:1":    func() error { _, err := s.Get(ctx, "tg:1"); return err },
		"put session tg:1":    func() error { _, err := s.Put(ctx, "tg:1", engine.Session{}); return err },
		"delete session tg:1": func() error { return s.Delete(ctx, "tg:1") },
	}
	for op, call := range calls {
		start := time.Now()
		err := call()
		elapsed := time.Since(start)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s on dead redis: %v, want ErrUnavailable", op, err)
		} else if !strings.HasPrefix(err.Error(), op+": ") {
			t.Errorf("error %q lacks context %q", err, op)
		}
		if elapsed > 2*time.Second {
			t.Errorf("%s on dead redis took %v", op, elapsed)
		}
		t.Logf("%s: %v (%v)", op, err, elapsed.Round(time.Millisecond))
	}
}

func TestStoppedServerIsUnavailable(t *testing.T) {
	mr := miniredis.RunT(t)
	client := redis.NewClient(&redis.Options{Addr: mr.Addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer client.Close()
	s := redisstore.New(client, redisstore.Options{})
	if _, err := s.Put(t.Context(), "tg:1", engine.Session{}); err != nil {
		t.Fatal(err)
	}
	mr.Close()
	if _, err := s.Get(t.Context(), "tg:1"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Get after server stopped: %v, want ErrUnavailable", err)
	}
}

func TestDeadlineIsUnavailable(t *testing.T) {
	b := newBackend(t)
	s := redisstore.New(b.client, redisstore.Options{Prefix: b.uniquePrefix(t)})
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := s.Get(ctx, "tg:1")
	if !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get past deadline: %v, want ErrUnavailable wrapping DeadlineExceeded", err)
	}
}

func TestOpen(t *testing.T) {
	t.Run("Unreachable", func(t *testing.T) {
		start := time.Now()
		_, _, err := redisstore.Open(t.Context(), "redis://:s3cret@"+closedAddr(t)+"/0?dial_timeout=200ms&max_retries=-1", redisstore.Options{})
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Open of dead server: %v, want ErrUnavailable", err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error leaks the password: %v", err)
		}
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("Open of dead server took %v", d)
		}
		t.Logf("%v", err)
	})
	t.Run("BadURL", func(t *testing.T) {
		for _, u := range []string{"http://localhost:6379", "redis://:s3cret@host:port%zz/0", "redis://:s3cret@localhost/notadb"} {
			_, _, err := redisstore.Open(t.Context(), u, redisstore.Options{})
			if err == nil {
				t.Errorf("Open(%q) succeeded", u)
				continue
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error leaks the password: %v", err)
			}
			t.Logf("%v", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		mr := miniredis.RunT(t)
		s, client, err := redisstore.Open(t.Context(), "redis://"+mr.Addr()+"/0", redisstore.Options{Prefix: "x:"})
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		if _, err := s.Put(t.Context(), "k", engine.Session{}); err != nil {
			t.Fatal(err)
		}
		if !mr.Exists("x:{k}:session") {
			t.Fatalf("keys = %v", mr.Keys())
		}
	})
}

func benchStore(b *testing.B) (*redisstore.Store, context.Context) {
	be := newBackend(b)
	return redisstore.New(be.client, redisstore.Options{Prefix: be.uniquePrefix(b)}), context.Background()
}

func BenchmarkPut(b *testing.B) {
	s, ctx := benchStore(b)
	sess := storetestSession()
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if sess, err = s.Put(ctx, "tg:bench", sess); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutLarge puts a session with 1000 recent ids (~13 KB of JSON).
func BenchmarkPutLarge(b *testing.B) {
	s, ctx := benchStore(b)
	sess := storetestSession()
	for i := range 1000 {
		sess.Recent = append(sess.Recent, fmt.Sprintf("w%02d-%02d", i/20, i%20))
	}
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if sess, err = s.Put(ctx, "tg:bench", sess); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	s, ctx := benchStore(b)
	if _, err := s.Put(ctx, "tg:bench", storetestSession()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, "tg:bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// storetestSession is a mid-sized session: a few facts, answers and events.
func storetestSession() engine.Session {
	now := time.Now().UTC()
	return engine.Session{
		Lang: "zh-Hans", Tree: "ecommerce_refund", TreeVersion: 3, Node: "ask_evidence",
		Facts: map[string]string{"platform": "淘宝", "amount": "199.00", "order": "1234567890", "date": "2025-03-01"},
		History: []engine.Frame{
			{Tree: "root", Node: "start"},
			{Tree: "ecommerce_refund", TreeVersion: 3, Node: "ask_platform", Facts: map[string]string{"amount": "199.00"}},
			{Tree: "ecommerce_refund", TreeVersion: 3, Node: "ask_amount", Facts: map[string]string{"platform": "淘宝", "amount": "199.00"}},
		},
		Seq:      7,
		Recent:   []string{"u:1001", "u:1002", "u:1003", "cb:1004"},
		Evidence: map[string]bool{"order_screenshot": true},
		Created:  now, Updated: now,
	}
}

// Two stores on one backend and prefix are two replicas.
func TestRemindersConformance(t *testing.T) {
	storetest.RunReminders(t, func(t *testing.T) (store.Reminders, store.Reminders) {
		b := newBackend(t)
		prefix := b.uniquePrefix(t)
		return redisstore.New(b.client, redisstore.Options{Prefix: prefix}), redisstore.New(b.client, redisstore.Options{Prefix: prefix})
	})
}

// The outbox view is a queue of its own with the reminders' contract.
func TestOutboxConformance(t *testing.T) {
	storetest.RunReminders(t, func(t *testing.T) (store.Reminders, store.Reminders) {
		b := newBackend(t)
		prefix := b.uniquePrefix(t)
		return redisstore.New(b.client, redisstore.Options{Prefix: prefix}).Outbox(), redisstore.New(b.client, redisstore.Options{Prefix: prefix}).Outbox()
	})
	storetest.SeparateQueues(t, func(t *testing.T) (store.Reminders, store.Reminders) {
		b := newBackend(t)
		s := redisstore.New(b.client, redisstore.Options{Prefix: b.uniquePrefix(t)})
		return s, s.Outbox()
	})
}

// A restart is a new client and store on the same server: the reminders and
// their claims are where they were.
func TestRemindersSurviveRestart(t *testing.T) {
	b := newBackend(t)
	prefix := b.uniquePrefix(t)
	ctx := t.Context()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, engine.China)
	s1 := redisstore.New(b.client, redisstore.Options{Prefix: prefix})
	rs := []remind.Reminder{{ID: "followup", Key: "tg:9", At: at, Lang: "zh", Kind: remind.FollowUp}}
	if err := s1.SetReminders(ctx, "tg:9", rs); err != nil {
		t.Fatal(err)
	}
	var due []string
	for _, k := range b.keys(t, prefix) {
		if strings.HasSuffix(k, ":due") {
			due = append(due, k)
		}
	}
	if len(due) != 1 || !strings.HasPrefix(due[0], prefix+"remind:{") {
		t.Fatalf("due sets %q, want one %sremind:{NN}:due", due, prefix)
	}

	client2 := redis.NewClient(b.client.Options())
	defer client2.Close()
	s2 := redisstore.New(client2, redisstore.Options{Prefix: prefix})
	cs, err := s2.ClaimReminders(ctx, at, "tg:", time.Minute, 10)
	if err != nil || len(cs) != 1 || cs[0].Reminder.Lang != "zh" {
		t.Fatalf("claim after restart: %+v, %v", cs, err)
	}
	if err := s2.FinishReminder(ctx, cs[0]); err != nil {
		t.Fatal(err)
	}
	if left, _ := s1.Reminders(ctx, "tg:9"); len(left) != 0 {
		t.Fatalf("left after sending: %+v", left)
	}
}

func (b *backend) keys(t *testing.T, prefix string) []string {
	t.Helper()
	keys, err := b.client.Keys(t.Context(), prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
