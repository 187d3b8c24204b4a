package classify

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"sort"

	classifydata "github.com/disputebot/disputebot/dialogs/classify"
)

// featureVersion changes whenever features, Normalize, the lexicon or
// Train change what a model learns from the same data, so that a stale
// model.bin is detected (TestEmbeddedModel) instead of silently used.
const featureVersion = "features-v2 seg-lexicon avg-runs"

// trainPattern names the training files inside classifydata.FS.
const trainPattern = "train*.yaml"

// calibrationFolds is k of the cross-validation Calibrate runs.
const calibrationFolds = 5

// model.bin is the trained, calibrated model of the embedded training data,
// written by
//
//	go generate ./internal/classify
//
// (which runs TestEmbeddedModel with -update). Training takes longer than
// start-up may (issue 10), decoding takes a few milliseconds.
//
//go:generate go test -run TestEmbeddedModel -update .
//go:embed model.bin
var modelBin []byte

// Load returns the model of the examples embedded from dialogs/classify
// (train*.yaml). It decodes model.bin when that was built from exactly
// these files; otherwise (training data edited without go generate) it
// trains at start-up, slower but never stale. Call it once and share the
// Model.
func Load() (*Model, error) {
	fp, err := dataFingerprint(classifydata.FS)
	if err != nil {
		return nil, err
	}
	m, mfp, err := decodeModel(modelBin)
	if err == nil && mfp == fp {
		return m, nil
	}
	temp := 1.0
	if err == nil {
		temp = m.temperature // the last fit is closer than none
	}
	ex, err := ReadExamples(classifydata.FS, trainPattern)
	if err != nil {
		return nil, err
	}
	return Train(ex, TrainOptions{Temperature: temp})
}

// build trains and calibrates the model of the embedded data, as
// go generate does.
func build() (*Model, [32]byte, error) {
	fp, err := dataFingerprint(classifydata.FS)
	if err != nil {
		return nil, fp, err
	}
	ex, err := ReadExamples(classifydata.FS, trainPattern)
	if err != nil {
		return nil, fp, err
	}
	temp, err := Calibrate(ex, TrainOptions{}, calibrationFolds)
	if err != nil {
		return nil, fp, err
	}
	m, err := Train(ex, TrainOptions{Temperature: temp})
	return m, fp, err
}

// dataFingerprint hashes the training files and featureVersion.
func dataFingerprint(fsys fs.FS) ([32]byte, error) {
	names, err := fs.Glob(fsys, trainPattern)
	if err != nil {
		return [32]byte{}, err
	}
	sort.Strings(names)
	h := sha256.New()
	h.Write([]byte(featureVersion))
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return [32]byte{}, err
		}
		fmt.Fprintf(h, "\x00%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out, nil
}

const modelMagic = "disputebot-classify-1\n"

// encode writes m compactly: feature hashes sorted and delta-coded, and
// each feature's weights as int8 with one float32 scale per feature (the
// quantisation error is under 0.4% of a feature's largest weight, far
// below what changes an answer).
func encodeModel(m *Model, fp [32]byte) []byte {
	nc := len(m.classes)
	var buf bytes.Buffer
	buf.WriteString(modelMagic)
	buf.Write(fp[:])
	le := binary.LittleEndian
	var tmp [binary.MaxVarintLen64]byte
	putU := func(x uint64) { buf.Write(tmp[:binary.PutUvarint(tmp[:], x)]) }
	putF := func(x float64) { buf.Write(le.AppendUint64(nil, math.Float64bits(x))) }
	putU(uint64(nc))
	for _, c := range m.classes {
		putU(uint64(len(c)))
		buf.WriteString(c)
	}
	putF(m.threshold)
	putF(m.temperature)
	for _, b := range m.b {
		buf.Write(le.AppendUint32(nil, math.Float32bits(b)))
	}
	hs := make([]uint64, 0, len(m.vocab))
	for h := range m.vocab {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	putU(uint64(len(hs)))
	prev := uint64(0)
	for _, h := range hs {
		putU(h - prev)
		prev = h
	}
	for _, h := range hs {
		row := m.w[int(m.vocab[h])*nc : int(m.vocab[h])*nc+nc]
		var mx float32
		for _, x := range row {
			mx = max(mx, float32(math.Abs(float64(x))))
		}
		scale := mx / 127
		buf.Write(le.AppendUint32(nil, math.Float32bits(scale)))
		for _, x := range row {
			q := int8(0)
			if scale > 0 {
				q = int8(math.Round(float64(x / scale)))
			}
			buf.WriteByte(byte(q))
		}
	}
	return buf.Bytes()
}

var errNoModel = errors.New("classify: no embedded model")

func decodeModel(b []byte) (*Model, [32]byte, error) {
	var fp [32]byte
	if len(b) < len(modelMagic)+32 || string(b[:len(modelMagic)]) != modelMagic {
		return nil, fp, errNoModel
	}
	b = b[len(modelMagic):]
	copy(fp[:], b)
	b = b[32:]
	bad := fmt.Errorf("classify: corrupt embedded model")
	le := binary.LittleEndian
	getU := func() uint64 {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			b = nil
			return 0
		}
		b = b[n:]
		return x
	}
	getF := func() float64 {
		if len(b) < 8 {
			b = nil
			return 0
		}
		x := math.Float64frombits(le.Uint64(b))
		b = b[8:]
		return x
	}
	getF32 := func() float32 {
		if len(b) < 4 {
			b = nil
			return 0
		}
		x := math.Float32frombits(le.Uint32(b))
		b = b[4:]
		return x
	}
	nc := int(getU())
	if nc != len(Categories) {
		return nil, fp, bad
	}
	for _, c := range Categories {
		n := int(getU())
		if len(b) < n || string(b[:n]) != c {
			return nil, fp, bad
		}
		b = b[n:]
	}
	m := &Model{classes: Categories, unknown: nc - 1}
	m.threshold = getF()
	m.temperature = getF()
	m.b = make([]float32, nc)
	for c := range m.b {
		m.b[c] = getF32()
	}
	nf := int(getU())
	if b == nil || nf > len(b) {
		return nil, fp, bad
	}
	m.vocab = make(map[uint64]int32, nf)
	h := uint64(0)
	for i := range nf {
		h += getU()
		m.vocab[h] = int32(i)
	}
	if b == nil || len(b) != nf*(4+nc) {
		return nil, fp, bad
	}
	m.w = make([]float32, nf*nc)
	for i := range nf {
		scale := math.Float32frombits(le.Uint32(b))
		for c := range nc {
			m.w[i*nc+c] = float32(int8(b[4+c])) * scale
		}
		b = b[4+nc:]
	}
	if !(m.temperature > 0) || !(m.threshold > 0) {
		return nil, fp, bad
	}
	return m, fp, nil
}
