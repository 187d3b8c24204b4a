package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/redisstore"
	"github.com/disputebot/disputebot/internal/store/redisstore/redistest"
	"github.com/disputebot/disputebot/internal/store/storetest"
)

func randomPrefix() string {
	var r [6]byte
	rand.Read(r[:])
	return "t" + hex.EncodeToString(r[:]) + ":"
}

// conformanceOn runs the store suite on one client, each store under its
// own prefix (the servers are the test's own: nothing to clean up).
func conformanceOn(t *testing.T, client redis.UniversalClient) {
	storetest.Run(t, func(t *testing.T, ttl time.Duration) (store.Store, func(time.Duration)) {
		return redisstore.New(client, redisstore.Options{Prefix: randomPrefix(), TTL: ttl}), time.Sleep
	})
}

func TestCluster(t *testing.T) {
	addrs := redistest.Cluster(t, 3)
	st, client, err := redisstore.Dial(t.Context(), redisstore.Config{ClusterAddrs: addrs[:1]}, redisstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() }) // the suite's parallel tests outlive this function
	cc, ok := client.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("client is %T, want a cluster client", client)
	}

	t.Run("Conformance", func(t *testing.T) { conformanceOn(t, client) })

	// Reminders shard their keys under hash tags; two stores on one prefix
	// are two replicas.
	t.Run("Reminders", func(t *testing.T) {
		storetest.RunReminders(t, func(t *testing.T) (store.Reminders, store.Reminders) {
			prefix := randomPrefix()
			return redisstore.New(client, redisstore.Options{Prefix: prefix}), redisstore.New(client, redisstore.Options{Prefix: prefix})
		})
	})

	t.Run("Outbox", func(t *testing.T) {
		storetest.RunReminders(t, func(t *testing.T) (store.Reminders, store.Reminders) {
			prefix := randomPrefix()
			return redisstore.New(client, redisstore.Options{Prefix: prefix}).Outbox(), redisstore.New(client, redisstore.Options{Prefix: prefix}).Outbox()
		})
	})

	t.Run("SessionsSpreadOverMasters", func(t *testing.T) {
		ctx := t.Context()
		for i := range 30 {
			if _, err := st.Put(ctx, "tg:"+string(rune('a'+i)), engine.Session{}); err != nil {
				t.Fatal(err)
			}
		}
		var masters atomic.Int32 // ForEachMaster asks them at once
		err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			n, err := c.DBSize(ctx).Result()
			if n > 0 {
				masters.Add(1)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if masters.Load() != 3 {
			t.Errorf("30 sessions landed on %d of 3 masters", masters.Load())
		}
	})

	t.Run("OldLayoutMovesAcrossSlots", func(t *testing.T) {
		ctx := t.Context()
		prefix := randomPrefix()
		s := redisstore.New(client, redisstore.Options{Prefix: prefix})
		old, cur := prefix+"session:tg:7", prefix+"{tg:7}:session"
		if cc.ClusterKeySlot(ctx, old).Val() == cc.ClusterKeySlot(ctx, cur).Val() {
			t.Fatalf("test keys share a slot; pick others")
		}
		if err := client.Set(ctx, old, `{"v":4,"n":"ask","s":2}`, time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "tg:7")
		if err != nil || got.Version != 4 || got.Node != "ask" {
			t.Fatalf("Get = %+v, %v; want the old session", got, err)
		}
		if _, err := s.Put(ctx, "tg:7", got); err != nil {
			t.Fatalf("Put after the move: %v", err)
		}
		if n := client.Exists(ctx, old).Val(); n != 0 {
			t.Errorf("old key still there")
		}
		if err := s.Delete(ctx, "tg:7"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "tg:7"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get after Delete: %v", err)
		}
	})
}

func TestSentinel(t *testing.T) {
	master := redistest.Start(t)
	sentinel := redistest.Sentinel(t, "disputebot", master.Addr)
	_, client, err := redisstore.Dial(t.Context(), redisstore.Config{SentinelAddrs: []string{sentinel}, SentinelMaster: "disputebot"}, redisstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	conformanceOn(t, client)
	// The sessions are on the master the Sentinel named.
	direct := redis.NewClient(&redis.Options{Addr: master.Addr})
	t.Cleanup(func() {
		defer direct.Close()
		if n := direct.DBSize(context.Background()).Val(); n == 0 {
			t.Errorf("master %s holds no keys", master.Addr)
		}
	})
}

// A Redis that hangs (SIGSTOP) must become ErrUnavailable in about two
// timeouts, not go-redis's default of over ten seconds, and a ping bounded
// by a context must return when it ends.
func TestStoppedRedisFailsFast(t *testing.T) {
	srv := redistest.Start(t)
	for _, mode := range []string{"url", "sentinel"} {
		t.Run(mode, func(t *testing.T) {
			cfg := redisstore.Config{URL: "redis://" + srv.Addr + "/0"}
			if mode == "sentinel" {
				cfg = redisstore.Config{SentinelAddrs: []string{redistest.Sentinel(t, "m", srv.Addr)}, SentinelMaster: "m"}
			}
			st, client, err := redisstore.Dial(t.Context(), cfg, redisstore.Options{Prefix: randomPrefix()})
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			if _, err := st.Put(t.Context(), "tg:1", engine.Session{}); err != nil {
				t.Fatal(err)
			}
			if err := srv.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			defer srv.Cmd.Process.Signal(syscall.SIGCONT)

			start := time.Now()
			_, err = st.Get(t.Context(), "tg:1")
			took := time.Since(start)
			if !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("Get on a stopped Redis: %v, want ErrUnavailable", err)
			}
			if took > 3*time.Second {
				t.Errorf("Get on a stopped Redis took %v, want under 3s", took)
			}
			t.Logf("Get on a stopped Redis: %v after %v", err, took.Round(10*time.Millisecond))

			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			start = time.Now()
			err = redisstore.Ping(ctx, client)
			if err == nil || time.Since(start) > time.Second {
				t.Errorf("Ping on a stopped Redis: %v after %v, want an error within the context's 300ms", err, time.Since(start))
			}

			srv.Cmd.Process.Signal(syscall.SIGCONT)
			if _, err := st.Get(t.Context(), "tg:1"); err != nil {
				t.Errorf("Get once Redis runs again: %v", err)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	ok := []redisstore.Config{
		{URL: "redis://localhost:6379/0"},
		{URL: "rediss://user:pw@redis.example.org:6380/1"},
		{URL: "unix:///run/redis.sock"},
		{ClusterAddrs: []string{"10.0.0.1:7000", "10.0.0.2:7000"}},
		{SentinelAddrs: []string{"s1:26379", "s2:26379"}, SentinelMaster: "mymaster", DB: 2, TLS: true},
	}
	for _, c := range ok {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := map[string]redisstore.Config{
		"nothing":            {},
		"two":                {URL: "redis://x:1/0", ClusterAddrs: []string{"a:1"}},
		"sentinel no master": {SentinelAddrs: []string{"a:1"}},
		"master no sentinel": {URL: "redis://x:1/0", SentinelMaster: "m"},
		"addr without port":  {ClusterAddrs: []string{"a"}},
		"cluster db":         {ClusterAddrs: []string{"a:1"}, DB: 1},
		"http":               {URL: "http://:s3cret@x:1"},
	}
	for name, c := range bad {
		err := c.Validate()
		if err == nil {
			t.Errorf("%s: valid", name)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error leaks the password: %v", name, err)
		}
	}
	if got := redisstore.SplitAddrs(" a:1, ,b:2,"); len(got) != 2 || got[0] != "a:1" || got[1] != "b:2" {
		t.Errorf("SplitAddrs = %q", got)
	}
}

// Sessions saved before hash tags are read, moved with their expiry, and
// deleted under both names.
func TestOldLayout(t *testing.T) {
	b := newBackend(t)
	ctx := t.Context()
	prefix := b.uniquePrefix(t)
	s := redisstore.New(b.client, redisstore.Options{Prefix: prefix})
	old, cur := prefix+"session:tg:1", prefix+"{tg:1}:session"
	if err := b.client.Set(ctx, old, `{"v":3,"n":"ask","s":5}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "tg:1")
	if err != nil || got.Version != 3 || got.Node != "ask" || got.Seq != 5 {
		t.Fatalf("Get = %+v, %v; want the old session", got, err)
	}
	if b.client.Exists(ctx, old).Val() != 0 {
		t.Errorf("old key not removed")
	}
	if ttl := b.client.PTTL(ctx, cur).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("moved key's TTL = %v, want the old key's hour", ttl)
	}
	saved, err := s.Put(ctx, "tg:1", got)
	if err != nil || saved.Version != 4 {
		t.Fatalf("Put after the move = %v, %v", saved.Version, err)
	}
	// A new key wins over an old one left behind.
	if err := b.client.Set(ctx, old, `{"v":1,"n":"stale","s":1}`, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "tg:1"); err != nil || got.Node != "ask" {
		t.Errorf("Get with both keys = %+v, %v; want the new one", got, err)
	}
	if err := s.Delete(ctx, "tg:1"); err != nil {
		t.Fatal(err)
	}
	if n := b.client.Exists(ctx, old, cur).Val(); n != 0 {
		t.Errorf("Delete left %d keys", n)
	}
	if _, err := s.Get(ctx, "tg:1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
}
