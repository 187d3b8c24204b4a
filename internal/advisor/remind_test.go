package advisor

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/store/memstore"
)

var remindNow = time.Date(2026, 12, 3, 10, 0, 0, 0, engine.China)

// phoneCatalog asks when the phone arrived and gives the 三包 deadlines.
func phoneCatalog() *engine.Catalog {
	c := catalog()
	c.Trees["p"] = &engine.Tree{ID: "p", Version: 1, Start: "got", Nodes: map[string]*engine.Node{
		"got": {ID: "got", Kind: engine.Input, Text: "q.got", Input: &engine.InputSpec{Kind: engine.DateInput}, SaveAs: "got", Next: engine.Next{{To: "end"}}},
		"end": {ID: "end", Kind: engine.Outcome, Outcome: &engine.OutcomeSpec{Category: "p", Title: "end", Law: []engine.Cited{{Key: "x"}},
			Deadlines: []engine.DeadlineSpec{{Rule: "sanbao_return", From: "got"}, {Rule: "sanbao_exchange", From: "got"}}}},
	}}
	return c
}

func remindAdvisor() (*Advisor, *memstore.Store) {
	st := memstore.New(0, nil)
	return &Advisor{Catalog: phoneCatalog(), Store: st, Reminders: st, Now: func() time.Time { return remindNow }, Lang: "en"}, st
}

func planned(t *testing.T, a *Advisor, key string) []string {
	t.Helper()
	rs, err := a.Reminders.Reminders(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func toPhoneOutcome(t *testing.T, a *Advisor, key string) {
	t.Helper()
	ctx := context.Background()
	for _, ev := range []engine.Event{{Kind: engine.Start, Tree: "p"}, {Kind: engine.Text, Text: "2026-12-01"}} {
		if _, err := a.Handle(ctx, key, ev); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRemindOnPlansDeadlinesAndFollowUp(t *testing.T) {
	a, _ := remindAdvisor()
	ctx := context.Background()
	if rs, err := a.RemindOn(ctx, "k"); err != nil || len(rs) != 0 {
		t.Fatalf("before an outcome: %v, %v", rs, err)
	}
	toPhoneOutcome(t, a, "k")
	rs, err := a.RemindOn(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"before2:sanbao_return:2026-12-08", "followup", "before0:sanbao_return:2026-12-08",
		"before2:sanbao_exchange:2026-12-16", "before0:sanbao_exchange:2026-12-16"}
	if got := planned(t, a, "k"); !slices.Equal(got, want) {
		t.Fatalf("planned %q, want %q", got, want)
	}
	if rs[0].Lang != "en" || rs[0].Key != "k" {
		t.Fatalf("reminder %+v", rs[0])
	}
	// Again: the same plan, the follow-up not doubled.
	if _, err := a.RemindOn(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if got := planned(t, a, "k"); !slices.Equal(got, want) {
		t.Fatalf("after a second /remind on: %q", got)
	}

	if err := a.RemindDone(ctx, "k", "sanbao_return"); err != nil {
		t.Fatal(err)
	}
	if got := planned(t, a, "k"); !slices.Equal(got, []string{"followup", want[3], want[4]}) {
		t.Fatalf("after Done on sanbao_return: %q", got)
	}
	if err := a.RemindOff(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if got := planned(t, a, "k"); len(got) != 0 {
		t.Fatalf("after off: %q", got)
	}
}

// Recording the 12315 filing date replans: its acceptance deadline gets a
// reminder the morning after it passes.
func TestFiledAddsAcceptanceReminder(t *testing.T) {
	a, _ := remindAdvisor()
	ctx := context.Background()
	toPhoneOutcome(t, a, "k")
	if _, err := a.RemindOn(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []engine.Event{{Kind: engine.Draft, Option: engine.FiledForm}, {Kind: engine.Text, Text: "2026-12-03"}} {
		if _, err := a.Handle(ctx, "k", ev); err != nil {
			t.Fatal(err)
		}
	}
	rs, _ := a.Reminders.Reminders(ctx, "k")
	i := slices.IndexFunc(rs, func(r remind.Reminder) bool { return r.Rule == "accept_12315" })
	if i < 0 {
		t.Fatalf("no acceptance reminder: %+v", rs)
	}
	// 7 working days from Thursday 3 December: Monday 14 December; the
	// reminder comes on the 15th at 09:00.
	if r := rs[i]; r.Kind != remind.Passed || !r.At.Equal(time.Date(2026, 12, 15, 9, 0, 0, 0, engine.China)) {
		t.Fatalf("acceptance reminder %+v", r)
	}
	if !slices.ContainsFunc(rs, func(r remind.Reminder) bool { return r.Kind == remind.FollowUp }) {
		t.Fatal("the follow-up was lost in the replan")
	}
}

func TestNewCaseAndForgetDeleteReminders(t *testing.T) {
	for _, ev := range []engine.Event{{Kind: engine.Start}, {Kind: engine.Restart}, {Kind: engine.Start, Tree: "t"}} {
		a, _ := remindAdvisor()
		ctx := context.Background()
		toPhoneOutcome(t, a, "k")
		toPhoneOutcome(t, a, "other")
		a.RemindOn(ctx, "k")
		a.RemindOn(ctx, "other")
		if _, err := a.Handle(ctx, "k", ev); err != nil {
			t.Fatal(err)
		}
		if got := planned(t, a, "k"); len(got) != 0 {
			t.Fatalf("%s: reminders left after a new case: %q", ev.Kind, got)
		}
		if len(planned(t, a, "other")) == 0 {
			t.Fatal("another chat's reminders went too")
		}
		if err := a.Forget(ctx, "other"); err != nil {
			t.Fatal(err)
		}
		if got := planned(t, a, "other"); len(got) != 0 {
			t.Fatalf("reminders left after /forget: %q", got)
		}
	}
}

func TestNoReminderStore(t *testing.T) {
	a := newAdvisor(nil)
	if _, err := a.RemindOn(context.Background(), "k"); err != ErrNoReminders {
		t.Fatalf("RemindOn without a store: %v", err)
	}
}
