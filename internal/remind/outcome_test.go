package remind_test

import (
	"reflect"
	"testing"

	"github.com/disputebot/disputebot/bot"
	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/source"
	"github.com/disputebot/disputebot/locales"
)

// slowOutcome is what Outcome computed before its shortcut for sessions
// resting on a question: always from the replies.
func slowOutcome(cat *engine.Catalog, s engine.Session, c dialog.CaseResult) *engine.Advice {
	s.Form = nil
	for _, rep := range engine.Current(cat, s, c.Now) {
		if rep.Kind == engine.OutcomeReply && rep.Advice != nil {
			return rep.Advice
		}
	}
	return nil
}

// Outcome's shortcut changes nothing: on every session the shipped dialog
// cases pass through (each answered question, as it was when asked, and
// the end), and on the ones a tree change, a pending guess, a draft's
// question or a lost node make of them, it gives what the replies give.
func TestOutcomeShortcutAgreesWithTheReplies(t *testing.T) {
	b, probs := dialog.Load(dialogs.FS, locales.FS, append(render.Keys(), bot.Keys()...))
	if len(probs) > 0 {
		t.Fatalf("dialogs do not load:\n%v", source.Error(probs))
	}
	cat := b.Catalog
	results, probs := dialog.RunCases(b, dialogs.FS)
	if len(probs) > 0 || len(results) < 50 {
		t.Fatalf("%d cases, problems:\n%v", len(results), source.Error(probs))
	}
	var sessions, outcomes, questions int
	check := func(name string, c dialog.CaseResult, s engine.Session) {
		t.Helper()
		sessions++
		got, want := remind.Outcome(cat, s, c.Now), slowOutcome(cat, s, c)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s/%s (%s at %s): Outcome %v, the replies give %v", c.Tree, c.Name, name, s.Node, got != nil, want != nil)
		}
		if want != nil {
			outcomes++
		} else {
			questions++
		}
	}
	for _, c := range results {
		end := c.Session
		variants := []engine.Session{end}
		for i, f := range end.History {
			// The session as it rested on the question of frame i.
			s := end.Clone()
			s.Tree, s.TreeVersion, s.Node, s.Facts = f.Tree, f.TreeVersion, f.Node, f.Facts
			s.History = s.History[:i]
			variants = append(variants, s)
		}
		for i, s := range variants {
			check("as reached", c, s)
			if i > 0 && i%3 != 0 {
				continue // the odd variants below on a sample
			}
			newer := s.Clone()
			newer.TreeVersion = cat.Trees[s.Tree].Version + 1 // a tree changed since
			check("tree changed", c, newer)
			lost := s.Clone()
			lost.Node = "no_such_node"
			check("node gone", c, lost)
			pending := s.Clone()
			pending.Pending = &engine.Proposal{Category: s.Tree}
			check("guess pending", c, pending)
			pendingLost := pending.Clone()
			pendingLost.Node = "no_such_node"
			check("guess pending, node gone", c, pendingLost)
			noTree := pending.Clone()
			noTree.Tree, noTree.Node = "no_such_tree", ""
			check("guess pending, tree gone", c, noTree)
			outside := s.Clone()
			outside.Tree, outside.Node, outside.History = "", "", nil
			check("outside any tree", c, outside)
			form := s.Clone()
			form.Form = &engine.Form{Channel: "merchant", Field: "name"}
			check("draft question", c, form)
		}
	}
	if outcomes < 100 || questions < 500 {
		t.Fatalf("checked %d sessions: %d at an outcome, %d not; too few of one kind to trust", sessions, outcomes, questions)
	}
	t.Logf("checked %d sessions: %d at an outcome, %d not", sessions, outcomes, questions)
}
