package classify

import (
	"flag"
	"math"
	"os"
	"testing"

	classifydata "github.com/disputebot/disputebot/dialogs/classify"
)

var update = flag.Bool("update", false, "rewrite model.bin from the training data")

// TestEmbeddedModel checks that model.bin is the model of today's training
// data: built from the same files (fingerprint), and answering like a model
// trained and calibrated afresh. With -update (go generate) it rewrites
// model.bin instead.
func TestEmbeddedModel(t *testing.T) {
	fresh, fp, err := build()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("model.bin", encodeModel(fresh, fp), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote model.bin: %d features, temperature %.3f", len(fresh.vocab), fresh.temperature)
		return
	}
	emb, efp, err := decodeModel(modelBin)
	if err != nil {
		t.Fatalf("%v: run go generate ./internal/classify", err)
	}
	if efp != fp {
		t.Fatal("model.bin was built from other training data: run go generate ./internal/classify")
	}
	if math.Abs(emb.temperature-fresh.temperature) > 0.01 {
		t.Errorf("temperature %.3f embedded, %.3f fitted now", emb.temperature, fresh.temperature)
	}
	if len(emb.vocab) != len(fresh.vocab) {
		t.Errorf("%d features embedded, %d trained now", len(emb.vocab), len(fresh.vocab))
	}
	ex, err := ReadExamples(classifydata.FS, "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for _, e := range ex {
		a, b := emb.Classify(e.Text), fresh.Classify(e.Text)
		if a.Category != b.Category && math.Abs(a.Confidence-b.Confidence) > 0.02 {
			differ++
			t.Errorf("%q: embedded %s %.3f, fresh %s %.3f", e.Text, a.Category, a.Confidence, b.Category, b.Confidence)
		}
		for c, p := range a.Scores {
			if math.Abs(p-b.Scores[c]) > 0.02 {
				t.Errorf("%q: %s embedded %.3f, fresh %.3f", e.Text, c, p, b.Scores[c])
				break
			}
		}
		if differ > 10 {
			t.Fatal("too many differences")
		}
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("hello"), []byte(modelMagic + "short")} {
		if _, _, err := decodeModel(b); err == nil {
			t.Errorf("decodeModel(%q) accepted", b)
		}
	}
	m, fp, err := decodeModel(modelBin)
	if err != nil {
		t.Skip("no embedded model")
	}
	enc := encodeModel(m, fp)
	if _, _, err := decodeModel(enc[:len(enc)-1]); err == nil {
		t.Error("truncated model accepted")
	}
}
