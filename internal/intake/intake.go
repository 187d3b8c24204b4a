// Package intake turns a free-text description of a dispute into a proposed
// case: the category the classifier sees in it and the facts already given
// (platform, amount, date, what the merchant said), so the dialog can skip
// the questions the user has answered.
package intake

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/disputebot/disputebot/internal/classify"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/extract"
)

// MaxRunes bounds the text looked at; a description longer than this is
// cut, not refused (a pasted chat log should still be understood).
const MaxRunes = 2000

// Describer proposes cases from free text.
type Describer struct {
	Model *classify.Model
	// Now is the clock that relative dates ("yesterday") are read against.
	Now func() time.Time
}

// New loads the embedded classifier.
func New(now func() time.Time) (*Describer, error) {
	m, err := classify.Load()
	if err != nil {
		return nil, err
	}
	return &Describer{Model: m, Now: now}, nil
}

// Describe returns the proposed case, or false when the text is not a
// consumer dispute the bot can place (the caller then shows the menu).
func (d *Describer) Describe(text string) (engine.Proposal, bool) {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > MaxRunes {
		text = string([]rune(text)[:MaxRunes])
	}
	if text == "" {
		return engine.Proposal{}, false
	}
	res := d.Model.Classify(text)
	if res.Category == engine.Unknown || res.Category == "" {
		return engine.Proposal{}, false
	}
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	return engine.Proposal{Category: res.Category, Confidence: res.Confidence, Facts: extract.Facts(text, now)}, true
}
