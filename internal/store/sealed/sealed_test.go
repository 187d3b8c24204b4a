package sealed_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/internal/store/redisstore"
	"github.com/disputebot/disputebot/internal/store/sealed"
	"github.com/disputebot/disputebot/internal/store/storetest"
)

var key = bytes.Repeat([]byte{7}, sealed.KeySize)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestConformance(t *testing.T) {
	for name, k := range map[string][]byte{"key": key, "no key": nil} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, ttl time.Duration) (store.Store, func(time.Duration)) {
				c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
				s, err := sealed.New(memstore.New(ttl, c.Now), k, 0, c.Now)
				if err != nil {
					t.Fatal(err)
				}
				return s, c.Add
			})
		})
	}
}

func drafted() engine.Session {
	return engine.Session{Tree: "t", Node: "end", Facts: map[string]string{
		"complainant_name": "张三", "complainant_phone": "13812345678", "complainant_address": "上海市徐汇区1号",
		"merchant_name": "某某店", "demand": "退款 13812345678", "price": "120.00",
	}, History: []engine.Frame{{Tree: "t", Node: "kind", Facts: map[string]string{"complainant_name": "张三"}}}}
}

// What Redis holds has none of the personal details; what Get returns has
// them all.
func TestPersonalFactsAreSealedInRedis(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	ctx := context.Background()
	s, err := sealed.New(redisstore.New(rdb, redisstore.Options{}), key, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "tg:1", drafted()); err != nil {
		t.Fatal(err)
	}
	for _, k := range mr.Keys() {
		raw, _ := mr.Get(k)
		for _, secret := range []string{"张三", "13812345678", "上海市", "某某店", "退款"} {
			if strings.Contains(raw, secret) {
				t.Fatalf("%s holds %q in clear: %s", k, secret, raw)
			}
		}
		if !strings.Contains(raw, "120.00") {
			t.Fatalf("the rest of the case is sealed too: %s", raw)
		}
	}
	got, err := s.Get(ctx, "tg:1")
	if err != nil {
		t.Fatal(err)
	}
	want := drafted()
	for k, v := range want.Facts {
		if got.Facts[k] != v {
			t.Fatalf("fact %s = %q, want %q", k, got.Facts[k], v)
		}
	}
	if got.History[0].Facts["complainant_name"] != "张三" || got.PersonalSince.IsZero() {
		t.Fatalf("history %v, since %v", got.History[0].Facts, got.PersonalSince)
	}
}

// Sessions stored before sealing load as they were, and are sealed on
// their next save.
func TestPlainSessionsStillLoad(t *testing.T) {
	ctx := context.Background()
	inner := memstore.New(0, nil)
	if _, err := inner.Put(ctx, "tg:1", drafted()); err != nil {
		t.Fatal(err)
	}
	s, _ := sealed.New(inner, key, 0, nil)
	got, err := s.Get(ctx, "tg:1")
	if err != nil || got.Facts["complainant_phone"] != "13812345678" {
		t.Fatalf("old session: %v %v", got.Facts, err)
	}
	if _, err := s.Put(ctx, "tg:1", got); err != nil {
		t.Fatal(err)
	}
	raw, _ := inner.Get(ctx, "tg:1")
	if !strings.HasPrefix(raw.Facts["complainant_phone"], "enc:v1:") {
		t.Fatalf("not sealed on the next save: %q", raw.Facts["complainant_phone"])
	}
}

// A sealed value moved to another chat, or read without the key or with
// another, is dropped rather than shown.
func TestSealedValuesOpenOnlyWhereTheyWereSealed(t *testing.T) {
	ctx := context.Background()
	inner := memstore.New(0, nil)
	s, _ := sealed.New(inner, key, 0, nil)
	if _, err := s.Put(ctx, "tg:1", drafted()); err != nil {
		t.Fatal(err)
	}
	raw, _ := inner.Get(ctx, "tg:1")
	raw.Version = 0
	if _, err := inner.Put(ctx, "tg:2", raw); err != nil {
		t.Fatal(err)
	}
	other, _ := sealed.New(inner, bytes.Repeat([]byte{8}, sealed.KeySize), 0, nil)
	none, _ := sealed.New(inner, nil, 0, nil)
	for name, c := range map[string]struct {
		s   *sealed.Store
		key string
	}{"moved": {s, "tg:2"}, "another key": {other, "tg:1"}, "no key": {none, "tg:1"}} {
		got, err := c.s.Get(ctx, c.key)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := got.Facts["complainant_phone"]; ok || got.Facts["price"] != "120.00" {
			t.Fatalf("%s: phone %q (kept %v), price %q", name, v, ok, got.Facts["price"])
		}
	}
}

// The complainant's details go PersonalTTL after they were given; the
// case stays.
func TestComplainantDetailsExpire(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	inner := memstore.New(0, c.Now)
	s, _ := sealed.New(inner, key, 7*24*time.Hour, c.Now)
	saved, err := s.Put(ctx, "tg:1", drafted())
	if err != nil {
		t.Fatal(err)
	}
	// Another step later keeps the first detail's time.
	c.Add(3 * 24 * time.Hour)
	got, _ := s.Get(ctx, "tg:1")
	got.Facts["extra"] = "1"
	if _, err := s.Put(ctx, "tg:1", got); err != nil {
		t.Fatal(err)
	}
	c.Add(4*24*time.Hour - time.Second)
	if got, _ := s.Get(ctx, "tg:1"); got.Facts["complainant_phone"] == "" || !got.PersonalSince.Equal(saved.PersonalSince) {
		t.Fatalf("dropped early, or its time moved: %v %v", got.Facts, got.PersonalSince)
	}
	c.Add(time.Second)
	got, _ = s.Get(ctx, "tg:1")
	for k := range got.Facts {
		if engine.PersonalFact(k) {
			t.Fatalf("%s kept past its time", k)
		}
	}
	if got.Facts["price"] != "120.00" || got.Facts["demand"] == "" || !got.PersonalSince.IsZero() || len(got.History[0].Facts) != 0 {
		t.Fatalf("after expiry: %v, since %v, history %v", got.Facts, got.PersonalSince, got.History[0].Facts)
	}
	if _, err := s.Put(ctx, "tg:1", got); err != nil {
		t.Fatal(err)
	}
	if raw, _ := inner.Get(ctx, "tg:1"); raw.Facts["complainant_phone"] != "" {
		t.Fatal("still stored after the next save")
	}
}

// A session read before the details' time ran out (a front end's cached
// copy) and saved after it does not keep them.
func TestComplainantDetailsExpireOnPut(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	inner := memstore.New(0, c.Now)
	s, _ := sealed.New(inner, key, 7*24*time.Hour, c.Now)
	saved, err := s.Put(ctx, "tg:1", drafted())
	if err != nil {
		t.Fatal(err)
	}
	c.Add(7 * 24 * time.Hour)
	saved.Facts["extra"] = "1" // a step on the copy held since
	put, err := s.Put(ctx, "tg:1", saved)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := inner.Get(ctx, "tg:1")
	for k := range raw.Facts {
		if engine.PersonalFact(k) {
			t.Fatalf("%s stored past its time", k)
		}
	}
	if put.Facts["complainant_phone"] != "" || !put.PersonalSince.IsZero() || put.Facts["extra"] != "1" {
		t.Fatalf("the session returned: %v, since %v", put.Facts, put.PersonalSince)
	}
}

func TestParseKey(t *testing.T) {
	for _, v := range []string{"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"} {
		if k, err := sealed.ParseKey(v); err != nil || !bytes.Equal(k, key) {
			t.Fatalf("%s: %v", v, err)
		}
	}
	for _, v := range []string{"short", "AAAA", "not base64!"} {
		if _, err := sealed.ParseKey(v); err == nil {
			t.Fatalf("%q accepted", v)
		}
	}
}
