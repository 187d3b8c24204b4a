package classify

import (
	"strings"
	"unicode"
)

// Normalize folds text to the form the model sees: full-width ASCII to
// half-width, ideographic space to space, common traditional characters to
// simplified ones, Chinese punctuation to spaces, and everything to lower
// case. It is exported so that other code (and tests) can compare messages
// the way the classifier does.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		return ' '
	case r == '￥':
		return '¥'
	}
	if s, ok := tradToSimp[r]; ok {
		return s
	}
	if strings.ContainsRune(cjkPunct, r) {
		return ' '
	}
	return unicode.ToLower(r)
}

// cjkPunct are punctuation marks that carry no meaning for classification.
const cjkPunct = "。，、；：？！“”（）【】《》〈〉「」『』…—～·﹏"

// tradToSimp covers traditional characters common in complaints written by
// users from Hong Kong, Taiwan or with a traditional input method. It is
// deliberately small: unknown characters are still seen as unigrams.
var tradToSimp = map[rune]rune{}

func init() {
	const pairs = "買买賣卖貨货錢钱費费還还壞坏機机電电號号個个說说讓让廠厂團团寶宝東东換换質质" +
		"點点歡欢務务單单據据網网購购實实與与對对時时間间會会這这裡里裏里麼么們们嗎吗發发" +
		"過过後后給给絕绝處处理理門门場场務务戶户頭头關关註注銷销範范圍围價价優优惠惠經经" +
		"營营辦办卡卡員员館馆飯饭菜菜餐餐廳厅過过期期變变質质蟲虫頭头髮发壓压傷伤醫医院院" +
		"騙骗假假廣广告告虛虚宣宣傳传銷销售售維维修修換换貨货寄寄遞递車车鍋锅視视聽听燈灯" +
		"試试題题話话區区條条導导師师課课體体健健閉闭跑跑訂订預预額额餘余剩剩紅红書书飲饮" +
		"擇择選选强强制制隱隐私私資资訊讯簡简訊讯擾扰騷骚漏漏聯联繫系碼码掃扫"
	rs := []rune(pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		if rs[i] != rs[i+1] {
			tradToSimp[rs[i]] = rs[i+1]
		}
	}
}

// aliases maps Latin-script platform names and nicknames to the Chinese name
// used in most training examples, so "pdd买的" and "拼多多买的" look alike.
var aliases = map[string]string{
	"pdd": "拼多多", "pinduoduo": "拼多多", "temu": "拼多多",
	"tb": "淘宝", "taobao": "淘宝",
	"tmall": "天猫", "tm": "天猫",
	"jd": "京东", "jingdong": "京东",
	"mt": "美团", "meituan": "美团",
	"elm": "饿了么", "eleme": "饿了么",
	"dy": "抖音", "douyin": "抖音", "tiktok": "抖音",
	"ks": "快手", "kuaishou": "快手",
	"xhs": "小红书", "xiaohongshu": "小红书", "rednote": "小红书",
	"xianyu": "闲鱼",
	"wx":     "微信", "vx": "微信", "weixin": "微信", "wechat": "微信",
	"ctrip": "携程", "dianping": "大众点评",
}

// hanAliases rewrites Chinese nicknames to the usual name before n-grams are
// taken. Longer keys first matter only when one is a prefix of another.
var hanAliases = strings.NewReplacer(
	"拼夕夕", "拼多多", "并夕夕", "拼多多", "拼dd", "拼多多",
	"某宝", "淘宝", "某猫", "天猫", "某东", "京东", "狗东", "京东",
	"某团", "美团", "饿么", "饿了么", "某音", "抖音", "某手", "快手",
	"某书", "小红书", "小红薯", "小红书",
	"某鱼", "闲鱼", "咸鱼", "闲鱼", "某程", "携程", "点评网", "大众点评",
)
