package bot

import (
	"context"
	"errors"
	"time"

	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/store"
)

// queue is a leased queue the bot works through on the chats' lanes:
// the reminders (remind.go) or the replies owed (outbox.go). Both are a
// store.Reminders; every replica works them, each item claimed by one.
type queue struct {
	what  string // for logs: "reminder", "owed reply"
	store store.Reminders
	lease time.Duration
	// sendFor is the most handle may take. An item whose turn on its
	// lane comes later than sendFor before its lease ends is left to
	// expire and be claimed again: its lease could run out mid-send, and
	// another replica send it too.
	sendFor time.Duration
	batch   int
	// open says whether items may go out at now (nil: always).
	open func(now time.Time) bool
	// valid says whether an item is one of this queue's; others are
	// dropped.
	valid func(remind.Reminder) bool
	// handle sends one claimed item on its chat's lane and settles its
	// claim; it reports whether it was delivered.
	handle func(c store.Claim, chat int64, now time.Time) bool
}

// work claims the items of q due now, batch by batch, hands each to its
// chat's lane one at a time, and returns how many were delivered.
func (b *Bot) work(ctx context.Context, q queue) int {
	done := 0
	for {
		now := b.cfg.Now()
		if q.open != nil && !q.open(now) {
			return done
		}
		claims, err := q.store.ClaimReminders(ctx, now, "tg:", q.lease, q.batch)
		if err != nil {
			if ctx.Err() == nil {
				b.log.Warn("could not claim due items", "queue", q.what, "class", errClass(err), "unavailable", errors.Is(err, store.ErrUnavailable))
			}
			return done
		}
		for _, c := range claims {
			chat := remind.Chat(c.Reminder.Key)
			if chat == 0 || !q.valid(c.Reminder) {
				b.log.Warn("queued item dropped: not one of this queue's chats", "queue", q.what)
				b.settle(c, q.store.FinishReminder(ctx, c))
				continue
			}
			delivered := make(chan bool, 1)
			job := func() {
				if c.Until.Sub(b.cfg.Now()) < q.sendFor {
					b.log.Info("queued item postponed: its claim is about to expire", "queue", q.what, "chat", b.tag(chat))
					delivered <- false
					return
				}
				delivered <- q.handle(c, chat, now)
			}
			if err := b.lanes.run(chat, job); err != nil {
				// Shutting down, or the chat is flooding: the claim
				// expires and the item goes out later.
				continue
			}
			select {
			case ok := <-delivered:
				if ok {
					done++
				}
			case <-ctx.Done():
				return done
			}
		}
		if len(claims) < q.batch || ctx.Err() != nil {
			return done
		}
	}
}

// settle logs a failure to finish or put back a claim. A lost lease after
// a send means another replica may send the item again.
func (b *Bot) settle(c store.Claim, err error) {
	if err == nil {
		return
	}
	b.log.Warn("could not settle a claim", "chat", b.tag(remind.Chat(c.Reminder.Key)), "class", errClass(err),
		"lease_lost", errors.Is(err, store.ErrLeaseLost))
}

// every runs f at once and then every d (dflt if d <= 0) until ctx ends.
func every(ctx context.Context, d, dflt time.Duration, f func(context.Context) int) {
	if d <= 0 {
		d = dflt
	}
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		f(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
