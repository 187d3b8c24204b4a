package extract

import (
	"maps"
	"testing"
	"time"
)

// now is Thursday 2026-11-26, 10:00 in Beijing.
var now = time.Date(2026, 11, 26, 10, 0, 0, 0, chinaTime)

type F = map[string]string

// factsCases are the expected facts of hand-picked texts; the
// differential test reuses their texts.
var factsCases = []struct {
	text string
	want F
}{
	// The examples from the brief.
	{"pdd买的空气炸锅用了三天就坏了商家让我找厂家",
		F{Platform: "pinduoduo", Subject: "goods", Channel: "online", MerchantSaid: "go_to_manufacturer"}},
	{"The hotpot place won't let me order unless I log in with WeChat", F{}},
	{"健身房跑路了卡里还有3000", F{Balance: "3000.00", Subject: "service", Closure: "vanished"}},

	// Platforms.
	{"淘宝买的裙子", F{Platform: "taobao", Subject: "goods", Channel: "online"}},
	{"在tb上下单", F{Platform: "taobao", Channel: "online"}},
	{"天猫旗舰店", F{Platform: "tmall", Channel: "online"}},
	{"天猫国际买的面霜不给退", F{Platform: "tmall_global", Subject: "goods", Channel: "online", MerchantSaid: "refused_refund"}},
	{"bought it on Tmall Global", F{Platform: "tmall_global", Subject: "goods", Channel: "online"}},
	{"京东自营的冰箱", F{Platform: "jd", Subject: "goods", Channel: "online"}},
	{"ordered from JD last week", F{Platform: "jd", Channel: "online"}},
	{"拼夕夕上的东西能信吗", F{Platform: "pinduoduo", Channel: "online"}},
	{"美团外卖吃出头发", F{Platform: "meituan", Subject: "goods", Channel: "online"}},
	{"mt点的外卖", F{Platform: "meituan", Subject: "goods", Channel: "online"}},
	{"饿了么点的奶茶", F{Platform: "eleme", Channel: "online"}},
	{"elm的骑手", F{Platform: "eleme", Channel: "online"}},
	{"抖音直播间买的", F{Platform: "douyin", Subject: "goods", Channel: "online"}},
	{"dy上看到的广告", F{Platform: "douyin", Channel: "online"}},
	{"快手小店", F{Platform: "kuaishou", Channel: "online"}},
	{"闲鱼卖家说售出不退", F{Platform: "xianyu", Channel: "online", MerchantSaid: "refused_refund"}},
	{"朋友圈微商卖的面膜", F{Platform: "wechat", Subject: "goods", Channel: "online"}},
	{"bought a bag from a wechat seller", F{Platform: "wechat", Subject: "goods", Channel: "online"}},
	{"小红书种草买的", F{Platform: "xiaohongshu", Subject: "goods", Channel: "online"}},
	{"大众点评上团购的火锅券", F{Platform: "dianping", Channel: "online"}},
	{"携程订的酒店", F{Platform: "ctrip", Subject: "service", Channel: "online"}},
	{"booked on ctrip", F{Platform: "ctrip", Subject: "service", Channel: "online"}},
	{"唯品会买的鞋", F{Platform: "other_online", Subject: "goods", Channel: "online"}},
	{"网购的衣服", F{Platform: "other_online", Subject: "goods", Channel: "online"}},

	// Amounts.
	{"花了¥299", F{Amount: "299.00"}},
	{"花了299元", F{Amount: "299.00"}},
	{"花了三百块买的", F{Amount: "300.00", Subject: "goods"}},
	{"交了两千五的学费", F{Amount: "2500.00"}},
	{"装修花了1.5万", F{Amount: "15000.00", Subject: "service"}},
	{"I paid 299 yuan", F{Amount: "299.00"}},
	{"it was RMB 299", F{Amount: "299.00"}},
	{"cost me 450 rmb", F{Amount: "450.00"}},
	{"美容院卡里还剩一万二", F{Balance: "12000.00", Subject: "service"}},
	{"充了5000，现在店关了", F{Amount: "5000.00", Subject: "service"}},
	{"价格是99.9元", F{Amount: "99.90"}},
	{"咬到一块塑料", F{}},
	{"一共3件衣服", F{Subject: "goods"}},
	{"花了3天才送到", F{}},
	{"原价999元，我花了599元买的", F{Amount: "599.00", Subject: "goods"}},
	{"退了100块，我付了800块", F{Amount: "800.00"}},
	{"paid 2,999 for a phone", F{Amount: "2999.00", Subject: "goods"}},
	{"卡里还有3k", F{Balance: "3000.00"}},

	// Dates.
	{"昨天买的", F{PaidDate: "2026-11-25", Subject: "goods"}},
	{"前天去的餐厅", F{Date: "2026-11-24", Subject: "service", Channel: "offline"}},
	{"今天收到货", F{ReceivedDate: "2026-11-26", Subject: "goods"}},
	{"上周五办的卡", F{PaidDate: "2026-11-20", Subject: "service"}},
	{"周五出的事", F{IncidentDate: "2026-11-20"}},
	{"上个月3号", F{Date: "2026-10-03"}},
	{"11月20日下单的", F{PaidDate: "2026-11-20", Channel: "online"}},
	{"11月30日买的", F{PaidDate: "2025-11-30", Subject: "goods"}},
	{"11.20那天", F{Date: "2026-11-20"}},
	{"2026-11-20", F{Date: "2026-11-20"}},
	{"2026年11月20日", F{Date: "2026-11-20"}},
	{"预约在2026年12月5日", F{}},
	{"yesterday the kettle broke", F{IncidentDate: "2026-11-25"}},
	{"last Tuesday", F{Date: "2026-11-24"}},
	{"on Nov 20", F{Date: "2026-11-20"}},
	{"on the 20th of November", F{Date: "2026-11-20"}},
	{"3 days ago", F{Date: "2026-11-23"}},
	{"三天前", F{Date: "2026-11-23"}},
	{"两周前", F{Date: "2026-11-12"}},
	{"a week ago", F{Date: "2026-11-19"}},
	{"3号那天", F{Date: "2026-11-03"}},
	{"28号", F{Date: "2026-10-28"}},
	{"坐5号线去的", F{}},
	{"去年双十一买的", F{PaidDate: "2025-11-11", Subject: "goods"}},
	{"11/20 ordered online", F{PaidDate: "2026-11-20", Channel: "online", Platform: "other_online"}},
	{"价格11.20元", F{Amount: "11.20"}},

	// Amounts by role: paid, left on a card, or neither.
	{"办卡充了5000，现在卡里还剩3000", F{Amount: "5000.00", Balance: "3000.00", Subject: "service"}},
	{"充了5000还剩3000", F{Amount: "5000.00", Balance: "3000.00", Subject: "service"}},
	{"卡里还有3000没用", F{Balance: "3000.00"}},
	{"I have 3000 left on my gym card", F{Balance: "3000.00", Subject: "service"}},
	{"balance of 800 yuan", F{Balance: "800.00"}},
	{"paid 300 for the course, 200 remaining", F{Amount: "300.00", Balance: "200.00", Subject: "service"}},
	{"衣服199元，鞋子299元", F{Subject: "goods"}},
	{"花了200元，又花了300元", F{}},
	{"商家说要退我50元，我花了200元", F{Amount: "200.00"}},
	{"原价999元，现价599元", F{Amount: "599.00"}},
	{"三百块买的", F{Amount: "300.00", Subject: "goods"}},
	{"还有一些问题", F{}},
	{"only 2 left in stock", F{}},

	// Dates by role; two dates never give a plain date.
	{"淘宝买的衣服11月10日下单，11月24日签收，商家不给七天无理由退货",
		F{Platform: "taobao", Subject: "goods", Channel: "online", PaidDate: "2026-11-10", ReceivedDate: "2026-11-24"}},
	{"淘宝买的衣服11月20日签收，商家不给七天无理由退货", F{Platform: "taobao", Subject: "goods", Channel: "online", ReceivedDate: "2026-11-20"}},
	{"11月10日下单11月24日签收", F{Channel: "online", PaidDate: "2026-11-10", ReceivedDate: "2026-11-24"}},
	{"ordered on Nov 10 and it was delivered on Nov 24", F{Channel: "online", Subject: "goods", PaidDate: "2026-11-10", ReceivedDate: "2026-11-24"}},
	{"11月10日，11月24日签收", F{ReceivedDate: "2026-11-24"}},
	{"11月10日和11月20日", F{}},
	{"11月3日去了一次，11月20日又去了", F{}},
	{"on Nov 10, and again on Nov 20", F{}},
	{"11月10日买的，11月12日又买了一件", F{Subject: "goods"}},
	{"11月20日签收的", F{ReceivedDate: "2026-11-20"}},
	{"商家11月20日签收了退货，一直不退款", F{Date: "2026-11-20", MerchantSaid: "refused_refund", Subject: "goods"}},
	{"the seller received my return on Nov 20", F{Date: "2026-11-20"}},
	{"11月1日开始上课", F{Date: "2026-11-01", Subject: "service"}},
	{"I received it on Nov 20", F{ReceivedDate: "2026-11-20"}},
	{"signed for the parcel on Nov 20, signed up for the gym on Nov 1", F{Channel: "online", ReceivedDate: "2026-11-20", PaidDate: "2026-11-01"}},
	{"还没收到，11月20日下单的", F{Channel: "online", Subject: "goods", PaidDate: "2026-11-20"}},
	{"hasn't arrived yet, ordered 3 days ago", F{PaidDate: "2026-11-23"}},
	{"昨天看到的广告", F{Date: "2026-11-25"}},
	{"上周五吃的火锅，昨天开始拉肚子", F{Hurt: "yes", IncidentDate: "2026-11-25"}},
	{"上周三办的卡，昨天发现健身房关门了", F{Subject: "service", PaidDate: "2026-11-18", IncidentDate: "2026-11-25"}},
	{"11月1日付了3600，11月20日开始就不营业了", F{Amount: "3600.00", PaidDate: "2026-11-01", IncidentDate: "2026-11-20"}},
	{"the gym closed on Nov 20, I paid 3600 on Aug 1", F{Amount: "3600.00", Subject: "service", PaidDate: "2026-08-01", IncidentDate: "2026-11-20"}},
	{"今天收到货，今天就坏了", F{Subject: "goods", ReceivedDate: "2026-11-26", IncidentDate: "2026-11-26"}},
	{"昨天买的充电宝爆炸把手烫伤了", F{Hurt: "yes", Subject: "goods", PaidDate: "2026-11-25"}},
	{"昨天充电宝爆炸把手烫伤了", F{Hurt: "yes", IncidentDate: "2026-11-25"}},
	{"11月20日知道信息泄露了", F{IncidentDate: "2026-11-20"}},
	{"my parcel hasn't arrived, I paid 80 yuan on Nov 2", F{Amount: "80.00", Channel: "online", Subject: "goods", PaidDate: "2026-11-02"}},

	// The business vanished.
	{"老板卷款跑了", F{Closure: "vanished"}},
	{"美容院老板娘跑了，我卡里还有一万二", F{Closure: "vanished", Balance: "12000.00", Subject: "service"}},
	{"the salon owner vanished with our money", F{Closure: "vanished", Subject: "service"}},
	{"the gym closed down", F{Subject: "service"}},

	// Merchant said.
	{"衣服特价不退", F{Subject: "goods", MerchantSaid: "sale_no_return"}},
	{"商家说拆了就不能退", F{MerchantSaid: "opened_no_return"}},
	{"客服已读不回", F{MerchantSaid: "ignored"}},
	{"商家一直不理我", F{MerchantSaid: "ignored"}},
	{"卖家让我找平台", F{MerchantSaid: "blame_platform"}},
	{"最终解释权归商家所有", F{MerchantSaid: "final_interpretation"}},
	{"they say sale items are non-returnable", F{Subject: "goods", MerchantSaid: "sale_no_return"}},
	{"the seller refuses to refund", F{MerchantSaid: "refused_refund"}},
	{"the seller said contact the manufacturer", F{MerchantSaid: "go_to_manufacturer"}},
	{"she blocked me after I paid", F{MerchantSaid: "ignored"}},
	{"return rejected because I opened the box, they say it can't be returned", F{MerchantSaid: "opened_no_return"}},

	// Channel.
	{"在门店买的手机", F{Subject: "goods", Channel: "offline"}},
	{"bought it in the store", F{Subject: "goods", Channel: "offline"}},
	{"快递送来就是坏的", F{Subject: "goods", Channel: "online"}},

	// Foreigner, hurt.
	{"我是外国人，没有中国手机号", F{Foreigner: "yes", Subject: "goods"}},
	{"I'm an expat and don't speak Chinese", F{Foreigner: "yes"}},
	{"as a tourist with only a passport", F{Foreigner: "yes"}},
	{"吃完拉肚子住院了", F{Hurt: "yes"}},
	{"got food poisoning from the takeaway", F{Hurt: "yes", Subject: "goods"}},
	{"充电宝爆炸把手烫伤了", F{Hurt: "yes"}},
	{"差点受伤", F{}},
	{"I'm sick of this shop", F{}},
	{"宠物医院给狗打针", F{}},
	{"aged pu'er tea", F{}},
	{"any deals for black friday", F{}},
	{"pdd买的拖把点了退货退款，商家直接拒绝了", F{Platform: "pinduoduo", Subject: "goods", Channel: "online", MerchantSaid: "refused_refund"}},

	// Mixed and typos.
	{"ＰＤＤ买的鞋子，花了￥１９９，昨天到的", F{Platform: "pinduoduo", Amount: "199.00", ReceivedDate: "2026-11-25", Subject: "goods", Channel: "online"}},
	{"tb seller 不理我 paid 350 rmb last friday", F{Platform: "taobao", Amount: "350.00", PaidDate: "2026-11-20", Channel: "online", MerchantSaid: "ignored"}},
	{"健身房gym跑路 still have 2000 kuai on the card", F{Balance: "2000.00", Subject: "service", Closure: "vanished"}},
	{"", F{}},
}

func TestFacts(t *testing.T) {
	for _, c := range factsCases {
		got := Facts(c.text, now)
		if !maps.Equal(got, c.want) {
			t.Errorf("Facts(%q)\n got %v\nwant %v", c.text, got, c.want)
		}
	}
}

func TestFactsTimeZone(t *testing.T) {
	// 20:00 UTC on the 25th is already the 26th in Beijing.
	utc := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	if got := Facts("今天买的", utc)[PaidDate]; got != "2026-11-26" {
		t.Errorf("今天 at %v = %s, want 2026-11-26", utc, got)
	}
}

func TestParseChinese(t *testing.T) {
	cases := map[string]float64{
		"三百": 300, "两千五": 2500, "一万二": 12000, "三百五": 350, "十五": 15, "二十": 20,
		"一千零五": 1005, "一点五万": 15000, "两": 2, "九十九": 99, "一百二十": 120, "三万": 30000,
	}
	for in, want := range cases {
		if got, ok := parseChinese(in); !ok || got != want {
			t.Errorf("parseChinese(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
}
