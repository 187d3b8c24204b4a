package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestClassifyCommand(t *testing.T) {
	in := strings.Join([]string{
		"pdd买的空气炸锅用了三天就坏了商家让我找厂家",
		"",
		"The hotpot place won't let me order unless I log in with WeChat",
		"   ",
		"健身房跑路了, still have 3000 kuai on my card",
		"hello",
	}, "\n") + "\n"
	var out, errb bytes.Buffer
	if code := run([]string{"classify"}, strings.NewReader(in), &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	want := []struct {
		category string
		facts    map[string]string
	}{
		{"quality_defect", map[string]string{"platform": "pinduoduo", "merchant_said": "go_to_manufacturer"}},
		{"personal_info", map[string]string{}},
		// 3000 is what is left on the card, not what was paid.
		{"service_refund", map[string]string{"balance": "3000.00", "amount": "", "closure": "vanished"}},
		{"unknown", map[string]string{}},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, line := range lines {
		var got struct {
			Category   string            `json:"category"`
			Confidence *float64          `json:"confidence"`
			Facts      map[string]string `json:"facts"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d %q: %v", i, line, err)
		}
		if got.Category != want[i].category {
			t.Errorf("line %d: category %q, want %q", i, got.Category, want[i].category)
		}
		if got.Confidence == nil || *got.Confidence < 0 || *got.Confidence > 1 {
			t.Errorf("line %d: bad confidence in %s", i, line)
		} else if c := *got.Confidence * 100; c != float64(int(c+0.5)) && c != float64(int(c)) {
			t.Errorf("line %d: confidence %v not rounded to 2 decimals", i, *got.Confidence)
		}
		if got.Facts == nil {
			t.Errorf("line %d: facts missing or null: %s", i, line)
		}
		for k, v := range want[i].facts {
			if got.Facts[k] != v {
				t.Errorf("line %d: fact %s = %q, want %q (%s)", i, k, got.Facts[k], v, line)
			}
		}
	}
	if !strings.Contains(lines[1], `"facts":{}`) {
		t.Errorf("empty facts should be {}: %s", lines[1])
	}
}

func TestClassifyCommandLongLine(t *testing.T) {
	long := strings.Repeat("商家不给退款", 64<<10/len("商家不给退款"))
	long += strings.Repeat("a", 64<<10-len(long)) // exactly 64 KiB
	var out, errb bytes.Buffer
	if code := run([]string{"classify"}, strings.NewReader(long+"\nhi\n"), &out, &errb); code != 0 {
		t.Fatalf("exit %d for a %d-byte line, stderr %q", code, len(long), errb.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Errorf("got %d output lines, want 2", n)
	}
}

// A line past the 64 KiB limit is cut, not fatal, and the next line is
// still answered.
func TestClassifyOverlongLine(t *testing.T) {
	in := strings.Repeat("商家不给退款", 20000) + "\n淘宝买的鞋子坏了\n"
	var out, errb bytes.Buffer
	if code := run([]string{"classify"}, strings.NewReader(in), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 {
		t.Fatalf("want 2 answers, got %d: %s", len(lines), out.String())
	}
}
