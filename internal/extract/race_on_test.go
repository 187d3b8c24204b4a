//go:build race

package extract

// underRace: the race detector slows the reference extractor tenfold, so
// the differential tests check the smaller sample they check with -short
// (the full sample runs in plain go test).
const underRace = true
