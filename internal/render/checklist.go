package render

import (
	"github.com/disputebot/disputebot/internal/engine"
)

// ChecklistButtons are the evidence items of an outcome as toggle buttons,
// one per row: "✅ name" for an item the user has ticked, "⬜ name" for one
// still missing. A tap fires a Tick event for the item. Button labels are
// plain text (front ends do not parse markup in them), so nothing is
// escaped here.
func (r *Renderer) ChecklistButtons(lang string, a *engine.Advice) ([][]Button, error) {
	rows := make([][]Button, 0, len(a.Evidence))
	for _, id := range a.Evidence {
		name, err := r.T(lang, "evidence."+id, nil)
		if err != nil {
			return nil, err
		}
		box := "⬜ "
		if a.Have[id] {
			box = "✅ "
		}
		rows = append(rows, []Button{{Text: box + name, Event: engine.Event{Kind: engine.Tick, Token: a.Token, Option: id}}})
	}
	return rows, nil
}
