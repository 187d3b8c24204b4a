package classify

import (
	"fmt"
	"os"
	"testing"

	classifydata "github.com/disputebot/disputebot/dialogs/classify"
)

// TestCrossValidation tunes hyper-parameters on the training data only
// (k-fold), so that eval.yaml stays a held-out measurement. It runs only
// with CLASSIFY_CV=1.
func TestCrossValidation(t *testing.T) {
	if os.Getenv("CLASSIFY_CV") == "" {
		t.Skip("set CLASSIFY_CV=1 to run")
	}
	ex, err := ReadExamples(classifydata.FS, "train*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type cfg struct {
		opt        TrainOptions
		ks         float64
		uw         float64
		th         float64
		h1, h4, ch bool
	}
	var grid []cfg
	base := cfg{TrainOptions{Epochs: 20, Rate: 0.5, L2: 1e-5}, 0, 1, 0.25, true, false, true}
	grid = append(grid, base)
	for _, ks := range []float64{0.1, 0.25, 0.5} {
		for _, th := range []float64{0.25, 0.35} {
			g := base
			g.ks = ks
			g.opt.Threshold = th
			grid = append(grid, g)
		}
	}
	const k = 5
	for _, g := range grid {
		unseenWeight, unknownWeight = g.ks, g.uw
		useHan1, useHan4, useChar = g.h1, g.h4, g.ch
		correct, disp, dispUnk, unkTP, unkFP, unkFN := 0, 0, 0, 0, 0, 0
		for fold := 0; fold < k; fold++ {
			var tr, te []Example
			for i, e := range ex {
				if i%k == fold {
					te = append(te, e)
				} else {
					tr = append(tr, e)
				}
			}
			m, err := Train(tr, g.opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range te {
				r := m.Classify(e.Text)
				if r.Category == e.Category {
					correct++
				}
				if e.Category != Unknown {
					disp++
					if r.Category == Unknown {
						dispUnk++
						unkFP++
					}
				} else if r.Category == Unknown {
					unkTP++
				} else {
					unkFN++
				}
			}
		}
		f1 := 2 * float64(unkTP) / float64(2*unkTP+unkFP+unkFN)
		fmt.Printf("th=%.2f h1=%v h4=%v ch=%v ep=%2d rate=%.1f l2=%g ks=%.2f uw=%.1f  acc=%.4f dispUnk=%.4f unkF1=%.3f\n",
			g.opt.Threshold, g.h1, g.h4, g.ch, g.opt.Epochs, g.opt.Rate, g.opt.L2, g.ks, g.uw,
			float64(correct)/float64(len(ex)), float64(dispUnk)/float64(disp), f1)
	}
	unseenWeight, unknownWeight = 0, 1
	useHan1, useHan4, useChar = true, false, true
}
