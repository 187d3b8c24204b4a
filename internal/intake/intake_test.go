package intake

import (
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
