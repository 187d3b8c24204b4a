// Package advisor is the use case every front end shares: load a chat's
// session, step it, and save it with compare-and-set, retrying when another
// replica or a concurrent tap saved first.
package advisor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

// Advisor applies events to stored sessions.
type Advisor struct {
	Catalog *engine.Catalog
	Store   store.Store
	// Now is the clock; tests inject a fixed one.
	Now func() time.Time
	// Lang is the language of a session the front end has no hint for.
	Lang string
	// Describer reads free text; nil turns free-text understanding off.
	Describer Describer
	// Labels gives the words on the buttons, so typed text can select an
	// option by its label; nil leaves numbers and yes/no only.
	Labels Labels
	// Reminders keeps the chats' reminders; nil turns reminders off.
	Reminders store.Reminders
	// Cache starts a chat's steps from the session this process saved
	// last (cache.go); nil reads the store every time.
	Cache *Cache
}

// maxAttempts bounds compare-and-set retries. Conflicts only happen when
// the same chat acts twice at once, so a handful is plenty.
const maxAttempts = 20

// ErrBusy: the session kept changing under us; the user should retry.
var ErrBusy = errors.New("session too busy")

// Handle applies ev to the session under key and returns the result. The
// result's session is the one stored, with its new version.
func (a *Advisor) Handle(ctx context.Context, key string, ev engine.Event) (engine.Result, error) {
	res, _, err := a.HandleFunc(ctx, key, func(engine.Session) engine.Event { return ev })
	return res, err
}

// HandleFunc is Handle for an event that depends on where the session
// stands (typed text: TextEvent). event is called with the session as
// loaded, inside the compare-and-set loop, so the session is read once per
// attempt instead of once to decide and again to step, and the event is
// never decided against a session that changed before the step. It
// returns the event applied (that of the last attempt).
func (a *Advisor) HandleFunc(ctx context.Context, key string, event func(engine.Session) engine.Event) (engine.Result, engine.Event, error) {
	var ev engine.Event
	// tried is the last step whose save failed without saying whether it
	// landed (a conflict, a timeout): if the stored session turns out to be
	// it, this update is applied and its replies are owed to the user.
	var tried *engine.Result
	var triedFrom engine.Session
	var read *engine.Session // the stored session, read to check a cached one
	for attempt := 0; attempt < maxAttempts; attempt++ {
		var s engine.Session
		cached := false
		switch {
		case read != nil:
			s, read = *read, nil
		default:
			if s, cached = a.Cache.get(key); cached {
				break
			}
			var err error
			if s, err = a.load(ctx, key); err != nil {
				return engine.Result{}, ev, err
			}
		}
		if tried != nil && landed(s, tried.Session, ev.ID) {
			return a.saved(ctx, key, triedFrom, ev, *tried, s), ev, nil
		}
		tried = nil
		ev = event(s)
		if s.Lang == "" && ev.Lang == "" {
			ev.Lang = a.Lang
		}
		ev.Now = a.now()
		res := engine.Step(a.Catalog, s, ev)
		if res.Duplicate || !res.Changed {
			if cached && !res.Duplicate {
				// Nothing to save, so no compare-and-set to catch a
				// stale copy: check it against the stored session, and
				// decide again (event is called again) only if it moved.
				stored, err := a.load(ctx, key)
				if err != nil {
					return engine.Result{}, ev, err
				}
				if stored.Version == s.Version && stored.Created.Equal(s.Created) {
					a.Cache.keep(key, stored, true)
					return res, ev, nil
				}
				a.Cache.Drop(key)
				read = &stored
				continue
			}
			return res, ev, nil
		}
		saved, err := a.Store.Put(ctx, key, res.Session)
		if errors.Is(err, store.ErrConflict) {
			a.Cache.Drop(key)
			tried, triedFrom = &res, s
			continue
		}
		if err != nil {
			a.Cache.Drop(key)
			// A timeout may come after the write: read back before
			// telling the user the step was not saved.
			if got, gerr := a.Store.Get(ctx, key); gerr == nil && landed(got, res.Session, ev.ID) {
				return a.saved(ctx, key, s, ev, res, got), ev, nil
			}
			return engine.Result{}, ev, fmt.Errorf("save session: %w", err)
		}
		a.Cache.keep(key, saved, !cached)
		return a.saved(ctx, key, s, ev, res, saved), ev, nil
	}
	return engine.Result{}, ev, ErrBusy
}

// load reads key's session, a fresh one if none is stored.
func (a *Advisor) load(ctx context.Context, key string) (engine.Session, error) {
	s, err := a.Store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return engine.Session{}, nil
	}
	if err != nil {
		return engine.Session{}, fmt.Errorf("load session: %w", err)
	}
	return s, nil
}

// landed reports whether stored is the session put (version bumped once,
// same step time, the event recorded): a save whose reply was lost. A
// session another replica saved for the same update has another time.
func landed(stored, put engine.Session, id string) bool {
	return stored.Version == put.Version+1 && stored.Updated.Equal(put.Updated) &&
		(id == "" || slices.Contains(stored.Recent, id))
}

// saved finishes a step stored as saved: its summary link and reminders
// follow the case. s is the session the step started from (its Share is
// revoked if the case gave it up; empty when not known).
func (a *Advisor) saved(ctx context.Context, key string, s engine.Session, ev engine.Event, res engine.Result, saved engine.Session) engine.Result {
	res.Session = saved
	if saved.Share != "" {
		// Activity keeps the case, so it keeps its link too: both
		// expire together, TTL after the last step. Best effort.
		_ = a.Store.PutLink(ctx, saved.Share, key)
	}
	if s.Share != "" && saved.Share != s.Share {
		// The case behind the link was given up (a new case): the
		// link would 404 anyway; deleting it leaves nothing behind.
		// A failure here only leaves a dead key that expires.
		_ = a.Store.DeleteLink(ctx, s.Share)
	}
	a.keepReminders(ctx, key, ev, saved)
	return res
}

// Session returns the stored session (a fresh one if there is none).
func (a *Advisor) Session(ctx context.Context, key string) (engine.Session, error) {
	s, err := a.load(ctx, key)
	if err == nil && s.Version == 0 { // none stored: every save numbers it
		s.Lang = a.Lang
	}
	return s, err
}

// Current returns the replies showing where the session stands.
func (a *Advisor) Current(ctx context.Context, key string) (engine.Session, []engine.Reply, error) {
	s, err := a.Session(ctx, key)
	if err != nil {
		return s, nil, err
	}
	return s, engine.Current(a.Catalog, s, a.now()), nil
}

// Forget deletes everything stored for key, revoking its summary link.
func (a *Advisor) Forget(ctx context.Context, key string) error {
	s, err := a.Store.Get(ctx, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("forget session: %w", err)
	}
	if s.Share != "" {
		if err := a.Store.DeleteLink(ctx, s.Share); err != nil {
			return fmt.Errorf("forget link: %w", err)
		}
	}
	if err := a.forgetReminders(ctx, key); err != nil {
		return err
	}
	a.Cache.Drop(key)
	if err := a.Store.Delete(ctx, key); err != nil {
		return fmt.Errorf("forget session: %w", err)
	}
	return nil
}

// ForgetAt deletes everything stored for key, as Forget, if the session's
// step token is still token (the one shown when the user was asked to
// confirm); otherwise it deletes nothing and returns false, so an old
// confirmation cannot delete a case that has moved on since.
func (a *Advisor) ForgetAt(ctx context.Context, key, token string) (bool, error) {
	s, err := a.Session(ctx, key)
	if err != nil {
		return false, fmt.Errorf("forget session: %w", err)
	}
	if engine.Token(s.Seq) != token {
		return false, nil
	}
	return true, a.Forget(ctx, key)
}

// Clock is the advisor's idea of now.
func (a *Advisor) Clock() time.Time { return a.now() }

func (a *Advisor) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Describer proposes a case from a free-text description (internal/intake).
type Describer interface {
	Describe(text string) (engine.Proposal, bool)
}

// SwitchConfidence is how sure the classifier must be before text typed in
// the middle of a case is taken as a new description (and the user asked
// whether to switch) rather than as a stray answer. The text must also be
// long enough (SwitchWeight, understand.go) and come with no alternatives
// (internal/intake offers several when it is unsure).
const SwitchConfidence = 0.6

// NewCaseEvent is the event for "/new <description>": a proposal that
// gives up the current case, or the menu when the text cannot be placed.
func (a *Advisor) NewCaseEvent(text string) engine.Event {
	ev := a.TextEvent(engine.Session{}, text)
	if ev.Kind != engine.Propose {
		return engine.Event{Kind: engine.Start}
	}
	ev.Option = engine.NewCase
	return ev
}

// TextEvent decides what typed text means where s stands: an option of the
// question on screen (its number, its label or a part of it, a yes or no),
// the answer to an input question, or a description of a (new) case to
// confirm. Text that fits nothing re-asks the question; only a clear
// description of another dispute offers to switch cases. Front ends call
// it and then Handle the event.
func (a *Advisor) TextEvent(s engine.Session, text string) engine.Event {
	// Read the text as it will be kept: a stray control character must not
	// change which option it picks or how it is classified.
	text = engine.CleanText(text)
	answer := engine.Event{Kind: engine.Text, Text: text}
	if s.Form != nil {
		// Typing a draft's details: it is an answer.
		return answer
	}
	tok := engine.Token(s.Seq)
	if p := s.Pending; p != nil {
		m := a.choose(s.Lang, proposalChoices(p), text, false)
		switch {
		case m.id != "":
			return engine.Event{Kind: engine.Accept, Token: tok, Option: m.id}
		case m.ambiguous:
			answer.Notice = noticeAmbiguous
			return answer
		}
		// Another description while confirming a guess replaces it.
		if p2, ok := a.clear(s, text); ok && !slices.Contains(p.Offers(), p2.Category) {
			return engine.Event{Kind: engine.Propose, Proposal: &p2}
		}
		return answer
	}
	var node *engine.Node
	if t := a.Catalog.Trees[s.Tree]; t != nil {
		node = t.Nodes[s.Node]
	}
	if node != nil && node.Kind == engine.Input {
		return answer
	}
	atMenu := node == nil || s.Tree == a.Catalog.Menu
	var cs []choice
	if node != nil && node.Kind == engine.Choice {
		cs = nodeChoices(node)
		m := a.choose(s.Lang, cs, text, false)
		switch {
		case m.id != "":
			return engine.Event{Kind: engine.Choose, Token: tok, Option: m.id}
		case m.ambiguous:
			answer.Notice = noticeAmbiguous
			return answer
		}
	}
	if atMenu {
		if a.Describer == nil {
			return answer
		}
		if Vague(text) {
			// "你好", "help", "1000": ask for a sentence, with the menu.
			answer.Notice = noticeVague
			return answer
		}
		p, ok := a.Describer.Describe(text)
		if !ok {
			return engine.Event{Kind: engine.Start, Notice: noticeNotUnderstood}
		}
		return engine.Event{Kind: engine.Propose, Proposal: &p}
	}
	if p, ok := a.clear(s, text); ok && p.Category != s.Tree {
		return engine.Event{Kind: engine.Propose, Proposal: &p}
	}
	if cs != nil {
		// A short answer that names an option's words ("在网上买的").
		if m := a.choose(s.Lang, cs, text, true); m.id != "" {
			return engine.Event{Kind: engine.Choose, Token: tok, Option: m.id}
		} else if m.ambiguous {
			answer.Notice = noticeAmbiguous
		}
	}
	// Not clearly a new dispute (or more about this one): re-ask.
	return answer
}

// clear returns the proposal for text that is clearly a description of a
// dispute: long enough (SwitchWeight), classified with confidence
// (SwitchConfidence) and with no close alternative.
func (a *Advisor) clear(s engine.Session, text string) (engine.Proposal, bool) {
	if a.Describer == nil || weight(text) < SwitchWeight || Vague(text) {
		return engine.Proposal{}, false
	}
	p, ok := a.Describer.Describe(text)
	if !ok || p.Confidence < SwitchConfidence || len(p.Alternatives) > 0 {
		return engine.Proposal{}, false
	}
	return p, true
}
