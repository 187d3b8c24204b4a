package extract

// This file is a frozen copy of the extractor as it was at commit 51fadc1,
// before the speed work of issue 10: extract.go, amount.go, date.go and
// role.go with every package-level name prefixed "ref" (the fact-name
// constants are shared). It is the reference for the differential test
// (differential_test.go): the fast implementation must return exactly what
// this one returns. Do not edit it to follow later behaviour changes;
// change the test's expectations deliberately instead, or delete this copy
// once the differential test has served its purpose.

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// China has had no daylight saving time since 1991.
var refChinaTime = time.FixedZone("CST", 8*3600)

// Facts returns the facts found in text; a fact that is not clearly present
// is absent from the map. now is the current time (any zone); relative
// dates are resolved against the calendar day of now in China time, and a
// date after that day is never returned.
func refFacts(text string, now time.Time) map[string]string {
	s := refFold(text)
	out := map[string]string{}
	p := refPlatform(s)
	if p != "" {
		out[Platform] = p
	}
	amt, bal, spans := refAmounts(s)
	if amt != "" {
		out[Amount] = amt
	}
	if bal != "" {
		out[Balance] = bal
	}
	maps.Copy(out, refDates(s, now, spans))
	if v := refSubject(s); v != "" {
		out[Subject] = v
	}
	if v := refChannel(s, p); v != "" {
		out[Channel] = v
	}
	if v := refMerchantSaid(s); v != "" {
		out[MerchantSaid] = v
	}
	if refForeignerRe.MatchString(s) {
		out[Foreigner] = "yes"
	}
	if refHurt(s) {
		out[Hurt] = "yes"
	}
	if refVanishedRe.MatchString(s) {
		out[Closure] = "vanished"
	}
	return out
}

// fold maps full-width ASCII to half-width, the ideographic space to a
// space, ￥ to ¥, curly apostrophes to ' and everything to lower case.
func refFold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		case r == '’' || r == '‘':
			r = '\''
		}
		if r == '￥' {
			r = '¥'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// rule is a pattern for one canonical value.
type refRule struct {
	value string
	re    *regexp.Regexp
}

// Latin abbreviations need word boundaries; Go's \b is ASCII-only, which is
// what we want here (a Han character next to "pdd" counts as a boundary).
var refPlatformRules = []refRule{
	{"tmall_global", regexp.MustCompile(`天猫国际|tmall\s*global|天猫海外`)},
	{"tmall", regexp.MustCompile(`天猫|某猫|\btmall\b`)},
	{"taobao", regexp.MustCompile(`淘宝|某宝|\btaobao\b|\btb\b`)},
	{"jd", regexp.MustCompile(`京东|狗东|某东|\bjd\b|jd\.com|\bjingdong\b`)},
	{"pinduoduo", regexp.MustCompile(`拼多多|拼夕夕|并夕夕|多多买菜|\bpdd\b|\bpinduoduo\b`)},
	{"meituan", regexp.MustCompile(`美团|某团|\bmeituan\b|\bmt\b`)},
	{"eleme", regexp.MustCompile(`饿了么|饿了吗|饿么|\beleme\b|ele\.me|\belm\b`)},
	{"douyin", regexp.MustCompile(`抖音|某音|\bdouyin\b|\btiktok\b|\bdy\b`)},
	{"kuaishou", regexp.MustCompile(`快手|\bkuaishou\b|\bks\b`)},
	{"xianyu", regexp.MustCompile(`闲鱼|咸鱼|\bxianyu\b|idle\s*fish`)},
	{"xiaohongshu", regexp.MustCompile(`小红书|小红薯|\bxhs\b|\bxiaohongshu\b|\brednote\b|red\s*note`)},
	{"dianping", regexp.MustCompile(`大众点评|\bdianping\b`)},
	{"ctrip", regexp.MustCompile(`携程|\bctrip\b|trip\.com`)},
	{"wechat", regexp.MustCompile(`微商|朋友圈|微信(?:上|里|群)?(?:买|卖|代购|下单|的?卖家|的?商家|小店|商城)|` +
		`(?:wechat|weixin)\s*(?:seller|shop|store|vendor|merchant|moments|daigou|group)|` +
		`(?:bought|buy|ordered|purchased)\b[^.!?]{0,40}\b(?:on|via|through|from|in)\s+(?:a\s+)?(?:wechat|weixin)\b`)},
	{"other_online", regexp.MustCompile(`唯品会|苏宁易购|得物|当当|亚马逊|去哪儿|飞猪|考拉海购|1688|盒马|叮咚买菜|转转|微店|视频号|` +
		`\b(?:amazon|qunar|fliggy|dewu|vipshop|aliexpress|hema|dingdong)\b|` +
		`网购|网店|网上买|网上购|网上下单|电商|购物网站|购物app|(?:online\s+(?:shop|store|order|purchase)|bought\s+(?:it\s+)?online|ordered\s+(?:it\s+)?online)`)},
}

// platform returns the platform mentioned first in s.
func refPlatform(s string) string {
	best, bestPos := "", len(s)+1
	for _, r := range refPlatformRules {
		if loc := r.re.FindStringIndex(s); loc != nil {
			if loc[0] < bestPos || (loc[0] == bestPos && best == "other_online") {
				best, bestPos = r.value, loc[0]
			}
		}
	}
	return best
}

var (
	refGoodsRe = regexp.MustCompile(`买的|买了|购买|商品|货|快递|包裹|收到|产品|退货|换货|手机|电脑|衣服|裤子|鞋|包包|家电|冰箱|空调|洗衣机|` +
		`电视|耳机|化妆品|面膜|奶粉|零食|牛奶|面包|食品|外卖|家具|沙发|床垫|汽车|新车|电动车|三包|保修|质量|` +
		`\b(?:bought|item|items|product|products|goods|parcel|package|shipped|delivery|delivered|phone|laptop|shoes|dress|jacket|` +
		`fridge|appliance|warranty|defective|faulty|broken|counterfeit|fake|expired|takeaway|takeout|snacks?|milk|bread)\b`)
	refServiceRe = regexp.MustCompile(`健身|课|培训|教育|机构|酒店|民宿|旅行|旅游|跟团|机票|门票|理发|美发|美容|美甲|按摩|足疗|` +
		`会员卡|储值卡|预付卡|办卡|办了?.{0,2}卡|办的卡|充值|充了|餐厅|饭店|吃饭|服务|驾校|婚纱|摄影|家政|装修|租车|月子|托管|演唱会|航班|` +
		`\b(?:gym|course|courses|class|classes|lessons?|training|school|hotel|homestay|tour|travel|flight|ticket|salon|spa|massage|` +
		`membership|prepaid|restaurant|service|booking|booked|subscription|tutoring|agency)\b`)
)

// subject says whether the dispute is about goods or a service, by which
// vocabulary dominates; a tie means "cannot tell".
func refSubject(s string) string {
	g := len(refGoodsRe.FindAllStringIndex(s, -1))
	v := len(refServiceRe.FindAllStringIndex(s, -1))
	switch {
	case g > v:
		return "goods"
	case v > g:
		return "service"
	}
	return ""
}

var (
	refOnlineRe = regexp.MustCompile(`网购|网上|网店|线上|快递|物流|包裹|直播间|下单|发货|小程序|app|电商|外卖|` +
		`\b(?:online|website|app|parcel|package|shipped|shipping|courier|livestream|delivered|e-?commerce)\b`)
	refOfflineRe = regexp.MustCompile(`店里|门店|实体店|线下|商场|超市|专柜|柜台|到店|现场|餐厅|饭店|店员|营业厅|` +
		`\b(?:in\s+(?:the\s+)?(?:store|shop|person)|at\s+the\s+(?:store|shop|counter|mall)|mall|supermarket|restaurant|cashier|offline)\b`)
)

// channel: a named platform means online; otherwise whichever vocabulary
// dominates.
func refChannel(s, refPlatform string) string {
	if refPlatform != "" {
		return "online"
	}
	on := len(refOnlineRe.FindAllStringIndex(s, -1))
	off := len(refOfflineRe.FindAllStringIndex(s, -1))
	switch {
	case on > off:
		return "online"
	case off > on:
		return "offline"
	}
	return ""
}

// merchantSaid rules, most specific first: "特价不退" is a refusal too, but
// sale_no_return tells the dialog more.
var refMerchantRules = []refRule{
	{"final_interpretation", regexp.MustCompile(`解释权|final\s+(?:right\s+of\s+)?interpretation|right\s+of\s+(?:final\s+)?interpretation|interpretation\s+rights?`)},
	{"sale_no_return", regexp.MustCompile(`(?:特价|活动价?|打折|折扣|促销|清仓|秒杀|优惠)(?:商品|的|品|款|价)?[^，。,.!！?？]{0,6}(?:不退|不能退|不给退|不支持退|不退换|概不退)|` +
		`清仓.{0,4}概不退换|` +
		`(?:sale|clearance|promotion(?:al)?|discounted)\s+(?:items?|goods|products?)?\s*(?:are\s+|is\s+)?(?:non[- ]?returnable|final|can'?t\s+be\s+returned|cannot\s+be\s+returned|not\s+returnable)|` +
		`(?:bought|purchased)\s+on\s+(?:sale|promotion)[^.]{0,30}(?:can'?t|cannot|won'?t|not)\s+(?:be\s+)?return|final\s+sale|all\s+sales?\s+(?:are\s+)?final`)},
	{"opened_no_return", regexp.MustCompile(`(?:拆|开封|拆封|开箱|激活|试穿|穿过|用过|使用过|吊牌剪)[^，。,.!！?？]{0,8}(?:不能退|不退|不给退|不可以退|没法退|无法退|不支持退)|` +
		`(?:opened|unsealed|unboxed|activated|tried\s+(?:it|them)\s+on|removed\s+the\s+tag|tag\s+was\s+removed|shrink\s*wrap)[^.]{0,40}(?:can'?t|cannot|won'?t|not|no)\s+(?:be\s+)?(?:return|refund)|` +
		`(?:can'?t|cannot|won'?t|no)\s+(?:be\s+)?returns?\w*\s+(?:because|since|as)\s+(?:i|it|the\s+\w+|they)\s+(?:was\s+|were\s+|had\s+been\s+)?(?:opened|unsealed|used|activated)`)},
	{"go_to_manufacturer", regexp.MustCompile(`找厂家|找厂商|找生产厂家|联系厂家|找品牌|联系品牌|找官方售后|找售后|去售后|寄回厂家|找原厂|厂家售后|让我找官方|` +
		`(?:contact|call|go\s+to|deal\s+with|ask|talk\s+to)\s+(?:the\s+)?(?:manufacturer|factory|brand|maker|service\s+cent(?:er|re)|official\s+store)|` +
		`manufacturer'?s?\s+(?:hotline|problem|responsibility)|send\s+it\s+to\s+the\s+factory`)},
	{"blame_platform", regexp.MustCompile(`找平台|平台的问题|平台的责任|让我问平台|去问平台|跟平台|联系平台|` +
		`(?:contact|ask|blame[sd]?|go\s+to|take\s+it\s+up\s+with)\s+(?:the\s+)?platform|platform'?s\s+(?:problem|fault|responsibility)`)},
	{"ignored", regexp.MustCompile(`不理|没人理|已读不回|不回复|不回消息|不回我|没回复|没有回复|联系不上|拉黑|失联|电话打不通|找不到人|人间蒸发|` +
		`ignor(?:e|es|ed|ing)\s+(?:me|my)|no\s+(?:reply|response|answer)|(?:won'?t|doesn'?t|didn'?t|never|stopped)\s+(?:reply|respond|answer)(?:ing)?|` +
		`blocked\s+me|stopped\s+replying|unreachable|ghosted|left\s+me\s+on\s+read`)},
	{"refused_refund", regexp.MustCompile(`(?:退|refund|return)[^。.!！?？]{0,20}(?:拒绝|驳回|被拒|reject)|不给退|不退|不肯退|拒绝退|不同意退|退款被拒|退货被拒|退款申请被驳回|被驳回|拒绝了我的退|概不退|不予退|不能退|不让退|` +
		`refus(?:e|es|ed)\s+(?:to\s+)?(?:give\s+(?:me\s+)?(?:a\s+|my\s+)?)?(?:refund|return|money)|won'?t\s+(?:give\s+(?:me\s+)?(?:a\s+|my\s+)?)?(?:refund|return|take\s+(?:it\s+)?back)|` +
		`no\s+refunds?|(?:refund|return)\s+(?:request\s+)?(?:was\s+)?(?:denied|rejected|refused|declined)|(?:denied|rejected|declined)\s+my\s+(?:refund|return)|non[- ]?refundable|` +
		`(?:can'?t|cannot)\s+(?:be\s+)?(?:refunded|returned)`)},
}

func refMerchantSaid(s string) string {
	for _, r := range refMerchantRules {
		if r.re.MatchString(s) {
			return r.value
		}
	}
	return ""
}

var refForeignerRe = regexp.MustCompile(`外国人|老外|外籍|护照|外国游客|留学生|` +
	`\b(?:foreigner|foreign(?:er)?s?|expat|expats|tourist|tourists|passport|laowai|not\s+(?:a\s+)?chinese|non-chinese|foreign\s+national)\b|` +
	`(?:don'?t|do\s+not|can'?t)\s+(?:speak|read)\s+chinese`)

var (
	refHurtRe = regexp.MustCompile(`拉肚子|腹泻|食物中毒|中毒|住院|医院|就医|急诊|看病|受伤|烫伤|烧伤|灼伤|划伤|割伤|割破|骨折|流血|出血|` +
		`过敏|起疹子|呕吐|吐了|上吐下泻|肚子疼|肚子痛|胃疼|胃痛|发烧|头晕|晕倒|触电|炸伤|牙.{0,2}(?:坏|崩|断|裂)|` +
		`\b(?:injur(?:y|ed|ies)|hurt|burn(?:ed|t|s)?|hospital(?:ised|ized)?|food\s+poisoning|poisoned|diarrh(?:o)?ea|vomit(?:ed|ing)?|threw\s+up|` +
		`allergic|allergy|rash|bleeding|stomach\s*(?:ache|cramps?|pain)|cramps|fever|sick|ill|emergency\s+room|norovirus|` +
		`cracked\s+(?:a|my)\s+tooth|electric\s+shock|cut\s+(?:my|his|her)|broke\s+(?:my|his|her)\s+(?:arm|leg|tooth|finger))\b`)
	refHurtNegRe = regexp.MustCompile(`宠物医院|宠物|兽医|pet\s+hospital|\bvet\b|差点|险些|差一点|几乎|almost|nearly|could\s+have|sick\s+of|sick\s+and\s+tired`)
)

// hurt reports an illness or injury, ignoring near misses ("差点受伤") and
// idioms ("sick of").
func refHurt(s string) bool {
	for _, loc := range refHurtRe.FindAllStringIndex(s, -1) {
		start := max(0, loc[0]-15)
		window := s[start:min(len(s), loc[1]+10)]
		if refHurtNegRe.MatchString(window) {
			continue
		}
		return true
	}
	return false
}

// vanishedRe: the business shut and the owner is gone with the money. A
// plain 关门 or "closed down" could also be an announced closure or a move,
// so it is not enough.
var refVanishedRe = regexp.MustCompile(`跑路|卷款|卷钱|携款|人去楼空|人间蒸发|(?:老板娘?|店主|商家)(?:已经|都|也)?(?:跑了|失联|联系不上)|联系不上老板|找不到老板|突然关门|` +
	`\b(?:vanished|disappeared|ran\s+(?:off|away)|skipped\s+town|absconded|fled|did\s+a\s+runner|done\s+a\s+runner|` +
	`(?:closed|shut)\s+(?:down\s+)?(?:overnight|suddenly|without\s+(?:notice|warning|a\s+word)))\b|` +
	`\bowner\s+(?:is\s+|has\s+)?(?:gone|missing|unreachable)\b`)

const (
	refCnDigits = "零〇一二两三四五六七八九"
	refCnNum    = `[零〇一二两三四五六七八九十百千万点]+`
	refArNum    = `\d+(?:,\d{3})*(?:\.\d+)?\s*(?:万|千|k\b|w\b)?`
	refAnyNum   = `(` + refArNum + `|` + refCnNum + `)`
)

var (
	// ¥299, rmb 299, 人民币299
	refAmountPrefixRe = regexp.MustCompile(`(?:¥|\brmb|\bcny|人民币)\s*` + refAnyNum)
	// 299元, 三百块, 299 yuan, 299rmb
	refAmountSuffixRe = regexp.MustCompile(refAnyNum + `\s*(元|块钱|块|圆|\b(?:rmb|yuan|cny|kuai|quai)\b|¥)`)
	// 花了2000, 卡里还有3000, paid 299: money only because of the verb.
	refAmountContextRe = regexp.MustCompile(`(花了|花费|付了|付款|支付了?|交了|缴了|充了|充值了?|充|预存了?|存了|卡里还有|卡里还剩|余额还有|余额还剩|余额|还剩|还有|剩余|剩下了?|退了|赔了|` +
		`\b(?:paid|spent|spend|costs?|cost\s+me|charged(?:\s+me)?|price\s+(?:was|is)|refund\s+of|deposit\s+of|balance\s+of|top(?:ped)?\s+up|` +
		`still\s+(?:have|had|got)|remaining|left\s+with)\b)\s*(?:我\s*)?` + refAnyNum)
	// 3000 left, 3000 remaining: money because of what follows.
	refAmountLeftRe = regexp.MustCompile(`(\d+(?:,\d{3})*(?:\.\d+)?\s*(?:万|千|k\b|w\b)?)\s*(?:left|remaining)\b`)
	// Units that mean the number counted something else.
	refNotMoneyAfterRe = regexp.MustCompile(`^\s*(?:天|日|号|月|年|周|星期|个|次|件|位|人|岁|楼|层|斤|公斤|克|g\b|kg|小时|分钟|分|秒|点|%|折|倍|张|节|期|单|台|部|瓶|杯|碗|份|盒|袋|寸|米|公里|km|` +
		`(?:days?|hours?|weeks?|months?|years?|times|minutes?|pcs|pieces?|items?|people|percent|gb|mb|tb|mah|km|cm|mm|inch(?:es)?)\b)`)
	// After 块 a noun means "a piece of": 一块塑料.
	refKuaiOKNext = "钱的了买啊吧呢呀左多都也还就，。,.!！?？ 给退"
)

type refAmountCand struct {
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
func refAmounts(s string) (amount, balanceLeft string, spans [][2]int) {
	var cands []refAmountCand
	add := func(pos, end, num, numEnd int) {
		v, ok := refParseNumber(s[num:numEnd])
		if !ok || v <= 0 || v > 1e9 {
			return
		}
		cands = append(cands, refAmountCand{pos, end, num, numEnd, v})
	}
	for _, m := range refAmountPrefixRe.FindAllStringSubmatchIndex(s, -1) {
		if refNotMoneyAfterRe.MatchString(s[m[1]:]) {
			continue
		}
		add(m[0], m[1], m[2], m[3])
	}
	for _, m := range refAmountSuffixRe.FindAllStringSubmatchIndex(s, -1) {
		unit := s[m[4]:m[5]]
		if unit == "块" {
			next := []rune(s[m[5]:] + " ")[0]
			num := s[m[2]:m[3]]
			if !strings.ContainsRune(refKuaiOKNext, next) && refIsSmallCN(num) {
				continue
			}
		}
		add(m[0], m[1], m[2], m[3])
	}
	for _, m := range refAmountContextRe.FindAllStringSubmatchIndex(s, -1) {
		if refNotMoneyAfterRe.MatchString(s[m[1]:]) {
			continue
		}
		if refIsSmallCN(s[m[4]:m[5]]) {
			continue
		}
		add(m[0], m[1], m[4], m[5])
	}
	for _, m := range refAmountLeftRe.FindAllStringSubmatchIndex(s, -1) {
		if v, _ := refParseNumber(s[m[2]:m[3]]); v < 10 {
			continue
		}
		add(m[0], m[1], m[2], m[3])
	}
	if len(cands) == 0 {
		return "", "", nil
	}

	slices.SortFunc(cands, func(a, b refAmountCand) int { return a.pos - b.pos })
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
	byRole := map[refRole][]float64{}
	for i, c := range merged {
		spans = append(spans, [2]int{c.pos, c.end})
		lo, hi := refClause(s, c.pos, c.end)
		if i > 0 {
			lo = max(lo, merged[i-1].end)
		}
		if i+1 < len(merged) {
			hi = min(hi, merged[i+1].pos)
		}
		r := refAmountRole(s, c.num, c.numEnd, lo, hi)
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
	amount = money(byRole[refPaid])
	if len(byRole[refPaid]) == 0 {
		amount = money(byRole[refNoRole])
	}
	return amount, money(byRole[refBalance]), spans
}

// isSmallCN reports a Chinese numeral below ten (一块, 两块 are usually "a
// piece"; 三百块 is money).
func refIsSmallCN(num string) bool {
	rs := []rune(strings.TrimSpace(num))
	return len(rs) == 1 && strings.ContainsRune(refCnDigits, rs[0])
}

// parseNumber reads "2,999.5", "1.5万", "3k", "两千五", "一万二", "三百".
func refParseNumber(num string) (float64, bool) {
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
	return refParseChinese(num)
}

// parseChinese reads a Chinese numeral, including the colloquial
// abbreviations 两千五 (2500), 一万二 (12000), 三百五 (350) and decimals
// with 点 (一点五万 = 15000).
func refParseChinese(s string) (float64, bool) {
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
	num := -1
	lastUnit := 0.0
	refAfterUnit := false
	frac, fracScale, inFrac := 0.0, 0.1, false
	for i, r := range rs {
		if d, ok := digit(r); ok {
			if inFrac {
				frac += float64(d) * fracScale
				fracScale /= 10
				continue
			}
			if num >= 0 && !refAfterUnit {

				num = num*10 + d
			} else {
				refAfterUnit = i > 0 && num < 0 && lastUnit > 0 && !strings.ContainsRune("零〇", rs[i-1])
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
			num, lastUnit, refAfterUnit = -1, unit, false
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
			section, num, lastUnit, refAfterUnit = 0, -1, 10000, false
			frac, inFrac, fracScale = 0, false, 0.1
		default:
			return 0, false
		}
	}
	if num >= 0 {
		if refAfterUnit && lastUnit >= 100 {
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

const (
	refDayNum = `(\d{1,2}|[一二三四五六七八九十]{1,3})`
	refCntNum = `(\d{1,3}|[一二两三四五六七八九十半]{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of|couple\s+of|a\s+few|few)`
)

var (
	refIsoDateRe     = regexp.MustCompile(`(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?`)
	refCnMonthDayRe  = regexp.MustCompile(`(今年|去年|前年)?\s*` + refDayNum + `\s*月份?\s*` + refDayNum + `\s*[日号]`)
	refRelMonthDayRe = regexp.MustCompile(`(上上个?月|上个?月|这个?月|本月)\s*` + refDayNum + `\s*[日号]`)
	refBareDayRe     = regexp.MustCompile(refDayNum + `\s*号`)
	refDotDateRe     = regexp.MustCompile(`(\d{1,2})[./](\d{1,2})`)
	refFestivalRe    = regexp.MustCompile(`(今年|去年)?\s*(双十一|双11|双十二|双12)`)
	refRelDayRe      = regexp.MustCompile(`大前天|前天|昨天|昨日|昨晚|昨儿|今天|今日|今早|今晚|今儿|今天早上|` +
		`\bthe\s+day\s+before\s+yesterday\b|\byesterday\b|\btoday\b|\bthis\s+(?:morning|afternoon|evening)\b|\btonight\b|\bearlier\s+today\b|\blast\s+night\b`)
	refAgoZhRe     = regexp.MustCompile(refCntNum + `\s*(天|日|周|个星期|个礼拜|星期|礼拜|个月|月)(?:以前|之前|前)`)
	refAgoEnRe     = regexp.MustCompile(`\b` + refCntNum + `\s+(days?|weeks?|months?)\s+ago\b`)
	refZhWeekdayRe = regexp.MustCompile(`(上上|上个|上|这个|这|本)?\s*(周|星期|礼拜)([一二三四五六日天])`)
	refEnWeekdayRe = regexp.MustCompile(`\b(last|this|on|past)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday|` +
		`(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b)`)
	refEnMonthDayRe = regexp.MustCompile(`\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4}))?`)
	refEnDayMonthRe = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b(?:,?\s*(\d{4}))?`)
	// After a dotted date, these mean it was a number: 11.20元, 1.5kg.
	refNotDateAfterRe = regexp.MustCompile(`^(?:\d|\s*(?:元|块|万|千|%|k\b|w\b|g\b|kg|斤|折|倍|寸|米|mm|cm|gb|yuan|rmb|lb|\.\d))`)
)

var refEnMonths = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}

type refDateCand struct {
	pos, end int
	d        time.Time
}

// dates returns the dates mentioned in s as YYYY-MM-DD, resolved in China
// time and never after today, by role: ReceivedDate, PaidDate and
// IncidentDate when the date's clause says which (11月24日签收, paid on Nov
// 10, 昨天坏了), two different dates for one role giving neither; Date only
// when s mentions exactly one date and does not say what it is. money
// holds byte spans already read as amounts.
func refDates(s string, now time.Time, money [][2]int) map[string]string {
	n := now.In(refChinaTime)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, refChinaTime)
	var cands []refDateCand
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
			cands = append(cands, refDateCand{pos, end, d})
		}
	}
	each := func(re *regexp.Regexp, f func(m []string, pos, end int)) {
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

	each(refIsoDateRe, func(m []string, pos, end int) {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t, ok := refMkDate(y, mo, d)
		add(pos, end, t, ok)
	})
	each(refCnMonthDayRe, func(m []string, pos, end int) {
		mo, d := refSmallNum(m[2]), refSmallNum(m[3])
		switch m[1] {
		case "今年", "去年", "前年":
			y := today.Year() - map[string]int{"今年": 0, "去年": 1, "前年": 2}[m[1]]
			t, ok := refMkDate(y, mo, d)
			add(pos, end, t, ok)
		default:
			t, ok := refRecentMonthDay(today, mo, d)
			add(pos, end, t, ok)
		}
	})
	each(refRelMonthDayRe, func(m []string, pos, end int) {
		back := 0
		switch {
		case strings.HasPrefix(m[1], "上上"):
			back = 2
		case strings.HasPrefix(m[1], "上"):
			back = 1
		}
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, refChinaTime).AddDate(0, -back, 0)
		t, ok := refMkDate(first.Year(), int(first.Month()), refSmallNum(m[2]))
		add(pos, end, t, ok)
	})

	englishDate := func(month, day, year string, pos, end int) {
		mo := int(refEnMonths[month])
		d, _ := strconv.Atoi(day)
		if year != "" {
			y, _ := strconv.Atoi(year)
			t, ok := refMkDate(y, mo, d)
			add(pos, end, t, ok)
			return
		}
		t, ok := refRecentMonthDay(today, mo, d)
		add(pos, end, t, ok)
	}
	each(refEnMonthDayRe, func(m []string, pos, end int) { englishDate(m[1], m[2], m[3], pos, end) })
	each(refEnDayMonthRe, func(m []string, pos, end int) { englishDate(m[2], m[1], m[3], pos, end) })
	each(refFestivalRe, func(m []string, pos, end int) {
		mo := 11
		if strings.Contains(m[2], "十二") || strings.Contains(m[2], "12") {
			mo = 12
		}
		t, ok := refRecentMonthDay(today, mo, mo)
		if m[1] != "" {
			y := today.Year()
			if m[1] == "去年" {
				y--
			}
			t, ok = refMkDate(y, mo, mo)
		}
		add(pos, end, t, ok)
	})
	each(refRelDayRe, func(m []string, pos, end int) {
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
	each(refAgoZhRe, func(m []string, pos, end int) {
		k := refCount(m[1])
		t, ok := refAgo(today, k, m[2])
		add(pos, end, t, ok)
	})
	each(refAgoEnRe, func(m []string, pos, end int) {
		k := refCount(m[1])
		t, ok := refAgo(today, k, m[2])
		add(pos, end, t, ok)
	})
	each(refZhWeekdayRe, func(m []string, pos, end int) {
		if m[1] == "" && pos > 0 {
			if prev := []rune(s[:pos]); strings.ContainsRune("每一两几", prev[len(prev)-1]) {
				return
			}
		}
		wd := map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}[m[3]]

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
	each(refEnWeekdayRe, func(m []string, pos, end int) {
		name := m[2]
		if before := strings.TrimSpace(s[:pos]); strings.HasSuffix(before, "black") || strings.HasSuffix(before, "cyber") {
			return
		}
		if len(name) <= 5 && m[1] != "last" && m[1] != "on" && m[1] != "past" {

			return
		}
		wd := refWeekday(name)
		diff := (int(today.Weekday()) - wd + 7) % 7
		switch m[1] {
		case "last", "past":
			if diff == 0 {
				diff = 7
			}
		case "this":
			if diff != 0 {

				this := today.AddDate(0, 0, wd-int(today.Weekday()))
				add(pos, end, this, true)
				return
			}
		}
		add(pos, end, today.AddDate(0, 0, -diff), true)
	})
	each(refDotDateRe, func(m []string, pos, end int) {
		if pos > 0 && (refIsDigitByte(s[pos-1]) || s[pos-1] == '.' || s[pos-1] == '/') {
			return
		}
		if refNotDateAfterRe.MatchString(s[end:]) || strings.HasSuffix(strings.TrimSpace(s[:pos]), "¥") {
			return
		}
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		mo, d := a, b
		if a > 12 && b <= 12 && s[pos+len(m[1])] == '/' {
			mo, d = b, a
		}
		t, ok := refRecentMonthDay(today, mo, d)
		add(pos, end, t, ok)
	})
	each(refBareDayRe, func(m []string, pos, end int) {
		if next := []rune(s[end:] + " ")[0]; strings.ContainsRune("线楼门店床桌房厅位码口机", next) {
			return
		}
		d := refSmallNum(m[1])
		t, ok := refMkDate(today.Year(), int(today.Month()), d)
		if ok && t.After(today) {
			first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, refChinaTime).AddDate(0, -1, 0)
			t, ok = refMkDate(first.Year(), int(first.Month()), d)
		}
		add(pos, end, t, ok)
	})

	if len(cands) == 0 {
		return nil
	}
	slices.SortFunc(cands, func(a, b refDateCand) int { return a.pos - b.pos })
	byRole := map[refRole][]string{}
	var all []string
	for i, c := range cands {
		lo, hi := refClause(s, c.pos, c.end)
		if i > 0 {
			lo = max(lo, cands[i-1].end)
		}
		if i+1 < len(cands) {
			hi = min(hi, cands[i+1].pos)
		}
		v := c.d.Format("2006-01-02")
		r := refNearestCue(s, c.pos, c.end, lo, hi, refDateCues)
		if !slices.Contains(byRole[r], v) {
			byRole[r] = append(byRole[r], v)
		}
		if !slices.Contains(all, v) {
			all = append(all, v)
		}
	}
	out := map[string]string{}
	for r, name := range map[refRole]string{refReceived: ReceivedDate, refPaid: PaidDate, refIncident: IncidentDate} {
		if len(byRole[r]) == 1 {
			out[name] = byRole[r][0]
		}
	}
	if len(all) == 1 && len(byRole) == 1 && byRole[refNoRole] != nil {
		out[Date] = all[0]
	}
	return out
}

func refIsDigitByte(b byte) bool { return b >= '0' && b <= '9' }

// mkDate builds a date in China time, rejecting impossible ones (2月30日).
func refMkDate(y, m, d int) (time.Time, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, refChinaTime)
	return t, t.Day() == d
}

// recentMonthDay is the latest date with that month and day not after
// today: on 2026-11-26, 11月30日 is 2025-11-30.
func refRecentMonthDay(today time.Time, m, d int) (time.Time, bool) {
	for y := today.Year(); y >= today.Year()-4; y-- {
		t, ok := refMkDate(y, m, d)
		if !ok {
			if m == 2 && d == 29 {
				continue
			}
			return t, false
		}
		if !t.After(today) {
			return t, true
		}
	}
	return time.Time{}, false
}

func refAgo(today time.Time, k int, unit string) (time.Time, bool) {
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
func refSmallNum(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	v, ok := refParseChinese(s)
	if !ok {
		return 0
	}
	return int(v)
}

// count reads a small count: 3, 三, 两, a, a few.
func refCount(s string) int {
	s = strings.TrimSpace(s)
	words := map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
		"seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3}
	if n, ok := words[strings.Join(strings.Fields(s), " ")]; ok {
		return n
	}
	if s == "半" {
		return 0
	}
	return refSmallNum(s)
}

func refWeekday(name string) int {
	for i, p := range []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} {
		if strings.HasPrefix(name, p) {
			return i
		}
	}
	return 0
}

// role is what a date or an amount stands for.
type refRole int

const (
	refNoRole refRole = iota
	// Dates.
	refReceived // signed for, delivered, arrived
	refPaid     // paid, bought, ordered, signed up, charged
	refIncident // found the problem, broke, fell ill, closed
	// Amounts (paid is shared).
	refBalance // left on a card or account
	refOther   // a refund, compensation, an original price
)

// cue is a vocabulary that gives a role.
type refCue struct {
	refRole refRole
	re      *regexp.Regexp
}

// Date cues, on folded (lower-case) text. 到了/到的 are checked by
// arrivedOK, since 看到的, 买到了 and 没到 are not arrivals.
var refDateCues = []refCue{
	{refReceived, regexp.MustCompile(`签收|收到|收货|到货|送到|送达|寄到|拿到|取件|取到|提货|提车|交车|交付|到了|到的|` +
		`\b(?:delivered|received|arrived|arrival|signed\s+for|got\s+(?:it|them|the\s+\w+|my\s+\w+)|came|took\s+delivery|picked\s+(?:it|them)\s+up|delivery)\b`)},
	{refPaid, regexp.MustCompile(`付款|付的款|付了|付的|支付|买的|买了|买来|买回|购买|购入|入手|网购|下单|下的单|拍下|拍的|订的|订了|预订|预定|` +
		`充值|充了|充的|办卡|办的|办了|交了|交的|缴了|缴费|扣费|扣了|扣款|扣的|续费|花了|发票|开票|报名|签约|签的合同|` +
		`\b(?:paid|bought|ordered|purchased|purchase|signed\s+up|joined|booked|charged|renewed|topped\s+up|subscribed|invoiced?|spent)\b`)},
	{refIncident, regexp.MustCompile(`发现|坏了|坏掉|坏的|出问题|出了问题|出现|故障|死机|黑屏|漏水|漏电|裂了|碎了|爆炸|起火|冒烟|` +
		`吃了|吃完|吃出|喝了|喝完|生病|病了|拉肚子|腹泻|呕吐|吐了|不舒服|过敏|中毒|住院|就医|看病|受伤|烫伤|烧伤|划伤|割伤|` +
		`出事|出了事|出的事|知道|得知|注意到|意识到|跑路|关门|倒闭|停业|不营业|停课|失联|联系不上|泄露|泄漏|停止|` +
		`\b(?:broke|broken|breaks|found|discovered|noticed|reali[sz]ed|learn(?:ed|t)|got\s+sick|fell\s+ill|sick|ill|poisoned|food\s+poisoning|` +
		`vomit\w*|diarrh\w*|injured|hurt|burn(?:ed|t)|exploded|caught\s+fire|stopped|leaked|closed|shut\s+down|vanished|disappeared|happened)\b`)},
}

// Amount cues before the number ("花了300", "卡里还有3000", "paid 299").
var refAmountBeforeCues = []refCue{
	{refBalance, regexp.MustCompile(`还有|还剩|剩余|剩下|剩了|余额|卡里有|卡内|卡上有|` +
		`\b(?:balance(?:\s+of)?|remaining|still\s+(?:have|had|got)|left\s+with|unused|outstanding)\b`)},
	{refPaid, regexp.MustCompile(`花了|花费|付了|付款|支付|交了|缴了|充了|充值|充|预存|存了|买的|买了|扣了|扣费|扣款|` +
		`\b(?:paid|spent|spend|costs?|cost\s+me|charged(?:\s+me)?|price\s+(?:was|is)|bought|deposit(?:\s+of)?|top(?:ped)?\s+up|put|loaded)\b`)},
	{refOther, regexp.MustCompile(`退了|退回|退款|退我|退给|赔了|赔偿|赔|原价|标价|差价|罚款|` +
		`\b(?:refund(?:ed)?(?:\s+of|\s+me)?|compensat\w*|original(?:ly)?|list\s+price|fine)\b`)},
}

// Amount cues after the number ("300块买的", "3000 left"), past its unit.
const refAfterUnit = `^\s*(?:元|块钱|块|圆|rmb|yuan|cny|kuai)?\s*(?:左右|多)?\s*`

var refAmountAfterCues = []refCue{
	{refBalance, regexp.MustCompile(refAfterUnit + `(?:没用|未用|没花|没消费|未消费|没有用|还没用|` +
		`(?:left|remaining|unused|still\s+(?:left|on|in)))`)},
	{refPaid, regexp.MustCompile(refAfterUnit + `(?:买的|买了|买来|付的|充的|办的)`)},
}

// sellerGotReturnRe, right after a received cue, means the seller received
// the user's return (商家签收了退货, received my return): not the user's
// own receipt.
var refSellerGotReturnRe = regexp.MustCompile(`^(?:了|的)?\s*(?:我的|我)?\s*(?:退货|退回|退件|退的货)|^\s+(?:my|the|our)\s+return`)

// notArrived are characters before 到了/到的 that make it something else:
// 看到的 (saw), 买到了 (got hold of), 没到 (not arrived).
const refNotArrived = "看想找遇听得做感受达提见吃买迟等直没不未来回走跑拿收送寄"

var refNegationRe = regexp.MustCompile(`(?:没|没有|未|不|别)\s*$|\b(?:not|never|no|yet\s+to)\s+(?:yet\s+|been\s+|even\s+)?$|n't\s+(?:yet\s+|been\s+|even\s+)?$`)

// negated reports a negation just before pos: 没收到, hasn't arrived.
func refNegated(s string, pos int) bool {
	return refNegationRe.MatchString(s[max(0, pos-14):pos])
}

// isBoundary reports whether the rune at i ends a clause. Commas and full
// stops between digits (2,999, 11.20) do not.
func refIsBoundary(s string, i int) bool {
	switch s[i] {
	case '!', '?', ';', '\n':
		return true
	case ',', '.':
		return !(i > 0 && refIsDigitByte(s[i-1]) && i+1 < len(s) && refIsDigitByte(s[i+1]))
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return strings.ContainsRune("。！？；…", r)
}

// clause returns the bounds of the clause around [pos, end).
func refClause(s string, pos, end int) (int, int) {
	start := pos
	for start > 0 {
		_, size := utf8.DecodeLastRuneInString(s[:start])
		if refIsBoundary(s, start-size) {
			break
		}
		start -= size
	}
	stop := end
	for stop < len(s) && !refIsBoundary(s, stop) {
		_, size := utf8.DecodeRuneInString(s[stop:])
		stop += size
	}
	return start, stop
}

func refRunes(s string) int { return utf8.RuneCountInString(s) }

// nearestCue returns the role of the cue nearest to [pos, end) within
// [lo, hi), looking both ways; a tie goes to the cue after (Chinese puts
// the verb after the time: 11月24日签收).
func refNearestCue(s string, pos, end, lo, hi int, cues []refCue) refRole {
	best, bestDist := refNoRole, -1
	for _, c := range cues {
		for _, m := range c.re.FindAllStringIndex(s[lo:hi], -1) {
			a, b := lo+m[0], lo+m[1]
			if b > pos && a < end {
				continue
			}
			if refNegated(s, a) || !refArrivedOK(s, a, b) || (c.refRole == refReceived && refSellerGotReturnRe.MatchString(s[b:])) {
				continue
			}
			var d int
			if b <= pos {
				d = 2*refRunes(s[b:pos]) + 1
			} else {
				d = 2 * refRunes(s[end:a])
			}
			if bestDist < 0 || d < bestDist {
				best, bestDist = c.refRole, d
			}
		}
	}
	return best
}

// arrivedOK rejects 到了/到的 after a verb that makes it mean something
// else.
func refArrivedOK(s string, a, b int) bool {
	m := s[a:b]
	if m != "到了" && m != "到的" {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:a])
	return a == 0 || !strings.ContainsRune(refNotArrived, prev)
}

// amountRole is the role of the amount whose number is s[pos:end]; lo and
// hi bound the text it may look at (its clause, cut at the neighbouring
// amounts).
func refAmountRole(s string, pos, end, lo, hi int) refRole {
	best, bestDist := refNoRole, -1
	before := s[lo:pos]
	for _, c := range refAmountBeforeCues {
		for _, m := range c.re.FindAllStringIndex(before, -1) {
			a, b := lo+m[0], lo+m[1]
			if refNegated(s, a) {
				continue
			}
			if d := refRunes(s[b:pos]); bestDist < 0 || d < bestDist {
				best, bestDist = c.refRole, d
			}
		}
	}
	after := s[end:hi]
	for _, c := range refAmountAfterCues {

		if c.re.MatchString(after) && (bestDist < 0 || bestDist > 0) {
			best, bestDist = c.refRole, 0
		}
	}
	return best
}
