package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/store"
)

// NewReminders returns two handles on one new, empty reminder store, as two
// replicas sharing a backend see it (for an in-memory store, the same one
// twice). Times are the suite's own: the contract takes now as an argument.
type NewReminders func(t *testing.T) (a, b store.Reminders)

// RunReminders runs the reminders conformance suite.
func RunReminders(t *testing.T, newR NewReminders) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, a, b store.Reminders)
	}{
		{"SetListReplace", testRemSet},
		{"RoundTripAllFields", testRemRoundTrip},
		{"DueInTimeOrder", testRemDue},
		{"ClaimOnce", testRemClaimOnce},
		{"TwoReplicasRacing", testRemRace},
		{"LeaseExpires", testRemLease},
		{"Retry", testRemRetry},
		{"ReplaceKeepsClaim", testRemReplaceKeepsClaim},
		{"DeleteDropsClaim", testRemDeleteDropsClaim},
		{"KeyPrefix", testRemPrefix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := newR(t)
			tt.fn(t, a, b)
		})
	}
}

// t0 is the suite's now: a morning in China.
var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, engine.China)

func rem(key, id string, at time.Time) remind.Reminder {
	return remind.Reminder{ID: id, Key: key, At: at.UTC(), Lang: "en", Kind: remind.Before, Rule: "sanbao_exchange", Due: "2026-12-10"}
}

func ids(rs []remind.Reminder) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Key+"/"+r.ID)
	}
	return out
}

func claimIDs(cs []store.Claim) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Reminder.Key+"/"+c.Reminder.ID)
	}
	return out
}

func mustSet(t *testing.T, s store.Reminders, key string, rs ...remind.Reminder) {
	t.Helper()
	if err := s.SetReminders(ctxT(t), key, rs); err != nil {
		t.Fatalf("SetReminders(%q): %v", key, err)
	}
}

func list(t *testing.T, s store.Reminders, key string) []string {
	t.Helper()
	rs, err := s.Reminders(ctxT(t), key)
	if err != nil {
		t.Fatalf("Reminders(%q): %v", key, err)
	}
	return ids(rs)
}

func claim(t *testing.T, s store.Reminders, now time.Time, n int) []store.Claim {
	t.Helper()
	cs, err := s.ClaimReminders(ctxT(t), now, "", time.Minute, n)
	if err != nil {
		t.Fatalf("ClaimReminders: %v", err)
	}
	return cs
}

func wantIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func testRemSet(t *testing.T, a, _ store.Reminders) {
	mustSet(t, a, "tg:1", rem("tg:1", "c", t0.Add(3*time.Hour)), rem("tg:1", "a", t0.Add(time.Hour)), rem("tg:1", "b", t0.Add(2*time.Hour)))
	mustSet(t, a, "tg:2", rem("tg:2", "a", t0))
	wantIDs(t, "Reminders", list(t, a, "tg:1"), "tg:1/a", "tg:1/b", "tg:1/c")
	mustSet(t, a, "tg:1", rem("tg:1", "d", t0))
	wantIDs(t, "after replacing", list(t, a, "tg:1"), "tg:1/d")
	mustSet(t, a, "tg:1")
	wantIDs(t, "after deleting", list(t, a, "tg:1"))
	wantIDs(t, "the other key", list(t, a, "tg:2"), "tg:2/a")
	if cs := claim(t, a, t0.Add(24*time.Hour), 10); len(cs) != 1 || cs[0].Reminder.Key != "tg:2" {
		t.Fatalf("deleted reminders still claimable: %q", claimIDs(cs))
	}
}

func testRemRoundTrip(t *testing.T, a, _ store.Reminders) {
	in := remind.Reminder{ID: "before2:sanbao_exchange:2026-12-10", Key: "tg:7", At: t0.UTC(), Lang: "zh", Kind: remind.Before, Days: 2,
		Rule: "sanbao_exchange", From: "2026-11-25", Due: "2026-12-10", Law: []string{"phone_12", "cpl_24"}, Tries: 2}
	mustSet(t, a, "tg:7", in)
	got, err := a.Reminders(ctxT(t), "tg:7")
	if err != nil || len(got) != 1 {
		t.Fatalf("Reminders = %+v, %v", got, err)
	}
	if !got[0].At.Equal(in.At) {
		t.Fatalf("At = %v, want %v", got[0].At, in.At)
	}
	got[0].At = in.At
	if !reflect.DeepEqual(got[0], in) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got[0], in)
	}
	got[0].Law[0] = "changed"
	if again, _ := a.Reminders(ctxT(t), "tg:7"); again[0].Law[0] != "phone_12" {
		t.Fatal("a listed reminder aliases the stored one")
	}
}

func testRemDue(t *testing.T, a, b store.Reminders) {
	mustSet(t, a, "tg:1", rem("tg:1", "late", t0.Add(48*time.Hour)), rem("tg:1", "x", t0.Add(2*time.Hour)))
	mustSet(t, a, "cli:z", rem("cli:z", "y", t0.Add(time.Hour)))
	mustSet(t, a, "tg:3", rem("tg:3", "z", t0.Add(3*time.Hour)))
	due, err := b.DueReminders(ctxT(t), t0.Add(3*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "DueReminders", ids(due), "cli:z/y", "tg:1/x", "tg:3/z")
	due, _ = b.DueReminders(ctxT(t), t0.Add(3*time.Hour), 2)
	wantIDs(t, "DueReminders limited", ids(due), "cli:z/y", "tg:1/x")
	// A claimed reminder is still listed, at its planned time.
	claim(t, a, t0.Add(90*time.Minute), 10)
	due, _ = b.DueReminders(ctxT(t), t0.Add(3*time.Hour), 0)
	wantIDs(t, "DueReminders with a claim", ids(due), "cli:z/y", "tg:1/x", "tg:3/z")
	due, _ = b.DueReminders(ctxT(t), t0, 0)
	wantIDs(t, "DueReminders before any", ids(due))
}

func testRemClaimOnce(t *testing.T, a, b store.Reminders) {
	mustSet(t, a, "tg:1", rem("tg:1", "now", t0), rem("tg:1", "later", t0.Add(time.Hour)))
	cs := claim(t, a, t0, 10)
	wantIDs(t, "first claim", claimIDs(cs), "tg:1/now")
	wantIDs(t, "second claim, other replica", claimIDs(claim(t, b, t0.Add(time.Second), 10)))
	if err := a.FinishReminder(ctxT(t), cs[0]); err != nil {
		t.Fatalf("FinishReminder: %v", err)
	}
	wantIDs(t, "after finishing", list(t, b, "tg:1"), "tg:1/later")
	if err := a.FinishReminder(ctxT(t), cs[0]); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("second FinishReminder: %v, want ErrLeaseLost", err)
	}
	wantIDs(t, "after the lease would have ended", claimIDs(claim(t, b, t0.Add(5*time.Minute), 10)))
}

// testRemRace has two replicas, each with several senders, claim and
// finish 60 due reminders: each is claimed exactly once.
func testRemRace(t *testing.T, a, b store.Reminders) {
	const keys, per = 20, 3
	for k := range keys {
		key := fmt.Sprintf("tg:%d", 100+k)
		var rs []remind.Reminder
		for i := range per {
			rs = append(rs, rem(key, fmt.Sprint("r", i), t0.Add(-time.Duration(i)*time.Minute)))
		}
		mustSet(t, a, key, rs...)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	ctx := ctxT(t)
	for w := range 8 {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for range 50 {
				cs, err := s.ClaimReminders(ctx, t0, "tg:", time.Minute, 3)
				if err != nil {
					t.Error(err)
					return
				}
				for _, c := range cs {
					mu.Lock()
					seen[c.Reminder.Key+"/"+c.Reminder.ID]++
					mu.Unlock()
					if err := s.FinishReminder(ctx, c); err != nil {
						t.Errorf("FinishReminder: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != keys*per {
		t.Errorf("%d reminders claimed, want %d", len(seen), keys*per)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
}

// testRemLease: replica a claims and dies; b cannot claim until the lease
// ends, then does, and a's late finish is refused.
func testRemLease(t *testing.T, a, b store.Reminders) {
	mustSet(t, a, "tg:1", rem("tg:1", "x", t0))
	ca := claim(t, a, t0, 10)
	wantIDs(t, "a's claim", claimIDs(ca), "tg:1/x")
	if !ca[0].Until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Until = %v, want now+lease", ca[0].Until)
	}
	wantIDs(t, "b during a's lease", claimIDs(claim(t, b, t0.Add(59*time.Second), 10)))
	cb := claim(t, b, t0.Add(time.Minute), 10)
	wantIDs(t, "b after a's lease", claimIDs(cb), "tg:1/x")
	if cb[0].Token == ca[0].Token {
		t.Fatal("a new claim has the old claim's token")
	}
	if err := a.FinishReminder(ctxT(t), ca[0]); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("dead replica's FinishReminder: %v, want ErrLeaseLost", err)
	}
	if err := a.RetryReminder(ctxT(t), ca[0], t0.Add(time.Hour)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("dead replica's RetryReminder: %v, want ErrLeaseLost", err)
	}
	if err := b.FinishReminder(ctxT(t), cb[0]); err != nil {
		t.Fatalf("FinishReminder: %v", err)
	}
	wantIDs(t, "after b finished", list(t, a, "tg:1"))
}

func testRemRetry(t *testing.T, a, b store.Reminders) {
	mustSet(t, a, "tg:1", rem("tg:1", "x", t0))
	cs := claim(t, a, t0, 10)
	if err := a.RetryReminder(ctxT(t), cs[0], t0.Add(10*time.Minute)); err != nil {
		t.Fatalf("RetryReminder: %v", err)
	}
	wantIDs(t, "before the retry time", claimIDs(claim(t, b, t0.Add(9*time.Minute), 10)))
	again := claim(t, b, t0.Add(10*time.Minute), 10)
	wantIDs(t, "at the retry time", claimIDs(again), "tg:1/x")
	if got := again[0].Reminder; got.Tries != 1 || !got.At.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("retried reminder: tries %d at %v", got.Tries, got.At)
	}
}

func testRemReplaceKeepsClaim(t *testing.T, a, b store.Reminders) {
	mustSet(t, a, "tg:1", rem("tg:1", "x", t0), rem("tg:1", "y", t0))
	cs := claim(t, a, t0, 1)
	held := cs[0].Reminder.ID
	other := "x"
	if held == "x" {
		other = "y"
	}
	// A new plan keeps the held reminder and drops the other.
	mustSet(t, b, "tg:1", rem("tg:1", held, t0), rem("tg:1", "z", t0))
	wantIDs(t, "claim after replacing", claimIDs(claim(t, b, t0.Add(time.Second), 10)), "tg:1/z")
	if err := a.FinishReminder(ctxT(t), cs[0]); err != nil {
		t.Fatalf("FinishReminder of a kept reminder: %v", err)
	}
	for _, id := range list(t, a, "tg:1") {
		if id == "tg:1/"+other || id == "tg:1/"+held {
			t.Fatalf("reminders after replacing and finishing: %q", list(t, a, "tg:1"))
		}
	}
}

func testRemDeleteDropsClaim(t *testing.T, a, b store.Reminders) {
	mustSet(t, a, "tg:1", rem("tg:1", "x", t0))
	cs := claim(t, a, t0, 10)
	mustSet(t, b, "tg:1")
	if err := a.FinishReminder(ctxT(t), cs[0]); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("FinishReminder after delete: %v, want ErrLeaseLost", err)
	}
	wantIDs(t, "claim after delete", claimIDs(claim(t, b, t0.Add(time.Hour), 10)))
	if due, _ := b.DueReminders(ctxT(t), t0.Add(time.Hour), 0); len(due) != 0 {
		t.Fatalf("due after delete: %q", ids(due))
	}
}

func testRemPrefix(t *testing.T, a, _ store.Reminders) {
	mustSet(t, a, "cli:alice", rem("cli:alice", "x", t0))
	mustSet(t, a, "tg:5", rem("tg:5", "x", t0))
	cs, err := a.ClaimReminders(ctxT(t), t0, "tg:", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "claimed with prefix tg:", claimIDs(cs), "tg:5/x")
	due, _ := a.DueReminders(ctxT(t), t0, 0)
	wantIDs(t, "due", ids(due), "cli:alice/x", "tg:5/x")
}

// SeparateQueues checks two queues of one backend (reminders and the
// outbox) never see each other's entries: what is set, listed, due or
// claimed on one is not on the other, and clearing one leaves the other.
func SeparateQueues(t *testing.T, newQ NewReminders) {
	t.Helper()
	t.Run("SeparateQueues", func(t *testing.T) {
		ctx := t.Context()
		a, b := newQ(t)
		at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		ra := remind.Reminder{ID: "a", Key: "tg:1", At: at, Kind: remind.FollowUp}
		rb := remind.Reminder{ID: "b", Key: "tg:1", At: at, Kind: remind.FollowUp}
		if err := a.SetReminders(ctx, "tg:1", []remind.Reminder{ra}); err != nil {
			t.Fatal(err)
		}
		if err := b.SetReminders(ctx, "tg:1", []remind.Reminder{rb}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct {
			name string
			r    store.Reminders
			id   string
		}{{"first", a, "a"}, {"second", b, "b"}} {
			got, err := q.r.Reminders(ctx, "tg:1")
			if err != nil || len(got) != 1 || got[0].ID != q.id {
				t.Fatalf("%s queue lists %v (%v), want only %q", q.name, got, err, q.id)
			}
			due, err := q.r.DueReminders(ctx, at, 10)
			if err != nil || len(due) != 1 || due[0].ID != q.id {
				t.Fatalf("%s queue has due %v (%v), want only %q", q.name, due, err, q.id)
			}
		}
		claims, err := b.ClaimReminders(ctx, at, "tg:", time.Minute, 10)
		if err != nil || len(claims) != 1 || claims[0].Reminder.ID != "b" {
			t.Fatalf("second queue claims %v (%v), want only b", claims, err)
		}
		if err := b.SetReminders(ctx, "tg:1", nil); err != nil {
			t.Fatal(err)
		}
		if got, err := a.Reminders(ctx, "tg:1"); err != nil || len(got) != 1 {
			t.Fatalf("clearing the second queue left the first with %v (%v)", got, err)
		}
		if got, err := a.ClaimReminders(ctx, at, "tg:", time.Minute, 10); err != nil || len(got) != 1 || got[0].Reminder.ID != "a" {
			t.Fatalf("first queue claims %v (%v), want a", got, err)
		}
	})
}
