package extract

import (
	"io/fs"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/dialogs"
	classifydata "github.com/disputebot/disputebot/dialogs/classify"
)

// The differential test is the safety net of the speed work (issue 10):
// Facts must return exactly what the frozen reference (reference_test.go)
// returns, on every real description we have and on many generated ones.

// diffNows are the days relative dates are resolved against: an ordinary
// Thursday, a leap day, New Year's day (last year's dates), a month end,
// a Sunday and a Monday (week arithmetic), late evening UTC (already the
// next day in China).
var diffNows = []time.Time{
	time.Date(2026, 11, 26, 10, 0, 0, 0, chinaTime),
	time.Date(2024, 2, 29, 9, 0, 0, 0, chinaTime),
	time.Date(2026, 1, 1, 8, 0, 0, 0, chinaTime),
	time.Date(2026, 3, 31, 23, 0, 0, 0, chinaTime),
	time.Date(2026, 11, 29, 12, 0, 0, 0, chinaTime),
	time.Date(2026, 11, 30, 12, 0, 0, 0, chinaTime),
	time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC),
}

// corpus returns every description the repository holds: the classifier's
// training and evaluation messages, the dialog test cases' names and typed
// answers, and this package's own test texts.
func corpus(t testing.TB) []string {
	t.Helper()
	var out []string
	names, err := fs.Glob(classifydata.FS, "*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatalf("classify data: %v (%d files)", err, len(names))
	}
	for _, name := range names {
		b, err := fs.ReadFile(classifydata.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		// A node walk, not a map: a category may appear twice in a file.
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.SequenceNode {
				for _, m := range n.Content {
					if m.Kind == yaml.ScalarNode {
						out = append(out, m.Value)
					}
				}
				return
			}
			for _, m := range n.Content {
				walk(m)
			}
		}
		walk(&doc)
	}
	tests, err := fs.Glob(dialogs.FS, "*.test.yaml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("dialog tests: %v (%d files)", err, len(tests))
	}
	for _, name := range tests {
		b, err := fs.ReadFile(dialogs.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Cases []struct {
				Name  string
				Steps []struct{ Text string }
			}
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range doc.Cases {
			out = append(out, c.Name)
			for _, s := range c.Steps {
				if s.Text != "" {
					out = append(out, s.Text)
				}
			}
		}
	}
	for _, c := range factsCases {
		out = append(out, c.text)
	}
	if len(out) < 4000 {
		t.Fatalf("corpus has only %d texts: has the data moved?", len(out))
	}
	return out
}

// Fragments the generator combines: every amount, date and cue form the
// extractor knows, near misses, and the characters its scanners care about.
var (
	diffAmounts = []string{
		"¥299", "￥１９９", "¥ 1,299.50", "rmb 300", "RMB299", "cny 45", "人民币3000", "299元", "三百块", "两千五块钱", "1.5万元",
		"3k", "3k元", "2w", "5w块", "299 yuan", "450rmb", "80 kuai", "12 quai", "99.9元", "一万二", "三百五", "一千零五", "一点五万",
		"花了2000", "花费三千", "付了800", "付款 99", "支付了1200", "交了两千五", "缴了600", "充了5000", "充值了3000", "充300",
		"预存了2000", "存了1000", "卡里还有3000", "卡里还剩一万二", "余额还有500", "余额还剩200", "余额800", "还剩3000", "还有一些",
		"剩余2000", "剩下了1500", "退了100块", "赔了500", "paid 299", "spent 1,500", "costs 80", "cost me 450", "charged me 99",
		"price was 120", "refund of 300", "deposit of 1000", "balance of 800", "topped up 500", "top up 200", "still have 2000",
		"still had 300", "remaining 400", "left with 600", "3000 left", "2 left", "200 remaining", "3000元没用", "500块左右买的",
		"300多元买的", "200块买的", "一块塑料", "两块钱", "一块钱", "三块", "10块蛋糕", "5块电池", "原价999元", "标价199",
		"差价50元", "罚款200", "compensation of 500", "originally 999", "list price 1999", "fine of 200", "9999999999999999999999元",
		"0元", "0.5元", "1,000,000元", "12,34元", "3天", "5个", "2次", "3件", "100%", "8折", "2倍", "5kg", "3 days", "2 pieces",
		"64gb", "5000mah", "¥", "元", "块", "花了我300", "充了一次", "卡内还有2000", "卡上有800", "unused 300", "outstanding 1200",
	}
	diffDates = []string{
		"2026-11-20", "2026/11/20", "2026.11.20", "2026年11月20日", "2026 年 11 月 20 号", "2025-2-29", "2024-02-29", "2026-13-01",
		"11月20日", "11月20号", "十一月二十日", "11 月 20 日", "11月份20号", "今年3月5日", "去年11月11日", "前年6月1号", "2月30日",
		"上个月3号", "上上个月15日", "这个月1号", "本月20日", "上月31号", "3号", "28号", "三十一号", "5号线", "3号楼", "十五号",
		"11.20", "11/20", "20/11", "1.5", "3.15那天", "11.20元", "1.5kg", "12.5万", "¥11.20", "11.20.30", "3/4/5",
		"双十一", "双11", "去年双十一", "今年双12", "双十二",
		"大前天", "前天", "昨天", "昨日", "昨晚", "昨儿", "今天", "今日", "今早", "今晚", "今儿", "今天早上",
		"the day before yesterday", "yesterday", "today", "this morning", "this afternoon", "this evening", "tonight",
		"earlier today", "last night", "三天前", "3天前", "两周前", "一个星期前", "两个礼拜以前", "三个月之前", "半个月前",
		"十天前", "一个月前", "3 days ago", "a week ago", "two weeks ago", "a couple of days ago", "a few days ago",
		"couple of weeks ago", "an month ago", "six months ago", "ten days ago", "1 day ago",
		"上周五", "上上周一", "周五", "星期三", "礼拜天", "这周二", "本周日", "这个星期六", "上个礼拜四", "每周一", "一周一次",
		"两周三", "last friday", "this friday", "on monday", "past tuesday", "wednesday", "sat", "last sat", "on sun",
		"black friday", "cyber monday", "thursday", "this sunday", "last thurs",
		"nov 20", "Nov 20, 2025", "november 3rd", "sept 1", "dec. 24", "jan 31 2026", "feb 29", "20 nov", "20th of november",
		"1st of march, 2026", "3rd jan", "may 5", "mar 32", "oct 10th",
	}
	diffCues = []string{
		"签收", "收到", "收货", "到货", "送到", "送达", "寄到", "拿到", "取件", "到了", "到的", "看到的", "买到了", "没到", "没收到",
		"还没收到", "delivered", "received", "arrived", "signed for", "got it", "got my phone", "came", "took delivery",
		"picked it up", "delivery", "hasn't arrived", "not yet delivered", "never received",
		"付款", "付了", "支付", "买的", "买了", "购买", "入手", "网购", "下单", "拍下", "订的", "预订", "充值", "办卡", "办了",
		"交了", "缴费", "扣费", "续费", "花了", "发票", "报名", "签约", "paid", "bought", "ordered", "purchased", "signed up",
		"joined", "booked", "charged", "renewed", "topped up", "subscribed", "invoice", "spent",
		"发现", "坏了", "出问题", "故障", "死机", "漏水", "碎了", "爆炸", "吃了", "喝了", "生病", "拉肚子", "不舒服", "过敏", "中毒",
		"住院", "受伤", "烫伤", "出事", "知道", "得知", "跑路", "关门", "倒闭", "停业", "不营业", "失联", "联系不上", "泄露",
		"broke", "broken", "found", "discovered", "noticed", "realised", "learned", "got sick", "fell ill", "sick", "poisoned",
		"vomited", "injured", "hurt", "burnt", "exploded", "caught fire", "stopped", "leaked", "closed", "shut down", "vanished",
		"happened", "商家签收了退货", "received my return", "退货", "不是", "没有", "未", "别", "not", "never", "yet to", "didn't",
	}
	diffOthers = []string{
		"淘宝", "某宝", "tb", "tmall", "天猫国际", "tmall global", "京东", "jd.com", "jd", "pdd", "拼多多", "美团", "mt", "饿了么",
		"ele.me", "elm", "抖音", "tiktok", "dy", "快手", "ks", "闲鱼", "idle fish", "小红书", "red note", "xhs", "大众点评",
		"携程", "trip.com", "微商", "朋友圈", "微信上买", "微信群卖家", "wechat seller", "bought it on wechat",
		"ordered a bag via a weixin", "唯品会", "amazon", "1688", "网购", "online store", "bought it online", "ordered online",
		"手机", "衣服", "快递", "外卖", "phone", "laptop", "snack", "snacks", "健身", "课", "办了张卡", "办卡", "办的卡", "会员卡",
		"gym", "lessons", "hotel", "massage", "subscription", "网上", "线上", "app", "小程序", "online", "website", "courier",
		"e-commerce", "ecommerce", "店里", "门店", "线下", "商场", "in the store", "in person", "at the mall", "mall", "offline",
		"解释权", "final interpretation", "特价不退", "促销的款不支持退", "清仓概不退换", "sale items are non-returnable",
		"final sale", "all sales are final", "bought on sale so it can't be returned", "拆了就不能退", "开封后不退",
		"opened so it cannot be returned", "can't return because it was opened", "找厂家", "找售后",
		"contact the manufacturer", "go to the service centre", "找平台", "blame the platform", "platform's fault",
		"已读不回", "不理我", "拉黑", "ignored me", "no reply", "won't respond", "ghosted", "left me on read",
		"退款被拒", "不给退", "申请退款被驳回", "refused to refund", "won't give me a refund", "no refunds",
		"refund request was denied", "rejected my return", "non-refundable", "can't be refunded",
		"外国人", "老外", "护照", "foreigner", "expat", "tourist", "passport", "not chinese", "don't speak chinese",
		"can't read chinese", "foreign national", "拉肚子", "住院", "医院", "宠物医院", "差点受伤", "几乎过敏", "牙齿崩了",
		"牙崩了", "injured", "hospitalized", "food poisoning", "threw up", "stomach ache", "sick of", "sick and tired",
		"pet hospital", "vet", "nearly burned", "cracked my tooth", "cut my hand", "broke my arm", "ill",
		"跑路", "卷款", "老板跑了", "老板娘已经失联", "店主联系不上", "联系不上老板", "突然关门", "vanished", "ran off",
		"skipped town", "closed overnight", "shut down without notice", "owner is gone", "owner has missing",
		"我", "的", "了", "，", "。", ",", ".", "!", "?", "；", "…", " ", "\n", "  ", "ａｂｃ", "ＰＤＤ", "‘", "’", "don’t",
		"Ⅻ", "İ", "\x7f", "\xff", "é", "ß", "ǅ", "K", "Ω",
	}
	diffSeps = []string{"", "", " ", "，", ", ", "。", ". ", "、", "\n", "!"}
)

// generated returns n texts: random runs of fragments, some spliced into
// corpus texts, some upper-cased or in full-width.
func generated(texts []string, n int) []string {
	r := rand.New(rand.NewPCG(10, 2026))
	pools := [][]string{diffAmounts, diffDates, diffCues, diffOthers, texts}
	pick := func(p []string) string { return p[r.IntN(len(p))] }
	out := make([]string, 0, n)
	for range n {
		var b strings.Builder
		for k := 1 + r.IntN(6); k > 0; k-- {
			b.WriteString(pick(pools[r.IntN(len(pools))]))
			b.WriteString(pick(diffSeps))
		}
		s := b.String()
		switch r.IntN(8) {
		case 0:
			s = strings.ToUpper(s)
		case 1:
			s = fullWidth(s)
		case 2:
			// Splice into a real description at a random rune.
			t := []rune(pick(texts))
			i := r.IntN(len(t) + 1)
			s = string(t[:i]) + s + string(t[i:])
		case 3:
			// Cut at a random byte: broken UTF-8 and half patterns.
			s = s[:r.IntN(len(s)+1)]
		}
		out = append(out, s)
	}
	return out
}

// fullWidth writes ASCII as its full-width forms, as some keyboards do.
func fullWidth(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == ' ':
			c = 0x3000
		case c > ' ' && c < 0x7f:
			c += 0xFEE0
		}
		b.WriteRune(c)
	}
	return b.String()
}

func TestFactsMatchReference(t *testing.T) {
	texts := corpus(t)
	nGen, nows := 8000, diffNows
	if testing.Short() || underRace {
		nGen, nows = 1000, diffNows[:2]
	}
	gen := generated(texts, nGen)
	diffs := 0
	check := func(text string, now time.Time) {
		want := refFacts(text, now)
		if got := Facts(text, now); !maps.Equal(got, want) {
			diffs++
			if diffs <= 20 {
				t.Errorf("Facts(%q, %s)\n got %v\nwant %v (reference)", text, now.Format(time.RFC3339), got, want)
			}
		}
	}
	every := 1
	if underRace {
		every = 8 // a sample: the reference is slow under the race detector
	}
	for i, text := range texts {
		if i%every != 0 {
			continue
		}
		for _, now := range nows[:2] {
			check(text, now)
		}
	}
	for i, text := range gen {
		check(text, nows[i%len(nows)])
	}
	if diffs > 0 {
		t.Errorf("%d of %d texts differ from the reference", diffs, 2*len(texts)+len(gen))
	}
}

// FuzzFactsReference: any text gives exactly the reference's facts.
func FuzzFactsReference(f *testing.F) {
	for _, s := range append(append(append([]string{}, diffAmounts...), diffDates...), diffOthers[:40]...) {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, day uint8) {
		now := diffNows[int(day)%len(diffNows)]
		if got, want := Facts(text, now), refFacts(text, now); !maps.Equal(got, want) {
			t.Fatalf("Facts(%q, %s)\n got %v\nwant %v (reference)", text, now.Format(time.RFC3339), got, want)
		}
	})
}
