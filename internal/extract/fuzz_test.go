package extract

import (
	"maps"
	"regexp"
	"testing"
	"time"
)

var money = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)

// FuzzFacts: any text gives facts under the documented names only, money
// in canonical form, real dates not after today, the same facts every time.
// Seeds: testdata/fuzz/FuzzFacts.
func FuzzFacts(f *testing.F) {
	for _, s := range []string{"11月10日在淘宝下单，花了299元，11月24日签收", "I paid ¥1,299.50 on 2026-11-20 and it arrived broken yesterday",
		"卡里还有3000，老板跑路了", "三千五百块", "上周五买的", "食物中毒住院了", "差点受伤", "\x7f", "9999999999999999999999元"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, chinaTime)
	known := map[string]bool{Platform: true, Amount: true, Balance: true, ReceivedDate: true, PaidDate: true, IncidentDate: true,
		Date: true, Subject: true, Channel: true, MerchantSaid: true, Foreigner: true, Hurt: true, Closure: true}
	f.Fuzz(func(t *testing.T, text string) {
		facts := Facts(text, now)
		for k, v := range facts {
			if !known[k] || v == "" {
				t.Fatalf("fact %s=%q", k, v)
			}
			switch k {
			case Amount, Balance:
				if !money.MatchString(v) {
					t.Fatalf("%s %q is not canonical money", k, v)
				}
			case ReceivedDate, PaidDate, IncidentDate, Date:
				d, err := time.ParseInLocation("2006-01-02", v, chinaTime)
				if err != nil || d.After(now) {
					t.Fatalf("%s %q: %v", k, v, err)
				}
			}
		}
		if again := Facts(text, now); !maps.Equal(again, facts) {
			t.Fatalf("facts differ between runs: %v, %v", facts, again)
		}
	})
}
