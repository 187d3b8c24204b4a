// Package redisstore is a store.Store backed by Redis.
//
// # Key layout
//
// Each session is one Redis string:
//
//	<prefix>{<key>}:session   e.g. "disputebot:{tg:123456}:session"
//
// The braces are a Redis Cluster hash tag: every key of one chat hashes on
// its session key alone, so they share a slot, and any script or
// transaction over them runs on one node. The prefix must not hold "{".
// Sessions saved before hash tags, under <prefix>session:<key>, are still
// read: a Get that misses moves the old key to the new name (keeping its
// expiry), and Delete removes both. Sessions expire after 30 days idle, so
// once every replica has run this version for that long no old key is left
// and the fallback read finds nothing (one extra GET for a new chat only).
//
// holding the session as compact JSON (see encoding.go: format 2; sessions
// stored as engine.Session's own JSON before are still read), with the
// compare-and-set version first inside the JSON as "v". The prefix defaults to
// "disputebot:". Every successful Put sets the key's expiry to the store's
// TTL (store.DefaultTTL by default); Get does not touch the expiry, so a
// session expires TTL after it was last saved.
//
// A summary link is one more string, pointing a share token at a session key,
// with the same TTL:
//
//	<prefix>link:<token>    e.g. "disputebot:link:Qm9r..." → "tg:123456"
//
// Reminders (store.Reminders) have keys of their own, sharded; see
// reminders.go.
//
// Put is a single Lua script (EVALSHA, falling back to EVAL) that reads the
// stored version, compares it with the caller's, and on a match writes the
// new JSON and its expiry atomically. It works on one key, so it is safe on
// Redis Cluster.
//
// # Errors
//
// A missing key is store.ErrNotFound, a lost compare-and-set is
// store.ErrConflict. Failures to reach Redis (network errors, timeouts, a
// closed client, a loading or read-only server) satisfy
// errors.Is(err, store.ErrUnavailable). A value that is not a session is
// ErrCorrupt. Errors carry the operation and key: "get session tg:1: ...".
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

var _ store.Store = (*Store)(nil)

// ErrCorrupt means the value stored under a session key is not a session
// written by this package. Delete the key to start the chat afresh.
var ErrCorrupt = errors.New("corrupt session data in redis")

// DefaultPrefix is the key prefix used when Options.Prefix is empty.
const DefaultPrefix = "disputebot:"

// Options configures a Store. The zero value is usable.
type Options struct {
	// Prefix is prepended to every key (DefaultPrefix if empty).
	Prefix string
	// TTL is how long a session lives after its last Put
	// (store.DefaultTTL if <= 0). It is rounded up to whole milliseconds.
	TTL time.Duration
}

// Store is a store.Store backed by Redis. It is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	ttlMS  int64
	// queue names the reminder-shaped queue this Store's reminder methods
	// work on: "remind" for reminders, "owed" for its Outbox view.
	queue string
}

// New returns a Store using client. The caller owns client and closes it.
func New(client redis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.TTL <= 0 {
		opts.TTL = store.DefaultTTL
	}
	ms := int64((opts.TTL + time.Millisecond - 1) / time.Millisecond)
	return &Store{rdb: client, prefix: opts.Prefix, ttlMS: ms, queue: "remind"}
}

// pingTimeout bounds the reachability check in Open.
const pingTimeout = 3 * time.Second

// Open parses a redis:// or rediss:// URL, connects and pings the server
// (giving up after a few seconds, or sooner if ctx ends), and returns a Store
// on the new client. The caller closes the client. An unreachable server is
// an error satisfying errors.Is(err, store.ErrUnavailable). The URL's
// password never appears in errors.
//
// Timeouts the URL does not set are DefaultTimeout's, as with Dial, which
// also reaches a Redis Cluster or a master through Sentinel.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, *redis.Client, error) {
	ro, err := parseURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	applyTimeouts(&ro.DialTimeout, &ro.ReadTimeout, &ro.WriteTimeout, &ro.MaxRetries, 0)
	ro.ContextTimeoutEnabled = true
	client := redis.NewClient(ro)
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		_ = client.Close()
		return nil, nil, fmt.Errorf("redisstore: cannot reach redis at %s: %w", redact(rawURL), classify(err))
	}
	return New(client, opts), client, nil
}

// redact returns the URL with any password replaced, for error messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

func (s *Store) key(key string) string { return s.prefix + "{" + key + "}:session" }

func (s *Store) linkKey(token string) string { return s.prefix + "link:" + token }

// PutLink implements store.Store. The token is not logged or put in errors:
// it is a capability.
func (s *Store) PutLink(ctx context.Context, token, key string) error {
	if err := s.rdb.Set(ctx, s.linkKey(token), key, time.Duration(s.ttlMS)*time.Millisecond).Err(); err != nil {
		return fmt.Errorf("put link for %s: %w", key, classify(err))
	}
	return nil
}

// GetLink implements store.Store.
func (s *Store) GetLink(ctx context.Context, token string) (string, error) {
	key, err := s.rdb.Get(ctx, s.linkKey(token)).Result()
	if errors.Is(err, redis.Nil) {
		return "", store.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("get link: %w", classify(err))
	}
	return key, nil
}

// DeleteLink implements store.Store.
func (s *Store) DeleteLink(ctx context.Context, token string) error {
	if err := s.rdb.Del(ctx, s.linkKey(token)).Err(); err != nil {
		return fmt.Errorf("delete link: %w", classify(err))
	}
	return nil
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) (engine.Session, error) {
	data, err := s.rdb.Get(ctx, s.key(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		data, err = s.moveOld(ctx, key)
	}
	if errors.Is(err, redis.Nil) {
		return engine.Session{}, store.ErrNotFound
	}
	if err != nil {
		return engine.Session{}, fmt.Errorf("get session %s: %w", key, classify(err))
	}
	sess, err := decode(data)
	if err != nil {
		return engine.Session{}, fmt.Errorf("get session %s: %w: %v", key, ErrCorrupt, err)
	}
	return sess, nil
}

// putScript is the compare-and-set.
//
//	KEYS[1] session key
//	ARGV[1] expected version (0: the key must not exist)
//	ARGV[2] new session JSON, already carrying version ARGV[1]+1
//	ARGV[3] TTL in milliseconds
//
// Returns {1, new version} on success, {0, stored version} on conflict and
// {-1, 0} when the stored value is not a session.
var putScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
local have = 0
if cur then
  -- Fast path: Go writes the version first, so no need to decode it all.
  local v = string.match(cur, '^{"v":(%d+)[,}]')
  if v then
    have = tonumber(v)
  else
    local ok, doc = pcall(cjson.decode, cur)
    if not ok or type(doc) ~= 'table' or type(doc['v']) ~= 'number' then
      return {-1, 0}
    end
    have = doc['v']
  end
end
local want = tonumber(ARGV[1])
if have ~= want then
  return {0, have}
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return {1, want + 1}
`)

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key string, sess engine.Session) (engine.Session, error) {
	want := sess.Version
	sess.Version = want + 1
	data, err := encode(sess)
	if err != nil {
		return engine.Session{}, fmt.Errorf("put session %s: encode: %w", key, err)
	}
	res, err := putScript.Run(ctx, s.rdb, []string{s.key(key)}, want, data, s.ttlMS).Int64Slice()
	if err != nil {
		return engine.Session{}, fmt.Errorf("put session %s: %w", key, classify(err))
	}
	if len(res) != 2 {
		return engine.Session{}, fmt.Errorf("put session %s: unexpected script reply %v", key, res)
	}
	switch res[0] {
	case 1:
		return sess, nil
	case 0:
		return engine.Session{}, fmt.Errorf("put session %s: have version %d, stored %d: %w", key, want, res[1], store.ErrConflict)
	default:
		return engine.Session{}, fmt.Errorf("put session %s: %w: stored value has no version", key, ErrCorrupt)
	}
}

// Delete implements store.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.del(ctx, key); err != nil {
		return fmt.Errorf("delete session %s: %w", key, classify(err))
	}
	return nil
}

// unavailablePrefixes are Redis error replies that mean "the server cannot
// serve right now" rather than "the request is wrong".
var unavailablePrefixes = []string{
	"LOADING", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN",
	"NOREPLICAS", "BUSY", "OOM", "ERR max number of clients",
}

// classify marks err as store.ErrUnavailable when it is a failure to reach
// or use the server, keeping err itself in the chain. The caller's own
// cancellation and ordinary Redis error replies are returned unchanged.
func classify(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		msg := rerr.Error()
		for _, p := range unavailablePrefixes {
			if strings.HasPrefix(msg, p) {
				return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
			}
		}
		return err
	}
	return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
}
