package render_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
)

// TestFiguresShowTheirConditions reads every golden outcome and summary:
// each 💰 figure is followed by the conditions the law sets for it, marked
// as met (✓) or still needed (⚠️), and a section that holds a conditional
// figure never carries the unconditional "you can claim" heading.
func TestFiguresShowTheirConditions(t *testing.T) {
	unconditional := map[string]string{".zh.golden": "你可以主张的金额", ".en.golden": "What you can claim"}
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.golden"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	figures := 0
	for _, name := range files {
		ext := filepath.Ext(strings.TrimSuffix(name, ".golden")) + ".golden"
		heading, ok := unconditional[ext]
		if !ok {
			continue // the HTML page has its own test
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		section := ""
		for i, l := range lines {
			if i > 0 && lines[i-1] == "" {
				section = l
			}
			if !strings.HasPrefix(l, "💰") {
				continue
			}
			figures++
			if i+1 >= len(lines) {
				t.Errorf("%s:%d: a figure with no conditions after it", name, i+1)
				continue
			}
			cond := lines[i+1]
			met, needed := strings.HasPrefix(cond, "   ✓"), strings.HasPrefix(cond, "   ⚠️")
			if !met && !needed {
				t.Errorf("%s:%d: figure without its conditions: %q", name, i+1, l)
			}
			if needed && section == heading {
				t.Errorf("%s:%d: a conditional figure under the heading %q", name, i+1, heading)
			}
		}
	}
	if figures == 0 {
		t.Fatal("no 💰 figure found in any golden file; the check would pass vacuously")
	}
}

// timeLimitedSteps are steps that advise something the law allows only
// within a period the outcome computes: each must declare it (while_open
// or once_closed), so the engine never shows it on the wrong side.
var timeLimitedSteps = map[string]string{
	"false_advertising.step.annul":         "fraud_annul",
	"false_advertising.step.annul_closed":  "fraud_annul",
	"return_refused.noreason.step.in_time": "no_reason_return",
	"return_refused.noreason.step.late":    "no_reason_return",
	"return_refused.refund.step.wait":      "return_refund",
	"return_refused.refund.step.overdue":   "return_refund",
}

// TestNoStepAfterItsDeadline: every time-limited step is tied to its
// deadline, and across every dialog case no outcome advises a step whose
// own computed deadline has ended (nor a "too late" step while it is open).
func TestNoStepAfterItsDeadline(t *testing.T) {
	b, _ := loadReal(t)
	declared := map[string]bool{}
	for _, tree := range b.Catalog.Trees {
		for _, n := range tree.Nodes {
			if n.Outcome == nil {
				continue
			}
			for _, st := range n.Outcome.Steps {
				rule, limited := timeLimitedSteps[st.Key]
				if !limited {
					continue
				}
				declared[st.Key] = true
				if st.WhileOpen != rule && st.OnceClosed != rule {
					t.Errorf("%s/%s: step %s must declare while_open or once_closed: %s", tree.ID, n.ID, st.Key, rule)
				}
			}
		}
	}
	for key := range timeLimitedSteps {
		if !declared[key] {
			t.Errorf("time-limited step %s is in no outcome; update the table", key)
		}
	}
	results, probs := dialog.RunCases(b, dialogs.FS)
	for _, p := range probs {
		t.Error(p)
	}
	checked := 0
	for _, res := range results {
		if res.Outcome == "" {
			continue
		}
		for _, rep := range engine.Current(b.Catalog, res.Session, res.Now) {
			a := rep.Advice
			if a == nil {
				continue
			}
			open := map[string]bool{}
			for _, d := range a.Deadlines {
				open[d.Rule] = d.Open()
			}
			for _, st := range a.Steps {
				if isOpen, known := open[st.WhileOpen]; st.WhileOpen != "" && known && !isOpen {
					t.Errorf("%s %q: advises %s after %s ended", res.Tree, res.Name, st.Key, st.WhileOpen)
				}
				if isOpen := open[st.OnceClosed]; st.OnceClosed != "" && isOpen {
					t.Errorf("%s %q: says %s while %s is still open", res.Tree, res.Name, st.Key, st.OnceClosed)
				}
				if st.WhileOpen != "" || st.OnceClosed != "" {
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no case reached a time-limited step; the check would pass vacuously")
	}
}

// TestRestDayNoteAfterTheEnd: the rest-day extension is stated for ended
// deadlines too (a Saturday end "2 days ago" ran to Monday, which may be
// today), and a year the calendar lacks gets the hedged wording.
func TestRestDayNoteAfterTheEnd(t *testing.T) {
	_, r := loadReal(t)
	tests := []struct {
		name, from, now string
		want            map[string]string
	}{
		{"Saturday end seen on the Monday it ran to", "2026-10-24", "2026-11-02",
			map[string]string{"zh": "2026年11月2日，今天是最后一天", "en": "runs to the next working day, 2 November 2026"}},
		{"holiday end seen after the nominal end", "2026-09-26", "2026-10-06",
			map[string]string{"zh": "顺延到下一个工作日2026年10月8日", "en": "until 8 October 2026 — 2 days left"}},
		{"a 2027 Saturday is hedged", "2027-01-09", "2027-01-17",
			map[string]string{"zh": "可能是休息日", "en": "may be a rest day"}},
	}
	for _, tt := range tests {
		for lang, want := range tt.want {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				now, _ := engine.ParseDate(tt.now)
				d, ok := engine.ComputeDeadline("no_reason_return", tt.from, now.Add(12*time.Hour))
				if !ok {
					t.Fatal("not computed")
				}
				a := &engine.Advice{Title: "food_safety.unsafe.title", Law: []string{"fsl_148"}, Deadlines: []engine.Deadline{d}}
				m, err := r.Render(lang, engine.Reply{Kind: engine.OutcomeReply, Advice: a}, render.Plain)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(m.Text, want) {
					t.Errorf("want %q in:\n%s", want, m.Text)
				}
			})
		}
	}
}
