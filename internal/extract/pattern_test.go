package extract

import (
	"slices"
	"testing"
)

// patternTexts are folded corpus and generated texts, plus windows cut at
// arbitrary bytes as hurt and negated cut them.
func patternTexts(t testing.TB) []string {
	texts := corpus(t)
	texts = append(texts, generated(texts, 3000)...)
	var out []string
	for i, s := range texts {
		f := fold(s)
		out = append(out, s, f)
		if len(f) > 3 {
			out = append(out, f[i%3:], f[:len(f)-i%4])
		}
	}
	return out
}

// checkPattern compares a pattern's answers with Go's matcher alone.
func checkPattern(t *testing.T, p *pattern, s string) {
	t.Helper()
	if got, want := p.MatchString(s), p.re.MatchString(s); got != want {
		t.Fatalf("%s\nMatchString(%q) = %v, regexp says %v", p.re, s, got, want)
	}
	if got, want := p.FindStringIndex(s), p.re.FindStringIndex(s); !slices.Equal(got, want) {
		t.Fatalf("%s\nFindStringIndex(%q) = %v, regexp says %v", p.re, s, got, want)
	}
	got, want := p.FindAllStringIndex(s, -1), p.re.FindAllStringIndex(s, -1)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("%s\nFindAllStringIndex(%q) = %v, regexp says %v", p.re, s, got, want)
	}
	gotSub, wantSub := p.FindAllStringSubmatchIndex(s, -1), p.re.FindAllStringSubmatchIndex(s, -1)
	if !slices.EqualFunc(gotSub, wantSub, slices.Equal) {
		t.Fatalf("%s\nFindAllStringSubmatchIndex(%q) = %v, regexp says %v", p.re, s, gotSub, wantSub)
	}
}

// TestPatterns: the cheap conditions and the scanner never change what a
// pattern finds.
func TestPatterns(t *testing.T) {
	scanned := 0
	for _, p := range patterns {
		if p.sc != nil {
			scanned++
		}
	}
	t.Logf("%d of %d patterns have a scanner", scanned, len(patterns))
	// Go's matcher is the slow part: a sample of the texts in each
	// pattern (a different sample for each), FuzzPatterns for the rest.
	texts := patternTexts(t)
	step := 8
	if testing.Short() {
		step = 32
	}
	if underRace {
		step = 128
	}
	for i, p := range patterns {
		for j := i % step; j < len(texts); j += step {
			checkPattern(t, p, texts[j])
		}
	}
}

// FuzzPatterns: the same on any text, for every pattern.
func FuzzPatterns(f *testing.F) {
	for _, s := range append(append(append([]string{}, diffAmounts...), diffDates...), diffOthers...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range patterns {
			checkPattern(t, p, s)
		}
	})
}
