package advisor_test

import (
	"maps"
	"math/rand"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

// typed is what random users type: answers of every kind, and junk.
var typed = []string{"299", "¥1,299.50", "0", "-5", "2000000000", "2026-11-20", "11月20日", "昨天", "2027-01-01", "2026-02-31",
	"是的", "no", "1", "2", "9", "", " ", "\x7f", "Shop\x00A", "Li Wei", "13812345678", "退款", "lots", "👩\u200d💻"}

// TestRandomWalks drives the engine with random event sequences on every
// shipped tree (seeded, so a failure replays): Step never panics, the
// session is always valid, and a typed /back right after an answer that
// pushed one frame restores the state before it exactly.
func TestRandomWalks(t *testing.T) {
	cat, _ := shipped(t)
	var trees []string
	for id := range cat.Trees {
		trees = append(trees, id)
	}
	sort.Strings(trees)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, engine.China)
	walks, steps := 60, 40
	if testing.Short() {
		walks = 10
	}
	for ti, tree := range trees {
		t.Run(tree, func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(1000 + ti)))
			for w := 0; w < walks; w++ {
				s := engine.Step(cat, engine.Session{}, engine.Event{Kind: engine.Start, Tree: tree, Now: now, Lang: "zh"}).Session
				var trail []engine.EventKind
				for i := 0; i < steps; i++ {
					ev := randomEvent(rng, cat, s)
					ev.Now = now
					ev.ID = strconv.Itoa(w*1000 + i)
					trail = append(trail, ev.Kind)
					res := engine.Step(cat, s, ev)
					if res.Changed {
						res.Session.Version++ // as the store does
					}
					if err := valid(cat, res.Session); err != "" {
						t.Fatalf("walk %d after %v: %s", w, trail, err)
					}
					next := res.Session
					if len(next.History) == len(s.History)+1 && s.Form == nil && s.Pending == nil && next.Form == nil && next.Pending == nil &&
						(ev.Kind == engine.Choose || ev.Kind == engine.Text) {
						back := engine.Step(cat, next, engine.Event{Kind: engine.Back, Now: now}).Session
						if back.Tree != s.Tree || back.Node != s.Node || !maps.Equal(back.Facts, s.Facts) && len(back.Facts)+len(s.Facts) > 0 ||
							len(back.History) != len(s.History) {
							t.Fatalf("walk %d after %v: /back gave %s/%s %v, want %s/%s %v", w, trail, back.Tree, back.Node, back.Facts, s.Tree, s.Node, s.Facts)
						}
					}
					s = next
				}
			}
		})
	}
}

func randomEvent(rng *rand.Rand, cat *engine.Catalog, s engine.Session) engine.Event {
	tok := engine.Token(s.Seq)
	var node *engine.Node
	if tr := cat.Trees[s.Tree]; tr != nil {
		node = tr.Nodes[s.Node]
	}
	switch r := rng.Intn(20); {
	case r < 8 && node != nil && node.Kind == engine.Choice && s.Pending == nil && s.Form == nil:
		return engine.Event{Kind: engine.Choose, Token: tok, Option: node.Options[rng.Intn(len(node.Options))].ID}
	case r < 11:
		return engine.Event{Kind: engine.Text, Text: typed[rng.Intn(len(typed))]}
	case r < 12:
		return engine.Event{Kind: engine.Back}
	case r < 13:
		return engine.Event{Kind: engine.Back, Token: engine.Token(s.Seq - int64(rng.Intn(2)))}
	case r < 14 && node != nil && node.Kind == engine.Outcome:
		ev := node.Outcome.Evidence
		if len(ev) > 0 {
			return engine.Event{Kind: engine.Tick, Token: s.At, Option: ev[rng.Intn(len(ev))].Key}
		}
		return engine.Event{Kind: engine.Draft, Option: engine.DraftChannels[rng.Intn(len(engine.DraftChannels))]}
	case r < 15:
		chs := append(slices.Clone(engine.DraftChannels), engine.FiledForm)
		return engine.Event{Kind: engine.Draft, Option: chs[rng.Intn(len(chs))]}
	case r < 16:
		cats := slices.Sorted(maps.Keys(cat.Trees))
		return engine.Event{Kind: engine.Propose, Proposal: &engine.Proposal{Category: cats[rng.Intn(len(cats))], Facts: map[string]string{"amount": "299.00"}}}
	case r < 17 && s.Pending != nil:
		return engine.Event{Kind: engine.Accept, Token: tok, Option: []string{"yes", "no", s.Pending.Category}[rng.Intn(3)]}
	case r < 18:
		return engine.Event{Kind: engine.Choose, Token: engine.Token(s.Seq - 1), Option: "x"}
	case r < 19:
		return engine.Event{Kind: []engine.EventKind{engine.Show, engine.Restart, engine.SetLang, engine.Mark}[rng.Intn(4)], Lang: "en"}
	}
	return engine.Event{Kind: engine.Show}
}

// valid says what is wrong with s, or "".
func valid(cat *engine.Catalog, s engine.Session) string {
	if s.Tree == "" {
		return "no tree"
	}
	tr := cat.Trees[s.Tree]
	if tr == nil || tr.Nodes[s.Node] == nil {
		return "at " + s.Tree + "/" + s.Node + ", which does not exist"
	}
	n := tr.Nodes[s.Node]
	if n.Kind == engine.Info {
		return "resting on info node " + s.Node
	}
	if s.Pending != nil && cat.Trees[s.Pending.Category] == nil {
		return "proposal of unknown category " + s.Pending.Category
	}
	if f := s.Form; f != nil && (n.Kind != engine.Outcome || !slices.Contains(engine.DraftFields[f.Channel], f.Field)) {
		return "draft form " + f.Channel + "/" + f.Field + " away from an outcome"
	}
	for _, fr := range s.History {
		if ft := cat.Trees[fr.Tree]; ft == nil || ft.Nodes[fr.Node] == nil {
			return "history frame at " + fr.Tree + "/" + fr.Node + ", which does not exist"
		}
	}
	for k, v := range s.Facts {
		if k == "" || v == "" {
			return "empty fact " + k + "=" + v
		}
	}
	for k := range s.Prefilled {
		if _, ok := s.Facts[k]; !ok && s.Prefilled[k] {
			return "prefilled " + k + " without its fact"
		}
	}
	if len(s.Recent) > 32 {
		return "recent ids unbounded"
	}
	if s.At != "" && n.Kind == engine.Outcome {
		if at, err := strconv.ParseInt(s.At, 36, 64); err != nil || at > s.Seq {
			return "outcome token " + s.At + " ahead of the step counter"
		}
	}
	return ""
}
