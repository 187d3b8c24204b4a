// Package intake turns a free-text description of a dispute into a proposed
// case: the category the classifier sees in it and the facts already given
// (platform, amount, date, what the merchant said), so the dialog can skip
// the questions the user has answered.
package intake

import (
	"sort"
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
// When the classifier is unsure, the proposal's Alternatives hold its
// other best guesses (see Offers).
func (d *Describer) Describe(text string) (engine.Proposal, bool) {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > MaxRunes {
		text = string([]rune(text)[:MaxRunes])
	}
	if text == "" {
		return engine.Proposal{}, false
	}
	res := d.Model.Classify(text)
	offers := Offers(res.Scores)
	if len(offers) == 0 || (res.Category == engine.Unknown || res.Category == "") && res.Scores[engine.Unknown] >= UnknownSure {
		return engine.Proposal{}, false
	}
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	p := engine.Proposal{Category: offers[0], Confidence: res.Scores[offers[0]], Facts: extract.Facts(text, now)}
	if res.Category == offers[0] && res.Confidence > p.Confidence {
		p.Confidence = res.Confidence
	}
	p.Alternatives = offers[1:]
	return p, true
}

// When the classifier is unsure, the user chooses among its best guesses
// rather than being told one of them. The classifier's Scores are
// calibrated probabilities over every category (unknown included), so
// these are plain probabilities. On real messages its wrong answers came
// with 0.3–0.6 and the right category was then nearly always second.
const (
	// SureConfidence: a best category at least this likely, and clear of
	// the runner-up by CloseMargin, is proposed alone ("Is that right?").
	// It is advisor.SwitchConfidence too: the bar for leaving a case.
	SureConfidence = 0.6
	// CloseMargin: a runner-up this close to the best is offered beside it
	// even when the best reaches SureConfidence: 0.61 against 0.37 is
	// still a real doubt, 0.7 against 0.25 is not.
	CloseMargin = 0.25
	// OfferFloor: a category less likely than this is never offered; it
	// would only be noise among the buttons.
	OfferFloor = 0.1
	// OfferSpread: when unsure, runners-up at most this far below the best
	// are offered with it (0.45, 0.3, 0.15 → all three).
	OfferSpread = 0.35
	// MaxOffers bounds the buttons: the best two or three, then "something
	// else" (the menu) for everything the classifier did not see.
	MaxOffers = 3
	// UnknownSure: text at least this likely to be no consumer dispute
	// (work, housing, app help) is sent to the menu without guesses.
	UnknownSure = 0.5
)

// Offers returns the categories to offer for scores, best first: one when
// the best is sure, up to MaxOffers when it is not, none when no dispute
// category reaches OfferFloor.
func Offers(scores map[string]float64) []string {
	var cats []string
	for c, p := range scores {
		if c != engine.Unknown && p >= OfferFloor {
			cats = append(cats, c)
		}
	}
	sort.Slice(cats, func(i, j int) bool {
		if scores[cats[i]] != scores[cats[j]] {
			return scores[cats[i]] > scores[cats[j]]
		}
		return cats[i] < cats[j]
	})
	if len(cats) == 0 {
		return nil
	}
	best := scores[cats[0]]
	if len(cats) == 1 || best >= SureConfidence && best-scores[cats[1]] >= CloseMargin {
		return cats[:1]
	}
	n := 1
	for n < len(cats) && n < MaxOffers && best-scores[cats[n]] <= OfferSpread {
		n++
	}
	return cats[:n]
}
