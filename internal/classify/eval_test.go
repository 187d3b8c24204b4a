package classify

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"unicode"

	classifydata "github.com/disputebot/disputebot/dialogs/classify"
)

// The targets of issue 9 for messages the model has never seen.
const (
	targetAccuracy = 0.95
	targetF1       = 0.90
	// A dispute answered Unknown costs the user the whole dialog, so it is
	// bounded separately.
	maxDisputesUnknown = 0.03
)

// comparable folds a message for the overlap check: lower case,
// half-width, no spaces or punctuation.
func comparable(s string) string {
	var b strings.Builder
	for _, r := range Normalize(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestEvalDisjointFromTraining(t *testing.T) {
	train, err := ReadExamples(classifydata.FS, "train*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	eval, err := ReadExamples(classifydata.FS, "eval*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range train {
		seen[comparable(e.Text)] = e.Text
	}
	evalSeen := map[string]bool{}
	for _, e := range eval {
		k := comparable(e.Text)
		if tr, ok := seen[k]; ok && k != "" {
			t.Errorf("eval message %q also in training as %q", e.Text, tr)
		}
		if evalSeen[k] && k != "" {
			t.Errorf("eval message %q appears twice", e.Text)
		}
		evalSeen[k] = true
	}
}

// language of a message for the report: "zh" when it holds any Han
// character, "en" otherwise. Mixed lines (Han and a Latin word) are
// reported once more on their own.
func language(s string) (lang string, mixed bool) {
	han, latin := false, 0
	run := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han = true
			run = 0
		case r < 128 && unicode.IsLetter(r):
			run++
			if run >= 2 {
				latin++
			}
		default:
			run = 0
		}
	}
	if !han {
		return "en", false
	}
	return "zh", latin > 0
}

type evalReport struct {
	n, correct, disputes, disputesUnknown int
	conf                                  [][]int
	ece                                   float64
	text                                  string
	byLang                                map[string]*evalReport
}

func (r *evalReport) accuracy() float64 { return safeDiv(r.correct, r.n) }

func (r *evalReport) f1(i int) (p, rec, f float64) {
	tp, fp, fn := r.conf[i][i], 0, 0
	for j := range r.conf {
		if j != i {
			fp += r.conf[j][i]
			fn += r.conf[i][j]
		}
	}
	p, rec = safeDiv(tp, tp+fp), safeDiv(tp, tp+fn)
	if p+rec > 0 {
		f = 2 * p * rec / (p + rec)
	}
	return p, rec, f
}

// evaluate classifies every example and formats a report: top-1 accuracy,
// per-category precision/recall/F1, per language, the confusion matrix, a
// reliability table and the misclassified messages.
func evaluate(m *Model, name string, eval []Example) *evalReport {
	idx := map[string]int{}
	for i, c := range Categories {
		idx[c] = i
	}
	n := len(Categories)
	newConf := func() [][]int {
		c := make([][]int, n)
		for i := range c {
			c[i] = make([]int, n)
		}
		return c
	}
	all := &evalReport{conf: newConf()}
	byLang := map[string]*evalReport{"zh": {conf: newConf()}, "en": {conf: newConf()}, "zh+en mixed": {conf: newConf()}}
	var bucketN, bucketOK [10]int
	var bucketConf [10]float64
	var misses []string
	add := func(r *evalReport, truth, got int) {
		r.n++
		r.conf[truth][got]++
		if truth == got {
			r.correct++
		}
		if truth != idx[Unknown] {
			r.disputes++
			if got == idx[Unknown] {
				r.disputesUnknown++
			}
		}
	}
	for _, e := range eval {
		res := m.Classify(e.Text)
		truth, got := idx[e.Category], idx[res.Category]
		add(all, truth, got)
		lang, mixed := language(e.Text)
		add(byLang[lang], truth, got)
		if mixed {
			add(byLang["zh+en mixed"], truth, got)
		}
		if truth != got {
			misses = append(misses, fmt.Sprintf("  %-17s -> %-17s %.2f  %s", e.Category, res.Category, res.Confidence, e.Text))
		}
		b := min(int(res.Confidence*10), 9)
		bucketN[b]++
		bucketConf[b] += res.Confidence
		if truth == got {
			bucketOK[b]++
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %d messages, top-1 accuracy %.4f (%d/%d), disputes classified unknown %.4f (%d/%d)\n",
		name, all.n, all.accuracy(), all.correct, all.n,
		safeDiv(all.disputesUnknown, all.disputes), all.disputesUnknown, all.disputes)
	fmt.Fprintf(&sb, "%-17s %9s %9s %9s %7s\n", "category", "precision", "recall", "F1", "support")
	for i, c := range Categories {
		p, r, f := all.f1(i)
		sup := 0
		for j := range n {
			sup += all.conf[i][j]
		}
		fmt.Fprintf(&sb, "%-17s %9.3f %9.3f %9.3f %7d\n", c, p, r, f, sup)
	}
	sb.WriteString("per language (top-1, worst F1):\n")
	for _, l := range []string{"zh", "en", "zh+en mixed"} {
		r := byLang[l]
		worst, worstC := 1.0, ""
		for i, c := range Categories {
			sup := 0
			for j := range n {
				sup += r.conf[i][j]
			}
			if sup == 0 {
				continue
			}
			if _, _, f := r.f1(i); f < worst {
				worst, worstC = f, c
			}
		}
		fmt.Fprintf(&sb, "  %-12s n=%3d  top-1 %.4f  worst F1 %.3f (%s)\n", l, r.n, r.accuracy(), worst, worstC)
	}
	sb.WriteString("confusion matrix (rows: truth, columns: predicted)\n")
	fmt.Fprintf(&sb, "%-17s", "")
	for _, c := range Categories {
		fmt.Fprintf(&sb, " %5.5s", c)
	}
	sb.WriteString("\n")
	for i, c := range Categories {
		fmt.Fprintf(&sb, "%-17s", c)
		for j := range n {
			fmt.Fprintf(&sb, " %5d", all.conf[i][j])
		}
		sb.WriteString("\n")
	}
	sb.WriteString("reliability (confidence bucket: n, mean confidence, accuracy)\n")
	for b := range 10 {
		if bucketN[b] == 0 {
			continue
		}
		mc := bucketConf[b] / float64(bucketN[b])
		ba := float64(bucketOK[b]) / float64(bucketN[b])
		all.ece += float64(bucketN[b]) / float64(all.n) * math.Abs(mc-ba)
		fmt.Fprintf(&sb, "  [%.1f,%.1f) %4d  %.3f  %.3f\n", float64(b)/10, float64(b+1)/10, bucketN[b], mc, ba)
	}
	fmt.Fprintf(&sb, "expected calibration error %.3f\n", all.ece)
	sort.Strings(misses)
	fmt.Fprintf(&sb, "misclassified (%d):\n%s\n", len(misses), strings.Join(misses, "\n"))
	all.text = sb.String()
	all.byLang = byLang
	return all
}

// TestEvaluation measures the model on the held-out sets and fails below
// the targets: top-1 accuracy >= 0.95 and every category's F1 >= 0.90,
// overall and (for eval2.yaml and all) in each language. eval2.yaml was written for issue 9 before
// the model was improved; "all" joins it with the older eval.yaml.
//
//	go test -v -run TestEvaluation ./internal/classify
func TestEvaluation(t *testing.T) {
	m := testModel(t)
	// perLang: the targets also hold within each language. The older
	// eval.yaml has about 20 English lines per category, where one message
	// moves an F1 by 0.05; its languages are reported, not gated.
	//
	// eval3.yaml was written blind on 2026-12-03 by a separate author who saw
	// neither the training data nor the other sets, and scored once as it
	// came: top-1 0.9542, unfair_terms F1 0.897, English top-1 0.931 —
	// short of the targets, so it is reported here, not gated, and the note
	// on issue 9 says so. Gating it after looking at its errors would turn a
	// held-out set into a tuned one. eval3 was then used as a development
	// set (train6.yaml), and eval4.yaml, written blind by another author
	// while that work went on, was scored once on the result: top-1 0.942,
	// service_refund and unfair_terms F1 0.889 (4 of the misses are
	// auto-renewal lines sent to unfair_terms, whose tree has its own
	// auto-renewal outcome) — short of the targets, reported, not gated.
	// After a third round (weights averaged over 8 runs, one written label
	// policy for auto-renewal and marked prices, train7.yaml; eval4 used as
	// a development set too), eval5.yaml, written blind by a fourth author
	// during that round, was scored once: top-1 0.967, every category's F1
	// >= 0.92, zh 0.962 / en 0.975 (worst F1 0.919 / 0.909). It meets the
	// targets and is gated from then on. One of its lines, a traffic fine
	// that eval3 and eval4 also held in near-identical words, was removed
	// for the disjointness test (it was classified correctly).
	sets := []struct {
		name     string
		patterns []string
		perLang  bool
		gate     bool
	}{
		{"eval2.yaml", []string{"eval2.yaml"}, true, true},
		{"eval3.yaml", []string{"eval3.yaml"}, true, false},
		{"eval4.yaml", []string{"eval4.yaml"}, true, false},
		{"eval5.yaml", []string{"eval5.yaml"}, true, true},
		{"eval.yaml", []string{"eval.yaml"}, false, true},
		// "all" is the sets gated since issue 9 started: eval.yaml and eval2.yaml.
		{"all", []string{"eval.yaml", "eval2.yaml"}, true, true},
	}
	for _, s := range sets {
		t.Run(s.name, func(t *testing.T) {
			var eval []Example
			for _, p := range s.patterns {
				ex, err := ReadExamples(classifydata.FS, p)
				if err != nil {
					t.Fatal(err)
				}
				eval = append(eval, ex...)
			}
			r := evaluate(m, s.name, eval)
			t.Log("\n" + r.text)
			check := func(label string, r *evalReport) {
				if !s.gate {
					return
				}
				if acc := r.accuracy(); acc < targetAccuracy {
					t.Errorf("%s: top-1 accuracy %.4f, want >= %.2f", label, acc, targetAccuracy)
				}
				for i, c := range Categories {
					sup := 0
					for j := range r.conf[i] {
						sup += r.conf[i][j]
					}
					if sup < 10 {
						continue // too few lines for an F1 to mean anything
					}
					if _, _, f := r.f1(i); f < targetF1 {
						t.Errorf("%s: F1 for %s is %.3f, want >= %.2f", label, c, f, targetF1)
					}
				}
				if u := safeDiv(r.disputesUnknown, r.disputes); u > maxDisputesUnknown {
					t.Errorf("%s: %.4f of disputes classified unknown, want <= %.2f", label, u, maxDisputesUnknown)
				}
			}
			check(s.name, r)
			for _, l := range []string{"zh", "en"} {
				if !s.perLang {
					break
				}
				check(s.name+" "+l, r.byLang[l])
			}
		})
	}
}

func safeDiv(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
