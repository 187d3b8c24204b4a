package bot

import (
	"context"
	"sync"
	"time"
)

// Rate is a token bucket: Burst sends at once, then one every Every. A zero
// Every is no limit.
type Rate struct {
	Every time.Duration
	Burst int
}

// Limits are the sending limits the bot keeps to.
//
// Telegram documents about 30 messages per second per bot for bulk sends
// and about one per second in a chat, tolerating short bursts, and answers
// 429 with retry_after beyond what it tolerates. Those limits are for what a
// bot sends on its own (reminders, broadcasts): PerChat and Global pace
// such sends. A reply to the user's own action (the edit of the tapped
// question, the next question) is what the user waits for, so it goes out
// at once: it is paced only by Reply, a per-chat allowance generous enough
// for a person tapping fast and tight enough to stop a flood from one chat
// reaching Telegram. Replies count against Global, so the bot's own sends
// yield to them.
//
// Every 429 is learned from, whatever the limits: its chat gets nothing
// until retry_after is over, and the bot's own sends to every chat wait too.
type Limits struct {
	PerChat Rate
	Global  Rate
	Reply   Rate
	// Off turns pacing off entirely (TELEGRAM_PACING=off, for load tests
	// against a fake Bot API): no buckets and nothing learned. A 429 is
	// still waited out by the call that got it.
	Off bool
}

// DefaultLimits stay just under Telegram's documented limits for the bot's
// own sends; replies get a burst of 20 per chat, then four a second.
var DefaultLimits = Limits{
	PerChat: Rate{Every: time.Second, Burst: 3},
	Global:  Rate{Every: time.Second / 30, Burst: 30},
	Reply:   Rate{Every: time.Second / 4, Burst: 20},
}

// NoPacing is Limits with pacing off.
var NoPacing = Limits{Off: true}

// bucket is a token bucket that hands out reservations: each caller takes a
// token now and is told how long to wait before using it, so concurrent
// callers queue fairly without holding a lock while they wait.
type bucket struct {
	rate   Rate
	tokens float64
	last   time.Time
}

func newBucket(r Rate, now time.Time) bucket {
	return bucket{rate: r, tokens: float64(r.Burst), last: now}
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

// take takes a token without waiting for it, for a send that goes out at
// once but must still count (a reply, against the global limit). The debt
// is bounded by one burst, so the sends that do wait are not starved
// forever by a stream of replies.
func (b *bucket) take(now time.Time) {
	if b.rate.Every <= 0 {
		return
	}
	b.refill(now)
	b.tokens = max(b.tokens-1, -float64(b.rate.Burst))
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

// chatPace is one chat's state: its buckets for the bot's own sends and for
// replies, and when a 429 lets it be sent to again.
type chatPace struct {
	own, reply bucket
	heldUntil  time.Time
}

func (c *chatPace) idle(now time.Time) bool {
	return !now.Before(c.heldUntil) && c.own.full(now) && c.reply.full(now)
}

// limiter paces sends per chat and overall.
type limiter struct {
	limits Limits
	now    func() time.Time

	mu     sync.Mutex
	global bucket
	// ownHeld is when the bot's own sends may resume after a 429.
	ownHeld time.Time
	chats   map[int64]*chatPace
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	return &limiter{limits: l, now: now, global: newBucket(l.Global, now()), chats: map[int64]*chatPace{}}
}

// sweepAt is the number of chats above which idle ones are dropped, so the
// map stays as small as the number of recently active chats.
const sweepAt = 1024

// reserve returns how long a send to chat must wait (chat 0: not tied to a
// chat, only the global limit applies). reply marks a reply to the user's
// own action.
func (l *limiter) reserve(chat int64, reply bool) time.Duration {
	if l.limits.Off {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	if reply {
		l.global.take(now)
	} else {
		wait = max(l.global.reserve(now), l.ownHeld.Sub(now))
	}
	if chat == 0 {
		return max(wait, 0)
	}
	c := l.chat(chat, now)
	if reply {
		wait = c.reply.reserve(now)
	} else {
		wait = max(wait, c.own.reserve(now))
	}
	return max(wait, c.heldUntil.Sub(now), 0)
}

func (l *limiter) chat(chat int64, now time.Time) *chatPace {
	c := l.chats[chat]
	if c == nil {
		if len(l.chats) >= sweepAt {
			for id, cp := range l.chats {
				if cp.idle(now) {
					delete(l.chats, id)
				}
			}
		}
		c = &chatPace{own: newBucket(l.limits.PerChat, now), reply: newBucket(l.limits.Reply, now)}
		l.chats[chat] = c
	}
	return c
}

// hold learns from a 429 for chat (0: a call not tied to a chat): nothing
// more goes to the chat for d, and the bot's own sends wait d everywhere,
// as Telegram is near what it tolerates from this bot.
func (l *limiter) hold(chat int64, d time.Duration) {
	if l.limits.Off {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	until := now.Add(d)
	if until.After(l.ownHeld) {
		l.ownHeld = until
	}
	if chat != 0 {
		if c := l.chat(chat, now); until.After(c.heldUntil) {
			c.heldUntil = until
		}
	}
}

// replyKey marks a context as handling a user's own action.
type replyKey struct{}

// asReply marks ctx: what is sent under it replies to the user's own
// action (an update), and goes out at once.
func asReply(ctx context.Context) context.Context { return context.WithValue(ctx, replyKey{}, true) }

// isReply reports whether ctx was marked by asReply. Anything else (a
// reminder, a broadcast) is the bot acting on its own and is paced.
func isReply(ctx context.Context) bool { v, _ := ctx.Value(replyKey{}).(bool); return v }
