package store

import (
	"context"
	"errors"
	"time"

	"github.com/disputebot/disputebot/internal/remind"
)

// ErrLeaseLost: a claimed reminder's lease ran out (or it was deleted or
// replaced) before the claim was finished; another sender may have it now.
var ErrLeaseLost = errors.New("reminder claim lost")

// Reminders keeps planned reminders so that several replicas send each one
// once: a sender claims due reminders with a lease, sends, then finishes the
// claim. A sender that dies mid-claim leaves its reminders to come due
// again when the lease ends, and another sender takes them.
//
// Times are the caller's (its injected clock), not the store's: a lease
// runs from the now given to Claim. Replicas' clocks are assumed to agree
// to well within a lease.
//
// memstore and redisstore implement it; both pass storetest.RunReminders.
type Reminders interface {
	// SetReminders replaces every reminder of key with rs (each with Key
	// set to key). No reminders deletes them all, claims included.
	SetReminders(ctx context.Context, key string, rs []remind.Reminder) error
	// Reminders lists key's reminders in time order (claimed ones too).
	Reminders(ctx context.Context, key string) ([]remind.Reminder, error)
	// DueReminders lists at most n reminders of any key due at or before t,
	// in time order, without claiming them: the operator's view. A reminder
	// under a lease is listed at its planned time.
	DueReminders(ctx context.Context, t time.Time, n int) ([]remind.Reminder, error)
	// ClaimReminders takes at most n reminders due at or before now, whose
	// key starts with keyPrefix and that no live lease holds, and leases
	// them until now+lease. Nobody else can claim them meanwhile.
	ClaimReminders(ctx context.Context, now time.Time, keyPrefix string, lease time.Duration, n int) ([]Claim, error)
	// FinishReminder deletes a claimed reminder (sent, or given up). It
	// returns ErrLeaseLost if the claim is no longer held.
	FinishReminder(ctx context.Context, c Claim) error
	// RetryReminder puts a claimed reminder back, due at at, with one more
	// failed try counted. It returns ErrLeaseLost if the claim is no
	// longer held.
	RetryReminder(ctx context.Context, c Claim, at time.Time) error
}

// Claim is a leased reminder. Token identifies this claim: a later claim of
// the same reminder (after the lease ran out) has another.
type Claim struct {
	Reminder remind.Reminder
	Token    string
	Until    time.Time
}
