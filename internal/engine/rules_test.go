package engine

import (
	"testing"
	"time"
)

// noon returns a time on day d at noon, China time.
func noon(d string) time.Time {
	t, err := ParseDate(d)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

func TestComputeDeadline(t *testing.T) {
	tests := []struct {
		name, rule, from, now string
		due, runsTo           string
		left                  int
		nonWorking, mayRunOn  bool
		ok                    bool
	}{
		{"7-day return counts from the day after sign-for", "no_reason_return", "2026-11-20", "2026-11-26", "2026-11-27", "", 1, false, false, true},
		{"last day today", "no_reason_return", "2026-11-19", "2026-11-26", "2026-11-26", "", 0, false, false, true},
		{"window closed; its Sunday end ran to Monday", "no_reason_return", "2026-11-01", "2026-11-26", "2026-11-08", "2026-11-09", -17, true, false, true},
		{"sign-for in the future counts forward", "no_reason_return", "2026-11-30", "2026-11-26", "2026-12-07", "", 11, false, false, true},
		{"15-day exchange ending on a Saturday runs to Monday", "sanbao_exchange", "2026-11-20", "2026-11-26", "2026-12-05", "2026-12-07", 11, true, false, true},
		{"6 months clamps to month end; a 2027 Sunday is only possibly a rest day", "durable_burden", "2026-08-31", "2026-09-01", "2027-02-28", "", 180, true, true, true},
		{"3-year limitation on 29 Feb", "limitation", "2024-02-29", "2026-11-26", "2027-02-28", "", 94, true, true, true},
		{"2-year defect notice on a 2028 Saturday", "defect_notice", "2026-01-15", "2026-11-26", "2028-01-15", "", 415, true, true, true},
		{"a 2028 weekday is taken as it is", "defect_notice", "2026-01-17", "2026-11-26", "2028-01-17", "", 417, false, false, true},
		{"prepaid cooling-off", "prepaid_cooling_off", "2026-11-24", "2026-11-26", "2026-12-01", "", 5, false, false, true},
		{"server in UTC late evening is already the next day in China", "no_reason_return", "2026-11-20", "", "2026-11-27", "", 0, false, false, true},
		{"unknown rule", "nope", "2026-11-20", "2026-11-26", "", "", 0, false, false, false},
		{"missing date", "limitation", "", "2026-11-26", "", "", 0, false, false, false},
		{"bad date", "limitation", "2026-13-01", "2026-11-26", "", "", 0, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC) // 01:00 on the 27th in China
			if tt.now != "" {
				now = noon(tt.now)
			}
			d, ok := ComputeDeadline(tt.rule, tt.from, now)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if d.Due != tt.due || d.RunsTo != tt.runsTo || d.DaysLeft != tt.left || d.NonWorkingDay != tt.nonWorking || d.MayRunOn != tt.mayRunOn {
				t.Errorf("got due %s runsTo %q left %d nonWorking %v mayRunOn %v; want %s %q %d %v %v",
					d.Due, d.RunsTo, d.DaysLeft, d.NonWorkingDay, d.MayRunOn, tt.due, tt.runsTo, tt.left, tt.nonWorking, tt.mayRunOn)
			}
			if len(d.Law) == 0 {
				t.Error("a deadline must cite its law")
			}
		})
	}
}

// TestRestDayRule: a period whose last day is a rest day or statutory
// holiday runs to the next working day (CC Arts. 201-203), and that holds
// after the nominal end too: a Saturday end "2 days ago" may be open today.
func TestRestDayRule(t *testing.T) {
	tests := []struct {
		name, rule, from, now string
		due, runsTo           string
		left                  int
	}{
		// 7 days from 2026-10-24 end on Saturday 2026-10-31 → Monday 11-02.
		{"Saturday end, seen before it", "no_reason_return", "2026-10-24", "2026-10-29", "2026-10-31", "2026-11-02", 4},
		{"Saturday end, seen on the Sunday after it", "no_reason_return", "2026-10-24", "2026-11-01", "2026-10-31", "2026-11-02", 1},
		{"Saturday end, seen on the Monday it runs to", "no_reason_return", "2026-10-24", "2026-11-02", "2026-10-31", "2026-11-02", 0},
		{"Saturday end, seen on the Tuesday after", "no_reason_return", "2026-10-24", "2026-11-03", "2026-10-31", "2026-11-02", -1},
		// 7 days from 2026-10-25 end on Sunday 2026-11-01 → Monday 11-02.
		{"Sunday end, seen after it", "no_reason_return", "2026-10-25", "2026-11-02", "2026-11-01", "2026-11-02", 0},
		// A statutory holiday: 7 days from 2026-09-26 end on 10-03, inside
		// the National Day holiday (10-01..10-07) → Thursday 10-08.
		{"National Day holiday end, seen before it", "no_reason_return", "2026-09-26", "2026-09-30", "2026-10-03", "2026-10-08", 8},
		{"National Day holiday end, seen after the nominal end", "no_reason_return", "2026-09-26", "2026-10-06", "2026-10-03", "2026-10-08", 2},
		{"National Day holiday end, seen the day after it ran to", "no_reason_return", "2026-09-26", "2026-10-09", "2026-10-03", "2026-10-08", -1},
		// Spring Festival 2026 (02-15..02-23): a 60-day mediation from
		// 2025-12-20 ends on 2026-02-18 → Tuesday 02-24.
		{"mediation end in Spring Festival", "mediation_end", "2025-12-20", "2026-02-20", "2026-02-18", "2026-02-24", 4},
		// The day after a holiday is a working day: no extension.
		{"the day after the holiday is a working day", "no_reason_return", "2026-10-01", "2026-10-05", "2026-10-08", "", 3},
		// A weekend worked in exchange (调休上班) is a working day: Saturday
		// 2026-10-10 ends the period itself.
		{"make-up working Saturday", "no_reason_return", "2026-10-03", "2026-10-09", "2026-10-10", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := ComputeDeadline(tt.rule, tt.from, noon(tt.now))
			if !ok {
				t.Fatal("not computed")
			}
			if d.Due != tt.due || d.RunsTo != tt.runsTo || d.DaysLeft != tt.left {
				t.Errorf("got due %s runsTo %q left %d; want %s %q %d", d.Due, d.RunsTo, d.DaysLeft, tt.due, tt.runsTo, tt.left)
			}
			if d.MayRunOn {
				t.Error("a year the calendar covers must not be hedged")
			}
			if (tt.runsTo != "") != d.NonWorkingDay {
				t.Errorf("NonWorkingDay = %v", d.NonWorkingDay)
			}
		})
	}
}

// TestWorkingDays: 12315's 7 working days skip weekends and holidays and
// count make-up working days.
func TestWorkingDays(t *testing.T) {
	tests := []struct {
		name, from, due string
		mayRunOn        bool
	}{
		{"plain week", "2026-11-20", "2026-12-01", false},
		{"across National Day, counting the make-up Saturday", "2026-09-29", "2026-10-14", false},
		{"across Spring Festival and its make-up Saturdays", "2026-02-12", "2026-02-28", false},
		{"into a year the calendar does not cover", "2026-12-28", "2027-01-07", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := ComputeDeadline("accept_12315", tt.from, noon("2026-11-26"))
			if !ok {
				t.Fatal("not computed")
			}
			if d.Due != tt.due || d.MayRunOn != tt.mayRunOn {
				t.Errorf("got due %s mayRunOn %v; want %s %v", d.Due, d.MayRunOn, tt.due, tt.mayRunOn)
			}
		})
	}
}

// TestHolidayData checks the calendar table itself: dates parse, ranges
// run forwards inside their year, make-up days are weekends, and each year
// names its source.
func TestHolidayData(t *testing.T) {
	for y, hy := range Holidays {
		if hy.Source == "" {
			t.Errorf("%d: no source", y)
		}
		for _, r := range hy.Off {
			from, err1 := ParseDate(r.From)
			to, err2 := ParseDate(r.To)
			if err1 != nil || err2 != nil || to.Before(from) || from.Year() != y || to.Year() != y {
				t.Errorf("%d: bad range %v", y, r)
			}
		}
		for _, w := range hy.Work {
			d, err := ParseDate(w)
			if err != nil || d.Year() != y || (d.Weekday() != time.Saturday && d.Weekday() != time.Sunday) {
				t.Errorf("%d: bad make-up working day %s", y, w)
			}
		}
	}
}

func TestComputeCompensation(t *testing.T) {
	tests := []struct {
		name, rule string
		in         map[string]string
		amount     string
		minApplied bool
		ok         bool
	}{
		{"fraud 3x above minimum", "fraud_3x", map[string]string{"price": "299.00"}, "897.00", false, true},
		{"fraud minimum 500", "fraud_3x", map[string]string{"price": "100.00"}, "500.00", true, true},
		{"fraud exactly at the minimum", "fraud_3x", map[string]string{"price": "166.67"}, "500.01", false, true},
		{"fraud zero price still gets the minimum", "fraud_3x", map[string]string{"price": "0"}, "500.00", true, true},
		{"fraud needs a price", "fraud_3x", map[string]string{}, "", false, false},
		{"food 8-yuan snack gets 1000", "food_10x", map[string]string{"price": "8"}, "1000.00", true, true},
		{"food 10x price", "food_10x", map[string]string{"price": "350.50"}, "3505.00", false, true},
		{"food 3x loss wins when larger", "food_10x", map[string]string{"price": "30", "loss": "2000"}, "6000.00", false, true},
		{"food 10x wins over small loss", "food_10x", map[string]string{"price": "300", "loss": "100"}, "3000.00", false, true},
		{"prepaid cooling-off is the whole prepayment", "prepaid_cooling_off", map[string]string{"prepaid": "3000"}, "3000.00", false, true},
		{"prepaid balance", "prepaid_balance", map[string]string{"prepaid": "3000", "consumed": "1250.50"}, "1749.50", false, true},
		{"prepaid balance never negative", "prepaid_balance", map[string]string{"prepaid": "300", "consumed": "500"}, "0.00", false, true},
		{"unlimited plan pro rata", "unlimited_plan", map[string]string{"prepaid": "2400", "remaining_months": "9", "total_months": "12"}, "1800.00", false, true},
		{"unlimited plan zero term", "unlimited_plan", map[string]string{"prepaid": "2400", "remaining_months": "9", "total_months": "0"}, "0.00", false, true},
		{"negative input refused", "fraud_3x", map[string]string{"price": "-5"}, "", false, false},
		{"text input refused", "fraud_3x", map[string]string{"price": "abc"}, "", false, false},
		{"unknown rule", "nope", map[string]string{"price": "1"}, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := ComputeCompensation(tt.rule, tt.in)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if c.Amount != tt.amount || c.MinApplied != tt.minApplied {
				t.Errorf("got %s (min %v), want %s (min %v)", c.Amount, c.MinApplied, tt.amount, tt.minApplied)
			}
			if len(c.Law) == 0 {
				t.Error("a figure must cite its law")
			}
		})
	}
}

func TestParseInput(t *testing.T) {
	now := noon("2026-11-26")
	money := &InputSpec{Kind: MoneyInput, Max: 1e6, HasMax: true}
	date := &InputSpec{Kind: DateInput}
	tests := []parseCase{
		{"money plain", money, "299", "299.00", ""},
		{"money yuan sign and comma", money, "¥1,299.5", "1299.50", ""},
		{"money full-width digits", money, "２９９元", "299.00", ""},
		{"money with yuan word", money, "299 yuan", "299.00", ""},
		{"money too big", money, "2000000", "", "input.out_of_range"},
		{"money negative", money, "-5", "", "input.bad_money"},
		{"money words", money, "three hundred", "", "input.bad_money"},
		{"empty", money, "   ", "", "input.empty"},
		{"date iso", date, "2026-11-20", "2026-11-20", ""},
		{"date chinese", date, "2026年11月20日", "2026-11-20", ""},
		{"date month-day this year", date, "11月20日", "2026-11-20", ""},
		{"date month-day in the future means last year", &InputSpec{Kind: DateInput, AllowFuture: false}, "12/25", "2025-12-25", ""},
		{"date yesterday", date, "昨天", "2026-11-25", ""},
		{"date 31 February refused", date, "2026-02-31", "", "input.bad_date"},
		{"date future refused", date, "2027-01-01", "", "input.future_date"},
		{"date future allowed", &InputSpec{Kind: DateInput, AllowFuture: true}, "2027-01-01", "2027-01-01", ""},
		{"yes in chinese", &InputSpec{Kind: YesNoInput}, "是的", "yes", ""},
		{"no in english", &InputSpec{Kind: YesNoInput}, "No", "no", ""},
		{"yesno nonsense", &InputSpec{Kind: YesNoInput}, "maybe", "", "input.bad_yesno"},
		{"text control chars cleaned", &InputSpec{Kind: TextInput}, "Shop\x00A", "ShopA", ""},
		{"text too long", &InputSpec{Kind: TextInput, MaxLen: 5}, "abcdef", "", "input.too_long"},
		{"number range", &InputSpec{Kind: NumberInput, Min: 1, Max: 12, HasMin: true, HasMax: true}, "13", "", "input.out_of_range"},
		{"number ok", &InputSpec{Kind: NumberInput}, "3", "3", ""},
	}
	checkParseInput(t, now, tests)
}

func TestCondition(t *testing.T) {
	now := noon("2026-11-26")
	facts := map[string]string{"amount": "299.00", "place": "app", "received": "2026-11-20"}
	tests := []struct {
		name string
		c    *Condition
		want bool
	}{
		{"nil holds", nil, true},
		{"eq", &Condition{Var: "place", Op: "eq", Value: "app"}, true},
		{"eq missing fact", &Condition{Var: "nope", Op: "eq", Value: "app"}, false},
		{"ne", &Condition{Var: "place", Op: "ne", Value: "shop"}, true},
		{"in", &Condition{Var: "place", Op: "in", Values: []string{"shop", "app"}}, true},
		{"gt", &Condition{Var: "amount", Op: "gt", Value: "100"}, true},
		{"lte", &Condition{Var: "amount", Op: "lte", Value: "100"}, false},
		{"exists", &Condition{Var: "amount", Op: "exists", Value: "true"}, true},
		{"exists false", &Condition{Var: "nope", Op: "exists", Value: "false"}, true},
		{"within 7 days", &Condition{Var: "received", Op: "days_ago_lte", Value: "7"}, true},
		{"older than 7 days", &Condition{Var: "received", Op: "days_ago_gt", Value: "7"}, false},
		{"not", &Condition{Not: &Condition{Var: "place", Op: "eq", Value: "app"}}, false},
		{"all", &Condition{All: []*Condition{{Var: "place", Op: "eq", Value: "app"}, {Var: "amount", Op: "gt", Value: "1000"}}}, false},
		{"any", &Condition{Any: []*Condition{{Var: "place", Op: "eq", Value: "shop"}, {Var: "amount", Op: "gt", Value: "100"}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Holds(facts, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestButtonData(t *testing.T) {
	tok, opt, ok := ParseButtonData(ButtonData("1z", "forced_login"))
	if !ok || tok != "1z" || opt != "forced_login" {
		t.Fatalf("round trip: %q %q %v", tok, opt, ok)
	}
	for _, bad := range []string{"", "c:", "c::x", "c:1:", "x:1:y", "c:123456789:y", "c:1"} {
		if _, _, ok := ParseButtonData(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestWorkingDayDeadline(t *testing.T) {
	tests := []struct{ from, due string }{
		{"2026-11-26", "2026-12-07"}, // Thursday: Fri, Mon-Fri, Mon
		{"2026-11-28", "2026-12-08"}, // Saturday: Mon-Fri, Mon, Tue
		{"2026-11-30", "2026-12-09"}, // Monday
	}
	for _, tt := range tests {
		d, ok := ComputeDeadline("accept_12315", tt.from, noon("2026-11-26"))
		if !ok || d.Due != tt.due {
			t.Errorf("from %s: got %s, want %s", tt.from, d.Due, tt.due)
		}
	}
}

func TestCalendarCheck(t *testing.T) {
	tests := []struct {
		now            string
		thisYear, next bool
	}{
		{"2026-06-01", false, false},
		{"2026-11-02", false, true}, // 2027's notice is not in the table
		{"2025-11-20", false, false},
		{"2030-03-01", true, false},
	}
	for _, tt := range tests {
		this, next := CalendarCheck(noon(tt.now))
		if this != tt.thisYear || next != tt.next {
			t.Errorf("%s: got missing this year %v, next %v; want %v, %v", tt.now, this, next, tt.thisYear, tt.next)
		}
	}
}

// parseCase is one typed answer: the input it is given, and the stored
// value or the error key it must give.
type parseCase struct {
	name string
	spec *InputSpec
	raw  string
	want string
	err  string
}

// checkParseInput runs ParseInput over a table of cases at now.
func checkParseInput(t *testing.T, now time.Time, tests []parseCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseInput(tt.spec, tt.raw, now)
			if tt.err != "" {
				if err == nil || err.Key != tt.err {
					t.Fatalf("got %q, %v; want error %s", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
