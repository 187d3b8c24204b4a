package redisstore

import "testing"

// BenchmarkEncode and BenchmarkDecode: the session of a full
// consultation, as every update saves and loads it.
func BenchmarkEncode(b *testing.B) {
	s := consultation()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encode(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	data, err := encode(consultation())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
