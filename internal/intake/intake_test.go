package intake

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDescribe(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC) }
	d, err := New(now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text     string
		category string
		facts    map[string]string
	}{
		{"pdd买的空气炸锅用了三天就坏了商家让我找厂家", "quality_defect", map[string]string{"platform": "pinduoduo", "merchant_said": "go_to_manufacturer"}},
		{"The hotpot place won't let me order unless I log in with WeChat", "personal_info", nil},
		{"健身房跑路了卡里还有3000", "service_refund", map[string]string{"balance": "3000.00"}},
		{"昨天在超市买的牛奶过期了", "food_safety", map[string]string{"paid_date": "2026-11-25"}},
		{"淘宝买的衣服7天无理由退货商家不给退", "return_refused", map[string]string{"platform": "taobao"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			p, ok := d.Describe(tt.text)
			if !ok || p.Category != tt.category {
				t.Fatalf("got %q (%v), want %q", p.Category, ok, tt.category)
			}
			for k, v := range tt.facts {
				if p.Facts[k] != v {
					t.Errorf("fact %s = %q, want %q (all: %v)", k, p.Facts[k], v, p.Facts)
				}
			}
		})
	}
	for _, text := range []string{"", "   ", "我老板拖欠工资三个月"} {
		if p, ok := d.Describe(text); ok {
			t.Errorf("%q proposed %q; want the menu", text, p.Category)
		}
	}
	// A pasted wall of text is cut, not refused, and takes no special path.
	if _, ok := d.Describe(strings.Repeat("商家不给退款", 5000)); !ok {
		t.Error("a long description was not understood")
	}
}

func TestOffers(t *testing.T) {
	tests := []struct {
		name   string
		scores map[string]float64
		want   []string
	}{
		{"likely and well ahead", map[string]float64{"quality_defect": 0.7, "return_refused": 0.25, "unknown": 0.05}, []string{"quality_defect"}},
		{"sure", map[string]float64{"food_safety": 0.9, "quality_defect": 0.05, "unknown": 0.05}, []string{"food_safety"}},
		{"likely but the runner-up is close", map[string]float64{"quality_defect": 0.61, "return_refused": 0.37, "unknown": 0.02}, []string{"quality_defect", "return_refused"}},
		{"top two close", map[string]float64{"quality_defect": 0.35, "return_refused": 0.34, "unknown": 0.22, "food_safety": 0.05}, []string{"quality_defect", "return_refused"}},
		{"three close", map[string]float64{"quality_defect": 0.3, "return_refused": 0.25, "false_advertising": 0.2, "unfair_terms": 0.15, "unknown": 0.1}, []string{"quality_defect", "return_refused", "false_advertising"}},
		{"low, the rest far behind", map[string]float64{"personal_info": 0.56, "unfair_terms": 0.07, "unknown": 0.35}, []string{"personal_info"}},
		{"a runner-up far behind is not offered", map[string]float64{"personal_info": 0.5, "unfair_terms": 0.12, "unknown": 0.38}, []string{"personal_info"}},
		{"nothing over the floor", map[string]float64{"personal_info": 0.05, "unknown": 0.95}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Offers(tt.scores); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// An unsure description offers its best guesses, best first.
func TestDescribeUnsure(t *testing.T) {
	d, err := New(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := d.Describe("买的东西有问题")
	if !ok {
		t.Fatal("not understood")
	}
	if len(p.Alternatives) == 0 {
		t.Skipf("the classifier is sure about a vague text now (%s %.2f); nothing to check", p.Category, p.Confidence)
	}
	offers := p.Offers()
	if !slices.Contains(offers, "quality_defect") || !slices.Contains(offers, "return_refused") {
		t.Errorf("offers %v, want quality_defect and return_refused among them", offers)
	}
}
