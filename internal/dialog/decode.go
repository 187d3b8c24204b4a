package dialog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/source"
)

// The raw* types mirror the YAML. Fields that can take several shapes (next,
// if, the items of law/steps/evidence/refusals) stay yaml.Nodes and are
// decoded by hand below, because yaml.v3 does not apply KnownFields inside
// custom unmarshalers; doing it by hand keeps every unknown key an error
// with its line.
type rawTree struct {
	ID       string    `yaml:"id"`
	Version  int       `yaml:"version"`
	Start    string    `yaml:"start"`
	Category string    `yaml:"category"`
	Nodes    []rawNode `yaml:"nodes"`
}

type rawNode struct {
	Line    int         `yaml:"-"`
	ID      string      `yaml:"id"`
	Type    string      `yaml:"type"`
	Text    string      `yaml:"text"`
	Options []rawOption `yaml:"options"`
	Input   *rawInput   `yaml:"input"`
	SaveAs  string      `yaml:"save_as"`
	Prefill string      `yaml:"prefill"`
	Next    yaml.Node   `yaml:"next"`

	Category     string            `yaml:"category"`
	Title        string            `yaml:"title"`
	Summary      string            `yaml:"summary"`
	Law          []yaml.Node       `yaml:"law"`
	Steps        []yaml.Node       `yaml:"steps"`
	Evidence     []yaml.Node       `yaml:"evidence"`
	Refusals     []yaml.Node       `yaml:"refusals"`
	Deadlines    []rawDeadline     `yaml:"deadlines"`
	Compensation []rawCompensation `yaml:"compensation"`
}

type rawOption struct {
	ID   string            `yaml:"id"`
	Text string            `yaml:"text"`
	Set  map[string]string `yaml:"set"`
	Next yaml.Node         `yaml:"next"`
	Goto string            `yaml:"goto"`
	// Means marks the option a typed yes or no selects.
	Means string `yaml:"means"`
}

type rawInput struct {
	Kind        string   `yaml:"kind"`
	MaxLen      int      `yaml:"max_len"`
	Min         *float64 `yaml:"min"`
	Max         *float64 `yaml:"max"`
	AllowFuture bool     `yaml:"allow_future"`
}

type rawDeadline struct {
	Rule string    `yaml:"rule"`
	From string    `yaml:"from"`
	If   yaml.Node `yaml:"if"`
}

type rawCompensation struct {
	Rule  string            `yaml:"rule"`
	Facts map[string]string `yaml:"facts"`
	If    yaml.Node         `yaml:"if"`
	// Established is `true` or a condition (engine.CompensationSpec).
	Established yaml.Node `yaml:"established"`
}

// decoder collects problems for one file.
type decoder struct {
	file  string
	probs []source.Problem
}

func (d *decoder) errorf(line int, format string, args ...any) {
	d.probs = append(d.probs, source.Problem{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// decodeTree strictly decodes one tree file into an engine.Tree.
func decodeTree(file string, data []byte) (*engine.Tree, []source.Problem) {
	d := &decoder{file: file}
	var raw rawTree
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []source.Problem{{File: file, Line: 1, Msg: "the file is empty: a tree needs an id, a version, a start node and nodes"}}
		}
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, source.FromYAML(file, err)
		}
		// Unknown fields or wrong types: report them, and keep checking
		// the rest of the tree so one typo does not hide everything else.
		d.probs = append(d.probs, source.FromYAML(file, err)...)
		raw = rawTree{}
		_ = yaml.Unmarshal(data, &raw)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	nodeLines := seqItemLines(&root, "nodes")
	for i := range raw.Nodes {
		if i < len(nodeLines) {
			raw.Nodes[i].Line = nodeLines[i]
		}
	}
	t := &engine.Tree{ID: raw.ID, Version: raw.Version, Start: raw.Start, Category: raw.Category, Nodes: map[string]*engine.Node{}}
	if raw.ID == "" {
		d.errorf(1, "tree needs an id")
	}
	if raw.Version <= 0 {
		d.errorf(1, "tree %q needs a version (a positive number, raised when nodes are removed or renamed)", raw.ID)
	}
	if raw.Start == "" {
		d.errorf(1, "tree %q needs a start node", raw.ID)
	}
	for _, rn := range raw.Nodes {
		n := d.node(rn)
		if n == nil {
			continue
		}
		if _, dup := t.Nodes[n.ID]; dup {
			d.errorf(n.Line, "duplicate node id %q", n.ID)
			continue
		}
		t.Nodes[n.ID] = n
		t.Order = append(t.Order, n.ID)
	}
	return t, d.probs
}

func (d *decoder) node(rn rawNode) *engine.Node {
	if rn.ID == "" {
		d.errorf(rn.Line, "node needs an id")
		return nil
	}
	n := &engine.Node{ID: rn.ID, Kind: engine.NodeKind(rn.Type), Text: rn.Text, SaveAs: rn.SaveAs, Prefill: rn.Prefill, Line: rn.Line}
	need := func(ok bool, what string) {
		if !ok {
			d.errorf(rn.Line, "%s node %q needs %s", rn.Type, rn.ID, what)
		}
	}
	forbid := func(present bool, what string) {
		if present {
			d.errorf(rn.Line, "%s node %q cannot have %s", rn.Type, rn.ID, what)
		}
	}
	isOutcome := rn.Type == string(engine.Outcome)
	forbid(!isOutcome && (rn.Category != "" || rn.Title != "" || rn.Summary != "" || len(rn.Law) > 0 || len(rn.Steps) > 0 ||
		len(rn.Evidence) > 0 || len(rn.Refusals) > 0 || len(rn.Deadlines) > 0 || len(rn.Compensation) > 0), "outcome fields")
	switch n.Kind {
	case engine.Choice:
		need(rn.Text != "", "text")
		need(len(rn.Options) > 0, "options")
		forbid(rn.Input != nil || rn.SaveAs != "", "input or save_as")
		forbid(rn.Next.Kind != 0, "next (each option has its own)")
		seen := map[string]bool{}
		meant := map[string]string{} // "yes"/"no" → option id
		for _, ro := range rn.Options {
			if ro.ID == "" {
				d.errorf(rn.Line, "an option of node %q has no id", rn.ID)
				continue
			}
			if seen[ro.ID] {
				d.errorf(rn.Line, "node %q: duplicate option id %q", rn.ID, ro.ID)
			}
			seen[ro.ID] = true
			if ro.Text == "" {
				d.errorf(rn.Line, "node %q option %q needs text", rn.ID, ro.ID)
			}
			o := engine.Option{ID: ro.ID, Text: ro.Text, Set: ro.Set, Goto: ro.Goto, Means: ro.Means}
			switch ro.Means {
			case "":
			case "yes", "no":
				if meant[ro.Means] != "" {
					d.errorf(rn.Line, "node %q: options %q and %q both mean %q; a typed %s must select one option", rn.ID, meant[ro.Means], ro.ID, ro.Means, ro.Means)
				}
				meant[ro.Means] = ro.ID
			default:
				d.errorf(rn.Line, "node %q option %q: means is \"yes\" or \"no\", not %q", rn.ID, ro.ID, ro.Means)
			}
			if ro.Goto != "" && ro.Next.Kind != 0 {
				d.errorf(ro.Next.Line, "node %q option %q: use next or goto, not both", rn.ID, ro.ID)
			}
			if ro.Goto == "" {
				if ro.Next.Kind == 0 {
					d.errorf(rn.Line, "node %q option %q needs next or goto", rn.ID, ro.ID)
				}
				o.Next = d.next(&ro.Next)
			}
			n.Options = append(n.Options, o)
		}
	case engine.Input:
		need(rn.Text != "", "text")
		need(rn.Input != nil, "input")
		need(rn.SaveAs != "", "save_as")
		need(rn.Next.Kind != 0, "next")
		forbid(len(rn.Options) > 0, "options")
		if rn.Input != nil {
			n.Input = d.input(rn)
		}
		n.Next = d.next(&rn.Next)
	case engine.Info:
		need(rn.Text != "", "text")
		need(rn.Next.Kind != 0, "next")
		forbid(len(rn.Options) > 0 || rn.Input != nil, "options or input")
		n.Next = d.next(&rn.Next)
	case engine.Outcome:
		need(rn.Category != "", "category")
		need(rn.Title != "", "title")
		need(len(rn.Law) > 0, "law (every outcome states its legal basis)")
		forbid(len(rn.Options) > 0 || rn.Input != nil || rn.Next.Kind != 0, "options, input or next")
		o := &engine.OutcomeSpec{Category: rn.Category, Title: rn.Title, Summary: rn.Summary}
		o.Law = d.citedList(rn.Law, "id", false)
		o.Steps = d.citedList(rn.Steps, "text", true)
		o.Evidence = d.citedList(rn.Evidence, "id", true)
		o.Refusals = d.citedList(rn.Refusals, "id", true)
		rules := map[string]bool{}
		for _, rd := range rn.Deadlines {
			rules[rd.Rule] = true
		}
		for _, st := range o.Steps {
			for _, r := range []string{st.WhileOpen, st.OnceClosed} {
				if r != "" && !rules[r] {
					d.errorf(st.Line, "node %q: step %q depends on deadline %q, which this outcome does not compute", rn.ID, st.Key, r)
				}
			}
		}
		for _, rd := range rn.Deadlines {
			o.Deadlines = append(o.Deadlines, engine.DeadlineSpec{Rule: rd.Rule, From: rd.From, If: d.condOpt(&rd.If)})
			if _, ok := engine.DeadlineRules[rd.Rule]; !ok {
				d.errorf(rn.Line, "node %q: unknown deadline rule %q", rn.ID, rd.Rule)
			}
			if rd.From == "" {
				d.errorf(rn.Line, "node %q: deadline %q needs from (a date fact)", rn.ID, rd.Rule)
			}
		}
		for _, rc := range rn.Compensation {
			spec := engine.CompensationSpec{Rule: rc.Rule, Facts: rc.Facts, If: d.condOpt(&rc.If)}
			if e := &rc.Established; e.Kind == yaml.ScalarNode {
				if e.Value != "true" {
					d.errorf(e.Line, "node %q: compensation %q: established takes true or a condition", rn.ID, rc.Rule)
				}
				spec.Always = true
			} else {
				spec.Established = d.condOpt(e)
			}
			o.Compensation = append(o.Compensation, spec)
			r, ok := engine.CompensationRules[rc.Rule]
			if !ok {
				d.errorf(rn.Line, "node %q: unknown compensation rule %q", rn.ID, rc.Rule)
				continue
			}
			for _, req := range r.Required {
				if rc.Facts[req] == "" {
					d.errorf(rn.Line, "node %q: compensation %q needs facts.%s", rn.ID, rc.Rule, req)
				}
			}
			for arg := range rc.Facts {
				if !slices.Contains(r.Required, arg) && !slices.Contains(r.Optional, arg) {
					d.errorf(rn.Line, "node %q: compensation %q has no input %q", rn.ID, rc.Rule, arg)
				}
			}
		}
		n.Outcome = o
	default:
		d.errorf(rn.Line, "node %q: type must be choice, input, info or outcome, not %q", rn.ID, rn.Type)
		return nil
	}
	return n
}

func (d *decoder) input(rn rawNode) *engine.InputSpec {
	ri := rn.Input
	s := &engine.InputSpec{Kind: engine.InputKind(ri.Kind), MaxLen: ri.MaxLen, AllowFuture: ri.AllowFuture}
	switch s.Kind {
	case engine.TextInput, engine.NumberInput, engine.MoneyInput, engine.DateInput, engine.YesNoInput:
	default:
		d.errorf(rn.Line, "node %q: input kind must be text, number, money, date or yesno, not %q", rn.ID, ri.Kind)
	}
	if ri.Min != nil {
		s.Min, s.HasMin = *ri.Min, true
	}
	if ri.Max != nil {
		s.Max, s.HasMax = *ri.Max, true
	}
	if s.HasMin && s.HasMax && s.Min > s.Max {
		d.errorf(rn.Line, "node %q: input min is above max", rn.ID)
	}
	if s.Kind == engine.MoneyInput && !s.HasMax {
		// An unbounded amount invites typos like 2990000 for 299.00.
		d.errorf(rn.Line, "node %q: money input needs max", rn.ID)
	}
	return s
}

// next decodes "next: node" or a list of {if, then} / {else} branches.
func (d *decoder) next(y *yaml.Node) engine.Next {
	if y.Kind == yaml.AliasNode {
		y = y.Alias
	}
	switch y.Kind {
	case 0:
		return nil
	case yaml.ScalarNode:
		return engine.Next{{To: y.Value}}
	case yaml.SequenceNode:
		var out engine.Next
		for i, item := range y.Content {
			if item.Kind != yaml.MappingNode {
				d.errorf(item.Line, "a next branch is {if: ..., then: node} or {else: node}")
				continue
			}
			var b engine.Branch
			var hasIf, hasThen, hasElse bool
			for j := 0; j+1 < len(item.Content); j += 2 {
				k, v := item.Content[j], item.Content[j+1]
				switch k.Value {
				case "if":
					b.If, hasIf = d.cond(v), true
				case "then":
					b.To, hasThen = d.scalar(v), true
				case "else":
					b.To, hasElse = d.scalar(v), true
				default:
					d.errorf(k.Line, "unknown key %q in a next branch (if, then, else)", k.Value)
				}
			}
			switch {
			case hasElse && (hasIf || hasThen):
				d.errorf(item.Line, "else stands alone in its branch")
			case hasElse && i != len(y.Content)-1:
				d.errorf(item.Line, "else must be the last branch")
			case !hasElse && !(hasIf && hasThen):
				d.errorf(item.Line, "a branch needs both if and then")
			}
			out = append(out, b)
		}
		if len(out) > 0 && out[len(out)-1].If != nil {
			d.errorf(y.Line, "a conditional next must end with an else branch, so no answer leaves the user stuck")
		}
		return out
	}
	d.errorf(y.Line, "next is a node id or a list of branches")
	return nil
}

func (d *decoder) scalar(y *yaml.Node) string {
	if y.Kind != yaml.ScalarNode {
		d.errorf(y.Line, "expected a single value")
		return ""
	}
	return y.Value
}

func (d *decoder) condOpt(y *yaml.Node) *engine.Condition {
	if y.Kind == 0 {
		return nil
	}
	return d.cond(y)
}

// cond decodes {var: x, <op>: value}, {all: [...]}, {any: [...]}, {not: {...}}.
func (d *decoder) cond(y *yaml.Node) *engine.Condition {
	if y.Kind == yaml.AliasNode {
		y = y.Alias
	}
	if y.Kind != yaml.MappingNode {
		d.errorf(y.Line, "a condition is a mapping like {var: amount, gt: 0}")
		return &engine.Condition{}
	}
	c := &engine.Condition{}
	ops := 0
	for j := 0; j+1 < len(y.Content); j += 2 {
		k, v := y.Content[j], y.Content[j+1]
		switch {
		case k.Value == "var":
			c.Var = d.scalar(v)
		case k.Value == "all" || k.Value == "any":
			ops++
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				d.errorf(v.Line, "%s takes a non-empty list of conditions", k.Value)
				continue
			}
			list := []*engine.Condition{}
			for _, item := range v.Content {
				list = append(list, d.cond(item))
			}
			if k.Value == "all" {
				c.All = list
			} else {
				c.Any = list
			}
		case k.Value == "not":
			ops++
			c.Not = d.cond(v)
		case k.Value == "in":
			ops++
			c.Op = "in"
			if v.Kind != yaml.SequenceNode {
				d.errorf(v.Line, "in takes a list of values")
				continue
			}
			for _, item := range v.Content {
				c.Values = append(c.Values, d.scalar(item))
			}
		case slices.Contains(engine.Ops, k.Value):
			ops++
			c.Op, c.Value = k.Value, d.scalar(v)
			switch k.Value {
			case "gt", "gte", "lt", "lte":
				if _, err := strconv.ParseFloat(c.Value, 64); err != nil {
					d.errorf(v.Line, "%s takes a number", k.Value)
				}
			case "days_ago_gt", "days_ago_lte":
				if _, err := strconv.Atoi(c.Value); err != nil {
					d.errorf(v.Line, "%s takes a whole number of days", k.Value)
				}
			case "exists":
				if c.Value != "true" && c.Value != "false" {
					d.errorf(v.Line, "exists takes true or false")
				}
			}
		default:
			d.errorf(k.Line, "unknown condition key %q (var, %s, all, any, not)", k.Value, strings.Join(engine.Ops, ", "))
		}
	}
	if ops != 1 {
		d.errorf(y.Line, "a condition has exactly one operator")
	}
	if c.Op != "" && c.Var == "" {
		d.errorf(y.Line, "condition %q needs var", c.Op)
	}
	if c.Op == "" && c.Var != "" {
		d.errorf(y.Line, "condition on %q needs an operator", c.Var)
	}
	return c
}

// citedList decodes items that are a bare id/key or a mapping with
// keyField, optional law (if withLaw) and optional if.
func (d *decoder) citedList(items []yaml.Node, keyField string, withLaw bool) []engine.Cited {
	var out []engine.Cited
	for i := range items {
		y := &items[i]
		if y.Kind == yaml.ScalarNode {
			out = append(out, engine.Cited{Key: y.Value, Line: y.Line})
			continue
		}
		if y.Kind != yaml.MappingNode {
			d.errorf(y.Line, "expected an id or a mapping with %s", keyField)
			continue
		}
		c := engine.Cited{Line: y.Line}
		for j := 0; j+1 < len(y.Content); j += 2 {
			k, v := y.Content[j], y.Content[j+1]
			switch {
			case k.Value == keyField:
				c.Key = d.scalar(v)
			case k.Value == "if":
				c.If = d.cond(v)
			case k.Value == "while_open" && keyField == "text":
				c.WhileOpen = d.scalar(v)
			case k.Value == "once_closed" && keyField == "text":
				c.OnceClosed = d.scalar(v)
			case k.Value == "law" && withLaw:
				if v.Kind != yaml.SequenceNode {
					d.errorf(v.Line, "law takes a list of law ids")
					continue
				}
				for _, l := range v.Content {
					c.Law = append(c.Law, d.scalar(l))
				}
			default:
				d.errorf(k.Line, "unknown key %q here", k.Value)
			}
		}
		if c.Key == "" {
			d.errorf(y.Line, "item needs %s", keyField)
		}
		out = append(out, c)
	}
	return out
}

// seqItemLines returns the line of each item of the top-level sequence key.
func seqItemLines(root *yaml.Node, key string) []int {
	if len(root.Content) == 0 {
		return nil
	}
	doc := root.Content[0]
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == key {
			var lines []int
			for _, item := range doc.Content[i+1].Content {
				lines = append(lines, item.Line)
			}
			return lines
		}
	}
	return nil
}
