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
	s := CleanText(normalizeWidth(raw))
	if s == "" {
		return "", &InputError{Key: "input.empty"}
	}
	switch spec.Kind {
	case TextInput:
		limit := spec.MaxLen
		if limit <= 0 {
			limit = DefaultMaxLen
		}
		s = CleanText(raw) // not width-folded: a name is kept as typed
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
		// At a yes/no input "1/0" are answers too; at a choice question
		// digits pick an option by its place instead.
		switch s {
		case "1":
			return "yes", nil
		case "0":
			return "no", nil
		}
		if v, ok := YesNo(s); ok {
			return v, nil
		}
		return "", &InputError{Key: "input.bad_yesno"}
	}
	return "", &InputError{Key: "input.bad_text"}
}

// CleanText is typed text as the bot keeps it: control characters
// (C0, DEL, C1) and invisible direction overrides removed, line breaks,
// tabs and other runs of white space read as one space, and trimmed. Every
// place text enters (answers, draft details, descriptions) cleans it the
// same way, so a stray DEL or escape never becomes a fact or an answer of
// blanks.
func CleanText(s string) string {
	clean := true
	for _, r := range s {
		if r < ' ' || r == 0x7f || 0x80 <= r && r < 0xa0 || invisibleFormat(r) || r == utf8.RuneError || r != ' ' && unicode.IsSpace(r) {
			clean = false
			break
		}
	}
	if clean && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r) || invisibleFormat(r) || r == utf8.RuneError:
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// invisibleFormat: direction overrides and isolates (which can make a
// draft read differently from what it says), marks and the byte-order
// mark. Joiners stay: emoji need them.
func invisibleFormat(r rune) bool {
	return 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0xfeff
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

// FoldWidth folds full-width ASCII to half-width ("１" → "1", "ｙｅｓ" →
// "yes"), as Chinese input methods often type it.
func FoldWidth(s string) string { return normalizeWidth(s) }

// yesWords and noWords are how people type yes and no, in Chinese and
// English, once folded by yesNoKey (lower case, no spaces or punctuation).
var (
	yesWords = words("是", "是的", "是啊", "是呀", "是滴", "对", "对的", "对啊", "对呀", "对对", "对对对", "嗯", "嗯嗯", "嗯呢",
		"好", "好的", "好啊", "行", "可以", "没错", "没错的", "就是", "就是这个", "确认", "确定", "有", "有的",
		"y", "yes", "yeah", "yea", "yep", "yup", "ya", "ye", "ok", "okay", "okey", "k", "sure", "right", "correct",
		"yes please", "thats right", "thats it", "exactly", "true", "of course", "indeed", "affirmative")
	noWords = words("不", "不是", "不是的", "不对", "不对的", "没有", "没", "没呢", "没有的", "无", "否", "不要", "不用", "不行", "错", "错了", "都不是",
		"n", "no", "nope", "nah", "no thanks", "not really", "not", "wrong", "false", "negative", "never", "no way")
)

func words(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[yesNoKey(w)] = true
	}
	return m
}

// yesNoKey folds s for the yes/no word lists: width, case, and everything
// but letters and digits dropped ("Yes!" and "ｙｅｓ。" are "yes").
func yesNoKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, normalizeWidth(s))
}

// YesNo reads a typed yes or no ("是的", "对", "ok", "nope", "不是") as
// "yes" or "no"; ok is false for anything else.
func YesNo(s string) (v string, ok bool) {
	k := yesNoKey(s)
	switch {
	case k == "":
		return "", false
	case yesWords[k]:
		return "yes", true
	case noWords[k]:
		return "no", true
	}
	return "", false
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
