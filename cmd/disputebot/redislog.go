package main

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// go-redis logs its own connection retries to stderr ("failed to dial after
// 5 attempts"), which buries the one clear line an operator needs when
// Redis is down, and logs outside our slog policy. Every failure it logs
// also comes back to us as an error, which we report ourselves.
func init() { redis.SetLogger(quietRedis{}) }

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
