package classify

import (
	"fmt"
	"math"
	"os"
	"testing"

	classifydata "github.com/disputebot/disputebot/dialogs/classify"
)

func TestNBCrossValidation(t *testing.T) {
	if os.Getenv("CLASSIFY_CV") == "" {
		t.Skip()
	}
	ex, _ := ReadExamples(classifydata.FS, "train*.yaml")
	nc := len(Categories)
	ci := map[string]int{}
	for i, c := range Categories {
		ci[c] = i
	}
	for _, alpha := range []float64{0.05, 0.1, 0.3, 1} {
		correct, disp, dispUnk := 0, 0, 0
		const k = 5
		for fold := 0; fold < k; fold++ {
			cnt := map[uint64][]float64{}
			tot := make([]float64, nc)
			docs := make([]float64, nc)
			for i, e := range ex {
				if i%k == fold {
					continue
				}
				y := ci[e.Category]
				docs[y]++
				for _, h := range features(e.Text) {
					if cnt[h] == nil {
						cnt[h] = make([]float64, nc)
					}
					cnt[h][y]++
					tot[y]++
				}
			}
			V := float64(len(cnt))
			for i, e := range ex {
				if i%k != fold {
					continue
				}
				s := make([]float64, nc)
				for c := range s {
					s[c] = math.Log(docs[c])
				}
				for _, h := range features(e.Text) {
					row := cnt[h]
					if row == nil {
						continue
					}
					for c := range s {
						s[c] += math.Log((row[c] + alpha) / (tot[c] + alpha*V))
					}
				}
				best := 0
				for c := range s {
					if s[c] > s[best] {
						best = c
					}
				}
				if Categories[best] == e.Category {
					correct++
				}
				if e.Category != Unknown {
					disp++
					if best == nc-1 {
						dispUnk++
					}
				}
			}
		}
		fmt.Printf("NB alpha=%.2f acc=%.4f dispUnk=%.4f\n", alpha, float64(correct)/float64(len(ex)), float64(dispUnk)/float64(disp))
	}
}
