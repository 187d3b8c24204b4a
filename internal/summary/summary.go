// Package summary builds the case summary a user forwards, downloads or
// sends to the merchant, the platform or 12315: what happened (the answers
// given), the legal basis, what comes next, the evidence they have and
// lack, deadlines and figures. It is pure: rendering is internal/render's.
package summary

import (
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

// Summary is a case as it stands.
type Summary struct {
	Category string
	Tree     string
	// Title and Gist are message keys of the outcome.
	Title, Gist string
	// Answers are the questions answered, in order.
	Answers []Answer
	Advice  *engine.Advice
	// Have and Missing split the evidence checklist.
	Have, Missing []string
	Updated       time.Time
	// Shared is true when personal data in typed answers is masked.
	Shared bool
}

// Answer is one answered question.
type Answer struct {
	Question string // message key
	// Option is the chosen option's message key; Value a typed answer.
	Option string
	Value  string
	Fact   string
	// Prefilled: taken from the user's own description.
	Prefilled bool
}

// Build makes the summary of s, or false when the case has no outcome yet.
// With shared set, typed answers are masked (phone, ID, passport, bank card,
// email) because the summary will leave the user's hands.
func Build(cat *engine.Catalog, s engine.Session, now time.Time, shared bool) (*Summary, bool) {
	// A draft's detail questions sit on top of the outcome; the summary is
	// of the outcome itself.
	s.Form = nil
	var advice *engine.Advice
	for _, rep := range engine.Current(cat, s, now) {
		if rep.Kind == engine.OutcomeReply {
			advice = rep.Advice
		}
	}
	if advice == nil {
		return nil, false
	}
	sum := &Summary{Category: advice.Category, Tree: advice.Tree, Title: advice.Title, Gist: advice.Summary,
		Advice: advice, Updated: s.Updated, Shared: shared}
	for _, f := range s.History {
		t := cat.Trees[f.Tree]
		if t == nil || t.Nodes[f.Node] == nil {
			continue
		}
		n := t.Nodes[f.Node]
		a := Answer{Question: n.Text}
		switch n.Kind {
		case engine.Choice:
			for _, o := range n.Options {
				if o.ID == f.Answer {
					a.Option = o.Text
				}
			}
			if a.Option == "" || f.Tree == cat.Menu {
				continue
			}
		case engine.Input:
			a.Value, a.Fact = f.Answer, n.SaveAs
			a.Prefilled = s.Prefilled[n.SaveAs] || (n.Prefill != "" && s.Prefilled[n.Prefill])
			if shared {
				a.Value = Mask(a.Value)
			}
		default:
			continue
		}
		sum.Answers = append(sum.Answers, a)
	}
	if shared {
		masked := make(map[string]string, len(advice.Facts))
		for k, v := range advice.Facts {
			if personalFacts[k] {
				continue // the complainant's identity never leaves in a share
			}
			masked[k] = Mask(v)
		}
		advice.Facts = masked
	}
	for _, id := range advice.Evidence {
		if advice.Have[id] {
			sum.Have = append(sum.Have, id)
		} else {
			sum.Missing = append(sum.Missing, id)
		}
	}
	return sum, true
}

// personalFacts are the user's own identity and contacts, typed for a
// 12315 draft: drafts use them; shared summaries drop them entirely.
var personalFacts = map[string]bool{"complainant_name": true, "complainant_phone": true, "complainant_address": true}

// NewToken returns a share token: 128 random bits, URL-safe, so a link
// cannot be guessed.
func NewToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
