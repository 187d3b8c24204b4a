package memstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/store"
)

var _ store.Reminders = (*Store)(nil)

// Outbox is a store.Reminders of its own: the replies owed to chats
// (bot/outbox.go), kept apart from reminders as redisstore keeps them.
func (s *Store) Outbox() store.Reminders {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outbox == nil {
		s.outbox = New(s.ttl, s.clock)
	}
	return s.outbox
}

// planned is one stored reminder. next is when it may next be claimed: its
// planned time, or the end of the lease that holds it.
type planned struct {
	r     remind.Reminder
	next  time.Time
	token string // "" when not claimed
}

func cloneReminder(r remind.Reminder) remind.Reminder {
	r.Law = slices.Clone(r.Law)
	return r
}

// reminders returns key's map, creating it. s.mu must be held.
func (s *Store) remindersOf(key string) map[string]*planned {
	if s.rems == nil {
		s.rems = map[string]map[string]*planned{}
	}
	m := s.rems[key]
	if m == nil {
		m = map[string]*planned{}
		s.rems[key] = m
	}
	return m
}

// SetReminders implements store.Reminders.
func (s *Store) SetReminders(ctx context.Context, key string, rs []remind.Reminder) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("set reminders %s: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.rems[key]
	delete(s.rems, key)
	if len(rs) == 0 {
		return nil
	}
	m := s.remindersOf(key)
	for _, r := range rs {
		r = cloneReminder(r)
		r.Key = key
		p := &planned{r: r, next: r.At}
		if o := old[r.ID]; o != nil && o.token != "" {
			// Kept under the same id: the sender holding it finishes it,
			// and nobody claims it meanwhile.
			p.token, p.next = o.token, o.next
		}
		m[r.ID] = p
	}
	return nil
}

// Reminders implements store.Reminders.
func (s *Store) Reminders(ctx context.Context, key string) ([]remind.Reminder, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list reminders %s: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []remind.Reminder
	for _, p := range s.rems[key] {
		out = append(out, cloneReminder(p.r))
	}
	remind.Sort(out)
	return out, nil
}

// DueReminders implements store.Reminders.
func (s *Store) DueReminders(ctx context.Context, t time.Time, n int) ([]remind.Reminder, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list due reminders: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []remind.Reminder
	for _, m := range s.rems {
		for _, p := range m {
			if !p.r.At.After(t) {
				out = append(out, cloneReminder(p.r))
			}
		}
	}
	remind.Sort(out)
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// ClaimReminders implements store.Reminders.
func (s *Store) ClaimReminders(ctx context.Context, now time.Time, keyPrefix string, lease time.Duration, n int) ([]store.Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("claim reminders: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*planned
	for key, m := range s.rems {
		if !strings.HasPrefix(key, keyPrefix) {
			continue
		}
		for _, p := range m {
			if !p.next.After(now) {
				due = append(due, p)
			}
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].next.Before(due[j].next) })
	if n > 0 && len(due) > n {
		due = due[:n]
	}
	out := make([]store.Claim, 0, len(due))
	for _, p := range due {
		p.token = newToken()
		p.next = now.Add(lease)
		out = append(out, store.Claim{Reminder: cloneReminder(p.r), Token: p.token, Until: p.next})
	}
	return out, nil
}

// held returns the claimed reminder if c's claim is still the latest: a
// lease that ran out still holds until another sender claims again.
// s.mu must be held.
func (s *Store) held(c store.Claim) (*planned, bool) {
	p := s.rems[c.Reminder.Key][c.Reminder.ID]
	if p == nil || p.token == "" || p.token != c.Token {
		return nil, false
	}
	return p, true
}

// FinishReminder implements store.Reminders.
func (s *Store) FinishReminder(ctx context.Context, c store.Claim) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("finish reminder %s: %w", c.Reminder.Key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.held(c); !ok {
		return fmt.Errorf("finish reminder %s: %w", c.Reminder.Key, store.ErrLeaseLost)
	}
	m := s.rems[c.Reminder.Key]
	delete(m, c.Reminder.ID)
	if len(m) == 0 {
		delete(s.rems, c.Reminder.Key)
	}
	return nil
}

// RetryReminder implements store.Reminders.
func (s *Store) RetryReminder(ctx context.Context, c store.Claim, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("retry reminder %s: %w", c.Reminder.Key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.held(c)
	if !ok {
		return fmt.Errorf("retry reminder %s: %w", c.Reminder.Key, store.ErrLeaseLost)
	}
	p.r.Tries++
	p.r.At = at
	p.next = at
	p.token = ""
	return nil
}

func newToken() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
