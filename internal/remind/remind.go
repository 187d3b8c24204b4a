// Package remind plans the reminders of a case: for each deadline of its
// outcome, messages on chosen days before the last day, and a follow-up a
// few days after the advice. It is pure (engine and the standard library
// only): the store keeps the plan, the bot and the operator's command send
// or print it, render words it.
//
// Every reminder is sent in the daytime, China time: at SendHour on its
// day, and never between QuietFrom and SendHour (a reminder found due at
// night, after downtime, waits for the morning).
package remind

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

// Kind says what a reminder is about.
type Kind string

const (
	// Before: the deadline's last day is Days days away (0: it is today).
	Before Kind = "before"
	// Passed: a deadline someone else must keep (12315 accepting the
	// complaint, mediation ending) has passed; time to check on it.
	Passed Kind = "passed"
	// FollowUp asks, days after the advice, whether the merchant answered.
	FollowUp Kind = "followup"
)

// Reminder is one message due at a time for one chat. It holds what the
// message needs, so it can be sent as planned; the sender still checks it
// against the case as it stands (see Current).
type Reminder struct {
	// ID is unique among one chat's reminders and stable for a plan:
	// "before2:sanbao_exchange:2026-12-11", "followup".
	ID   string    `json:"id"`
	Key  string    `json:"k"` // the session key: "tg:<chat>", "cli:<user>"
	At   time.Time `json:"at"`
	Lang string    `json:"l,omitempty"`
	Kind Kind      `json:"kd"`
	Days int       `json:"d,omitempty"` // Before: days left on the day it is sent
	// The deadline (empty for a follow-up): its rule, the date it counts
	// from, its last day and the law ids behind it.
	Rule string   `json:"r,omitempty"`
	From string   `json:"f,omitempty"`
	Due  string   `json:"du,omitempty"`
	Law  []string `json:"lw,omitempty"`
	// Tries counts failed sends, so a reminder that cannot be delivered
	// is given up rather than retried forever.
	Tries int `json:"tr,omitempty"`
}

// Sending hours, China time.
const (
	SendHour  = 9
	QuietFrom = 21
)

// FollowUpAfter is how long after the advice the follow-up comes: time for
// the merchant to answer a request, not so long that deadlines slip.
const FollowUpAfter = 3 * 24 * time.Hour

// MaxTries bounds failed sends of one reminder.
const MaxTries = 5

// longPeriod: periods of months or years also get a reminder a month
// ahead, as going to court or gathering a test report takes weeks.
func longPeriod(rule string) bool {
	r := engine.DeadlineRules[rule]
	return r.Months > 0 || r.Years > 0
}

// passedRules are deadlines the other side must keep: the user is
// reminded the morning after, to check whether it was kept.
var passedRules = []string{"accept_12315", "mediation_end"}

// lastDay is the day reminders count to. For the user's own deadlines it
// is the last day as counted, before any rest-day extension: acting by
// then is always in time. For a deadline the other side keeps (12315), it
// is the day the period really ends, extension included, so the reminder
// that it passed never comes early.
func lastDay(d engine.Deadline) string {
	if slices.Contains(passedRules, d.Rule) && d.RunsTo != "" {
		return d.RunsTo
	}
	return d.Due
}

// daysBefore are the days before the last day a reminder comes.
func daysBefore(rule string) []int {
	if longPeriod(rule) {
		return []int{30, 2, 0}
	}
	return []int{2, 0}
}

// Morning is SendHour China time on the calendar day of the YYYY-MM-DD date
// plus days.
func Morning(ymd string, days int) (time.Time, bool) {
	d, err := engine.ParseDate(ymd)
	if err != nil {
		return time.Time{}, false
	}
	d = d.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), SendHour, 0, 0, 0, engine.China), true
}

// Awake reports whether t is within the sending hours, China time.
func Awake(t time.Time) bool {
	h := t.In(engine.China).Hour()
	return h >= SendHour && h < QuietFrom
}

// Daytime is t if it is within the sending hours, else the next SendHour.
func Daytime(t time.Time) time.Time {
	if Awake(t) {
		return t
	}
	c := t.In(engine.China)
	next := time.Date(c.Year(), c.Month(), c.Day(), SendHour, 0, 0, 0, engine.China)
	if !next.After(t) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// Deadlines plans the reminders of a's deadlines for key, keeping only those
// after now: a plan made again later (after /filed, say) never brings back
// a reminder already due, so one already sent is not sent twice.
func Deadlines(key, lang string, a *engine.Advice, now time.Time) []Reminder {
	if a == nil {
		return nil
	}
	var out []Reminder
	for _, d := range a.Deadlines {
		add := func(kind Kind, days, offset int, id string) {
			due := lastDay(d)
			at, ok := Morning(due, offset)
			if !ok || !at.After(now) {
				return
			}
			out = append(out, Reminder{ID: id + ":" + d.Rule + ":" + due, Key: key, At: at, Lang: lang, Kind: kind, Days: days,
				Rule: d.Rule, From: d.From, Due: due, Law: slices.Clone(d.Law)})
		}
		if slices.Contains(passedRules, d.Rule) {
			add(Passed, 0, 1, "passed")
			continue
		}
		for _, n := range daysBefore(d.Rule) {
			add(Before, n, -n, "before"+strconv.Itoa(n))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// HasFuture reports whether a has a deadline reminders can be planned for.
func HasFuture(key string, a *engine.Advice, now time.Time) bool {
	return len(Deadlines(key, "", a, now)) > 0
}

// NewFollowUp is the follow-up for advice given at now.
func NewFollowUp(key, lang string, now time.Time) Reminder {
	return Reminder{ID: string(FollowUp), Key: key, At: Daytime(now.Add(FollowUpAfter)), Lang: lang, Kind: FollowUp}
}

// Replan merges a fresh deadline plan into the reminders a chat has: the
// follow-up is kept as it is, deadline reminders become those of the plan
// (an existing one keeps its failed tries).
func Replan(have, plan []Reminder) []Reminder {
	var out []Reminder
	tries := map[string]int{}
	for _, r := range have {
		if r.Kind == FollowUp {
			out = append(out, r)
		} else {
			tries[r.ID] = r.Tries
		}
	}
	for _, r := range plan {
		r.Tries = tries[r.ID]
		out = append(out, r)
	}
	// The stores' order: by time, then id.
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Current reports whether r still belongs to the case: a follow-up while
// the case has an outcome, a deadline reminder while the outcome computes
// the same deadline (same rule and last day). advice is the outcome the
// session shows now, nil if none.
func Current(r Reminder, advice *engine.Advice) bool {
	if advice == nil {
		return false
	}
	if r.Kind == FollowUp {
		return true
	}
	for _, d := range advice.Deadlines {
		if d.Rule == r.Rule && lastDay(d) == r.Due {
			return true
		}
	}
	return false
}

// NoOutcome reports whether s is known to show no outcome without building
// its replies (engine.Current copies the session and renders what it
// shows): most steps rest on a question, or on a guess to confirm. That is
// known while the session's node still exists, which is when Current
// shows that node (or the guess) as it is. A session outside any tree
// shows the menu, or its guess; one whose node is gone is sent back into
// its tree, which may lead anywhere: those are left to Current.
func NoOutcome(cat *engine.Catalog, s engine.Session) bool {
	if s.Tree == "" {
		return s.Pending != nil
	}
	t := cat.Trees[s.Tree]
	if t == nil {
		return false
	}
	n := t.Nodes[s.Node]
	if n == nil {
		return false
	}
	return s.Pending != nil || n.Kind != engine.Outcome
}

// Outcome is the advice the session shows now (ignoring a complaint draft's
// questions asked on top of it), or nil before an outcome.
func Outcome(cat *engine.Catalog, s engine.Session, now time.Time) *engine.Advice {
	if NoOutcome(cat, s) {
		return nil
	}
	s.Form = nil
	for _, rep := range engine.Current(cat, s, now) {
		if rep.Kind == engine.OutcomeReply && rep.Advice != nil {
			return rep.Advice
		}
	}
	return nil
}

// AsOf is r as sent at now: a reminder before a deadline says how many
// days are left that day (fewer than planned when it is sent late).
func AsOf(r Reminder, now time.Time) Reminder {
	if r.Kind != Before {
		return r
	}
	if due, err := engine.ParseDate(r.Due); err == nil {
		r.Days = max(engine.DaysBetween(engine.Today(now), due), 0)
	}
	return r
}

// Chat is the Telegram chat id of a "tg:<id>" key, 0 for other keys.
func Chat(key string) int64 {
	rest, ok := strings.CutPrefix(key, "tg:")
	if !ok {
		return 0
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// Keys are the message keys reminders use (locales/remind.*.yaml), for
// lint's check that each exists in every language and is used.
func Keys() []string {
	keys := []string{
		"remind.title.before", "remind.title.today", "remind.title.passed", "remind.title.followup",
		"remind.deadline", "remind.deadline_passed", "remind.law", "remind.now", "remind.followup",
		"remind.button.on", "remind.button.done", "remind.button.show", "remind.button.stop",
		"remind.button.solved", "remind.button.platform", "remind.button.12315", "remind.button.filed",
		"remind.on", "remind.off", "remind.none", "remind.offer", "remind.done", "remind.solved",
		"remind.usage", "remind.case_gone", "remind.privacy",
	}
	for rule := range engine.DeadlineRules {
		keys = append(keys, "remind.do."+rule)
	}
	sort.Strings(keys)
	return keys
}

// Decide says whether r is still to be sent at now, and in which language,
// given the chat's stored session (nil when none is: it expired, and the
// reminder, which holds its deadline, is sent as planned). With a session,
// r is sent only if it still belongs to the case (Current), in the
// session's language.
//
// A reminder before a deadline whose last day has passed (the senders
// were down) is not sent: it would urge what can no longer be done.
func Decide(cat *engine.Catalog, s *engine.Session, r Reminder, now time.Time) (lang string, send bool) {
	if r.Kind == Before {
		if due, err := engine.ParseDate(r.Due); err != nil || engine.DaysBetween(engine.Today(now), due) < 0 {
			return r.Lang, false
		}
	}
	if s == nil {
		return r.Lang, true
	}
	lang = s.Lang
	if lang == "" {
		lang = r.Lang
	}
	return lang, Current(r, Outcome(cat, *s, now))
}

// Sort orders reminders by due time, then session key, then id: the order
// every store lists them in, so replicas and the operator's listing agree.
func Sort(rs []Reminder) {
	sort.Slice(rs, func(i, j int) bool {
		if !rs[i].At.Equal(rs[j].At) {
			return rs[i].At.Before(rs[j].At)
		}
		if rs[i].Key != rs[j].Key {
			return rs[i].Key < rs[j].Key
		}
		return rs[i].ID < rs[j].ID
	})
}
