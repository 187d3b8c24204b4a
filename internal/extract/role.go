package extract

import (
	"strings"
	"unicode/utf8"
)

// A date or an amount alone does not say what it is: "11月10日下单，11月24日
// 签收" has an order date and a sign-for date, "卡里还有3000" is the money
// left, not the money paid. Each one takes its role from the nearest cue
// word in its own clause; a number with no cue has no role.

// role is what a date or an amount stands for.
type role int

const (
	noRole role = iota
	// Dates.
	received // signed for, delivered, arrived
	paid     // paid, bought, ordered, signed up, charged
	incident // found the problem, broke, fell ill, closed
	// Amounts (paid is shared).
	balance // left on a card or account
	other   // a refund, compensation, an original price
)

// cue is a vocabulary that gives a role.
type cue struct {
	role role
	re   *pattern
}

// Date cues, on folded (lower-case) text. 到了/到的 are checked by
// arrivedOK, since 看到的, 买到了 and 没到 are not arrivals.
var dateCues = []cue{
	{received, mustPattern(`签收|收到|收货|到货|送到|送达|寄到|拿到|取件|取到|提货|提车|交车|交付|到了|到的|` +
		`\b(?:delivered|received|arrived|arrival|signed\s+for|got\s+(?:it|them|the\s+\w+|my\s+\w+)|came|took\s+delivery|picked\s+(?:it|them)\s+up|delivery)\b`)},
	{paid, mustPattern(`付款|付的款|付了|付的|支付|买的|买了|买来|买回|购买|购入|入手|网购|下单|下的单|拍下|拍的|订的|订了|预订|预定|` +
		`充值|充了|充的|办卡|办的|办了|交了|交的|缴了|缴费|扣费|扣了|扣款|扣的|续费|花了|发票|开票|报名|签约|签的合同|` +
		`\b(?:paid|bought|ordered|purchased|purchase|signed\s+up|joined|booked|charged|renewed|topped\s+up|subscribed|invoiced?|spent)\b`)},
	{incident, mustPattern(`发现|坏了|坏掉|坏的|出问题|出了问题|出现|故障|死机|黑屏|漏水|漏电|裂了|碎了|爆炸|起火|冒烟|` +
		`吃了|吃完|吃出|喝了|喝完|生病|病了|拉肚子|腹泻|呕吐|吐了|不舒服|过敏|中毒|住院|就医|看病|受伤|烫伤|烧伤|划伤|割伤|` +
		`出事|出了事|出的事|知道|得知|注意到|意识到|跑路|关门|倒闭|停业|不营业|停课|失联|联系不上|泄露|泄漏|停止|` +
		`\b(?:broke|broken|breaks|found|discovered|noticed|reali[sz]ed|learn(?:ed|t)|got\s+sick|fell\s+ill|sick|ill|poisoned|food\s+poisoning|` +
		`vomit\w*|diarrh\w*|injured|hurt|burn(?:ed|t)|exploded|caught\s+fire|stopped|leaked|closed|shut\s+down|vanished|disappeared|happened)\b`)},
}

// Amount cues before the number ("花了300", "卡里还有3000", "paid 299").
var amountBeforeCues = []cue{
	{balance, mustPattern(`还有|还剩|剩余|剩下|剩了|余额|卡里有|卡内|卡上有|` +
		`\b(?:balance(?:\s+of)?|remaining|still\s+(?:have|had|got)|left\s+with|unused|outstanding)\b`)},
	{paid, mustPattern(`花了|花费|付了|付款|支付|交了|缴了|充了|充值|充|预存|存了|买的|买了|扣了|扣费|扣款|` +
		`\b(?:paid|spent|spend|costs?|cost\s+me|charged(?:\s+me)?|price\s+(?:was|is)|bought|deposit(?:\s+of)?|top(?:ped)?\s+up|put|loaded)\b`)},
	{other, mustPattern(`退了|退回|退款|退我|退给|赔了|赔偿|赔|原价|标价|差价|罚款|` +
		`\b(?:refund(?:ed)?(?:\s+of|\s+me)?|compensat\w*|original(?:ly)?|list\s+price|fine)\b`)},
}

// Amount cues after the number ("300块买的", "3000 left"), past its unit.
const afterUnit = `^\s*(?:元|块钱|块|圆|rmb|yuan|cny|kuai)?\s*(?:左右|多)?\s*`

var amountAfterCues = []cue{
	{balance, mustPattern(afterUnit + `(?:没用|未用|没花|没消费|未消费|没有用|还没用|` +
		`(?:left|remaining|unused|still\s+(?:left|on|in)))`)},
	{paid, mustPattern(afterUnit + `(?:买的|买了|买来|付的|充的|办的)`)},
}

// sellerGotReturnRe, right after a received cue, means the seller received
// the user's return (商家签收了退货, received my return): not the user's
// own receipt.
var sellerGotReturnRe = mustPattern(`^(?:了|的)?\s*(?:我的|我)?\s*(?:退货|退回|退件|退的货)|^\s+(?:my|the|our)\s+return`)

// notArrived are characters before 到了/到的 that make it something else:
// 看到的 (saw), 买到了 (got hold of), 没到 (not arrived).
const notArrived = "看想找遇听得做感受达提见吃买迟等直没不未来回走跑拿收送寄"

var negationRe = mustPattern(`(?:没|没有|未|不|别)\s*$|\b(?:not|never|no|yet\s+to)\s+(?:yet\s+|been\s+|even\s+)?$|n't\s+(?:yet\s+|been\s+|even\s+)?$`)

// negated reports a negation just before pos: 没收到, hasn't arrived.
func negated(s string, pos int) bool {
	return negationRe.MatchString(s[max(0, pos-14):pos])
}

// isBoundary reports whether the rune at i ends a clause. Commas and full
// stops between digits (2,999, 11.20) do not.
func isBoundary(s string, i int) bool {
	switch s[i] {
	case '!', '?', ';', '\n':
		return true
	case ',', '.':
		return !(i > 0 && isDigitByte(s[i-1]) && i+1 < len(s) && isDigitByte(s[i+1]))
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return strings.ContainsRune("。！？；…", r)
}

// clause returns the bounds of the clause around [pos, end).
func clause(s string, pos, end int) (int, int) {
	start := pos
	for start > 0 {
		_, size := utf8.DecodeLastRuneInString(s[:start])
		if isBoundary(s, start-size) {
			break
		}
		start -= size
	}
	stop := end
	for stop < len(s) && !isBoundary(s, stop) {
		_, size := utf8.DecodeRuneInString(s[stop:])
		stop += size
	}
	return start, stop
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// nearestCue returns the role of the cue nearest to [pos, end) within
// [lo, hi), looking both ways; a tie goes to the cue after (Chinese puts
// the verb after the time: 11月24日签收).
func nearestCue(s string, pos, end, lo, hi int, cues []cue) role {
	best, bestDist := noRole, -1
	for _, c := range cues {
		for _, m := range c.re.FindAllStringIndex(s[lo:hi], -1) {
			a, b := lo+m[0], lo+m[1]
			if b > pos && a < end {
				continue
			}
			if negated(s, a) || !arrivedOK(s, a, b) || (c.role == received && sellerGotReturnRe.MatchString(s[b:])) {
				continue
			}
			var d int
			if b <= pos {
				d = 2*runes(s[b:pos]) + 1 // before: loses a tie
			} else {
				d = 2 * runes(s[end:a])
			}
			if bestDist < 0 || d < bestDist {
				best, bestDist = c.role, d
			}
		}
	}
	return best
}

// arrivedOK rejects 到了/到的 after a verb that makes it mean something
// else.
func arrivedOK(s string, a, b int) bool {
	m := s[a:b]
	if m != "到了" && m != "到的" {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:a])
	return a == 0 || !strings.ContainsRune(notArrived, prev)
}

// amountRole is the role of the amount whose number is s[pos:end]; lo and
// hi bound the text it may look at (its clause, cut at the neighbouring
// amounts).
func amountRole(s string, pos, end, lo, hi int) role {
	best, bestDist := noRole, -1
	before := s[lo:pos]
	for _, c := range amountBeforeCues {
		for _, m := range c.re.FindAllStringIndex(before, -1) {
			a, b := lo+m[0], lo+m[1]
			if negated(s, a) {
				continue
			}
			if d := runes(s[b:pos]); bestDist < 0 || d < bestDist {
				best, bestDist = c.role, d
			}
		}
	}
	after := s[end:hi]
	for _, c := range amountAfterCues {
		// An anchored cue right after the number: as near as can be,
		// but a cue before at the same distance was found first.
		if c.re.MatchString(after) && (bestDist < 0 || bestDist > 0) {
			best, bestDist = c.role, 0
		}
	}
	return best
}
