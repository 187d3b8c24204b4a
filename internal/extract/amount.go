package extract

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

const (
	cnDigits = "零〇一二两三四五六七八九"
	cnNum    = `[零〇一二两三四五六七八九十百千万点]+`
	arNum    = `\d+(?:,\d{3})*(?:\.\d+)?\s*(?:万|千|k\b|w\b)?`
	anyNum   = `(` + arNum + `|` + cnNum + `)`
)

var (
	// ¥299, rmb 299, 人民币299
	amountPrefixRe = mustPattern(`(?:¥|\brmb|\bcny|人民币)\s*` + anyNum)
	// 299元, 三百块, 299 yuan, 299rmb
	amountSuffixRe = mustPattern(anyNum + `\s*(元|块钱|块|圆|\b(?:rmb|yuan|cny|kuai|quai)\b|¥)`)
	// 花了2000, 卡里还有3000, paid 299: money only because of the verb.
	amountContextRe = mustPattern(`(花了|花费|付了|付款|支付了?|交了|缴了|充了|充值了?|充|预存了?|存了|卡里还有|卡里还剩|余额还有|余额还剩|余额|还剩|还有|剩余|剩下了?|退了|赔了|` +
		`\b(?:paid|spent|spend|costs?|cost\s+me|charged(?:\s+me)?|price\s+(?:was|is)|refund\s+of|deposit\s+of|balance\s+of|top(?:ped)?\s+up|` +
		`still\s+(?:have|had|got)|remaining|left\s+with)\b)\s*(?:我\s*)?` + anyNum)
	// 3000 left, 3000 remaining: money because of what follows.
	amountLeftRe = mustPattern(`(\d+(?:,\d{3})*(?:\.\d+)?\s*(?:万|千|k\b|w\b)?)\s*(?:left|remaining)\b`)
	// Units that mean the number counted something else.
	notMoneyAfterRe = mustPattern(`^\s*(?:天|日|号|月|年|周|星期|个|次|件|位|人|岁|楼|层|斤|公斤|克|g\b|kg|小时|分钟|分|秒|点|%|折|倍|张|节|期|单|台|部|瓶|杯|碗|份|盒|袋|寸|米|公里|km|` +
		`(?:days?|hours?|weeks?|months?|years?|times|minutes?|pcs|pieces?|items?|people|percent|gb|mb|tb|mah|km|cm|mm|inch(?:es)?)\b)`)
	// After 块 a noun means "a piece of": 一块塑料.
	kuaiOKNext = "钱的了买啊吧呢呀左多都也还就，。,.!！?？ 给退"
)

type amountCand struct {
	pos, end    int // the whole expression (with 花了, ¥, 元)
	num, numEnd int // the number itself
	value       float64
}

// amounts returns the amount paid and the balance left (as "123.00", or ""
// when not clearly given), and the byte spans of every money expression
// found (so the date finder does not read 11.20元 as a date).
//
// Each amount takes its role from the nearest cue in its clause: 花了, 付了,
// paid (paid); 还有, 还剩, 余额, left, balance (balance); 退了, 赔, 原价,
// refund (something else). The amount paid is the one paid amount; with
// none, the one amount without a role. Two different candidates for either
// means neither is given.
func amounts(s string) (amount, balanceLeft string, spans [][2]int) {
	var cands []amountCand
	add := func(pos, end, num, numEnd int) {
		v, ok := parseNumber(s[num:numEnd])
		if !ok || v <= 0 || v > 1e9 {
			return
		}
		cands = append(cands, amountCand{pos, end, num, numEnd, v})
	}
	for _, m := range amountPrefixRe.FindAllStringSubmatchIndex(s, -1) {
		if notMoneyAfterRe.MatchString(s[m[1]:]) {
			continue
		}
		add(m[0], m[1], m[2], m[3])
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
		add(m[0], m[1], m[2], m[3])
	}
	for _, m := range amountContextRe.FindAllStringSubmatchIndex(s, -1) {
		if notMoneyAfterRe.MatchString(s[m[1]:]) {
			continue
		}
		if isSmallCN(s[m[4]:m[5]]) {
			continue // 还有一些, 充了一次
		}
		add(m[0], m[1], m[4], m[5])
	}
	for _, m := range amountLeftRe.FindAllStringSubmatchIndex(s, -1) {
		if v, _ := parseNumber(s[m[2]:m[3]]); v < 10 {
			continue // 2 left in stock
		}
		add(m[0], m[1], m[2], m[3])
	}
	if len(cands) == 0 {
		return "", "", nil
	}
	// One money expression may be found by several patterns (花了299元):
	// merge overlapping ones.
	slices.SortFunc(cands, func(a, b amountCand) int { return a.pos - b.pos })
	merged := cands[:1]
	for _, c := range cands[1:] {
		last := &merged[len(merged)-1]
		if c.pos < last.end {
			last.end = max(last.end, c.end)
			last.num, last.numEnd = min(last.num, c.num), min(last.numEnd, c.numEnd)
			continue
		}
		merged = append(merged, c)
	}
	byRole := map[role][]float64{}
	for i, c := range merged {
		spans = append(spans, [2]int{c.pos, c.end})
		lo, hi := clause(s, c.pos, c.end)
		if i > 0 {
			lo = max(lo, merged[i-1].end)
		}
		if i+1 < len(merged) {
			hi = min(hi, merged[i+1].pos)
		}
		r := amountRole(s, c.num, c.numEnd, lo, hi)
		if !slices.Contains(byRole[r], c.value) {
			byRole[r] = append(byRole[r], c.value)
		}
	}
	money := func(vs []float64) string {
		if len(vs) != 1 {
			return ""
		}
		return fmt.Sprintf("%.2f", math.Round(vs[0]*100)/100)
	}
	amount = money(byRole[paid])
	if len(byRole[paid]) == 0 {
		amount = money(byRole[noRole])
	}
	return amount, money(byRole[balance]), spans
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
