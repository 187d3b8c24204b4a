package law

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/disputebot/disputebot/dialogs"
)

// FuzzLoad: the law registry loader never panics, names the file in every
// problem, and a registry it accepts without problems cites every entry
// in both languages. Seeds: the shipped registry, and
// testdata/fuzz/FuzzLoad (null entries, defect 2 of issue 11).
func FuzzLoad(f *testing.F) {
	// The shipped registry is too large to mutate quickly (20 ms a run);
	// its first statutes and laws stand in for it.
	shipped, err := dialogs.FS.ReadFile("laws.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(excerpt(shipped, 40))
	f.Add([]byte(registry))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, probs := Load(fstest.MapFS{"laws.yaml": {Data: data}}, "laws.yaml")
		for _, p := range probs {
			if p.File != "laws.yaml" || p.Line <= 0 || p.Msg == "" {
				t.Fatalf("problem without its file: %q", p.String())
			}
		}
		if r == nil {
			if len(probs) == 0 {
				t.Fatal("no registry and no problem")
			}
			return
		}
		for id, s := range r.Statutes {
			if s == nil {
				t.Fatalf("nil statute %q kept", id)
			}
		}
		for id, e := range r.Entries {
			if e == nil {
				t.Fatalf("nil law %q kept", id)
			}
			if len(probs) > 0 {
				continue
			}
			for _, lang := range []string{"zh", "en"} {
				if _, ok := r.Cite(id, lang); !ok {
					t.Fatalf("accepted law %q cannot be cited", id)
				}
				if _, ok := r.ShortCites([]string{id}, lang); !ok {
					t.Fatalf("accepted law %q cannot be short-cited", id)
				}
			}
		}
	})
}

// excerpt keeps the first n lines of each section of a registry file.
func excerpt(data []byte, n int) []byte {
	var out []string
	kept := 0
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" && line[0] != ' ' && line[0] != '#' {
			kept = 0 // a section starts
		}
		if kept < n {
			out = append(out, line)
		}
		kept++
	}
	return []byte(strings.Join(out, "\n"))
}
