package law

import (
	"testing"
	"testing/fstest"
)

const registry = `statutes:
  cpl: { name: { zh: 《消费者权益保护法》, en: Consumer Rights and Interests Protection Law }, short: { zh: 消保法, en: CPL }, source: x }
  ir: { name: { zh: 《实施条例》, en: Implementing Regulation }, short: { zh: 实施条例, en: IR }, source: x }
laws:
  cpl_24: { statute: cpl, article: { zh: 第24条, en: Art. 24 }, says: { zh: 甲, en: a }, source: x }
  cpl_25: { statute: cpl, article: { zh: 第25条, en: Art. 25 }, says: { zh: 乙, en: b }, source: x }
  ir_19: { statute: ir, article: { zh: 第19条, en: Art. 19 }, says: { zh: 丙, en: c }, source: x }
  cpl_13_15: { statute: cpl, article: { zh: 第13-15条, en: Arts. 13-15 }, says: { zh: 丁, en: d }, source: x }
`

func TestCites(t *testing.T) {
	r, probs := Load(fstest.MapFS{"laws.yaml": {Data: []byte(registry)}}, "laws.yaml")
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	tests := []struct {
		ids  []string
		lang string
		want string
	}{
		{[]string{"cpl_25"}, "en", "CPL Art. 25"},
		{[]string{"cpl_24", "cpl_25", "ir_19"}, "en", "CPL Arts. 24, 25; IR Art. 19"},
		{[]string{"cpl_24", "cpl_25", "ir_19"}, "zh", "消保法第24条、第25条；实施条例第19条"},
		{[]string{"cpl_13_15", "cpl_24"}, "en", "CPL Arts. 13-15, 24"},
	}
	for _, tt := range tests {
		got, ok := r.ShortCites(tt.ids, tt.lang)
		if !ok || got != tt.want {
			t.Errorf("%v %s: got %q, want %q", tt.ids, tt.lang, got, tt.want)
		}
	}
	if _, ok := r.ShortCites([]string{"nope"}, "en"); ok {
		t.Error("unknown id accepted")
	}
	if c, _ := r.Cite("cpl_25", "zh"); c != "《消费者权益保护法》第25条" {
		t.Errorf("Cite zh = %q", c)
	}
	if _, probs := Load(fstest.MapFS{"laws.yaml": {Data: []byte("laws:\n  x: { statute: nope, article: { zh: a, en: a }, says: { zh: a, en: a }, source: s }\n")}}, "laws.yaml"); len(probs) != 1 {
		t.Errorf("unknown statute not reported: %v", probs)
	}
}

// TestLoadNullEntries: an entry with no body (a key and nothing after it)
// is a problem at its line, not a panic.
func TestLoadNullEntries(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
	}{
		{"null statute", "statutes:\n 00:\n", 2},
		{"null law", "laws:\n x:\n", 2},
		{"null law among good ones", registry + "  broken:\n", 9},
		{"null statute used by a law", "statutes:\n cpl:\nlaws:\n  x: { statute: cpl, article: { zh: a, en: a }, says: { zh: a, en: a }, source: s }\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Load(fstest.MapFS{"laws.yaml": {Data: []byte(tt.data)}}, "laws.yaml")
			if len(probs) == 0 {
				t.Fatal("no problem reported")
			}
			found := false
			for _, p := range probs {
				if p.File != "laws.yaml" || p.Line == 0 {
					t.Errorf("problem without file:line: %v", p)
				}
				found = found || p.Line == tt.line
			}
			if !found {
				t.Errorf("no problem at line %d: %v", tt.line, probs)
			}
		})
	}
}
