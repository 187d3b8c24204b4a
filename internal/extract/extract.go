package extract

import (
	"maps"
	"strings"
	"time"
	"unicode"
)

// Fact names. Dialog trees rely on exactly these keys and values.
const (
	Platform = "platform"
	// Amount is the money paid; Balance the money left on a card or
	// account (卡里还有3000).
	Amount  = "amount"
	Balance = "balance"
	// ReceivedDate: signed for, delivered, arrived. PaidDate: paid,
	// bought, ordered, signed up, charged. IncidentDate: the problem was
	// found, the thing broke, someone fell ill, the business closed.
	ReceivedDate = "received_date"
	PaidDate     = "paid_date"
	IncidentDate = "incident_date"
	// Date is the one date mentioned when the text does not say what it
	// is; never set when the text mentions two dates.
	Date         = "date"
	Subject      = "subject"
	Channel      = "channel"
	MerchantSaid = "merchant_said"
	Foreigner    = "foreigner"
	Hurt         = "hurt"
	// Closure is "vanished" when the business closed and the owner is gone
	// (跑路, 卷款, vanished): the value service_refund's closure question
	// sets for that answer.
	Closure = "closure"
)

// China has had no daylight saving time since 1991.
var chinaTime = time.FixedZone("CST", 8*3600)

// Facts returns the facts found in text; a fact that is not clearly present
// is absent from the map. now is the current time (any zone); relative
// dates are resolved against the calendar day of now in China time, and a
// date after that day is never returned.
func Facts(text string, now time.Time) map[string]string {
	s := fold(text)
	out := map[string]string{}
	p := platform(s)
	if p != "" {
		out[Platform] = p
	}
	amt, bal, spans := amounts(s)
	if amt != "" {
		out[Amount] = amt
	}
	if bal != "" {
		out[Balance] = bal
	}
	maps.Copy(out, dates(s, now, spans))
	if v := subject(s); v != "" {
		out[Subject] = v
	}
	if v := channel(s, p); v != "" {
		out[Channel] = v
	}
	if v := merchantSaid(s); v != "" {
		out[MerchantSaid] = v
	}
	if foreignerRe.MatchString(s) {
		out[Foreigner] = "yes"
	}
	if hurt(s) {
		out[Hurt] = "yes"
	}
	if vanishedRe.MatchString(s) {
		out[Closure] = "vanished"
	}
	return out
}

// fold maps full-width ASCII to half-width, the ideographic space to a
// space, ￥ to ¥, curly apostrophes to ' and everything to lower case.
func fold(s string) string {
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
type rule struct {
	value string
	re    *pattern
}

// Latin abbreviations need word boundaries; Go's \b is ASCII-only, which is
// what we want here (a Han character next to "pdd" counts as a boundary).
var platformRules = []rule{
	{"tmall_global", mustPattern(`天猫国际|tmall\s*global|天猫海外`)},
	{"tmall", mustPattern(`天猫|某猫|\btmall\b`)},
	{"taobao", mustPattern(`淘宝|某宝|\btaobao\b|\btb\b`)},
	{"jd", mustPattern(`京东|狗东|某东|\bjd\b|jd\.com|\bjingdong\b`)},
	{"pinduoduo", mustPattern(`拼多多|拼夕夕|并夕夕|多多买菜|\bpdd\b|\bpinduoduo\b`)},
	{"meituan", mustPattern(`美团|某团|\bmeituan\b|\bmt\b`)},
	{"eleme", mustPattern(`饿了么|饿了吗|饿么|\beleme\b|ele\.me|\belm\b`)},
	{"douyin", mustPattern(`抖音|某音|\bdouyin\b|\btiktok\b|\bdy\b`)},
	{"kuaishou", mustPattern(`快手|\bkuaishou\b|\bks\b`)},
	{"xianyu", mustPattern(`闲鱼|咸鱼|\bxianyu\b|idle\s*fish`)},
	{"xiaohongshu", mustPattern(`小红书|小红薯|\bxhs\b|\bxiaohongshu\b|\brednote\b|red\s*note`)},
	{"dianping", mustPattern(`大众点评|\bdianping\b`)},
	{"ctrip", mustPattern(`携程|\bctrip\b|trip\.com`)},
	{"wechat", mustPattern(`微商|朋友圈|微信(?:上|里|群)?(?:买|卖|代购|下单|的?卖家|的?商家|小店|商城)|` +
		`(?:wechat|weixin)\s*(?:seller|shop|store|vendor|merchant|moments|daigou|group)|` +
		`(?:bought|buy|ordered|purchased)\b[^.!?]{0,40}\b(?:on|via|through|from|in)\s+(?:a\s+)?(?:wechat|weixin)\b`)},
	{"other_online", mustPattern(`唯品会|苏宁易购|得物|当当|亚马逊|去哪儿|飞猪|考拉海购|1688|盒马|叮咚买菜|转转|微店|视频号|` +
		`\b(?:amazon|qunar|fliggy|dewu|vipshop|aliexpress|hema|dingdong)\b|` +
		`网购|网店|网上买|网上购|网上下单|电商|购物网站|购物app|(?:online\s+(?:shop|store|order|purchase)|bought\s+(?:it\s+)?online|ordered\s+(?:it\s+)?online)`)},
}

// platform returns the platform mentioned first in s.
func platform(s string) string {
	best, bestPos := "", len(s)+1
	for _, r := range platformRules {
		if loc := r.re.FindStringIndex(s); loc != nil {
			if loc[0] < bestPos || (loc[0] == bestPos && best == "other_online") {
				best, bestPos = r.value, loc[0]
			}
		}
	}
	return best
}

var (
	goodsRe = mustPattern(`买的|买了|购买|商品|货|快递|包裹|收到|产品|退货|换货|手机|电脑|衣服|裤子|鞋|包包|家电|冰箱|空调|洗衣机|` +
		`电视|耳机|化妆品|面膜|奶粉|零食|牛奶|面包|食品|外卖|家具|沙发|床垫|汽车|新车|电动车|三包|保修|质量|` +
		`\b(?:bought|item|items|product|products|goods|parcel|package|shipped|delivery|delivered|phone|laptop|shoes|dress|jacket|` +
		`fridge|appliance|warranty|defective|faulty|broken|counterfeit|fake|expired|takeaway|takeout|snacks?|milk|bread)\b`)
	serviceRe = mustPattern(`健身|课|培训|教育|机构|酒店|民宿|旅行|旅游|跟团|机票|门票|理发|美发|美容|美甲|按摩|足疗|` +
		`会员卡|储值卡|预付卡|办卡|办了?.{0,2}卡|办的卡|充值|充了|餐厅|饭店|吃饭|服务|驾校|婚纱|摄影|家政|装修|租车|月子|托管|演唱会|航班|` +
		`\b(?:gym|course|courses|class|classes|lessons?|training|school|hotel|homestay|tour|travel|flight|ticket|salon|spa|massage|` +
		`membership|prepaid|restaurant|service|booking|booked|subscription|tutoring|agency)\b`)
)

// subject says whether the dispute is about goods or a service, by which
// vocabulary dominates; a tie means "cannot tell".
func subject(s string) string {
	g := len(goodsRe.FindAllStringIndex(s, -1))
	v := len(serviceRe.FindAllStringIndex(s, -1))
	switch {
	case g > v:
		return "goods"
	case v > g:
		return "service"
	}
	return ""
}

var (
	onlineRe = mustPattern(`网购|网上|网店|线上|快递|物流|包裹|直播间|下单|发货|小程序|app|电商|外卖|` +
		`\b(?:online|website|app|parcel|package|shipped|shipping|courier|livestream|delivered|e-?commerce)\b`)
	offlineRe = mustPattern(`店里|门店|实体店|线下|商场|超市|专柜|柜台|到店|现场|餐厅|饭店|店员|营业厅|` +
		`\b(?:in\s+(?:the\s+)?(?:store|shop|person)|at\s+the\s+(?:store|shop|counter|mall)|mall|supermarket|restaurant|cashier|offline)\b`)
)

// channel: a named platform means online; otherwise whichever vocabulary
// dominates.
func channel(s, platform string) string {
	if platform != "" {
		return "online"
	}
	on := len(onlineRe.FindAllStringIndex(s, -1))
	off := len(offlineRe.FindAllStringIndex(s, -1))
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
var merchantRules = []rule{
	{"final_interpretation", mustPattern(`解释权|final\s+(?:right\s+of\s+)?interpretation|right\s+of\s+(?:final\s+)?interpretation|interpretation\s+rights?`)},
	{"sale_no_return", mustPattern(`(?:特价|活动价?|打折|折扣|促销|清仓|秒杀|优惠)(?:商品|的|品|款|价)?[^，。,.!！?？]{0,6}(?:不退|不能退|不给退|不支持退|不退换|概不退)|` +
		`清仓.{0,4}概不退换|` +
		`(?:sale|clearance|promotion(?:al)?|discounted)\s+(?:items?|goods|products?)?\s*(?:are\s+|is\s+)?(?:non[- ]?returnable|final|can'?t\s+be\s+returned|cannot\s+be\s+returned|not\s+returnable)|` +
		`(?:bought|purchased)\s+on\s+(?:sale|promotion)[^.]{0,30}(?:can'?t|cannot|won'?t|not)\s+(?:be\s+)?return|final\s+sale|all\s+sales?\s+(?:are\s+)?final`)},
	{"opened_no_return", mustPattern(`(?:拆|开封|拆封|开箱|激活|试穿|穿过|用过|使用过|吊牌剪)[^，。,.!！?？]{0,8}(?:不能退|不退|不给退|不可以退|没法退|无法退|不支持退)|` +
		`(?:opened|unsealed|unboxed|activated|tried\s+(?:it|them)\s+on|removed\s+the\s+tag|tag\s+was\s+removed|shrink\s*wrap)[^.]{0,40}(?:can'?t|cannot|won'?t|not|no)\s+(?:be\s+)?(?:return|refund)|` +
		`(?:can'?t|cannot|won'?t|no)\s+(?:be\s+)?returns?\w*\s+(?:because|since|as)\s+(?:i|it|the\s+\w+|they)\s+(?:was\s+|were\s+|had\s+been\s+)?(?:opened|unsealed|used|activated)`)},
	{"go_to_manufacturer", mustPattern(`找厂家|找厂商|找生产厂家|联系厂家|找品牌|联系品牌|找官方售后|找售后|去售后|寄回厂家|找原厂|厂家售后|让我找官方|` +
		`(?:contact|call|go\s+to|deal\s+with|ask|talk\s+to)\s+(?:the\s+)?(?:manufacturer|factory|brand|maker|service\s+cent(?:er|re)|official\s+store)|` +
		`manufacturer'?s?\s+(?:hotline|problem|responsibility)|send\s+it\s+to\s+the\s+factory`)},
	{"blame_platform", mustPattern(`找平台|平台的问题|平台的责任|让我问平台|去问平台|跟平台|联系平台|` +
		`(?:contact|ask|blame[sd]?|go\s+to|take\s+it\s+up\s+with)\s+(?:the\s+)?platform|platform'?s\s+(?:problem|fault|responsibility)`)},
	{"ignored", mustPattern(`不理|没人理|已读不回|不回复|不回消息|不回我|没回复|没有回复|联系不上|拉黑|失联|电话打不通|找不到人|人间蒸发|` +
		`ignor(?:e|es|ed|ing)\s+(?:me|my)|no\s+(?:reply|response|answer)|(?:won'?t|doesn'?t|didn'?t|never|stopped)\s+(?:reply|respond|answer)(?:ing)?|` +
		`blocked\s+me|stopped\s+replying|unreachable|ghosted|left\s+me\s+on\s+read`)},
	{"refused_refund", mustPattern(`(?:退|refund|return)[^。.!！?？]{0,20}(?:拒绝|驳回|被拒|reject)|不给退|不退|不肯退|拒绝退|不同意退|退款被拒|退货被拒|退款申请被驳回|被驳回|拒绝了我的退|概不退|不予退|不能退|不让退|` +
		`refus(?:e|es|ed)\s+(?:to\s+)?(?:give\s+(?:me\s+)?(?:a\s+|my\s+)?)?(?:refund|return|money)|won'?t\s+(?:give\s+(?:me\s+)?(?:a\s+|my\s+)?)?(?:refund|return|take\s+(?:it\s+)?back)|` +
		`no\s+refunds?|(?:refund|return)\s+(?:request\s+)?(?:was\s+)?(?:denied|rejected|refused|declined)|(?:denied|rejected|declined)\s+my\s+(?:refund|return)|non[- ]?refundable|` +
		`(?:can'?t|cannot)\s+(?:be\s+)?(?:refunded|returned)`)},
}

func merchantSaid(s string) string {
	for _, r := range merchantRules {
		if r.re.MatchString(s) {
			return r.value
		}
	}
	return ""
}

var foreignerRe = mustPattern(`外国人|老外|外籍|护照|外国游客|留学生|` +
	`\b(?:foreigner|foreign(?:er)?s?|expat|expats|tourist|tourists|passport|laowai|not\s+(?:a\s+)?chinese|non-chinese|foreign\s+national)\b|` +
	`(?:don'?t|do\s+not|can'?t)\s+(?:speak|read)\s+chinese`)

var (
	hurtRe = mustPattern(`拉肚子|腹泻|食物中毒|中毒|住院|医院|就医|急诊|看病|受伤|烫伤|烧伤|灼伤|划伤|割伤|割破|骨折|流血|出血|` +
		`过敏|起疹子|呕吐|吐了|上吐下泻|肚子疼|肚子痛|胃疼|胃痛|发烧|头晕|晕倒|触电|炸伤|牙.{0,2}(?:坏|崩|断|裂)|` +
		`\b(?:injur(?:y|ed|ies)|hurt|burn(?:ed|t|s)?|hospital(?:ised|ized)?|food\s+poisoning|poisoned|diarrh(?:o)?ea|vomit(?:ed|ing)?|threw\s+up|` +
		`allergic|allergy|rash|bleeding|stomach\s*(?:ache|cramps?|pain)|cramps|fever|sick|ill|emergency\s+room|norovirus|` +
		`cracked\s+(?:a|my)\s+tooth|electric\s+shock|cut\s+(?:my|his|her)|broke\s+(?:my|his|her)\s+(?:arm|leg|tooth|finger))\b`)
	hurtNegRe = mustPattern(`宠物医院|宠物|兽医|pet\s+hospital|\bvet\b|差点|险些|差一点|几乎|almost|nearly|could\s+have|sick\s+of|sick\s+and\s+tired`)
)

// hurt reports an illness or injury, ignoring near misses ("差点受伤") and
// idioms ("sick of").
func hurt(s string) bool {
	for _, loc := range hurtRe.FindAllStringIndex(s, -1) {
		start := max(0, loc[0]-15)
		window := s[start:min(len(s), loc[1]+10)]
		if hurtNegRe.MatchString(window) {
			continue
		}
		return true
	}
	return false
}

// vanishedRe: the business shut and the owner is gone with the money. A
// plain 关门 or "closed down" could also be an announced closure or a move,
// so it is not enough.
var vanishedRe = mustPattern(`跑路|卷款|卷钱|携款|人去楼空|人间蒸发|(?:老板娘?|店主|商家)(?:已经|都|也)?(?:跑了|失联|联系不上)|联系不上老板|找不到老板|突然关门|` +
	`\b(?:vanished|disappeared|ran\s+(?:off|away)|skipped\s+town|absconded|fled|did\s+a\s+runner|done\s+a\s+runner|` +
	`(?:closed|shut)\s+(?:down\s+)?(?:overnight|suddenly|without\s+(?:notice|warning|a\s+word)))\b|` +
	`\bowner\s+(?:is\s+|has\s+)?(?:gone|missing|unreachable)\b`)
