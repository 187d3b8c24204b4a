package extract

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	dayNum = `(\d{1,2}|[一二三四五六七八九十]{1,3})`
	cntNum = `(\d{1,3}|[一二两三四五六七八九十半]{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of|couple\s+of|a\s+few|few)`
)

var (
	isoDateRe     = mustPattern(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?`)
	cnMonthDayRe  = mustPattern(`(今年|去年|前年)?\s*` + dayNum + `\s*月份?\s*` + dayNum + `\s*[日号]`)
	relMonthDayRe = mustPattern(`(上上个?月|上个?月|这个?月|本月)\s*` + dayNum + `\s*[日号]`)
	bareDayRe     = mustPattern(dayNum + `\s*号`)
	dotDateRe     = mustPattern(`(\d{1,2})[./](\d{1,2})`)
	festivalRe    = mustPattern(`(今年|去年)?\s*(双十一|双11|双十二|双12)`)
	relDayRe      = mustPattern(`大前天|前天|昨天|昨日|昨晚|昨儿|今天|今日|今早|今晚|今儿|今天早上|` +
		`\bthe\s+day\s+before\s+yesterday\b|\byesterday\b|\btoday\b|\bthis\s+(?:morning|afternoon|evening)\b|\btonight\b|\bearlier\s+today\b|\blast\s+night\b`)
	agoZhRe     = mustPattern(cntNum + `\s*(天|日|周|个星期|个礼拜|星期|礼拜|个月|月)(?:以前|之前|前)`)
	agoEnRe     = mustPattern(`\b` + cntNum + `\s+(days?|weeks?|months?)\s+ago\b`)
	zhWeekdayRe = mustPattern(`(上上|上个|上|这个|这|本)?\s*(周|星期|礼拜)([一二三四五六日天])`)
	enWeekdayRe = mustPattern(`\b(last|this|on|past)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday|` +
		`(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b)`)
	enMonthDayRe = mustPattern(`\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4}))?`)
	enDayMonthRe = mustPattern(`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b(?:,?\s*(\d{4}))?`)
	// After a dotted date, these mean it was a number: 11.20元, 1.5kg.
	notDateAfterRe = mustPattern(`^(?:\d|\s*(?:元|块|万|千|%|k\b|w\b|g\b|kg|斤|折|倍|寸|米|mm|cm|gb|yuan|rmb|lb|\.\d))`)
)

var enMonths = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}

type dateCand struct {
	pos, end int
	d        time.Time
}

// dates returns the dates mentioned in s as YYYY-MM-DD, resolved in China
// time and never after today, by role: ReceivedDate, PaidDate and
// IncidentDate when the date's clause says which (11月24日签收, paid on Nov
// 10, 昨天坏了), two different dates for one role giving neither; Date only
// when s mentions exactly one date and does not say what it is. money
// holds byte spans already read as amounts.
func dates(s string, now time.Time, money [][2]int) map[string]string {
	n := now.In(chinaTime)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, chinaTime)
	var cands []dateCand
	taken := append([][2]int(nil), money...)
	overlaps := func(a, b int) bool {
		for _, t := range taken {
			if a < t[1] && b > t[0] {
				return true
			}
		}
		return false
	}
	add := func(pos, end int, d time.Time, ok bool) {
		taken = append(taken, [2]int{pos, end})
		if ok && !d.After(today) {
			cands = append(cands, dateCand{pos, end, d})
		}
	}
	each := func(re *pattern, f func(m []string, pos, end int)) {
		for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
			if overlaps(loc[0], loc[1]) {
				continue
			}
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[loc[2*i]:loc[2*i+1]]
				}
			}
			f(m, loc[0], loc[1])
		}
	}

	each(isoDateRe, func(m []string, pos, end int) {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t, ok := mkDate(y, mo, d)
		add(pos, end, t, ok)
	})
	each(cnMonthDayRe, func(m []string, pos, end int) {
		mo, d := smallNum(m[2]), smallNum(m[3])
		switch m[1] {
		case "今年", "去年", "前年":
			y := today.Year() - map[string]int{"今年": 0, "去年": 1, "前年": 2}[m[1]]
			t, ok := mkDate(y, mo, d)
			add(pos, end, t, ok)
		default:
			t, ok := recentMonthDay(today, mo, d)
			add(pos, end, t, ok)
		}
	})
	each(relMonthDayRe, func(m []string, pos, end int) {
		back := 0
		switch {
		case strings.HasPrefix(m[1], "上上"):
			back = 2
		case strings.HasPrefix(m[1], "上"):
			back = 1
		}
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, chinaTime).AddDate(0, -back, 0)
		t, ok := mkDate(first.Year(), int(first.Month()), smallNum(m[2]))
		add(pos, end, t, ok)
	})
	// "Nov 20 [2026]" and "20 Nov [2026]": a given year is taken as is,
	// otherwise the most recent such day.
	englishDate := func(month, day, year string, pos, end int) {
		mo := int(enMonths[month])
		d, _ := strconv.Atoi(day)
		if year != "" {
			y, _ := strconv.Atoi(year)
			t, ok := mkDate(y, mo, d)
			add(pos, end, t, ok)
			return
		}
		t, ok := recentMonthDay(today, mo, d)
		add(pos, end, t, ok)
	}
	each(enMonthDayRe, func(m []string, pos, end int) { englishDate(m[1], m[2], m[3], pos, end) })
	each(enDayMonthRe, func(m []string, pos, end int) { englishDate(m[2], m[1], m[3], pos, end) })
	each(festivalRe, func(m []string, pos, end int) {
		mo := 11
		if strings.Contains(m[2], "十二") || strings.Contains(m[2], "12") {
			mo = 12
		}
		t, ok := recentMonthDay(today, mo, mo)
		if m[1] != "" {
			y := today.Year()
			if m[1] == "去年" {
				y--
			}
			t, ok = mkDate(y, mo, mo)
		}
		add(pos, end, t, ok)
	})
	each(relDayRe, func(m []string, pos, end int) {
		back := 0
		switch {
		case m[0] == "大前天":
			back = 3
		case m[0] == "前天" || strings.HasPrefix(m[0], "the day before"):
			back = 2
		case strings.HasPrefix(m[0], "昨") || m[0] == "yesterday" || strings.HasPrefix(m[0], "last night"):
			back = 1
		}
		add(pos, end, today.AddDate(0, 0, -back), true)
	})
	each(agoZhRe, func(m []string, pos, end int) {
		k := count(m[1])
		t, ok := ago(today, k, m[2])
		add(pos, end, t, ok)
	})
	each(agoEnRe, func(m []string, pos, end int) {
		k := count(m[1])
		t, ok := ago(today, k, m[2])
		add(pos, end, t, ok)
	})
	each(zhWeekdayRe, func(m []string, pos, end int) {
		if m[1] == "" && pos > 0 {
			if prev := []rune(s[:pos]); strings.ContainsRune("每一两几", prev[len(prev)-1]) {
				return // 每周一, 一周一次
			}
		}
		wd := map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}[m[3]]
		// Chinese weeks run Monday to Sunday.
		cur := int(today.Weekday())
		if cur == 0 {
			cur = 7
		}
		monday := today.AddDate(0, 0, 1-cur)
		switch m[1] {
		case "上上":
			add(pos, end, monday.AddDate(0, 0, -14+wd-1), true)
		case "上个", "上":
			add(pos, end, monday.AddDate(0, 0, -7+wd-1), true)
		case "这个", "这", "本":
			add(pos, end, monday.AddDate(0, 0, wd-1), true)
		default:
			d := monday.AddDate(0, 0, wd-1)
			if d.After(today) {
				d = d.AddDate(0, 0, -7)
			}
			add(pos, end, d, true)
		}
	})
	each(enWeekdayRe, func(m []string, pos, end int) {
		name := m[2]
		if before := strings.TrimSpace(s[:pos]); strings.HasSuffix(before, "black") || strings.HasSuffix(before, "cyber") {
			return // black friday is a sale, not a date
		}
		if len(name) <= 5 && m[1] != "last" && m[1] != "on" && m[1] != "past" {
			// Bare "sat", "sun", "wed" are too often words.
			return
		}
		wd := weekday(name)
		diff := (int(today.Weekday()) - wd + 7) % 7
		switch m[1] {
		case "last", "past":
			if diff == 0 {
				diff = 7
			}
		case "this":
			if diff != 0 {
				// "this friday" later in the week is in the future;
				// earlier in the week it is the same as last.
				this := today.AddDate(0, 0, wd-int(today.Weekday()))
				add(pos, end, this, true)
				return
			}
		}
		add(pos, end, today.AddDate(0, 0, -diff), true)
	})
	each(dotDateRe, func(m []string, pos, end int) {
		if pos > 0 && (isDigitByte(s[pos-1]) || s[pos-1] == '.' || s[pos-1] == '/') {
			return
		}
		if notDateAfterRe.MatchString(s[end:]) || strings.HasSuffix(strings.TrimSpace(s[:pos]), "¥") {
			return
		}
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		mo, d := a, b
		if a > 12 && b <= 12 && s[pos+len(m[1])] == '/' {
			mo, d = b, a
		}
		t, ok := recentMonthDay(today, mo, d)
		add(pos, end, t, ok)
	})
	each(bareDayRe, func(m []string, pos, end int) {
		if next := []rune(s[end:] + " ")[0]; strings.ContainsRune("线楼门店床桌房厅位码口机", next) {
			return // 3号线, 5号楼: not a day
		}
		d := smallNum(m[1])
		t, ok := mkDate(today.Year(), int(today.Month()), d)
		if ok && t.After(today) {
			first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, chinaTime).AddDate(0, -1, 0)
			t, ok = mkDate(first.Year(), int(first.Month()), d)
		}
		add(pos, end, t, ok)
	})

	if len(cands) == 0 {
		return nil
	}
	slices.SortFunc(cands, func(a, b dateCand) int { return a.pos - b.pos })
	byRole := map[role][]string{}
	var all []string
	for i, c := range cands {
		lo, hi := clause(s, c.pos, c.end)
		if i > 0 {
			lo = max(lo, cands[i-1].end)
		}
		if i+1 < len(cands) {
			hi = min(hi, cands[i+1].pos)
		}
		v := c.d.Format("2006-01-02")
		r := nearestCue(s, c.pos, c.end, lo, hi, dateCues)
		if !slices.Contains(byRole[r], v) {
			byRole[r] = append(byRole[r], v)
		}
		if !slices.Contains(all, v) {
			all = append(all, v)
		}
	}
	out := map[string]string{}
	for r, name := range map[role]string{received: ReceivedDate, paid: PaidDate, incident: IncidentDate} {
		if len(byRole[r]) == 1 {
			out[name] = byRole[r][0]
		}
	}
	if len(all) == 1 && len(byRole) == 1 && byRole[noRole] != nil {
		out[Date] = all[0]
	}
	return out
}

func isDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// mkDate builds a date in China time, rejecting impossible ones (2月30日).
func mkDate(y, m, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, chinaTime)
	return t, t.Day() == d
}

// recentMonthDay is the latest date with that month and day not after
// today: on 2026-11-26, 11月30日 is 2025-11-30.
func recentMonthDay(today time.Time, m, d int) (time.Time, bool) {
	for y := today.Year(); y >= today.Year()-4; y-- {
		t, ok := mkDate(y, m, d)
		if !ok {
			if m == 2 && d == 29 {
				continue // look for the last leap year
			}
			return t, false
		}
		if !t.After(today) {
			return t, true
		}
	}
	return time.Time{}, false
}

func ago(today time.Time, k int, unit string) (time.Time, bool) {
	if k <= 0 {
		return time.Time{}, false
	}
	switch {
	case strings.HasPrefix(unit, "day") || unit == "天" || unit == "日":
		return today.AddDate(0, 0, -k), true
	case strings.HasPrefix(unit, "week") || strings.Contains(unit, "周") || strings.Contains(unit, "星期") || strings.Contains(unit, "礼拜"):
		return today.AddDate(0, 0, -7*k), true
	case strings.HasPrefix(unit, "month") || strings.Contains(unit, "月"):
		return today.AddDate(0, -k, 0), true
	}
	return time.Time{}, false
}

// smallNum reads 1-31 written as digits or Chinese (十五, 二十三, 三十一).
func smallNum(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	v, ok := parseChinese(s)
	if !ok {
		return 0
	}
	return int(v)
}

// count reads a small count: 3, 三, 两, a, a few.
func count(s string) int {
	s = strings.TrimSpace(s)
	words := map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
		"seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3}
	if n, ok := words[strings.Join(strings.Fields(s), " ")]; ok {
		return n
	}
	if s == "半" {
		return 0
	}
	return smallNum(s)
}

func weekday(name string) int {
	for i, p := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		if strings.HasPrefix(name, p) {
			return i
		}
	}
	return 0
}
