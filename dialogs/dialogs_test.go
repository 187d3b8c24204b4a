package dialogs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/disputebot/disputebot/bot"
	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/locales"
)

// maxAnswers is how many questions a user may face before advice: people
// write to the bot mid-dispute, on a phone.
const maxAnswers = 8

// TestAnswersToReachAnOutcome walks every feasible path of every tree and
// counts the questions on it. Facts set by options are tracked, so a branch
// whose condition contradicts an earlier choice is not walked; conditions on
// typed answers may go either way. An option that hands over to another
// tree (a "this is really about X" answer) counts like picking from the
// menu: the walk starts afresh there.
func TestAnswersToReachAnOutcome(t *testing.T) {
	b, probs := dialog.Load(dialogs.FS, locales.FS, append(render.Keys(), bot.Keys()...))
	if b == nil {
		t.Fatalf("dialogs do not load: %v", probs)
	}
	for _, id := range engine.Categories {
		tree := b.Catalog.Trees[id]
		if tree == nil {
			t.Errorf("category %s has no tree", id)
			continue
		}
		w := &walker{cat: b.Catalog}
		w.walk(tree, tree.Start, map[string]string{}, nil, map[string]bool{})
		if w.worst > maxAnswers {
			t.Errorf("%s: %d answers on the path %s", id, w.worst, strings.Join(w.path, " → "))
		}
		t.Logf("%s: at most %d answers (%s)", id, w.worst, strings.Join(w.path, " → "))
		if w.outcomes == 0 {
			t.Errorf("%s: no outcome reached", id)
		}
	}
}

type walker struct {
	cat      *engine.Catalog
	worst    int
	path     []string
	outcomes int
}

// unknownFact marks a fact whose value a typed answer decides.
const unknownFact = "\x00typed"

func (w *walker) walk(t *engine.Tree, id string, facts map[string]string, path []string, seen map[string]bool) {
	key := t.ID + "/" + id
	if seen[key] {
		return
	}
	seen[key] = true
	defer delete(seen, key)
	n := t.Nodes[id]
	path = append(path, key)
	asked := 0
	for _, p := range path {
		tid, nid, _ := strings.Cut(p, "/")
		if k := w.cat.Trees[tid].Nodes[nid].Kind; k == engine.Choice || k == engine.Input {
			asked++
		}
	}
	switch n.Kind {
	case engine.Outcome:
		w.outcomes++
		if asked > w.worst {
			w.worst, w.path = asked, append([]string(nil), path...)
		}
	case engine.Info:
		for _, to := range w.targets(n.Next, facts) {
			w.walk(t, to, facts, path, seen)
		}
	case engine.Input:
		f := copyFacts(facts)
		f[n.SaveAs] = unknownFact
		for _, to := range w.targets(n.Next, f) {
			w.walk(t, to, f, path, seen)
		}
	case engine.Choice:
		for _, o := range n.Options {
			f := copyFacts(facts)
			for k, v := range o.Set {
				f[k] = v
			}
			if o.Goto != "" {
				if o.Goto != w.cat.Menu {
					g := w.cat.Trees[o.Goto]
					w.walk(g, g.Start, f, nil, seen)
				}
				continue
			}
			for _, to := range w.targets(o.Next, f) {
				w.walk(t, to, f, path, seen)
			}
		}
	}
}

// targets lists the branches of next that facts allow, in order: a branch
// decided true ends the list; one that depends on a typed answer may or may
// not be taken.
func (w *walker) targets(next engine.Next, facts map[string]string) []string {
	var out []string
	for _, br := range next {
		switch decided(br.If, facts) {
		case yes:
			return append(out, br.To)
		case maybe:
			out = append(out, br.To)
		}
	}
	return out
}

type verdict int

const (
	no verdict = iota
	yes
	maybe
)

func decided(c *engine.Condition, facts map[string]string) verdict {
	if c == nil {
		return yes
	}
	if dependsOnTyped(c, facts) {
		return maybe
	}
	if c.Holds(facts, time.Now()) {
		return yes
	}
	return no
}

// dependsOnTyped: the condition reads a fact a typed answer set, or a date.
func dependsOnTyped(c *engine.Condition, facts map[string]string) bool {
	switch {
	case c.Not != nil:
		return dependsOnTyped(c.Not, facts)
	case c.All != nil || c.Any != nil:
		for _, s := range append(append([]*engine.Condition(nil), c.All...), c.Any...) {
			if dependsOnTyped(s, facts) {
				return true
			}
		}
		return false
	}
	v, ok := facts[c.Var]
	// A fact not set by any option on this path may come from the user's
	// own description: either way is possible.
	return !ok || v == unknownFact
}

func copyFacts(m map[string]string) map[string]string {
	c := make(map[string]string, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}
