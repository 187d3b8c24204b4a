package classify

import (
	"math"
	"sync"
	"testing"
)

var (
	modelOnce sync.Once
	model     *Model
	modelErr  error
)

func testModel(t testing.TB) *Model {
	t.Helper()
	modelOnce.Do(func() { model, modelErr = Load() })
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	return model
}

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"ＰＤＤ买的", "pdd买的"},
		{"退款！！", "退款!!"}, {"好，行。", "好,行 "},
		{"￥２９９", "¥299"},
		{"買東西", "买东西"},
		{"Hello　World", "hello world"},
	}
	for _, c := range cases {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFeaturesAliases(t *testing.T) {
	// A platform nickname must produce the features of the usual name.
	a := features("pdd买的空气炸锅")
	b := features("拼多多买的空气炸锅")
	c := features("拼夕夕买的空气炸锅")
	shared := func(x, y []uint64) int {
		m := map[uint64]bool{}
		for _, h := range x {
			m[h] = true
		}
		n := 0
		for _, h := range y {
			if m[h] {
				n++
			}
		}
		return n
	}
	if got := shared(a, b); got < len(b)-1 {
		t.Errorf("pdd vs 拼多多 share %d of %d features", got, len(b))
	}
	if got := shared(b, c); got != len(b) {
		t.Errorf("拼夕夕 vs 拼多多 share %d of %d features", got, len(b))
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{
		"refunds": "refund", "refunded": "refund", "charging": "charg",
		"replies": "reply", "boxes": "box", "glass": "glass", "bus": "bus",
	}
	for in, want := range cases {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassifyExamples(t *testing.T) {
	m := testModel(t)
	cases := []struct{ text, want string }{
		{"pdd买的空气炸锅用了三天就坏了商家让我找厂家", QualityDefect},
		{"The hotpot place won't let me order unless I log in with WeChat", PersonalInfo},
		{"健身房跑路了卡里还有3000", ServiceRefund},
		{"help", Unknown},
		{"商家太坑了", Unknown},
		{"", Unknown},
		{"zzzzqqqq", Unknown},
		// The failures named in issue 9.
		{"火锅吃出一团头发", FoodSafety},
		{"写着100%桑蚕丝被，拆开是化纤棉", FalseAdvertising},
		{"早教中心跑路了，孩子的卡里都还有钱", ServiceRefund},
		{"how do I change the delivery address in the Ele.me app", Unknown},
	}
	for _, c := range cases {
		r := m.Classify(c.text)
		if r.Category != c.want {
			t.Errorf("Classify(%q) = %s (%.2f), want %s", c.text, r.Category, r.Confidence, c.want)
		}
		if r.Confidence < 0 || r.Confidence > 1 || math.IsNaN(r.Confidence) {
			t.Errorf("Classify(%q) confidence %v out of [0,1]", c.text, r.Confidence)
		}
		var sum float64
		for _, p := range r.Scores {
			sum += p
		}
		if math.Abs(sum-1) > 1e-6 || len(r.Scores) != len(Categories) {
			t.Errorf("Classify(%q) scores %v do not form a distribution", c.text, r.Scores)
		}
	}
}

func TestTrainRejectsBadData(t *testing.T) {
	if _, err := ParseExamples([]byte("bogus:\n  - hi\n")); err == nil {
		t.Error("unknown category accepted")
	}
	if _, err := ParseExamples([]byte("- a\n- b\n")); err == nil {
		t.Error("top-level list accepted")
	}
	if _, err := Train([]Example{{"hi", Unknown}}, TrainOptions{}); err == nil {
		t.Error("training without every category accepted")
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	m := testModel(b)
	msgs := []string{
		"pdd买的空气炸锅用了三天就坏了商家让我找厂家",
		"The hotpot place won't let me order unless I log in with WeChat",
		"健身房跑路了卡里还有3000",
		"买的衣服size不对, seller说特价商品no return",
	}
	i := 0
	for b.Loop() {
		m.Classify(msgs[i%len(msgs)])
		i++
	}
}

// TestTooShortIsNeverADispute: a word of assent, a number, an emoji or a
// greeting is not a dispute description, whatever the model would say.
func TestTooShortIsNeverADispute(t *testing.T) {
	m := testModel(t)
	short := []string{
		"是", "对", "好的", "好", "不是", "嗯嗯", "是的是的", "yes", "Yes!", "no", "ok", "OK", "okay",
		"1000", "１０００", "2", "¥200", "👍", "😭😭", "🙏", "hi", "Hi there", "hello", "help", "help me",
		"你好", "您好", "在吗", "谢谢", "thanks", "退款", "假货", "坑", "…", "", "   ",
	}
	for _, s := range short {
		t.Run(s, func(t *testing.T) {
			r := m.Classify(s)
			if r.Category != Unknown || !r.TooShort {
				t.Errorf("Classify(%q) = %s (%.2f), TooShort %v; want Unknown, TooShort", s, r.Category, r.Confidence, r.TooShort)
			}
			for c, p := range r.Scores {
				if c != Unknown && p > 0.05 {
					t.Errorf("Classify(%q) gives %s %.2f", s, c, p)
				}
			}
		})
	}
	long := []string{"健身房跑路了", "fake airpods", "假货怎么办", "火锅吃出一团头发", "refund refused", "外卖有虫"}
	for _, s := range long {
		if tooThin(s) {
			t.Errorf("%q counted as too short (signal %d)", s, signal(s))
		}
	}
}
