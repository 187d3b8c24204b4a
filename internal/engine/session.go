package engine

import (
	"slices"
	"time"
)

// Session is one chat's conversation state. It is what the store keeps.
// JSON tags are short because every active chat holds one in Redis.
type Session struct {
	// Version is the store's compare-and-set counter. Step never changes it;
	// the store bumps it on every successful Put.
	Version int64 `json:"v"`

	Lang        string            `json:"l,omitempty"`
	Tree        string            `json:"t,omitempty"`
	TreeVersion int               `json:"tv,omitempty"`
	Node        string            `json:"n,omitempty"`
	Facts       map[string]string `json:"f,omitempty"`
	// Prefilled marks facts that came from the user's free text rather than
	// from an answer, so the bot can show them for confirmation.
	Prefilled map[string]bool `json:"pf,omitempty"`
	History   []Frame         `json:"h,omitempty"`
	// Seq grows by one on every change of question. Buttons carry it, so a
	// tap on a button from an older question is recognised as stale.
	Seq int64 `json:"s"`
	// At is the step token of the outcome on screen, set on each visit.
	// Its checklist and action buttons carry it: questions asked on top of
	// the outcome (draft details) move Seq but leave those buttons valid.
	At string `json:"at,omitempty"`
	// Recent holds the ids of the last events applied, so a redelivered
	// update (webhook retry) is applied once. It is saved together with the
	// step by the same compare-and-set, which makes deduplication atomic.
	Recent []string `json:"r,omitempty"`
	// Pressed is the button press applied last ("choose:<token>:<option>"),
	// while nothing else has changed the session since: the same press
	// again is a double tap, answered quietly (Result.Repeat).
	Pressed string `json:"pr,omitempty"`
	// Evidence the user has ticked as "I have it", by evidence id.
	Evidence map[string]bool `json:"e,omitempty"`
	// Pending is a classified free-text description awaiting confirmation.
	Pending *Proposal `json:"p,omitempty"`
	// Share is the token of the case's summary link, if one was made; kept
	// here so /forget and a new case can revoke it.
	Share string `json:"sh,omitempty"`
	// Form is a complaint draft whose details are being asked for.
	Form    *Form     `json:"fm,omitempty"`
	Created time.Time `json:"c"`
	Updated time.Time `json:"u"`
	// PersonalSince is when the first personal fact (PersonalFact) was
	// kept; the store sets it, and drops those facts some days after.
	PersonalSince time.Time `json:"ps,omitempty"`
}

// Frame is one answered question: where the user was and what the facts
// were before the answer, so Back can undo any number of answers exactly.
type Frame struct {
	Tree        string `json:"t"`
	TreeVersion int    `json:"tv,omitempty"`
	Node        string `json:"n"`
	// Answer is the option id chosen, or the value typed (canonical form).
	Answer string            `json:"a,omitempty"`
	Facts  map[string]string `json:"f,omitempty"`
}

// Form tracks the detail a complaint draft is waiting for.
type Form struct {
	Channel string `json:"c"`
	Field   string `json:"f"`
}

// Proposal is a category guessed from free text, with the facts found in it.
type Proposal struct {
	Category   string            `json:"c"`
	Confidence float64           `json:"q,omitempty"`
	Facts      map[string]string `json:"f,omitempty"`
	// Alternatives are other categories the text may be about, best
	// first, offered beside Category when the classifier is unsure. Empty
	// (and in sessions stored before it existed): Category alone is asked.
	Alternatives []string `json:"alt,omitempty"`
}

// Offers lists the categories the user is asked to choose from: Category,
// then the alternatives.
func (p *Proposal) Offers() []string {
	return append([]string{p.Category}, p.Alternatives...)
}

// maxRecent bounds Session.Recent; Telegram retries a webhook delivery a few
// times at most, always for the newest updates.
const maxRecent = 32

// clone returns a deep copy so Step never mutates its input.
func (s Session) clone() Session {
	c := s
	c.Facts = cloneMap(s.Facts)
	c.Prefilled = cloneBoolMap(s.Prefilled)
	c.Evidence = cloneBoolMap(s.Evidence)
	c.History = make([]Frame, len(s.History))
	for i, f := range s.History {
		f.Facts = cloneMap(f.Facts)
		c.History[i] = f
	}
	c.Recent = append([]string(nil), s.Recent...)
	if s.Form != nil {
		f := *s.Form
		c.Form = &f
	}
	if s.Pending != nil {
		p := *s.Pending
		p.Facts = cloneMap(p.Facts)
		p.Alternatives = slices.Clone(p.Alternatives)
		c.Pending = &p
	}
	return c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func cloneBoolMap(m map[string]bool) map[string]bool {
	if m == nil {
		return nil
	}
	c := make(map[string]bool, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Clone returns a deep copy of s, for callers that keep a session while
// others may hold it (a cache).
func (s Session) Clone() Session { return s.clone() }
