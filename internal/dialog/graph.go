package dialog

import (
	"fmt"
	"io"
	"strings"

	"github.com/disputebot/disputebot/internal/engine"
)

// Mermaid writes a flowchart of t: questions as boxes, outcomes as rounded
// boxes, edges labelled with the option or condition that takes them.
func Mermaid(w io.Writer, t *engine.Tree) {
	fmt.Fprintln(w, "flowchart TD")
	for _, id := range t.Order {
		n := t.Nodes[id]
		switch n.Kind {
		case engine.Outcome:
			fmt.Fprintf(w, "  %s([\"%s\"])\n", id, id)
		case engine.Input:
			fmt.Fprintf(w, "  %s[/\"%s: %s\"/]\n", id, id, n.Input.Kind)
		case engine.Info:
			fmt.Fprintf(w, "  %s>\"%s\"]\n", id, id)
		default:
			fmt.Fprintf(w, "  %s{\"%s\"}\n", id, id)
		}
	}
	branches := func(from string, next engine.Next, prefix string) {
		for _, b := range next {
			label := prefix
			if b.If != nil {
				label = strings.TrimSpace(prefix + " " + condLabel(b.If))
			} else if len(next) > 1 {
				label = strings.TrimSpace(prefix + " else")
			}
			if label == "" {
				fmt.Fprintf(w, "  %s --> %s\n", from, b.To)
			} else {
				fmt.Fprintf(w, "  %s -- \"%s\" --> %s\n", from, label, b.To)
			}
		}
	}
	for _, id := range t.Order {
		n := t.Nodes[id]
		branches(id, n.Next, "")
		for _, o := range n.Options {
			if o.Goto != "" {
				fmt.Fprintf(w, "  %s -- \"%s\" --> tree_%s[[\"%s\"]]\n", id, o.ID, o.Goto, o.Goto)
				continue
			}
			branches(id, o.Next, o.ID)
		}
	}
}

// condLabel writes a condition compactly for a diagram.
func condLabel(c *engine.Condition) string {
	switch {
	case c.Not != nil:
		return "not " + condLabel(c.Not)
	case c.All != nil || c.Any != nil:
		list, sep := c.All, " and "
		if c.Any != nil {
			list, sep = c.Any, " or "
		}
		parts := make([]string, len(list))
		for i, s := range list {
			parts[i] = condLabel(s)
		}
		return "(" + strings.Join(parts, sep) + ")"
	case c.Op == "in":
		return c.Var + " in " + strings.Join(c.Values, "/")
	}
	return c.Var + " " + c.Op + " " + c.Value
}
