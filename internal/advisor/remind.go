package advisor

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
)

// ErrNoReminders: this advisor has no reminder store (reminders are not
// offered).
var ErrNoReminders = errors.New("reminders are not available")

// RemindOn turns reminders on for the case under key: one for each
// deadline of its outcome still ahead (see remind.Deadlines) and a
// follow-up a few days on. It returns what was planned; none means the
// case has no deadline ahead, and nothing is stored.
func (a *Advisor) RemindOn(ctx context.Context, key string) ([]remind.Reminder, error) {
	if a.Reminders == nil {
		return nil, ErrNoReminders
	}
	s, err := a.Session(ctx, key)
	if err != nil {
		return nil, err
	}
	now := a.now()
	plan := remind.Deadlines(key, s.Lang, remind.Outcome(a.Catalog, s, now), now)
	if len(plan) == 0 {
		return nil, nil
	}
	have, err := a.Reminders.Reminders(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("turn reminders on: %w", err)
	}
	rs := remind.Replan(have, plan)
	if !slices.ContainsFunc(rs, func(r remind.Reminder) bool { return r.Kind == remind.FollowUp }) {
		rs = remind.Replan(append(rs, remind.NewFollowUp(key, s.Lang, now)), plan)
	}
	if err := a.Reminders.SetReminders(ctx, key, rs); err != nil {
		return nil, fmt.Errorf("turn reminders on: %w", err)
	}
	return rs, nil
}

// RemindOff deletes every reminder of key.
func (a *Advisor) RemindOff(ctx context.Context, key string) error {
	if a.Reminders == nil {
		return ErrNoReminders
	}
	if err := a.Reminders.SetReminders(ctx, key, nil); err != nil {
		return fmt.Errorf("turn reminders off: %w", err)
	}
	return nil
}

// RemindDone deletes the reminders still to come about one deadline rule
// ("Done" under a reminder): the user has acted on it.
func (a *Advisor) RemindDone(ctx context.Context, key, rule string) error {
	if a.Reminders == nil {
		return ErrNoReminders
	}
	have, err := a.Reminders.Reminders(ctx, key)
	if err != nil {
		return fmt.Errorf("reminder done: %w", err)
	}
	left := slices.DeleteFunc(slices.Clone(have), func(r remind.Reminder) bool { return r.Rule == rule })
	if len(left) == len(have) {
		return nil
	}
	if err := a.Reminders.SetReminders(ctx, key, left); err != nil {
		return fmt.Errorf("reminder done: %w", err)
	}
	return nil
}

// newCase reports events that give up the case in progress.
func newCase(ev engine.Event) bool {
	switch ev.Kind {
	case engine.Start, engine.Restart:
		return true
	case engine.Accept:
		return ev.Option == "yes"
	case engine.Propose:
		return ev.Option == engine.NewCase
	}
	return false
}

// keepReminders follows a saved step: a new case deletes the old case's
// reminders; a changed outcome (a filing date given, an answer changed)
// replans those of a chat that has them on, so the 12315 acceptance
// deadline gets its reminder and moved deadlines move theirs. Best effort,
// like the share link: the sender checks each reminder against the case
// before sending it anyway.
func (a *Advisor) keepReminders(ctx context.Context, key string, ev engine.Event, saved engine.Session) {
	if a.Reminders == nil {
		return
	}
	if newCase(ev) {
		_ = a.Reminders.SetReminders(ctx, key, nil)
		return
	}
	if remind.NoOutcome(a.Catalog, saved) {
		// Mid-question (after /back, say): nothing to plan from yet.
		return
	}
	// The advice is built only for a case with reminders to keep in step
	// (most have none).
	have, err := a.Reminders.Reminders(ctx, key)
	if err != nil || len(have) == 0 {
		return
	}
	now := a.now()
	advice := remind.Outcome(a.Catalog, saved, now)
	if advice == nil {
		return
	}
	rs := remind.Replan(have, remind.Deadlines(key, saved.Lang, advice, now))
	if sameReminders(have, rs) {
		return
	}
	_ = a.Reminders.SetReminders(ctx, key, rs)
}

func sameReminders(a, b []remind.Reminder) bool {
	return slices.EqualFunc(a, b, func(x, y remind.Reminder) bool {
		return x.ID == y.ID && x.At.Equal(y.At) && x.Lang == y.Lang
	})
}

// forgetReminders is Forget's part for reminders.
func (a *Advisor) forgetReminders(ctx context.Context, key string) error {
	if a.Reminders == nil {
		return nil
	}
	if err := a.Reminders.SetReminders(ctx, key, nil); err != nil {
		return fmt.Errorf("forget reminders: %w", err)
	}
	return nil
}
