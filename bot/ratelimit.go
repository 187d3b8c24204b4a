package bot

import (
	"sync"
	"time"
)

// Rate is a token bucket: Burst sends at once, then one every Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// Limits are the sending limits the bot keeps to. Telegram documents about
// one message per second per chat (short bursts tolerated) and about 30 per
// second overall; going over earns 429s and, repeated, a longer ban.
type Limits struct {
	PerChat Rate
	Global  Rate
}

// DefaultLimits stay just under Telegram's documented limits.
var DefaultLimits = Limits{
	PerChat: Rate{Every: time.Second, Burst: 3},
	Global:  Rate{Every: time.Second / 30, Burst: 30},
}

// bucket is a token bucket that hands out reservations: each caller takes a
// token now and is told how long to wait before using it, so concurrent
// callers queue fairly without holding a lock while they wait.
type bucket struct {
	rate   Rate
	tokens float64
	last   time.Time
}

func newBucket(r Rate, now time.Time) *bucket {
	return &bucket{rate: r, tokens: float64(r.Burst), last: now}
}

// reserve takes a token and returns the wait before it may be used.
func (b *bucket) reserve(now time.Time) time.Duration {
	if b.rate.Every <= 0 {
		return 0
	}
	b.refill(now)
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens * float64(b.rate.Every))
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.tokens += float64(now.Sub(b.last)) / float64(b.rate.Every)
		if max := float64(b.rate.Burst); b.tokens > max {
			b.tokens = max
		}
		b.last = now
	}
}

// full reports whether the bucket has refilled completely: its chat has been
// quiet long enough that forgetting the bucket changes nothing.
func (b *bucket) full(now time.Time) bool {
	if b.rate.Every <= 0 {
		return true
	}
	b.refill(now)
	return b.tokens >= float64(b.rate.Burst)
}

// limiter paces sends per chat and overall.
type limiter struct {
	limits Limits
	now    func() time.Time

	mu     sync.Mutex
	global *bucket
	chats  map[int64]*bucket
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	return &limiter{limits: l, now: now, global: newBucket(l.Global, now()), chats: map[int64]*bucket{}}
}

// sweepAt is the number of chat buckets above which idle ones are dropped,
// so the map stays as small as the number of recently active chats.
const sweepAt = 1024

// reserve returns how long a send to chat must wait (chat 0: not tied to a
// chat, only the global limit applies).
func (l *limiter) reserve(chat int64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	wait := l.global.reserve(now)
	if chat == 0 {
		return wait
	}
	b := l.chats[chat]
	if b == nil {
		if len(l.chats) >= sweepAt {
			for id, cb := range l.chats {
				if cb.full(now) {
					delete(l.chats, id)
				}
			}
		}
		b = newBucket(l.limits.PerChat, now)
		l.chats[chat] = b
	}
	return max(wait, b.reserve(now))
}
