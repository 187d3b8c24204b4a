package summary

import (
	"regexp"
	"strings"
)

// Personal data patterns found in text users type (merchant names,
// addresses, descriptions) that must not leak into anything shared.
var (
	// 18-digit resident ID numbers (last may be X), before bank cards so
	// an ID is not mistaken for a card.
	idNumberRe = regexp.MustCompile(`\b[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b`)
	// Bank cards: 16 to 19 digits, possibly in groups of 4 with spaces or dashes.
	bankCardRe = regexp.MustCompile(`\b(?:\d[ -]?){15,18}\d\b`)
	// Mainland mobile numbers, with an optional +86 / 0086 / 86 prefix;
	// digit boundaries are checked in maskMobiles (RE2 has no lookbehind,
	// and "tel13812345678" has no word boundary before the number).
	mobileRe = regexp.MustCompile(`(?:(?:\+|00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}`)
	emailRe  = regexp.MustCompile(`\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b`)
	// Passports: Chinese E/G + 8 digits, and the common one-or-two letters
	// plus 7 to 9 digits of other countries.
	passportRe = regexp.MustCompile(`\b[A-Za-z]{1,2}\d{7,9}\b`)
)

// Mask hides phone numbers, ID and passport numbers, bank cards and
// emails in s, keeping just enough to recognise them (the last digits).
func Mask(s string) string {
	s = idNumberRe.ReplaceAllStringFunc(s, func(m string) string {
		return m[:3] + strings.Repeat("*", len(m)-7) + m[len(m)-4:]
	})
	s = bankCardRe.ReplaceAllStringFunc(s, func(m string) string {
		digits := onlyDigits(m)
		return "**** **** **** " + digits[len(digits)-4:]
	})
	s = maskMobiles(s)
	s = emailRe.ReplaceAllStringFunc(s, func(m string) string {
		at := strings.IndexByte(m, '@')
		return m[:1] + "***" + m[at:]
	})
	s = passportRe.ReplaceAllStringFunc(s, func(m string) string {
		return m[:1] + strings.Repeat("*", len(m)-5) + m[len(m)-4:]
	})
	return s
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maskMobiles masks mobile numbers not embedded in a longer run of digits
// (an order number is not a phone number).
func maskMobiles(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range mobileRe.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if start > 0 && isDigit(s[start-1]) || end < len(s) && isDigit(s[end]) {
			continue
		}
		d := onlyDigits(s[start:end])
		d = d[len(d)-11:]
		b.WriteString(s[last:start])
		b.WriteString(d[:3] + "****" + d[7:])
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
