package extract

import "testing"

// BenchmarkFacts: one op is one description, cycling through every
// description of the corpus (mostly the classifier's messages, as users
// write them).
func BenchmarkFacts(b *testing.B) {
	texts := corpus(b)
	now := diffNows[0]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Facts(texts[i%len(texts)], now)
		i++
	}
}

// BenchmarkFactsReference is the same over the frozen reference, for the
// before/after comparison in one run.
func BenchmarkFactsReference(b *testing.B) {
	texts := corpus(b)
	now := diffNows[0]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		refFacts(texts[i%len(texts)], now)
		i++
	}
}
