package classify

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	classifydata "github.com/disputebot/disputebot/dialogs/classify"
)

var (
	modelOnce sync.Once
	model     *Model
	modelErr  error
)

func testModel(t testing.TB) *Model {
	t.Helper()
	modelOnce.Do(func() { model, modelErr = Load() })
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	return model
}

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"ＰＤＤ买的", "pdd买的"},
		{"退款！！", "退款!!"}, {"好，行。", "好,行 "},
		{"￥２９９", "¥299"},
		{"買東西", "买东西"},
		{"Hello　World", "hello world"},
	}
	for _, c := range cases {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFeaturesAliases(t *testing.T) {
	// A platform nickname must produce the features of the usual name.
	a := features("pdd买的空气炸锅")
	b := features("拼多多买的空气炸锅")
	c := features("拼夕夕买的空气炸锅")
	shared := func(x, y []uint64) int {
		m := map[uint64]bool{}
		for _, h := range x {
			m[h] = true
		}
		n := 0
		for _, h := range y {
			if m[h] {
				n++
			}
		}
		return n
	}
	if got := shared(a, b); got < len(b)-1 {
		t.Errorf("pdd vs 拼多多 share %d of %d features", got, len(b))
	}
	if got := shared(b, c); got != len(b) {
		t.Errorf("拼夕夕 vs 拼多多 share %d of %d features", got, len(b))
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{
		"refunds": "refund", "refunded": "refund", "charging": "charg",
		"replies": "reply", "boxes": "box", "glass": "glass", "bus": "bus",
	}
	for in, want := range cases {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassifyExamples(t *testing.T) {
	m := testModel(t)
	cases := []struct{ text, want string }{
		{"pdd买的空气炸锅用了三天就坏了商家让我找厂家", QualityDefect},
		{"The hotpot place won't let me order unless I log in with WeChat", PersonalInfo},
		{"健身房跑路了卡里还有3000", ServiceRefund},
		{"help", Unknown},
		{"商家太坑了", Unknown},
		{"", Unknown},
		{"zzzzqqqq", Unknown},
	}
	for _, c := range cases {
		r := m.Classify(c.text)
		if r.Category != c.want {
			t.Errorf("Classify(%q) = %s (%.2f), want %s", c.text, r.Category, r.Confidence, c.want)
		}
		if r.Confidence < 0 || r.Confidence > 1 || math.IsNaN(r.Confidence) {
			t.Errorf("Classify(%q) confidence %v out of [0,1]", c.text, r.Confidence)
		}
		var sum float64
		for _, p := range r.Scores {
			sum += p
		}
		if math.Abs(sum-1) > 1e-6 || len(r.Scores) != len(Categories) {
			t.Errorf("Classify(%q) scores %v do not form a distribution", c.text, r.Scores)
		}
	}
}

func TestTrainRejectsBadData(t *testing.T) {
	if _, err := ParseExamples([]byte("bogus:\n  - hi\n")); err == nil {
		t.Error("unknown category accepted")
	}
	if _, err := ParseExamples([]byte("- a\n- b\n")); err == nil {
		t.Error("top-level list accepted")
	}
	if _, err := Train([]Example{{"hi", Unknown}}, TrainOptions{}); err == nil {
		t.Error("training without every category accepted")
	}
}

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
	eval, err := ReadExamples(classifydata.FS, "eval.yaml")
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

func TestEvaluation(t *testing.T) {
	m := testModel(t)
	eval, err := ReadExamples(classifydata.FS, "eval.yaml")
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, c := range Categories {
		idx[c] = i
	}
	n := len(Categories)
	conf := make([][]int, n)
	for i := range conf {
		conf[i] = make([]int, n)
	}
	correct, disputes, disputesUnknown := 0, 0, 0
	// Reliability: confidence buckets of width 0.1.
	var bucketN, bucketOK [10]int
	var bucketConf [10]float64
	var misses []string
	for _, e := range eval {
		r := m.Classify(e.Text)
		conf[idx[e.Category]][idx[r.Category]]++
		ok := r.Category == e.Category
		if ok {
			correct++
		} else {
			misses = append(misses, fmt.Sprintf("  %-17s -> %-17s %.2f  %s", e.Category, r.Category, r.Confidence, e.Text))
		}
		if e.Category != Unknown {
			disputes++
			if r.Category == Unknown {
				disputesUnknown++
			}
		}
		b := min(int(r.Confidence*10), 9)
		bucketN[b]++
		bucketConf[b] += r.Confidence
		if ok {
			bucketOK[b]++
		}
	}
	acc := float64(correct) / float64(len(eval))
	unkRate := float64(disputesUnknown) / float64(disputes)
	var sb strings.Builder
	fmt.Fprintf(&sb, "evaluation: %d messages, top-1 accuracy %.4f (%d/%d), disputes classified unknown %.4f (%d/%d)\n",
		len(eval), acc, correct, len(eval), unkRate, disputesUnknown, disputes)
	fmt.Fprintf(&sb, "%-17s %9s %9s %9s %7s\n", "category", "precision", "recall", "F1", "support")
	var worstF1 = 1.0
	for i, c := range Categories {
		tp, fp, fn := conf[i][i], 0, 0
		for j := range n {
			if j != i {
				fp += conf[j][i]
				fn += conf[i][j]
			}
		}
		p := safeDiv(tp, tp+fp)
		r := safeDiv(tp, tp+fn)
		f1 := 0.0
		if p+r > 0 {
			f1 = 2 * p * r / (p + r)
		}
		worstF1 = min(worstF1, f1)
		fmt.Fprintf(&sb, "%-17s %9.3f %9.3f %9.3f %7d\n", c, p, r, f1, tp+fn)
		if f1 < 0.85 {
			t.Errorf("F1 for %s is %.3f, want >= 0.85", c, f1)
		}
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
			fmt.Fprintf(&sb, " %5d", conf[i][j])
		}
		sb.WriteString("\n")
	}
	sb.WriteString("reliability (confidence bucket: n, mean confidence, accuracy)\n")
	ece := 0.0
	for b := range 10 {
		if bucketN[b] == 0 {
			continue
		}
		mc := bucketConf[b] / float64(bucketN[b])
		ba := float64(bucketOK[b]) / float64(bucketN[b])
		ece += float64(bucketN[b]) / float64(len(eval)) * math.Abs(mc-ba)
		fmt.Fprintf(&sb, "  [%.1f,%.1f) %4d  %.3f  %.3f\n", float64(b)/10, float64(b+1)/10, bucketN[b], mc, ba)
	}
	fmt.Fprintf(&sb, "expected calibration error %.3f\n", ece)
	sort.Strings(misses)
	fmt.Fprintf(&sb, "misclassified (%d):\n%s\n", len(misses), strings.Join(misses, "\n"))
	t.Log("\n" + sb.String())

	if acc < 0.92 {
		t.Errorf("accuracy %.4f, want >= 0.92", acc)
	}
	if unkRate > 0.03 {
		t.Errorf("%.4f of disputes classified unknown, want <= 0.03", unkRate)
	}
}

func safeDiv(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClassify(b *testing.B) {
	m := testModel(b)
	msgs := []string{
		"pdd买的空气炸锅用了三天就坏了商家让我找厂家",
		"The hotpot place won't let me order unless I log in with WeChat",
		"健身房跑路了卡里还有3000",
		"买的衣服size不对, seller说特价商品no return",
	}
	i := 0
	for b.Loop() {
		m.Classify(msgs[i%len(msgs)])
		i++
	}
}
