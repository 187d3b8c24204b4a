package classify

import (
	"math"
	"slices"
	"testing"
)

// FuzzClassify: any text gets one of the categories, a confidence in
// [0,1] and scores over every category summing to 1. Seeds:
// testdata/fuzz/FuzzClassify.
func FuzzClassify(f *testing.F) {
	m, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"网上买的手机坏了，商家不给退", "the restaurant forces me to log in with WeChat to order", "", "你好", "\x00\x7f", "ａｂｃ１２３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r := m.Classify(text)
		if !slices.Contains(Categories, r.Category) {
			t.Fatalf("category %q", r.Category)
		}
		if math.IsNaN(r.Confidence) || r.Confidence < 0 || r.Confidence > 1 {
			t.Fatalf("confidence %v", r.Confidence)
		}
		sum := 0.0
		for _, p := range r.Scores {
			if math.IsNaN(p) || p < 0 {
				t.Fatalf("score %v", p)
			}
			sum += p
		}
		if math.Abs(sum-1) > 1e-6 || len(r.Scores) != len(Categories) {
			t.Fatalf("scores %v sum to %v", r.Scores, sum)
		}
	})
}
