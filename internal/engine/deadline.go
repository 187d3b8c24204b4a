package engine

import (
	"sort"
	"time"
)

// DeadlineRule is a legal period: its length and the law ids behind it.
type DeadlineRule struct {
	Days, Months, Years int
	// WorkingDays counts Monday to Friday only. Public holidays (and the
	// weekend days China works in exchange for them) are not known here;
	// the bot says they extend the period rather than guess.
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
	Due  string // YYYY-MM-DD, the last day of the period
	// DaysLeft counts days from today to Due: 0 means today is the last
	// day, negative means the period has closed.
	DaysLeft int
	Law      []string
	// NonWorkingDay: Due is a Saturday or Sunday. A period whose last day
	// is a rest day or public holiday runs to the next working day (CC Art.
	// 203); the bot says so instead of guessing the holiday calendar.
	NonWorkingDay bool
}

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
	for n := r.WorkingDays; n > 0; {
		due = due.AddDate(0, 0, 1)
		if d := due.Weekday(); d != time.Saturday && d != time.Sunday {
			n--
		}
	}
	wd := due.Weekday()
	return Deadline{
		Rule: rule, From: from, Due: due.Format(DateLayout),
		DaysLeft:      DaysBetween(Today(now), due),
		Law:           r.Law,
		NonWorkingDay: wd == time.Saturday || wd == time.Sunday,
	}, true
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
