package render_test

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
)

// briefLimit is the most a first outcome message may hold, in characters
// of plain text: about one phone screen (issue 9 asks 600-900 Chinese
// characters; English needs more letters for the same lines).
var briefLimit = map[string]int{render.ZH: 800, render.EN: 1250}

// TestBriefFitsAPhone renders the first outcome message of every dialog
// case in both languages against golden files (testdata/<tree>/<case>.
// brief.<lang>.golden), fails when one is over the limit, and checks that
// the brief holds the essentials: the key article, each figure with its
// conditions, the first step, the disclaimer, and a button for every other
// part, each of which renders on its own.
func TestBriefFitsAPhone(t *testing.T) {
	b, r := loadReal(t)
	results, probs := dialog.RunCases(b, dialogs.FS)
	for _, p := range probs {
		t.Error(p)
	}
	longest := map[string]int{}
	briefs := 0
	for _, res := range results {
		if res.Outcome == "" || len(res.Failures) > 0 {
			continue
		}
		var a *engine.Advice
		for _, rep := range engine.Current(b.Catalog, res.Session, res.Now) {
			if rep.Kind == engine.OutcomeReply {
				a = rep.Advice
			}
		}
		if a == nil {
			t.Errorf("%s %q: no outcome reply", res.Tree, res.Name)
			continue
		}
		for _, lang := range []string{render.ZH, render.EN} {
			m, err := r.Brief(lang, a, render.Plain)
			if err != nil {
				t.Fatalf("%s %q %s: %v", res.Tree, res.Name, lang, err)
			}
			briefs++
			n := utf8.RuneCountInString(m.Text)
			longest[lang] = max(longest[lang], n)
			if n > briefLimit[lang] {
				t.Errorf("%s %q %s: the first outcome message is %d characters, over %d", res.Tree, res.Name, lang, n, briefLimit[lang])
			}
			if strings.Count(m.Text, "💰") != len(a.Compensation) || strings.Count(m.Text, "   ✓")+strings.Count(m.Text, "   ⚠️") != len(a.Compensation) {
				t.Errorf("%s %q %s: every figure, with its conditions, belongs in the brief", res.Tree, res.Name, lang)
			}
			if len(a.Steps) > 0 && !strings.Contains(m.Text, "👉") {
				t.Errorf("%s %q %s: no first step", res.Tree, res.Name, lang)
			}
			if !strings.Contains(m.Text, "📜") || !strings.Contains(m.Text, "ℹ️") {
				t.Errorf("%s %q %s: no key article or no disclaimer", res.Tree, res.Name, lang)
			}
			more, err := r.More(lang, a)
			if err != nil {
				t.Fatal(err)
			}
			for _, part := range render.Sections {
				if !render.Has(a, part) {
					continue
				}
				i := -1
				for j, mb := range more {
					if mb.Part == part {
						i = j
					}
				}
				if i < 0 {
					t.Errorf("%s %q %s: no button for %s", res.Tree, res.Name, lang, part)
				}
				sec, err := r.Section(lang, a, part, render.HTML)
				if err != nil || strings.TrimSpace(sec) == "" {
					t.Errorf("%s %q %s: section %s: %v", res.Tree, res.Name, lang, part, err)
				}
			}
			checkGolden(t, filepath.Join("testdata", res.Tree, slug(res.Name)+".brief."+lang+".golden"), m.Text+"\n")
		}
	}
	if briefs == 0 {
		t.Fatal("no outcome reached by any case")
	}
	t.Logf("longest first outcome message: zh %d, en %d characters (limits %d, %d)", longest[render.ZH], longest[render.EN], briefLimit[render.ZH], briefLimit[render.EN])
}
