package classify

import (
	"fmt"
	"os"
	"testing"

	classifydata "github.com/disputebot/disputebot/dialogs/classify"
)

// TestCrossValidation reports 5-fold cross-validated accuracy on the
// training data for a few settings. Hyper-parameters were chosen with it,
// never with eval.yaml, so the evaluation stays a held-out measurement.
// It runs only with CLASSIFY_CV=1.
func TestCrossValidation(t *testing.T) {
	if os.Getenv("CLASSIFY_CV") == "" {
		t.Skip("set CLASSIFY_CV=1 to run")
	}
	ex, err := ReadExamples(classifydata.FS, "train*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var grid []TrainOptions
	for _, ep := range []int{10, 20} {
		for _, rate := range []float64{0.25, 0.5, 1} {
			for _, th := range []float64{0.2, 0.25, 0.35} {
				grid = append(grid, TrainOptions{Epochs: ep, Rate: rate, L2: 1e-5, Threshold: th})
			}
		}
	}
	const k = 5
	for _, opt := range grid {
		correct, disp, dispUnk, unkTP, unkFP, unkFN := 0, 0, 0, 0, 0, 0
		for fold := range k {
			tr, te := foldSplit(ex, k, fold)
			m, err := Train(tr, opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range te {
				r := m.Classify(e.Text)
				if r.Category == e.Category {
					correct++
				}
				switch {
				case e.Category != Unknown:
					disp++
					if r.Category == Unknown {
						dispUnk++
						unkFP++
					}
				case r.Category == Unknown:
					unkTP++
				default:
					unkFN++
				}
			}
		}
		f1 := 2 * float64(unkTP) / float64(2*unkTP+unkFP+unkFN)
		fmt.Printf("epochs=%2d rate=%.2f threshold=%.2f  accuracy=%.4f disputes->unknown=%.4f unknownF1=%.3f\n",
			opt.Epochs, opt.Rate, opt.Threshold,
			float64(correct)/float64(len(ex)), float64(dispUnk)/float64(disp), f1)
	}
}

// TestFitTemperature prints the calibrated temperature of the default
// options. It runs only with CLASSIFY_CV=1.
func TestFitTemperature(t *testing.T) {
	if os.Getenv("CLASSIFY_CV") == "" {
		t.Skip("set CLASSIFY_CV=1 to run")
	}
	ex, err := ReadExamples(classifydata.FS, "train*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	temp, err := Calibrate(ex, TrainOptions{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("temperature %.3f\n", temp)
}
