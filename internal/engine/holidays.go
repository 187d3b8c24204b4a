package engine

import "time"

// HolidayYear is one year of the State Council's annual holiday notice
// (国务院办公厅关于某年部分节假日安排的通知): the days off (法定节假日 and
// the weekend days moved next to them) and the weekend days worked in
// exchange (调休上班). Weekends not listed are rest days as usual.
type HolidayYear struct {
	Source string
	Off    []DateRange
	Work   []string // YYYY-MM-DD
}

// DateRange is a run of days, both ends included (YYYY-MM-DD).
type DateRange struct{ From, To string }

// Holidays is the statutory holiday calendar the deadlines use. A year is
// added here when its notice is published (usually in November of the year
// before); `disputebot lint` fails when the current year is missing and
// warns from November when next year's is. For a year not listed, the bot
// does not guess: a last day on a weekend or a fixed-date holiday is said
// to *possibly* run to the next working day (Deadline.MayRunOn).
//
// The 2027 notice was not found in any source reachable when this table was
// last edited (2026-12-03), so 2027 is not listed.
var Holidays = map[int]HolidayYear{
	2025: {
		Source: "国办发明电〔2024〕12号，2024-11-12 (gov.cn; Xinhua)",
		Off: []DateRange{
			{"2025-01-01", "2025-01-01"}, // 元旦
			{"2025-01-28", "2025-02-04"}, // 春节
			{"2025-04-04", "2025-04-06"}, // 清明节
			{"2025-05-01", "2025-05-05"}, // 劳动节
			{"2025-05-31", "2025-06-02"}, // 端午节
			{"2025-10-01", "2025-10-08"}, // 国庆节、中秋节
		},
		Work: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
	},
	2026: {
		Source: "国务院办公厅关于2026年部分节假日安排的通知，2025-11-04 (Xinhua; politics.gmw.cn/2025-11/04/content_38391083.htm)",
		Off: []DateRange{
			{"2026-01-01", "2026-01-03"}, // 元旦
			{"2026-02-15", "2026-02-23"}, // 春节
			{"2026-04-04", "2026-04-06"}, // 清明节
			{"2026-05-01", "2026-05-05"}, // 劳动节
			{"2026-06-19", "2026-06-21"}, // 端午节
			{"2026-09-25", "2026-09-27"}, // 中秋节
			{"2026-10-01", "2026-10-07"}, // 国庆节
		},
		Work: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
	},
}

// fixedHolidays are the Gregorian-date holidays of 全国年节及纪念日放假办法
// (2024 rev.): New Year's Day, 1-2 May, 1-3 October. For a year whose notice
// is not in Holidays they are the only holidays known without the notice.
var fixedHolidays = map[[2]int]bool{
	{1, 1}: true, {5, 1}: true, {5, 2}: true, {10, 1}: true, {10, 2}: true, {10, 3}: true,
}

// dayKind is what the calendar knows about one date.
type dayKind int

const (
	workDay dayKind = iota
	restDay
	// maybeRestDay: a weekend or fixed-date holiday in a year the calendar
	// does not cover — a make-up working day or a moved holiday may change it.
	maybeRestDay
)

// calendar indexes Holidays once; it is read-only afterwards, so any number
// of goroutines may share it.
var calendar = indexHolidays(Holidays)

type calendarIndex struct {
	off, work map[string]bool
	years     map[int]bool
}

func indexHolidays(h map[int]HolidayYear) calendarIndex {
	c := calendarIndex{off: map[string]bool{}, work: map[string]bool{}, years: map[int]bool{}}
	for y, hy := range h {
		c.years[y] = true
		for _, r := range hy.Off {
			from, err1 := ParseDate(r.From)
			to, err2 := ParseDate(r.To)
			if err1 != nil || err2 != nil {
				continue // TestHolidayData rejects such entries
			}
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				c.off[d.Format(DateLayout)] = true
			}
		}
		for _, w := range hy.Work {
			c.work[w] = true
		}
	}
	return c
}

func (c calendarIndex) kind(d time.Time) dayKind {
	weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
	if !c.years[d.Year()] {
		if weekend || fixedHolidays[[2]int{int(d.Month()), d.Day()}] {
			return maybeRestDay
		}
		return workDay
	}
	key := d.Format(DateLayout)
	switch {
	case c.off[key]:
		return restDay
	case c.work[key]:
		return workDay
	case weekend:
		return restDay
	}
	return workDay
}

// CalendarCovers reports whether the holiday calendar lists year.
func CalendarCovers(year int) bool { return calendar.years[year] }

// CalendarCheck reports the holiday calendar's gaps as seen at now (China
// time): missingThisYear when the current year is not listed (deadlines
// this year would only be hedged), missingNextYear from November on, when
// next year's notice is usually out. Lint fails on the first and warns on
// the second.
func CalendarCheck(now time.Time) (missingThisYear, missingNextYear bool) {
	today := Today(now)
	y := today.Year()
	return !CalendarCovers(y), today.Month() >= time.November && !CalendarCovers(y+1)
}
