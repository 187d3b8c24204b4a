package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/internal/store/redisstore"
)

// redisFromEnv reads which Redis to use, for every command that opens the
// store:
//
//	REDIS_URL                 one server: redis://[user:password@]host:port/db, rediss:// (TLS), unix://
//	REDIS_CLUSTER_ADDRS       a Redis Cluster: host:port,host:port,... (some nodes; the rest are discovered)
//	REDIS_SENTINEL_ADDRS      Sentinels host:port,..., with REDIS_SENTINEL_MASTER the master's name
//	REDIS_USERNAME, REDIS_PASSWORD                    the data nodes' ACL user and password (cluster, Sentinel)
//	REDIS_SENTINEL_USERNAME, REDIS_SENTINEL_PASSWORD  the Sentinels' own
//	REDIS_DB                  database number (Sentinel; a URL carries its own)
//	REDIS_TLS                 true: TLS to cluster nodes / Sentinel-managed servers
//	REDIS_TIMEOUT             dial, read and write timeout (default 1s; a hung Redis fails in about two)
//
// ok is false when none of REDIS_URL, REDIS_CLUSTER_ADDRS and
// REDIS_SENTINEL_ADDRS is set. Errors name the variable and never repeat
// a password.
func redisFromEnv(lookup func(string) (string, bool)) (cfg redisstore.Config, ok bool, err error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	cfg = redisstore.Config{
		URL:              get("REDIS_URL"),
		ClusterAddrs:     redisstore.SplitAddrs(get("REDIS_CLUSTER_ADDRS")),
		SentinelAddrs:    redisstore.SplitAddrs(get("REDIS_SENTINEL_ADDRS")),
		SentinelMaster:   get("REDIS_SENTINEL_MASTER"),
		Username:         get("REDIS_USERNAME"),
		Password:         get("REDIS_PASSWORD"),
		SentinelUsername: get("REDIS_SENTINEL_USERNAME"),
		SentinelPassword: get("REDIS_SENTINEL_PASSWORD"),
	}
	if cfg.URL == "" && len(cfg.ClusterAddrs) == 0 && len(cfg.SentinelAddrs) == 0 && cfg.SentinelMaster == "" {
		return cfg, false, nil
	}
	if v := get("REDIS_DB"); v != "" {
		if cfg.DB, err = strconv.Atoi(v); err != nil || cfg.DB < 0 {
			return cfg, true, fmt.Errorf("REDIS_DB %q is not a database number", v)
		}
	}
	if v := get("REDIS_TLS"); v != "" {
		if cfg.TLS, err = strconv.ParseBool(v); err != nil {
			return cfg, true, fmt.Errorf("REDIS_TLS %q is not true or false", v)
		}
	}
	if v := get("REDIS_TIMEOUT"); v != "" {
		if cfg.Timeout, err = time.ParseDuration(v); err != nil || cfg.Timeout <= 0 {
			return cfg, true, fmt.Errorf("REDIS_TIMEOUT %q is not a positive duration (e.g. 1s, 500ms)", v)
		}
	}
	if cfg.URL != "" && (cfg.Username != "" || cfg.Password != "" || cfg.TLS) {
		return cfg, true, errors.New("with REDIS_URL, put the user and password in the URL (redis://user:password@host:port/0) and use rediss:// for TLS; REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS are for cluster and Sentinel")
	}
	if err := cfg.Validate(); err != nil {
		return cfg, true, err
	}
	return cfg, true, nil
}

// redisReady is the readiness check: Redis answers within timeout. A
// stopped (SIGSTOP) Redis fails it at the deadline instead of hanging.
func redisReady(client redis.UniversalClient, timeout time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return redisstore.Ping(ctx, client)
	}
}
