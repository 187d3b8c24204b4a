package summary

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name, in, want string
		gone           []string
	}{
		{"mobile", "call me on 13812345678", "call me on 138****5678", []string{"13812345678"}},
		{"mobile with +86 and spaces", "电话 +86 138 1234 5678 谢谢", "电话 138****5678 谢谢", []string{"1234 5678"}},
		{"mobile in chinese text", "我的手机号是15912345678。", "我的手机号是159****5678。", []string{"15912345678"}},
		{"mobile with +86 and no space", "+8613812345678", "138****5678", []string{"12345678"}},
		{"mobile with 86", "86 13812345678", "138****5678", []string{"12345678"}},
		{"mobile with 0086 and spaces", "0086 138 1234 5678", "138****5678", []string{"1234 5678"}},
		{"mobile after letters", "tel13812345678", "tel138****5678", []string{"12345678"}},
		{"mobile inside a long order number untouched", "order 2026113812345678901234", "order 2026113812345678901234", nil},
		{"id number", "身份证110101199003071234", "身份证110***********1234", []string{"199003071234"}},
		{"id number with X", "ID 11010119900307123X ok", "ID 110***********123X ok", []string{"19900307123X"}},
		{"bank card grouped", "card 6222 0212 3456 7890", "card **** **** **** 7890", []string{"0212"}},
		{"bank card 19 digits", "卡号6222021234567890123", "卡号**** **** **** 0123", []string{"62220212345678"}},
		{"email", "write to li.wei@example.com", "write to l***@example.com", []string{"li.wei"}},
		{"chinese passport", "passport E12345678", "passport E****5678", []string{"E12345678"}},
		{"foreign passport", "护照 GB1234567", "护照 G****4567", []string{"GB1234567"}},
		{"amounts and dates untouched", "paid ¥299 on 2026-11-20, order 12345", "paid ¥299 on 2026-11-20, order 12345", nil},
		{"landline untouched", "010-12321", "010-12321", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Mask(tt.in)
			if got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
			for _, g := range tt.gone {
				if strings.Contains(got, g) {
					t.Errorf("%q leaks %q", got, g)
				}
			}
		})
	}
}
