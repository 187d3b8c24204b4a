package engine

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

var canonicalMoney = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)

// FuzzParseInput: a typed answer is refused with a message key, or
// accepted in its canonical form, which reads back as itself (so a fact
// typed again, or prefilled, means the same). Text answers hold no control
// characters and stay within their limit. Seeds: testdata/fuzz/FuzzParseInput.
func FuzzParseInput(f *testing.F) {
	for _, s := range []string{"299", "¥1,299.50", "２９９元", "2026-11-20", "11月20日", "昨天", "是的", "no", "\x7f", "Shop\x00A", "1e400", "0.005", "99999999999999999999999"} {
		for kind := range uint8(5) {
			f.Add(kind, s)
		}
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, China)
	kinds := []InputKind{TextInput, NumberInput, MoneyInput, DateInput, YesNoInput}
	f.Fuzz(func(t *testing.T, kind uint8, raw string) {
		spec := &InputSpec{Kind: kinds[int(kind)%len(kinds)], MaxLen: 300}
		v, err := ParseInput(spec, raw, now)
		if err != nil {
			if err.Key == "" || !strings.HasPrefix(err.Key, "input.") {
				t.Fatalf("refusal without a message key: %+v", err)
			}
			return
		}
		switch spec.Kind {
		case MoneyInput:
			if !canonicalMoney.MatchString(v) {
				t.Fatalf("money %q is not canonical", v)
			}
		case DateInput:
			d, perr := time.ParseInLocation(DateLayout, v, China)
			if perr != nil || d.After(Today(now)) {
				t.Fatalf("date %q: %v", v, perr)
			}
		case YesNoInput:
			if v != "yes" && v != "no" {
				t.Fatalf("yes/no %q", v)
			}
		case TextInput:
			if v != strings.TrimSpace(v) || utf8.RuneCountInString(v) > spec.MaxLen || !utf8.ValidString(v) {
				t.Fatalf("text %q untrimmed, too long or invalid", v)
			}
			for _, r := range v {
				if unicode.IsControl(r) || invisibleFormat(r) {
					t.Fatalf("text %q keeps control character %U", v, r)
				}
			}
		}
		again, err := ParseInput(spec, v, now)
		if err != nil || again != v {
			t.Fatalf("canonical %q reads back as %q, %v", v, again, err)
		}
	})
}
