package redisstore

// # Reminders
//
// Reminders are spread over Shards shards by a hash of the session key.
// Each shard's keys share a hash tag, so each script below touches one
// Redis Cluster slot:
//
//	<prefix>remind:{NN}:due       sorted set: "<key>\n<id>" scored by the
//	                              time (Unix ms) it may next be claimed
//	<prefix>remind:{NN}:r:<key>   hash: reminder id → reminder JSON
//	<prefix>remind:{NN}:claim     hash: "<key>\n<id>" → claim token
//
// A claim moves the member's score to the end of its lease and records a
// token; finishing (sent) deletes the three entries if the token is still
// the one recorded. A sender that dies leaves the score at the lease's
// end, when the reminder is due again and another sender claims it (with
// a new token, so the dead sender's claim can no longer finish it).
//
// The hash of a chat's reminders expires a month after its last
// reminder's time, a safety net only: reminders are deleted when sent,
// stopped, forgotten or replaced by a new case.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/store"
)

var _ store.Reminders = (*Store)(nil)

// Shards is the number of reminder shards.
const Shards = 16

// maxLease bounds a lease, so the operator's view, which reads claimed
// reminders at their planned time, knows how far past t to look.
const maxLease = time.Hour

// keepAfter is the safety-net expiry of a chat's reminders after the last.
const keepAfter = 30 * 24 * time.Hour

func shardOf(key string) int { return int(crc32.ChecksumIEEE([]byte(key)) % Shards) }

func (s *Store) shardBase(n int) string { return fmt.Sprintf("%s%s:{%02d}:", s.prefix, s.queue, n) }

// Outbox is a store.Reminders over a queue of its own (<prefix>owed:{NN}:…,
// laid out as reminders are): the replies owed to chats (bot/outbox.go). It
// shares the client and the contract, so the reminders' conformance suite
// covers it, and a debt can never be mistaken for a reminder.
func (s *Store) Outbox() store.Reminders {
	o := *s
	o.queue = "owed"
	return &o
}

func (s *Store) remKeys(key string) (due, recs, claims string) {
	b := s.shardBase(shardOf(key))
	return b + "due", b + "r:" + key, b + "claim"
}

func member(key, id string) string { return key + "\n" + id }

func ms(t time.Time) int64 { return t.UnixMilli() }

// setScript replaces a chat's reminders.
//
//	KEYS[1] due, KEYS[2] the chat's hash, KEYS[3] claims
//	ARGV[1] session key, ARGV[2] expiry (Unix ms), then id, JSON, score triples
//
// A reminder kept under the same id keeps its claim and lease: the sender
// holding it finishes it, and it is not claimed twice.
var setScript = redis.NewScript(`
local keep = {}
for i = 3, #ARGV, 3 do keep[ARGV[i]] = true end
for _, id in ipairs(redis.call('HKEYS', KEYS[2])) do
  if not keep[id] then
    local m = ARGV[1] .. '\n' .. id
    redis.call('ZREM', KEYS[1], m)
    redis.call('HDEL', KEYS[3], m)
  end
end
redis.call('DEL', KEYS[2])
for i = 3, #ARGV, 3 do
  local m = ARGV[1] .. '\n' .. ARGV[i]
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i+1])
  if redis.call('HEXISTS', KEYS[3], m) == 0 then
    redis.call('ZADD', KEYS[1], ARGV[i+2], m)
  end
end
if #ARGV >= 3 then redis.call('PEXPIREAT', KEYS[2], ARGV[2]) end
return 1
`)

// SetReminders implements store.Reminders.
func (s *Store) SetReminders(ctx context.Context, key string, rs []remind.Reminder) error {
	due, recs, claims := s.remKeys(key)
	args := []any{key, int64(0)}
	var last time.Time
	for _, r := range rs {
		r.Key = key
		data, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("set reminders %s: encode: %w", key, err)
		}
		args = append(args, r.ID, data, ms(r.At))
		if r.At.After(last) {
			last = r.At
		}
	}
	args[1] = ms(last.Add(keepAfter))
	if err := setScript.Run(ctx, s.rdb, []string{due, recs, claims}, args...).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("set reminders %s: %w", key, classify(err))
	}
	return nil
}

// Reminders implements store.Reminders.
func (s *Store) Reminders(ctx context.Context, key string) ([]remind.Reminder, error) {
	_, recs, _ := s.remKeys(key)
	m, err := s.rdb.HGetAll(ctx, recs).Result()
	if err != nil {
		return nil, fmt.Errorf("list reminders %s: %w", key, classify(err))
	}
	out := make([]remind.Reminder, 0, len(m))
	for _, v := range m {
		var r remind.Reminder
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("list reminders %s: %w: %v", key, ErrCorrupt, err)
		}
		out = append(out, r)
	}
	remind.Sort(out)
	return out, nil
}

// DueReminders implements store.Reminders.
func (s *Store) DueReminders(ctx context.Context, t time.Time, n int) ([]remind.Reminder, error) {
	var out []remind.Reminder
	for sh := range Shards {
		base := s.shardBase(sh)
		// A claimed reminder's score is its lease's end, at most maxLease
		// after it came due.
		ms, err := s.rdb.ZRangeByScore(ctx, base+"due", &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(t.Add(maxLease).UnixMilli(), 10)}).Result()
		if err != nil {
			return nil, fmt.Errorf("list due reminders: %w", classify(err))
		}
		if len(ms) == 0 {
			continue
		}
		cmds := make([]*redis.StringCmd, 0, len(ms))
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, m := range ms {
				key, id := splitMember(m)
				cmds = append(cmds, p.HGet(ctx, base+"r:"+key, id))
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("list due reminders: %w", classify(err))
		}
		for _, c := range cmds {
			data, err := c.Bytes()
			if err != nil {
				continue // deleted meanwhile, or an orphan a claim will drop
			}
			var r remind.Reminder
			if json.Unmarshal(data, &r) == nil && !r.At.After(t) {
				out = append(out, r)
			}
		}
	}
	remind.Sort(out)
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func splitMember(m string) (key, id string) {
	for i := len(m) - 1; i >= 0; i-- {
		if m[i] == '\n' {
			return m[:i], m[i+1:]
		}
	}
	return "", m
}

// claimScript claims due reminders of one shard.
//
//	KEYS[1] due, KEYS[2] claims
//	ARGV[1] now (Unix ms), ARGV[2] lease end (Unix ms), ARGV[3] how many,
//	ARGV[4] key prefix, ARGV[5] token base, ARGV[6] prefix of the chats' hashes
//
// Returns JSON, token pairs. Members whose reminder is gone are dropped.
// It looks at most at 1000 due members, so members of other key
// prefixes (terminal chats, which the bot cannot send to) cannot make it
// scan a whole shard.
var claimScript = redis.NewScript(`
local ms = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
local out = {}
local want = tonumber(ARGV[3]) * 2
local pre = ARGV[4]
for i, m in ipairs(ms) do
  if #out >= want then break end
  local key, id = string.match(m, '^(.*)\n([^\n]*)$')
  if key == nil then
    redis.call('ZREM', KEYS[1], m)
  elseif string.sub(key, 1, #pre) == pre then
    local data = redis.call('HGET', ARGV[6] .. key, id)
    if not data then
      redis.call('ZREM', KEYS[1], m)
      redis.call('HDEL', KEYS[2], m)
    else
      local tok = ARGV[5] .. '.' .. i
      redis.call('ZADD', KEYS[1], ARGV[2], m)
      redis.call('HSET', KEYS[2], m, tok)
      table.insert(out, data)
      table.insert(out, tok)
    end
  end
end
return out
`)

// ClaimReminders implements store.Reminders. It visits the shards from a
// random one, so replicas do not all start on the same.
func (s *Store) ClaimReminders(ctx context.Context, now time.Time, keyPrefix string, lease time.Duration, n int) ([]store.Claim, error) {
	lease = min(lease, maxLease)
	until := now.Add(lease)
	var out []store.Claim
	first := int(crc32.ChecksumIEEE([]byte(newToken())) % Shards)
	for k := 0; k < Shards && len(out) < n; k++ {
		base := s.shardBase((first + k) % Shards)
		res, err := claimScript.Run(ctx, s.rdb, []string{base + "due", base + "claim"},
			ms(now), ms(until), n-len(out), keyPrefix, newToken(), base+"r:").StringSlice()
		if err != nil && !errors.Is(err, redis.Nil) {
			return out, fmt.Errorf("claim reminders: %w", classify(err))
		}
		for i := 0; i+1 < len(res); i += 2 {
			var r remind.Reminder
			if err := json.Unmarshal([]byte(res[i]), &r); err != nil {
				continue
			}
			out = append(out, store.Claim{Reminder: r, Token: res[i+1], Until: until})
		}
	}
	return out, nil
}

// finishScript deletes a claimed reminder if the claim holds.
//
//	KEYS[1] due, KEYS[2] claims, KEYS[3] the chat's hash
//	ARGV[1] member, ARGV[2] token, ARGV[3] id
var finishScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[3])
return 1
`)

// FinishReminder implements store.Reminders.
func (s *Store) FinishReminder(ctx context.Context, c store.Claim) error {
	key := c.Reminder.Key
	due, recs, claims := s.remKeys(key)
	ok, err := finishScript.Run(ctx, s.rdb, []string{due, claims, recs}, member(key, c.Reminder.ID), c.Token, c.Reminder.ID).Int()
	if err != nil {
		return fmt.Errorf("finish reminder %s: %w", key, classify(err))
	}
	if ok != 1 {
		return fmt.Errorf("finish reminder %s: %w", key, store.ErrLeaseLost)
	}
	return nil
}

// retryScript puts a claimed reminder back if the claim holds.
//
//	KEYS[1] due, KEYS[2] claims, KEYS[3] the chat's hash
//	ARGV[1] member, ARGV[2] token, ARGV[3] id, ARGV[4] JSON, ARGV[5] score
var retryScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
return 1
`)

// RetryReminder implements store.Reminders.
func (s *Store) RetryReminder(ctx context.Context, c store.Claim, at time.Time) error {
	r := c.Reminder
	r.Tries++
	r.At = at
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("retry reminder %s: encode: %w", r.Key, err)
	}
	due, recs, claims := s.remKeys(r.Key)
	ok, err := retryScript.Run(ctx, s.rdb, []string{due, claims, recs}, member(r.Key, r.ID), c.Token, r.ID, data, ms(at)).Int()
	if err != nil {
		return fmt.Errorf("retry reminder %s: %w", r.Key, classify(err))
	}
	if ok != 1 {
		return fmt.Errorf("retry reminder %s: %w", r.Key, store.ErrLeaseLost)
	}
	return nil
}

func newToken() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
