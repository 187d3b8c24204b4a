package remind

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

var now = time.Date(2026, 12, 3, 15, 30, 0, 0, engine.China)

func china(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, engine.China)
}

// Every deadline rule gets its reminders: the morning after for a period
// the other side keeps, else 2 days ahead and on the last day (and a month
// ahead for periods of months or years), all at 09:00 China time.
func TestDeadlinesFromEachRule(t *testing.T) {
	rules := make([]string, 0, len(engine.DeadlineRules))
	for r := range engine.DeadlineRules {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, rule := range rules {
		t.Run(rule, func(t *testing.T) {
			d, ok := engine.ComputeDeadline(rule, "2026-12-01", now)
			if !ok {
				t.Fatal("ComputeDeadline failed")
			}
			got := Deadlines("tg:1", "zh", &engine.Advice{Deadlines: []engine.Deadline{d}}, now)
			var want []time.Time
			due, _ := engine.ParseDate(d.Due)
			at := func(days int) time.Time {
				x := due.AddDate(0, 0, days)
				return china(x.Year(), x.Month(), x.Day(), 9)
			}
			r := engine.DeadlineRules[rule]
			switch {
			case rule == "accept_12315" || rule == "mediation_end":
				want = []time.Time{at(1)}
			case r.Months > 0 || r.Years > 0:
				want = []time.Time{at(-30), at(-2), at(0)}
			default:
				want = []time.Time{at(-2), at(0)}
			}
			var ats []time.Time
			for _, rem := range got {
				ats = append(ats, rem.At)
				if rem.Rule != rule || rem.Due != d.Due || rem.From != "2026-12-01" || rem.Lang != "zh" || rem.Key != "tg:1" || !slices.Equal(rem.Law, d.Law) {
					t.Errorf("reminder %+v does not carry the deadline %+v", rem, d)
				}
				if !Awake(rem.At) || rem.At.In(engine.China).Hour() != SendHour {
					t.Errorf("reminder at %v, not %d:00 China time", rem.At, SendHour)
				}
			}
			var keep []time.Time
			for _, w := range want {
				if w.After(now) {
					keep = append(keep, w)
				}
			}
			if !slices.EqualFunc(ats, keep, time.Time.Equal) {
				t.Fatalf("reminders at %v, want %v", ats, keep)
			}
			seen := map[string]bool{}
			for _, rem := range got {
				if seen[rem.ID] {
					t.Errorf("id %s twice", rem.ID)
				}
				seen[rem.ID] = true
			}
		})
	}
}

// A plan made later never brings back a reminder already due (sent).
func TestDeadlinesOnlyAhead(t *testing.T) {
	d, _ := engine.ComputeDeadline("sanbao_exchange", "2026-11-20", now) // due 2026-12-05
	a := &engine.Advice{Deadlines: []engine.Deadline{d}}
	if got := Deadlines("tg:1", "en", a, now); len(got) != 1 || got[0].Days != 0 || !got[0].At.Equal(china(2026, 12, 5, 9)) {
		t.Fatalf("two days before the 5th at 15:30 on the 3rd: %+v", got)
	}
	if got := Deadlines("tg:1", "en", a, china(2026, 12, 5, 10)); len(got) != 0 {
		t.Fatalf("after the last morning: %+v", got)
	}
	if HasFuture("tg:1", a, china(2026, 12, 5, 10)) || !HasFuture("tg:1", a, now) {
		t.Fatal("HasFuture")
	}
	if Deadlines("tg:1", "en", nil, now) != nil {
		t.Fatal("no advice, no reminders")
	}
}

func TestSendingHoursChinaTime(t *testing.T) {
	tests := []struct {
		in, want time.Time
	}{
		{china(2026, 12, 3, 12), china(2026, 12, 3, 12)},
		{china(2026, 12, 3, 9), china(2026, 12, 3, 9)},
		{china(2026, 12, 3, 21), china(2026, 12, 4, 9)},
		{china(2026, 12, 3, 23), china(2026, 12, 4, 9)},
		{china(2026, 12, 3, 3), china(2026, 12, 3, 9)},
		// 13:00 UTC is 21:00 in China: night there, whatever the server's zone.
		{time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC), china(2026, 12, 4, 9)},
		{time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC), china(2027, 1, 1, 9)},
	}
	for _, tt := range tests {
		if got := Daytime(tt.in); !got.Equal(tt.want) {
			t.Errorf("Daytime(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if Awake(tt.in) != tt.in.Equal(tt.want) {
			t.Errorf("Awake(%v) = %v", tt.in, Awake(tt.in))
		}
	}
}

func TestFollowUpAndReplan(t *testing.T) {
	f := NewFollowUp("tg:1", "en", china(2026, 12, 3, 22))
	if !f.At.Equal(china(2026, 12, 7, 9)) || f.Kind != FollowUp {
		t.Fatalf("follow-up at %v", f.At)
	}
	d, _ := engine.ComputeDeadline("sanbao_exchange", "2026-12-01", now)
	plan := Deadlines("tg:1", "en", &engine.Advice{Deadlines: []engine.Deadline{d}}, now)
	have := append([]Reminder{f}, plan...)
	have[1].Tries = 2
	acc, _ := engine.ComputeDeadline("accept_12315", "2026-12-03", now)
	plan2 := Deadlines("tg:1", "en", &engine.Advice{Deadlines: []engine.Deadline{d, acc}}, now)
	got := Replan(have, plan2)
	if len(got) != len(plan2)+1 {
		t.Fatalf("replan: %+v", got)
	}
	var kept bool
	for _, r := range got {
		if r.ID == have[1].ID {
			kept = r.Tries == 2
		}
	}
	if !kept || !slices.ContainsFunc(got, func(r Reminder) bool { return r.Kind == FollowUp }) ||
		!slices.ContainsFunc(got, func(r Reminder) bool { return r.Rule == "accept_12315" && r.Kind == Passed }) {
		t.Fatalf("replan lost something: %+v", got)
	}
}

func TestCurrent(t *testing.T) {
	d, _ := engine.ComputeDeadline("sanbao_exchange", "2026-12-01", now)
	r := Deadlines("tg:1", "en", &engine.Advice{Deadlines: []engine.Deadline{d}}, now)[0]
	if !Current(r, &engine.Advice{Deadlines: []engine.Deadline{d}}) {
		t.Fatal("same deadline is current")
	}
	moved, _ := engine.ComputeDeadline("sanbao_exchange", "2026-12-02", now)
	if Current(r, &engine.Advice{Deadlines: []engine.Deadline{moved}}) || Current(r, nil) {
		t.Fatal("a changed or gone deadline is not current")
	}
	if !Current(NewFollowUp("tg:1", "en", now), &engine.Advice{}) {
		t.Fatal("a follow-up is current while there is an outcome")
	}
}

func TestChat(t *testing.T) {
	for key, want := range map[string]int64{"tg:42": 42, "tg:-100": -100, "cli:alice": 0, "tg:x": 0} {
		if got := Chat(key); got != want {
			t.Errorf("Chat(%q) = %d", key, got)
		}
	}
}

// 12315's 7 working days run on over a holiday: the reminder that they
// passed comes the morning after the extended end, not before it.
func TestPassedCountsTheExtension(t *testing.T) {
	d := engine.Deadline{Rule: "accept_12315", From: "2026-09-24", Due: "2026-10-05", RunsTo: "2026-10-09", Law: []string{"cr_15"}}
	got := Deadlines("tg:1", "en", &engine.Advice{Deadlines: []engine.Deadline{d}}, china(2026, 9, 24, 12))
	if len(got) != 1 || got[0].Due != "2026-10-09" || !got[0].At.Equal(china(2026, 10, 10, 9)) {
		t.Fatalf("%+v", got)
	}
	if !Current(got[0], &engine.Advice{Deadlines: []engine.Deadline{d}}) {
		t.Fatal("not current against its own deadline")
	}
	// The user's own deadline: reminded by the day as counted.
	own := engine.Deadline{Rule: "no_reason_return", From: "2026-09-28", Due: "2026-10-05", RunsTo: "2026-10-08"}
	got = Deadlines("tg:1", "en", &engine.Advice{Deadlines: []engine.Deadline{own}}, china(2026, 9, 28, 12))
	if len(got) != 2 || got[1].Due != "2026-10-05" || !got[1].At.Equal(china(2026, 10, 5, 9)) {
		t.Fatalf("%+v", got)
	}
}
