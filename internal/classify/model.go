package classify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Category ids. Other packages key dialog trees on these exact strings.
const (
	PersonalInfo     = "personal_info"
	QualityDefect    = "quality_defect"
	FalseAdvertising = "false_advertising"
	FoodSafety       = "food_safety"
	ReturnRefused    = "return_refused"
	ServiceRefund    = "service_refund"
	UnfairTerms      = "unfair_terms"
	Unknown          = "unknown"
)

// Categories lists every id Classify can return, Unknown last.
var Categories = []string{
	PersonalInfo, QualityDefect, FalseAdvertising, FoodSafety,
	ReturnRefused, ServiceRefund, UnfairTerms, Unknown,
}

// DefaultThreshold is the probability the best dispute category must reach;
// below it Classify answers Unknown.
const DefaultThreshold = 0.25

// Result is the answer for one message.
type Result struct {
	// Category is one of Categories.
	Category string
	// Confidence in [0,1]: the model's probability for Category. When the
	// answer is Unknown because no dispute category reached the threshold,
	// it is 1 minus the best dispute category's probability.
	Confidence float64
	// Scores holds the probability of every category; they sum to 1. They
	// are calibrated (see Calibrate): of messages given 0.7, about 70% are
	// right, so a caller may offer the top two or three when no score
	// stands out.
	Scores map[string]float64
	// TooShort is set when the text says too little to be classified at
	// all ("是", "ok", "1000", an emoji, "hi", "help"): Category is then
	// Unknown, Scores give Unknown 1, and the caller should ask for a
	// sentence rather than offer categories.
	TooShort bool
}

// Model is a trained classifier. It is immutable, so one Model may serve any
// number of goroutines.
type Model struct {
	classes   []string
	unknown   int
	vocab     map[uint64]int32
	w         []float32 // feature-major: w[f*nc+c]
	b         []float32
	threshold float64
	// temperature divides the scores before the softmax (temperature
	// scaling); fitted by Calibrate on cross-validation folds of the
	// training data, never on evaluation data.
	temperature float64
}

// unseenWeight is how much a feature the model never saw counts when a
// message's feature vector is length-normalised: a message made mostly of
// unknown words should not look as sure as one the model fully reads, but
// counting unseen features fully made the model answer Unknown too often
// in cross-validation.
const unseenWeight = 0.25

// TrainOptions tune Train. The zero value means the defaults.
type TrainOptions struct {
	Epochs    int     // passes over the data (default 10)
	Rate      float64 // AdaGrad base learning rate (default 1)
	L2        float64 // L2 penalty per update (default 1e-5)
	Threshold float64 // see DefaultThreshold
	// Temperature for the softmax of Classify (default 1: uncalibrated).
	// Training itself always uses 1.
	Temperature float64
	// Seed of the shuffle of the first run (default 1).
	Seed uint64
	// Runs is how many training runs, each with its own shuffle order,
	// are averaged into the model (default DefaultRuns; 1 for a single
	// run). See Train.
	Runs int
	// Tail is how many of the last epochs of each run are averaged
	// (Polyak averaging; default DefaultTail, 1 for the last epoch only).
	Tail int
}

// DefaultRuns and DefaultTail: a single run's answers moved by about a
// point of accuracy with the shuffle seed alone, because the last updates
// of AdaGrad weigh the last few hundred examples of an arbitrary order.
// Averaging the weights of several orders and of the last epochs of each
// removes most of that variance; the model keeps its size (all runs share
// one vocabulary) and Classify its speed.
const (
	DefaultRuns = 8
	DefaultTail = 5
)

// Train fits a multinomial logistic regression on examples with AdaGrad.
// It runs opt.Runs independent passes of opt.Epochs epochs, each shuffling
// the examples with its own seed, and returns the average of their
// weights, each run contributing the mean of its last opt.Tail epochs
// (the objective is convex and every run starts from zero, so the average
// is a model of the same kind, closer to the optimum and far less
// dependent on the order). It is deterministic: the same examples and
// options give the same model.
func Train(examples []Example, opt TrainOptions) (*Model, error) {
	if opt.Epochs == 0 {
		opt.Epochs = 10
	}
	if opt.Rate == 0 {
		opt.Rate = 1
	}
	if opt.L2 == 0 {
		opt.L2 = 1e-5
	}
	if opt.Threshold == 0 {
		opt.Threshold = DefaultThreshold
	}
	if opt.Temperature == 0 {
		opt.Temperature = 1
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Runs == 0 {
		opt.Runs = DefaultRuns
	}
	if opt.Tail == 0 {
		opt.Tail = DefaultTail
	}
	opt.Tail = min(opt.Tail, opt.Epochs)
	m := &Model{classes: Categories, unknown: len(Categories) - 1, threshold: opt.Threshold, temperature: opt.Temperature}
	nc := len(m.classes)
	classIdx := make(map[string]int, nc)
	for i, c := range m.classes {
		classIdx[c] = i
	}
	m.vocab = make(map[uint64]int32, 16*len(examples))
	xs := make([][]int32, len(examples))
	ys := make([]int, len(examples))
	seen := make([]bool, nc)
	for i, e := range examples {
		y, ok := classIdx[e.Category]
		if !ok {
			return nil, fmt.Errorf("classify: example %d: unknown category %q", i, e.Category)
		}
		ys[i] = y
		seen[y] = true
		hs := features(e.Text)
		x := make([]int32, len(hs))
		for j, h := range hs {
			id, ok := m.vocab[h]
			if !ok {
				id = int32(len(m.vocab))
				m.vocab[h] = id
			}
			x[j] = id
		}
		xs[i] = x
	}
	for c, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("classify: no examples for %q", m.classes[c])
		}
	}
	nf := len(m.vocab)
	w := make([]float64, nf*nc)
	b := make([]float64, nc)
	runs := make([]run, opt.Runs)
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			runs[r] = trainRun(xs, ys, nf, nc, opt, rand.NewPCG(opt.Seed, 2+uint64(r)))
		}()
	}
	wg.Wait()
	// Sum in run order, so the result does not depend on scheduling.
	for _, r := range runs {
		for i, x := range r.w {
			w[i] += x
		}
		for i, x := range r.b {
			b[i] += x
		}
	}
	for i := range w {
		w[i] /= float64(opt.Runs)
	}
	for i := range b {
		b[i] /= float64(opt.Runs)
	}
	m.w = make([]float32, len(w))
	for i, x := range w {
		m.w[i] = float32(x)
	}
	m.b = make([]float32, nc)
	for i, x := range b {
		m.b[i] = float32(x)
	}
	return m, nil
}

// run is the weights of one training run: the mean of its last epochs.
type run struct{ w, b []float64 }

// trainRun is one AdaGrad run of opt.Epochs epochs over xs in the orders
// drawn from src, returning the mean weights of its last opt.Tail epochs.
func trainRun(xs [][]int32, ys []int, nf, nc int, opt TrainOptions, src rand.Source) run {
	w := make([]float64, nf*nc)
	gw := make([]float64, nf)
	b := make([]float64, nc)
	gb := make([]float64, nc)
	p := make([]float64, nc)
	avg := run{w: make([]float64, nf*nc), b: make([]float64, nc)}
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(src)
	for ep := 0; ep < opt.Epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x := xs[i]
			if len(x) == 0 {
				continue
			}
			v := 1 / math.Sqrt(float64(len(x)))
			copy(p, b)
			for _, f := range x {
				row := w[int(f)*nc : int(f)*nc+nc]
				for c := range p {
					p[c] += row[c] * v
				}
			}
			softmax(p)
			p[ys[i]] -= 1 // p is now the gradient of the loss w.r.t. scores
			for c, g := range p {
				gb[c] += g * g
				b[c] -= opt.Rate * g / (math.Sqrt(gb[c]) + 1e-8)
			}
			// AdaGrad with one accumulator per feature (not per weight):
			// all classes of a feature share a step size, which costs one
			// square root per feature instead of one per weight.
			var g2 float64
			for _, g := range p {
				g2 += g * g
			}
			g2 *= v * v
			for _, f := range x {
				base := int(f) * nc
				gw[f] += g2
				step := opt.Rate / (math.Sqrt(gw[f]) + 1e-8)
				row := w[base : base+nc]
				for c, g := range p {
					row[c] -= step * (g*v + opt.L2*row[c])
				}
			}
		}
		if ep >= opt.Epochs-opt.Tail {
			for i, x := range w {
				avg.w[i] += x
			}
			for i, x := range b {
				avg.b[i] += x
			}
		}
	}
	for i := range avg.w {
		avg.w[i] /= float64(opt.Tail)
	}
	for i := range avg.b {
		avg.b[i] /= float64(opt.Tail)
	}
	return avg
}

func softmax(p []float64) {
	mx := p[0]
	for _, x := range p[1:] {
		mx = max(mx, x)
	}
	var sum float64
	for i, x := range p {
		p[i] = math.Exp(x - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}

// probs returns the calibrated class probabilities for text, and how many
// of its features the model knows.
func (m *Model) probs(text string) ([]float64, int) {
	p, known := m.logits(text)
	for c := range p {
		p[c] /= m.temperature
	}
	softmax(p)
	return p, known
}

// logits returns the raw class scores for text, and how many of its
// features the model knows.
func (m *Model) logits(text string) ([]float64, int) {
	nc := len(m.classes)
	p := make([]float64, nc)
	for c := range p {
		p[c] = float64(m.b[c])
	}
	hs := features(text)
	known := make([]int32, 0, len(hs))
	for _, h := range hs {
		if f, ok := m.vocab[h]; ok {
			known = append(known, f)
		}
	}
	if len(known) > 0 {
		// Scale by all features, known or not, as in training: a long
		// message of mostly unseen words should not look confident.
		v := 1 / math.Sqrt(float64(len(known))+unseenWeight*float64(len(hs)-len(known)))
		for _, f := range known {
			row := m.w[int(f)*nc : int(f)*nc+nc]
			for c := range p {
				p[c] += float64(row[c]) * v
			}
		}
	}
	return p, len(known)
}

// Classify returns the most likely category of text, or Unknown when the
// text is not a consumer dispute or too vague to tell.
func (m *Model) Classify(text string) Result {
	if tooThin(text) {
		scores := make(map[string]float64, len(m.classes))
		for _, c := range m.classes {
			scores[c] = 0
		}
		scores[Unknown] = 1
		return Result{Category: Unknown, Confidence: 1, Scores: scores, TooShort: true}
	}
	p, known := m.probs(text)
	scores := make(map[string]float64, len(p))
	for c, x := range p {
		scores[m.classes[c]] = x
	}
	best := 0
	for c := range p {
		if p[c] > p[best] {
			best = c
		}
	}
	if known == 0 {
		// Nothing the model has ever seen: not something it can place.
		best = m.unknown
		for c := range p {
			if c != m.unknown && (best == m.unknown || p[c] > p[best]) {
				best = c
			}
		}
		return Result{Category: Unknown, Confidence: 1 - p[best], Scores: scores}
	}
	if best == m.unknown {
		return Result{Category: Unknown, Confidence: p[best], Scores: scores}
	}
	if p[best] < m.threshold {
		return Result{Category: Unknown, Confidence: 1 - p[best], Scores: scores}
	}
	return Result{Category: m.classes[best], Confidence: p[best], Scores: scores}
}
