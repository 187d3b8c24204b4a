package engine

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// InputError says why a typed answer was refused. Key is a message key for
// the re-ask; Data carries the limits to show.
type InputError struct {
	Key  string
	Data map[string]string
}

func (e *InputError) Error() string { return e.Key }

// ParseInput validates a typed answer and returns its canonical fact value:
// money as yuan with two decimals ("299.00"), dates as YYYY-MM-DD, yes/no as
// "yes"/"no", numbers without trailing zeros, text trimmed.
func ParseInput(spec *InputSpec, raw string, now time.Time) (string, *InputError) {
	s := strings.TrimSpace(normalizeWidth(raw))
	if s == "" {
		return "", &InputError{Key: "input.empty"}
	}
	switch spec.Kind {
	case TextInput:
		limit := spec.MaxLen
		if limit <= 0 {
			limit = DefaultMaxLen
		}
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, strings.TrimSpace(raw))
		if n := utf8.RuneCountInString(s); n > limit {
			return "", &InputError{Key: "input.too_long", Data: map[string]string{"Max": strconv.Itoa(limit)}}
		}
		return s, nil
	case NumberInput, MoneyInput:
		v, ok := parseAmount(s)
		key := "input.bad_number"
		if spec.Kind == MoneyInput {
			key = "input.bad_money"
		}
		if !ok {
			return "", &InputError{Key: key}
		}
		if spec.Kind == MoneyInput && v < 0 {
			return "", &InputError{Key: key}
		}
		if spec.HasMin && v < spec.Min || spec.HasMax && v > spec.Max {
			return "", &InputError{Key: "input.out_of_range", Data: map[string]string{
				"Min": formatNumber(spec.Min), "Max": formatNumber(spec.Max)}}
		}
		if spec.Kind == MoneyInput {
			return strconv.FormatFloat(math.Round(v*100)/100, 'f', 2, 64), nil
		}
		return formatNumber(v), nil
	case DateInput:
		d, ok := parseDateAnswer(s, now)
		if !ok {
			return "", &InputError{Key: "input.bad_date"}
		}
		if !spec.AllowFuture && d.After(Today(now)) {
			return "", &InputError{Key: "input.future_date"}
		}
		return d.Format(DateLayout), nil
	case YesNoInput:
		switch strings.ToLower(s) {
		case "y", "yes", "yeah", "yep", "是", "是的", "对", "有", "嗯", "1":
			return "yes", nil
		case "n", "no", "nope", "否", "不是", "不", "没有", "无", "0":
			return "no", nil
		}
		return "", &InputError{Key: "input.bad_yesno"}
	}
	return "", &InputError{Key: "input.bad_text"}
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var amountRe = regexp.MustCompile(`^(?i)(?:¥|￥|rmb|cny)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:元|块钱|块|rmb|cny|yuan)?$`)

// parseAmount reads "299", "¥1,299.50", "299元", "299 yuan".
func parseAmount(s string) (float64, bool) {
	m := amountRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

var (
	ymdRe = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$`)
	mdRe  = regexp.MustCompile(`^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$`)
)

// parseDateAnswer reads a date typed by a user in China: year-month-day in
// any common separator, month-day (the most recent such date not after
// today), or today/yesterday/the day before.
func parseDateAnswer(s string, now time.Time) (time.Time, bool) {
	today := Today(now)
	switch strings.ToLower(s) {
	case "today", "今天", "今日":
		return today, true
	case "yesterday", "昨天", "昨日":
		return today.AddDate(0, 0, -1), true
	case "前天":
		return today.AddDate(0, 0, -2), true
	}
	if m := ymdRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return validDate(y, mo, d)
	}
	if m := mdRe.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[1])
		d, _ := strconv.Atoi(m[2])
		t, ok := validDate(today.Year(), mo, d)
		if ok && t.After(today) {
			t, ok = validDate(today.Year()-1, mo, d)
		}
		return t, ok
	}
	return time.Time{}, false
}

func validDate(y, m, d int) (time.Time, bool) {
	if y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, China)
	if t.Day() != d { // 31 February rolls over; refuse it
		return time.Time{}, false
	}
	return t, true
}

// normalizeWidth folds full-width ASCII (common in Chinese input methods)
// to half-width so "２９９" reads as "299".
func normalizeWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '！' && r <= '～':
			return r - '！' + '!'
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}
