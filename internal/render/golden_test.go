package render_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/disputebot/disputebot/bot"
	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/source"
	"github.com/disputebot/disputebot/internal/summary"
	"github.com/disputebot/disputebot/locales"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// loadReal loads the shipped dialogs with every program key declared.
func loadReal(t testing.TB) (*dialog.Bundle, *render.Renderer) {
	t.Helper()
	b, probs := dialog.Load(dialogs.FS, locales.FS, append(render.Keys(), bot.Keys()...))
	if len(probs) > 0 {
		t.Fatalf("dialogs do not load:\n%v", source.Error(probs))
	}
	r, err := render.New(locales.FS, b.Laws)
	if err != nil {
		t.Fatal(err)
	}
	return b, r
}

// TestDialogCases runs every dialog test case, renders every reply the bot
// gave in both languages (a missing message fails here), and compares each
// reached outcome with its golden file, so reviewers read exactly what
// users will see.
func TestDialogCases(t *testing.T) {
	b, r := loadReal(t)
	results, probs := dialog.RunCases(b, dialogs.FS)
	for _, p := range probs {
		t.Error(p)
	}
	if len(results) == 0 {
		t.Fatal("no dialog test cases found")
	}
	seen := map[string]bool{}
	shown := map[string]bool{} // trees whose summary, page and drafts are checked
	for _, res := range results {
		t.Run(res.Tree+"/"+res.Name, func(t *testing.T) {
			for _, f := range res.Failures {
				t.Errorf("%s:%d: %s", res.File, res.Line, f)
			}
			for _, lang := range []string{render.ZH, render.EN} {
				for _, rep := range res.Replies {
					for _, f := range []render.Format{render.Plain, render.HTML} {
						m, err := r.Render(lang, rep, f)
						if err != nil {
							t.Fatalf("render %s %s: %v", lang, rep.Kind, err)
						}
						if strings.TrimSpace(m.Text) == "" {
							t.Fatalf("empty %s message for %s", lang, rep.Kind)
						}
					}
				}
				if res.Outcome == "" {
					continue
				}
				var text string
				for _, rep := range engine.Current(b.Catalog, res.Session, res.Now) {
					m, err := r.Render(lang, rep, render.Plain)
					if err != nil {
						t.Fatal(err)
					}
					text += m.Text + "\n"
				}
				name := filepath.Join("testdata", res.Tree, slug(res.Name)+"."+lang+".golden")
				if seen[name] {
					t.Fatalf("two cases share the golden file %s; rename one", name)
				}
				seen[name] = true
				checkGolden(t, name, text)
			}
			if res.Outcome != "" && len(res.Failures) == 0 && !shown[res.Tree] {
				shown[res.Tree] = true
				checkSummaries(t, b, r, res)
			}
		})
	}
	if len(shown) < len(engine.Categories) {
		t.Errorf("summaries checked for %d trees, want every category", len(shown))
	}
}

// exampleDetails are what a user types when asked for a draft's details.
var exampleDetails = map[string]string{
	"complainant_name": "Li Wei", "complainant_phone": "13812345678",
	"complainant_address": "Room 101, 1 Example Road, Beijing", "merchant_name": "Example Trading Co.",
	"merchant_address": "2 Sample Street, Shanghai", "demand": "A full refund",
}

// checkSummaries renders the summary card (shared, masked), the bilingual
// page and every draft for one case, against golden files.
func checkSummaries(t *testing.T, b *dialog.Bundle, r *render.Renderer, res dialog.CaseResult) {
	t.Helper()
	s := res.Session
	facts := map[string]string{}
	for k, v := range s.Facts {
		facts[k] = v
	}
	for k, v := range exampleDetails {
		facts[k] = v
	}
	s.Facts = facts
	if len(res.Session.History) > 0 {
		s.Evidence = map[string]bool{}
	}
	private, ok := summary.Build(b.Catalog, s, res.Now, false)
	if !ok {
		t.Fatal("no summary at an outcome")
	}
	if len(private.Missing) > 0 {
		s.Evidence[private.Missing[0]] = true // one ticked item, as a user would
		private, _ = summary.Build(b.Catalog, s, res.Now, false)
	}
	shared, _ := summary.Build(b.Catalog, s, res.Now, true)
	dir := filepath.Join("testdata", res.Tree)
	for _, lang := range []string{render.ZH, render.EN} {
		card, err := r.Summary(lang, shared, render.Plain)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(card, "13812345678") {
			t.Fatal("the shared summary shows the phone number")
		}
		checkGolden(t, filepath.Join(dir, "summary."+lang+".golden"), card+"\n")
		for _, ch := range engine.DraftChannels {
			d, err := r.Draft(lang, ch, private)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join(dir, "draft_"+ch+"."+lang+".golden"), d+"\n")
		}
	}
	page, err := r.Page([]string{render.EN, render.ZH}, shared)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, filepath.Join(dir, "page.html.golden"), page)
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/render -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the rendered outcome (go test ./internal/render -update to accept):\n--- want\n%s\n--- got\n%s", name, want, got)
	}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "_"), "_")
}
