package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// oldKey is where a session was kept before keys had a hash tag.
func (s *Store) oldKey(key string) string { return s.prefix + "session:" + key }

// moveOld moves a session saved under the old layout to its current key,
// keeping its expiry, and returns it; redis.Nil when there is none.
//
// The two names hash to different cluster slots, so this cannot be one
// script. SET NX makes the move safe against a concurrent one, or a Put of
// a new session meanwhile: the first to create the new key wins and the
// old copy is then only deleted. If that delete fails the old copy is left
// to expire; reads never reach it while the new key exists, and Delete
// removes both.
func (s *Store) moveOld(ctx context.Context, key string) ([]byte, error) {
	old := s.oldKey(key)
	var get *redis.StringCmd
	var ttl *redis.DurationCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		get = p.Get(ctx, old)
		ttl = p.PTTL(ctx, old)
		return nil
	})
	if err != nil {
		return nil, err // redis.Nil when there is no old key
	}
	data, err := get.Bytes()
	if err != nil {
		return nil, err
	}
	d := ttl.Val()
	if d <= 0 { // no expiry (-1) or gone since the GET (-2)
		d = time.Duration(s.ttlMS) * time.Millisecond
	}
	moved, err := s.rdb.SetNX(ctx, s.key(key), data, d).Result()
	if err != nil {
		return nil, err
	}
	if !moved {
		// Someone else moved or created it first: theirs is current.
		data, err = s.rdb.Get(ctx, s.key(key)).Bytes()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
	}
	_ = s.rdb.Del(ctx, old).Err()
	return data, err
}

// del deletes a chat's session under both layouts. The keys are in
// different slots, so they are two commands (pipelined: a cluster client
// sends each to its node).
func (s *Store) del(ctx context.Context, key string) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.key(key))
		p.Del(ctx, s.oldKey(key))
		return nil
	})
	return err
}
