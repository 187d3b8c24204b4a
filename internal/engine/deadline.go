package engine

import (
	"sort"
	"time"
)

// DeadlineRule is a legal period: its length and the law ids behind it.
type DeadlineRule struct {
	Days, Months, Years int
	// WorkingDays counts working days: not weekends or the holidays of
	// the calendar (Holidays), but the weekend days worked in exchange. In
	// a year the calendar does not cover, weekends and fixed-date holidays
	// are skipped and the result is flagged MayRunOn.
	WorkingDays int
	Law         []string
}

// DeadlineRules are the periods the dialogs may ask for, from law-facts.md
// §D. Counting follows Civil Code Arts. 201-203: the day of the event is
// not counted, so a 7-day period from a sign-for on the 20th ends at the
// end of the 27th; a period in months or years ends on the corresponding
// date, or the month's last day when there is none.
var DeadlineRules = map[string]DeadlineRule{
	"no_reason_return":    {Days: 7, Law: []string{"cpl_25", "r7d_10"}},
	"return_refund":       {Days: 7, Law: []string{"cpl_25"}},
	"sanbao_return":       {Days: 7, Law: []string{"phone_11"}},
	"sanbao_exchange":     {Days: 15, Law: []string{"phone_12"}},
	"phone_warranty":      {Years: 1, Law: []string{"phone_8"}},
	"durable_burden":      {Months: 6, Law: []string{"cpl_23"}},
	"defect_notice":       {Years: 2, Law: []string{"cc_621"}},
	"prepaid_cooling_off": {Days: 7, Law: []string{"spcp_14"}},
	"limitation":          {Years: 3, Law: []string{"cc_188"}},
	"complaint_cutoff":    {Years: 3, Law: []string{"cr_16"}},
	"fraud_annul":         {Years: 1, Law: []string{"cc_152"}},
	"injury_claim":        {Years: 2, Law: []string{"pql_45"}},
	"mediation_end":       {Days: 60, Law: []string{"ir_46", "cr_45"}},
	"defect_return":       {Days: 7, Law: []string{"cpl_24"}},
	"accept_12315":        {WorkingDays: 7, Law: []string{"cr_15", "cpl_46"}},
}

// CountingLaw is the rule on counting periods (Civil Code Arts. 201-203):
// cited whenever the bot says a period ending on a rest day runs on.
const CountingLaw = "cc_201_203"

// RuleLawIDs lists every law id the deadline and compensation rules cite,
// so lint can check them against the registry.
func RuleLawIDs() []string {
	seen := map[string]bool{}
	for _, r := range DeadlineRules {
		for _, l := range r.Law {
			seen[l] = true
		}
	}
	for _, r := range CompensationRules {
		for _, l := range r.Law {
			seen[l] = true
		}
	}
	seen[CountingLaw] = true
	for _, ids := range DraftLaws {
		for _, l := range ids {
			seen[l] = true
		}
	}
	ids := make([]string, 0, len(seen))
	for l := range seen {
		ids = append(ids, l)
	}
	sort.Strings(ids)
	return ids
}

// Deadline is a computed period end.
type Deadline struct {
	Rule string
	From string // YYYY-MM-DD
	// Due is the last day of the period as counted (YYYY-MM-DD), before
	// any rest-day extension.
	Due string
	// RunsTo is set when Due is a rest day or statutory holiday in a year
	// the calendar covers: the period runs to this next working day (CC
	// Arts. 201-203). DaysLeft counts to it.
	RunsTo string
	// MayRunOn: Due falls on a weekend or fixed-date holiday of a year the
	// calendar does not cover (or a working-day count crossed such a year),
	// so the period may run longer; the bot says so instead of guessing.
	MayRunOn bool
	// DaysLeft counts days from today to the period's end (RunsTo when
	// set, else Due): 0 means today is the last day, negative means the
	// period has closed.
	DaysLeft int
	Law      []string
	// NonWorkingDay: Due is a rest day, known (RunsTo set) or possible
	// (MayRunOn).
	NonWorkingDay bool
}

// End is the last day the period can be used: RunsTo when the rest-day
// rule moved it, else Due.
func (d Deadline) End() string {
	if d.RunsTo != "" {
		return d.RunsTo
	}
	return d.Due
}

// Open reports whether the period has not closed by today.
func (d Deadline) Open() bool { return d.DaysLeft >= 0 }

// maxRunOn bounds the search for the next working day; the longest run of
// rest days in any notice is nine.
const maxRunOn = 31

// ComputeDeadline applies rule to the date fact from (YYYY-MM-DD) as seen
// at now. ok is false for an unknown rule or a missing or bad date.
func ComputeDeadline(rule, from string, now time.Time) (Deadline, bool) {
	r, ok := DeadlineRules[rule]
	if !ok || from == "" {
		return Deadline{}, false
	}
	start, err := ParseDate(from)
	if err != nil {
		return Deadline{}, false
	}
	due := addPeriod(start, r.Years, r.Months, r.Days)
	mayRunOn := false
	for n := r.WorkingDays; n > 0; {
		due = due.AddDate(0, 0, 1)
		switch calendar.kind(due) {
		case workDay:
			n--
		case maybeRestDay:
			mayRunOn = true
		}
	}
	d := Deadline{Rule: rule, From: from, Due: due.Format(DateLayout), Law: r.Law}
	end := due
	switch calendar.kind(due) {
	case restDay:
		d.NonWorkingDay = true
		next := due
		for i := 0; i < maxRunOn; i++ {
			next = next.AddDate(0, 0, 1)
			k := calendar.kind(next)
			if k == maybeRestDay {
				// Runs into a year the calendar does not cover: stop at
				// the first day known not to be a rest day, and hedge.
				mayRunOn = true
				continue
			}
			if k == workDay {
				break
			}
		}
		d.RunsTo, end = next.Format(DateLayout), next
	case maybeRestDay:
		d.NonWorkingDay = true
		mayRunOn = true
	}
	d.MayRunOn = mayRunOn
	d.DaysLeft = DaysBetween(Today(now), end)
	return d, true
}

// addPeriod adds years and months clamped to the month's end (Aug 31 + 6
// months = Feb 28/29, not Mar 3), then days.
func addPeriod(t time.Time, years, months, days int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + months + 12*years
	ty, tm := y+total/12, time.Month(total%12+1)
	last := time.Date(ty, tm+1, 0, 0, 0, 0, 0, China).Day()
	if d > last {
		d = last
	}
	return time.Date(ty, tm, d, 0, 0, 0, 0, China).AddDate(0, 0, days)
}
