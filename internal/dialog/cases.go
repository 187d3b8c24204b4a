package dialog

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/source"
)

// CaseFile is a <tree>.test.yaml file: conversations with what the bot must
// have said and recorded, in the spirit of Rasa's test stories.
type CaseFile struct {
	Tree string `yaml:"tree"`
	// Now is the date the cases run on (YYYY-MM-DD, China time), so
	// deadlines are stable.
	Now   string `yaml:"now"`
	Cases []Case `yaml:"cases"`
}

// Case is one scripted conversation.
type Case struct {
	Name string `yaml:"name"`
	// Facts, when given, enter the tree as if classified from free text
	// with these facts (a Propose then an Accept).
	Facts  map[string]string `yaml:"facts"`
	Steps  []CaseStep        `yaml:"steps"`
	Expect Expect            `yaml:"expect"`
	Line   int               `yaml:"-"`
}

// CaseStep is one user action; exactly one of the action fields is set.
type CaseStep struct {
	Choose string `yaml:"choose"`
	Text   string `yaml:"text"`
	Back   bool   `yaml:"back"`
	// Node, when set, is the node the session must be at after the step.
	Node string `yaml:"node"`
	// Notice, when set, is a notice key the step must produce.
	Notice string `yaml:"notice"`
}

// Expect is what must hold at the end of a case.
type Expect struct {
	Node         string            `yaml:"node"`
	Outcome      string            `yaml:"outcome"`
	Facts        map[string]string `yaml:"facts"`
	Law          []string          `yaml:"law"`
	NotLaw       []string          `yaml:"not_law"`
	Evidence     []string          `yaml:"evidence"`
	Deadlines    map[string]string `yaml:"deadlines"`    // rule → due date
	Compensation map[string]string `yaml:"compensation"` // rule → amount
	// Established and Conditional list compensation rules whose legal
	// conditions the answers do, or do not, establish.
	Established []string `yaml:"established"`
	Conditional []string `yaml:"conditional"`
}

// CaseResult is the run of one case.
type CaseResult struct {
	File, Tree, Name string
	Line             int
	// Failures lists what did not hold; empty means the case passed.
	Failures []string
	// Replies are every reply the bot gave, for rendering checks.
	Replies []engine.Reply
	Session engine.Session
	Outcome string
	Now     time.Time
}

// RunCases runs every *.test.yaml in fsys against the bundle. Problems are
// malformed case files and outcomes no case reaches.
func RunCases(b *Bundle, fsys fs.FS) ([]CaseResult, []source.Problem) {
	var results []CaseResult
	var probs []source.Problem
	names, _ := fs.Glob(fsys, "*"+testSuffix)
	covered := map[string]bool{}
	for _, fname := range names {
		name := qualify(fname)
		data, err := fs.ReadFile(fsys, fname)
		if err != nil {
			probs = append(probs, source.Problem{File: name, Msg: err.Error()})
			continue
		}
		var cf CaseFile
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&cf); err != nil {
			probs = append(probs, source.FromYAML(name, err)...)
			continue
		}
		var root yaml.Node
		_ = yaml.Unmarshal(data, &root)
		lines := seqItemLines(&root, "cases")
		now := time.Now()
		if cf.Now != "" {
			d, err := engine.ParseDate(cf.Now)
			if err != nil {
				probs = append(probs, source.Problem{File: name, Line: 1, Msg: "now must be YYYY-MM-DD"})
				continue
			}
			now = d.Add(10 * time.Hour) // mid-morning in China
		}
		if b.Catalog.Trees[cf.Tree] == nil {
			probs = append(probs, source.Problem{File: name, Line: 1, Msg: fmt.Sprintf("tree %q does not exist", cf.Tree)})
			continue
		}
		for i, c := range cf.Cases {
			if i < len(lines) {
				c.Line = lines[i]
			}
			r := runCase(b.Catalog, cf.Tree, c, now)
			r.File = name
			results = append(results, r)
			if len(r.Failures) == 0 && r.Outcome != "" {
				covered[r.Tree+"/"+r.Outcome] = true
			}
		}
	}
	ids := slices.Sorted(maps.Keys(b.Catalog.Trees))
	for _, tid := range ids {
		t := b.Catalog.Trees[tid]
		for _, nid := range t.Order {
			n := t.Nodes[nid]
			if n.Kind == engine.Outcome && !covered[tid+"/"+nid] {
				probs = append(probs, source.Problem{File: qualify(b.Files[tid]), Line: n.Line, Msg: fmt.Sprintf("outcome %q is reached by no passing test case", nid)})
			}
		}
	}
	return results, probs
}

func runCase(cat *engine.Catalog, tree string, c Case, now time.Time) CaseResult {
	r := CaseResult{Tree: tree, Name: c.Name, Line: c.Line, Now: now}
	fail := func(format string, args ...any) { r.Failures = append(r.Failures, fmt.Sprintf(format, args...)) }
	var s engine.Session
	token := ""
	apply := func(ev engine.Event) []engine.Reply {
		ev.Now = now
		res := engine.Step(cat, s, ev)
		s = res.Session
		for _, rep := range res.Replies {
			if rep.Token != "" {
				token = rep.Token
			}
		}
		r.Replies = append(r.Replies, res.Replies...)
		return res.Replies
	}
	if c.Facts != nil {
		apply(engine.Event{Kind: engine.Propose, Proposal: &engine.Proposal{Category: tree, Facts: c.Facts}})
		apply(engine.Event{Kind: engine.Accept, Token: token, Option: "yes"})
	} else {
		apply(engine.Event{Kind: engine.Start, Tree: tree})
	}
	for i, st := range c.Steps {
		var reps []engine.Reply
		switch {
		case st.Choose != "":
			reps = apply(engine.Event{Kind: engine.Choose, Token: token, Option: st.Choose})
		case st.Text != "":
			reps = apply(engine.Event{Kind: engine.Text, Text: st.Text})
		case st.Back:
			reps = apply(engine.Event{Kind: engine.Back})
		case st.Node == "" && st.Notice == "":
			fail("step %d: no action (choose, text or back)", i+1)
			continue
		}
		for _, rep := range reps {
			if rep.Kind == engine.NoticeReply && st.Notice == "" && (rep.Key == "notice.stale_button" || rep.Key == "notice.no_route") {
				fail("step %d: the bot answered %s", i+1, rep.Key)
			}
		}
		if st.Notice != "" && !slices.ContainsFunc(reps, func(rep engine.Reply) bool { return rep.Key == st.Notice }) {
			fail("step %d: expected notice %q", i+1, st.Notice)
		}
		if st.Node != "" && s.Node != st.Node {
			fail("step %d: expected node %q, at %q", i+1, st.Node, s.Node)
		}
	}
	r.Session = s
	e := c.Expect
	if e.Node != "" && s.Node != e.Node {
		fail("expected node %q, at %q", e.Node, s.Node)
	}
	var advice *engine.Advice
	if n := cat.Trees[s.Tree]; n != nil && n.Nodes[s.Node] != nil && n.Nodes[s.Node].Kind == engine.Outcome {
		r.Outcome = s.Node
		for _, rep := range engine.Current(cat, s, now) {
			if rep.Advice != nil {
				advice = rep.Advice
			}
		}
	}
	if e.Outcome != "" && r.Outcome != e.Outcome {
		fail("expected outcome %q, at node %q", e.Outcome, s.Node)
	}
	for k, v := range e.Facts {
		if got, ok := s.Facts[k]; !ok || got != v {
			fail("expected fact %s=%q, got %q", k, v, got)
		}
	}
	if advice == nil {
		if len(e.Law)+len(e.NotLaw)+len(e.Evidence)+len(e.Deadlines)+len(e.Compensation)+len(e.Established)+len(e.Conditional) > 0 {
			fail("expectations on the advice, but no outcome was reached")
		}
		return r
	}
	for _, l := range e.Law {
		if !slices.Contains(advice.Law, l) {
			fail("expected law %s among %v", l, advice.Law)
		}
	}
	for _, l := range e.NotLaw {
		if slices.Contains(advice.Law, l) {
			fail("law %s must not be cited", l)
		}
	}
	for _, ev := range e.Evidence {
		if !slices.Contains(advice.Evidence, ev) {
			fail("expected evidence %s among %v", ev, advice.Evidence)
		}
	}
	for rule, due := range e.Deadlines {
		i := slices.IndexFunc(advice.Deadlines, func(d engine.Deadline) bool { return d.Rule == rule })
		if i < 0 {
			fail("expected deadline %s", rule)
		} else if advice.Deadlines[i].Due != due {
			fail("deadline %s: expected %s, got %s", rule, due, advice.Deadlines[i].Due)
		}
	}
	for rule, amount := range e.Compensation {
		i := slices.IndexFunc(advice.Compensation, func(c engine.Compensation) bool { return c.Rule == rule })
		if i < 0 {
			fail("expected compensation %s", rule)
		} else if advice.Compensation[i].Amount != amount {
			fail("compensation %s: expected %s, got %s", rule, amount, advice.Compensation[i].Amount)
		}
	}
	for _, want := range []struct {
		rules       []string
		established bool
	}{{e.Established, true}, {e.Conditional, false}} {
		for _, rule := range want.rules {
			i := slices.IndexFunc(advice.Compensation, func(c engine.Compensation) bool { return c.Rule == rule })
			if i < 0 {
				fail("expected compensation %s", rule)
			} else if advice.Compensation[i].Established != want.established {
				fail("compensation %s: expected established=%v", rule, want.established)
			}
		}
	}
	return r
}

// Summary formats results as "ok"/"FAIL" lines and counts.
func Summary(results []CaseResult) (string, int) {
	var b strings.Builder
	failed := 0
	sort.SliceStable(results, func(i, j int) bool { return results[i].File < results[j].File })
	for _, r := range results {
		if len(r.Failures) == 0 {
			continue
		}
		failed++
		fmt.Fprintf(&b, "FAIL %s:%d %s\n", r.File, r.Line, r.Name)
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "     %s\n", f)
		}
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", len(results)-failed, failed)
	return b.String(), failed
}
