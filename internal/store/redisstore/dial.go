package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config says which Redis to use and how to reach it: exactly one of URL
// (one server), ClusterAddrs (Redis Cluster) or SentinelAddrs (a master
// found through Sentinel, named SentinelMaster).
type Config struct {
	// URL is redis://[user:password@]host:port/db, rediss:// (TLS) or
	// unix://; its query may set go-redis options (dial_timeout=...).
	URL string
	// ClusterAddrs are some of a cluster's nodes (host:port); the client
	// discovers the others.
	ClusterAddrs []string
	// SentinelAddrs are the Sentinels (host:port) watching the master
	// named SentinelMaster.
	SentinelAddrs  []string
	SentinelMaster string
	// Username and Password authenticate with the data nodes in cluster
	// and Sentinel mode (a URL carries its own). SentinelUsername and
	// SentinelPassword authenticate with the Sentinels themselves.
	Username, Password                 string
	SentinelUsername, SentinelPassword string
	// DB is the database number in Sentinel mode (a cluster has only 0).
	DB int
	// TLS connects to cluster nodes or Sentinel-managed servers with TLS
	// (a URL says rediss:// instead).
	TLS bool
	// Timeout bounds dialling and every read and write (DefaultTimeout if
	// zero), and a failed command is retried once: a stopped or unreachable
	// Redis becomes store.ErrUnavailable after about two timeouts, so the
	// user hears "try again in a minute" within seconds. Timeouts set in a
	// URL's query win.
	Timeout time.Duration
}

// DefaultTimeout is Config.Timeout's default. A healthy Redis answers in
// well under a millisecond; go-redis's own default (5 s to dial, 3 s to
// read, three retries) leaves a user waiting over ten seconds for the
// store-down notice when Redis hangs.
const DefaultTimeout = time.Second

// Mode names the topology of c: "server", "cluster" or "sentinel".
func (c Config) Mode() string {
	switch {
	case len(c.ClusterAddrs) > 0:
		return "cluster"
	case len(c.SentinelAddrs) > 0:
		return "sentinel"
	}
	return "server"
}

// Validate checks that c names exactly one topology with what it needs.
// Its errors never repeat a password.
func (c Config) Validate() error {
	n := 0
	for _, set := range []bool{c.URL != "", len(c.ClusterAddrs) > 0, len(c.SentinelAddrs) > 0} {
		if set {
			n++
		}
	}
	switch {
	case len(c.SentinelAddrs) == 0 && c.SentinelMaster != "":
		return errors.New("REDIS_SENTINEL_MASTER is set but REDIS_SENTINEL_ADDRS is not")
	case n == 0:
		return errors.New("no Redis configured: set REDIS_URL, REDIS_CLUSTER_ADDRS or REDIS_SENTINEL_ADDRS")
	case n > 1:
		return errors.New("set only one of REDIS_URL, REDIS_CLUSTER_ADDRS and REDIS_SENTINEL_ADDRS")
	case len(c.SentinelAddrs) > 0 && c.SentinelMaster == "":
		return errors.New("REDIS_SENTINEL_ADDRS needs REDIS_SENTINEL_MASTER, the name of the master the Sentinels watch")
	case c.DB < 0:
		return errors.New("REDIS_DB must be a database number (0 or more)")
	case c.DB != 0 && len(c.ClusterAddrs) > 0:
		return errors.New("a Redis Cluster has only database 0: unset REDIS_DB")
	case c.Timeout < 0:
		return errors.New("REDIS_TIMEOUT must be positive")
	}
	if c.URL != "" {
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			return errors.New("REDIS_URL must be a redis://, rediss:// or unix:// URL")
		}
	}
	for _, addrs := range [][]string{c.ClusterAddrs, c.SentinelAddrs} {
		for _, a := range addrs {
			if host, port, err := net.SplitHostPort(a); err != nil || host == "" || port == "" {
				return fmt.Errorf("%q is not host:port", a)
			}
		}
	}
	return nil
}

// SplitAddrs splits a comma-separated list of host:port, dropping blanks.
func SplitAddrs(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// Client builds the go-redis client for c without connecting: a Client for
// a URL, a ClusterClient or a Sentinel-backed FailoverClient.
func (c Config) Client() (redis.UniversalClient, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.URL != "" {
		ro, err := parseURL(c.URL)
		if err != nil {
			return nil, err
		}
		applyTimeouts(&ro.DialTimeout, &ro.ReadTimeout, &ro.WriteTimeout, &ro.MaxRetries, c.Timeout)
		applyBuffers(&ro.ReadBufferSize, &ro.WriteBufferSize, &ro.PipelineReadBufferSize, &ro.PipelineWriteBufferSize)
		ro.ContextTimeoutEnabled = true
		return redis.NewClient(ro), nil
	}
	uo := &redis.UniversalOptions{
		Username: c.Username, Password: c.Password,
		SentinelUsername: c.SentinelUsername, SentinelPassword: c.SentinelPassword,
		DB: c.DB,
		// The caller's deadline bounds a command too, not only the timeouts.
		ContextTimeoutEnabled: true,
	}
	if c.TLS {
		uo.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	applyTimeouts(&uo.DialTimeout, &uo.ReadTimeout, &uo.WriteTimeout, &uo.MaxRetries, c.Timeout)
	applyBuffers(&uo.ReadBufferSize, &uo.WriteBufferSize, &uo.PipelineReadBufferSize, &uo.PipelineWriteBufferSize)
	if len(c.ClusterAddrs) > 0 {
		uo.Addrs = c.ClusterAddrs
		uo.IsClusterMode = true // even with one seed address
		// MaxRetries means nothing to a cluster client (it retries by
		// redirects); keep its default there.
		uo.MaxRetries = 0
		// Two redirects cover a resharding (MOVED, then ASK) without
		// multiplying the wait when a node hangs.
		uo.MaxRedirects = 2
	} else {
		uo.Addrs = c.SentinelAddrs
		uo.MasterName = c.SentinelMaster
	}
	return redis.NewUniversalClient(uo), nil
}

// applyTimeouts fills the timeouts a URL did not set.
func applyTimeouts(dial, read, write *time.Duration, retries *int, d time.Duration) {
	if d <= 0 {
		d = DefaultTimeout
	}
	for _, p := range []*time.Duration{dial, read, write} {
		if *p == 0 {
			*p = d
		}
	}
	if *retries == 0 {
		*retries = 1
	}
}

// connBuffer sizes each connection's read and write buffers. go-redis
// defaults to 32 KiB (128 KiB on its pipeline pool), sized for large
// values and long pipelines; a session is about 1 KB and our pipelines are a
// few commands, so at 8 KiB every reply still arrives in one read, and on
// 2 cores the pools' 30 connections (10 per core, and 10 for pipelines)
// hold 0.5 MB of buffers instead of 4 MB (measured: a tenth of the bot's
// live heap under load). A larger reply is still read whole, only in more
// reads.
const connBuffer = 8 << 10

// applyBuffers fills the buffer sizes the options did not set.
func applyBuffers(sizes ...*int) {
	for _, p := range sizes {
		if *p == 0 {
			*p = connBuffer
		}
	}
}

// parseURL is redis.ParseURL with errors that never hold the password.
func parseURL(rawURL string) (*redis.Options, error) {
	ro, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included; keep only the reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("redisstore: invalid redis URL %s: %w", redact(rawURL), err)
	}
	return ro, nil
}

// Dial builds the client for cfg, pings it (giving up after a few seconds,
// or sooner if ctx ends) and returns a Store on it. The caller closes the
// client. An unreachable Redis is an error satisfying
// errors.Is(err, store.ErrUnavailable). Errors never hold a password.
func Dial(ctx context.Context, cfg Config, opts Options) (*Store, redis.UniversalClient, error) {
	client, err := cfg.Client()
	if err != nil {
		return nil, nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := ping(pctx, client); err != nil {
		_ = client.Close()
		return nil, nil, fmt.Errorf("redisstore: cannot reach redis (%s): %w", cfg.where(), classify(err))
	}
	return New(client, opts), client, nil
}

// ping checks that client can serve: every master of a cluster answers.
func ping(ctx context.Context, client redis.UniversalClient) error {
	if cc, ok := client.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return c.Ping(ctx).Err()
		})
	}
	return client.Ping(ctx).Err()
}

// Ping reports whether the Redis behind client can serve now, for a
// readiness probe: on a cluster, every master must answer. ctx bounds it.
func Ping(ctx context.Context, client redis.UniversalClient) error {
	if err := ping(ctx, client); err != nil {
		return classify(err)
	}
	return nil
}

// where describes cfg's servers for an error, without credentials.
func (c Config) where() string {
	switch {
	case len(c.ClusterAddrs) > 0:
		return "cluster " + strings.Join(c.ClusterAddrs, ",")
	case len(c.SentinelAddrs) > 0:
		return "master " + c.SentinelMaster + " via sentinels " + strings.Join(c.SentinelAddrs, ",")
	}
	return redact(c.URL)
}
