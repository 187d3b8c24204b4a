package classify

import "math"

// Calibrate fits the softmax temperature of opt on k-fold cross-validation
// of examples: each fold is scored by a model trained on the other folds,
// and the temperature that minimises the negative log-likelihood of the
// true categories over all held-out scores is returned. A logistic
// regression trained to near-zero training loss is over-confident on new
// text; dividing its scores by a temperature above 1 fixes most of that
// without changing which category wins. Only training data is used, so
// the evaluation sets stay held out.
func Calibrate(examples []Example, opt TrainOptions, k int) (float64, error) {
	opt.Temperature = 1
	type scored struct {
		z []float64
		y int
	}
	idx := map[string]int{}
	for i, c := range Categories {
		idx[c] = i
	}
	var held []scored
	for fold := range k {
		tr, te := foldSplit(examples, k, fold)
		m, err := Train(tr, opt)
		if err != nil {
			return 0, err
		}
		for _, e := range te {
			if tooThin(e.Text) {
				continue // never reaches the model
			}
			z, known := m.logits(e.Text)
			if known == 0 {
				continue
			}
			held = append(held, scored{z, idx[e.Category]})
		}
	}
	nll := func(t float64) float64 {
		var sum float64
		p := make([]float64, len(Categories))
		for _, h := range held {
			for c, z := range h.z {
				p[c] = z / t
			}
			softmax(p)
			sum -= math.Log(max(p[h.y], 1e-12))
		}
		return sum
	}
	// NLL is smooth and unimodal in log t: golden-section search on it.
	lo, hi := math.Log(0.25), math.Log(8.0)
	const g = 0.6180339887498949
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, fb := nll(math.Exp(a)), nll(math.Exp(b))
	for range 40 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - g*(hi-lo)
			fa = nll(math.Exp(a))
		} else {
			lo, a, fa = a, b, fb
			b = lo + g*(hi-lo)
			fb = nll(math.Exp(b))
		}
	}
	return math.Round(math.Exp((lo+hi)/2)*1000) / 1000, nil
}

// foldSplit is fold number fold of k-fold cross-validation: every k-th
// example (from fold) is held out, the rest trains.
func foldSplit(examples []Example, k, fold int) (train, held []Example) {
	for i, e := range examples {
		if i%k == fold {
			held = append(held, e)
		} else {
			train = append(train, e)
		}
	}
	return train, held
}
