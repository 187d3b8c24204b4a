package extract

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

const (
	cnDigits = "零〇一二两三四五六七八九"
	cnNum    = `[零〇一二两三四五六七八九十百千万点]+`
	arNum    = `\d+(?:,\d{3})*(?:\.\d+)?\s*(?:万|千|k|w)?`
	anyNum   = `(` + arNum + `|` + cnNum + `)`
)

var (
	// ¥299, rmb 299, 人民币299
	amountPrefixRe = regexp.MustCompile(`(?:¥|\brmb|\bcny|人民币)\s*` + anyNum)
	// 299元, 三百块, 299 yuan, 299rmb
	amountSuffixRe = regexp.MustCompile(anyNum + `\s*(元|块钱|块|圆|\b(?:rmb|yuan|cny|kuai|quai)\b|¥)`)
	// 花了2000, 卡里还有3000, paid 299: money only because of the verb.
	amountContextRe = regexp.MustCompile(`(花了|花费|付了|付款|支付了?|交了|缴了|充了|充值了?|充|预存了?|存了|卡里还有|卡里还剩|余额还有|余额还剩|余额|还剩|退了|赔了|` +
		`\b(?:paid|spent|spend|costs?|cost\s+me|charged(?:\s+me)?|price\s+(?:was|is)|refund\s+of|deposit\s+of|balance\s+of|top(?:ped)?\s+up)\b)\s*(?:我\s*)?` + anyNum)
	// Units that mean the number counted something else.
	notMoneyAfterRe = regexp.MustCompile(`^\s*(?:天|日|号|月|年|周|星期|个|次|件|位|人|岁|楼|层|斤|公斤|克|g\b|kg|小时|分钟|分|秒|点|%|折|倍|张|节|期|单|台|部|瓶|杯|碗|份|盒|袋|寸|米|公里|km|` +
		`(?:days?|hours?|weeks?|months?|years?|times|minutes?|pcs|pieces?|items?|people|percent|gb|mb|tb|mah|km|cm|mm|inch(?:es)?)\b)`)
	// After 块 a noun means "a piece of": 一块塑料.
	kuaiOKNext = "钱的了买啊吧呢呀左多都也还就，。,.!！?？ 给退"
)

type amountCand struct {
	pos, end int
	value    float64
	paid     bool
}

// amount returns the amount paid as "123.00", and the byte spans of every
// money expression found (so the date finder does not read 11.20元 as a
// date).
func amount(s string) (string, [][2]int) {
	var cands []amountCand
	add := func(pos, end int, num string, paid bool) {
		v, ok := parseNumber(num)
		if !ok || v <= 0 || v > 1e9 {
			return
		}
		cands = append(cands, amountCand{pos, end, v, paid})
	}
	for _, m := range amountPrefixRe.FindAllStringSubmatchIndex(s, -1) {
		if notMoneyAfterRe.MatchString(s[m[1]:]) {
			continue
		}
		add(m[0], m[1], s[m[2]:m[3]], paidBefore(s, m[0]))
	}
	for _, m := range amountSuffixRe.FindAllStringSubmatchIndex(s, -1) {
		unit := s[m[4]:m[5]]
		if unit == "块" {
			next := []rune(s[m[5]:] + " ")[0]
			num := s[m[2]:m[3]]
			if !strings.ContainsRune(kuaiOKNext, next) && isSmallCN(num) {
				continue
			}
		}
		add(m[0], m[1], s[m[2]:m[3]], paidBefore(s, m[0]))
	}
	for _, m := range amountContextRe.FindAllStringSubmatchIndex(s, -1) {
		if notMoneyAfterRe.MatchString(s[m[1]:]) {
			continue
		}
		verb := s[m[2]:m[3]]
		paid := !strings.Contains(verb, "余额") && !strings.Contains(verb, "还") && !strings.Contains(verb, "退") &&
			!strings.Contains(verb, "balance") && !strings.Contains(verb, "refund") && !strings.Contains(verb, "赔")
		add(m[0], m[1], s[m[4]:m[5]], paid)
	}
	if len(cands) == 0 {
		return "", nil
	}
	spans := make([][2]int, len(cands))
	best := -1
	for i, c := range cands {
		spans[i] = [2]int{c.pos, c.end}
		switch {
		case best < 0:
			best = i
		case c.paid && !cands[best].paid:
			best = i
		case c.paid == cands[best].paid && c.pos < cands[best].pos:
			best = i
		}
	}
	return fmt.Sprintf("%.2f", math.Round(cands[best].value*100)/100), spans
}

var paidVerbRe = regexp.MustCompile(`(?:花了|花费|付了|付款|支付|交了|缴了|充了|充值|预存|买的|买了|paid|spent|cost|charged|bought)[^，。,.!！?？]{0,12}$`)

// paidBefore reports whether a paying verb closely precedes pos.
func paidBefore(s string, pos int) bool {
	start := max(0, pos-40)
	return paidVerbRe.MatchString(s[start:pos])
}

// isSmallCN reports a Chinese numeral below ten (一块, 两块 are usually "a
// piece"; 三百块 is money).
func isSmallCN(num string) bool {
	rs := []rune(strings.TrimSpace(num))
	return len(rs) == 1 && strings.ContainsRune(cnDigits, rs[0])
}

// parseNumber reads "2,999.5", "1.5万", "3k", "两千五", "一万二", "三百".
func parseNumber(num string) (float64, bool) {
	num = strings.ReplaceAll(strings.TrimSpace(num), " ", "")
	if num == "" {
		return 0, false
	}
	if num[0] >= '0' && num[0] <= '9' {
		mult := 1.0
		switch {
		case strings.HasSuffix(num, "万"):
			mult, num = 10000, strings.TrimSuffix(num, "万")
		case strings.HasSuffix(num, "千"):
			mult, num = 1000, strings.TrimSuffix(num, "千")
		case strings.HasSuffix(num, "k"):
			mult, num = 1000, strings.TrimSuffix(num, "k")
		case strings.HasSuffix(num, "w"):
			mult, num = 10000, strings.TrimSuffix(num, "w")
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
		if err != nil {
			return 0, false
		}
		return v * mult, true
	}
	return parseChinese(num)
}

// parseChinese reads a Chinese numeral, including the colloquial
// abbreviations 两千五 (2500), 一万二 (12000), 三百五 (350) and decimals
// with 点 (一点五万 = 15000).
func parseChinese(s string) (float64, bool) {
	digit := func(r rune) (int, bool) {
		switch r {
		case '零', '〇':
			return 0, true
		case '一':
			return 1, true
		case '二', '两':
			return 2, true
		case '三':
			return 3, true
		case '四':
			return 4, true
		case '五':
			return 5, true
		case '六':
			return 6, true
		case '七':
			return 7, true
		case '八':
			return 8, true
		case '九':
			return 9, true
		}
		return 0, false
	}
	rs := []rune(s)
	var total, section float64
	num := -1 // pending digit, -1 when none
	lastUnit := 0.0
	afterUnit := false // pending digit directly follows a unit (两千五)
	frac, fracScale, inFrac := 0.0, 0.1, false
	for i, r := range rs {
		if d, ok := digit(r); ok {
			if inFrac {
				frac += float64(d) * fracScale
				fracScale /= 10
				continue
			}
			if num >= 0 && !afterUnit {
				// 二五 style digit strings: read positionally.
				num = num*10 + d
			} else {
				afterUnit = i > 0 && num < 0 && lastUnit > 0 && !strings.ContainsRune("零〇", rs[i-1])
				num = d
			}
			continue
		}
		switch r {
		case '点':
			inFrac = true
			continue
		case '十', '百', '千':
			unit := map[rune]float64{'十': 10, '百': 100, '千': 1000}[r]
			n := float64(num)
			if num < 0 {
				n = 1
			}
			section += (n + frac) * unit
			frac, inFrac, fracScale = 0, false, 0.1
			num, lastUnit, afterUnit = -1, unit, false
		case '万':
			n := 0.0
			if num >= 0 {
				n = float64(num)
			}
			section += n + frac
			if section == 0 {
				section = 1
			}
			total += section * 10000
			section, num, lastUnit, afterUnit = 0, -1, 10000, false
			frac, inFrac, fracScale = 0, false, 0.1
		default:
			return 0, false
		}
	}
	if num >= 0 {
		if afterUnit && lastUnit >= 100 {
			section += float64(num) * lastUnit / 10
		} else {
			section += float64(num) + frac
		}
	} else if frac > 0 {
		section += frac
	}
	v := total + section
	return v, v > 0
}
