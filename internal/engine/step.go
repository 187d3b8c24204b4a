package engine

import (
	"slices"
	"time"
)

// Result is what Step returns.
type Result struct {
	Session Session
	Replies []Reply
	// Changed is false when the session need not be saved.
	Changed bool
	// Duplicate is true when the event was applied before (same ID); the
	// front end sends nothing.
	Duplicate bool
	// Repeat is true for a button press identical to the one just applied
	// (a double tap): nothing changes, and the front end acknowledges the
	// tap without repeating the question.
	Repeat bool
}

// pressKey identifies a button press for Session.Pressed. Ticks toggle, so
// a second tick is a real change, not a repeat.
func pressKey(ev Event) string {
	switch ev.Kind {
	case Choose, Accept, Back:
		if ev.Token != "" {
			return string(ev.Kind) + ":" + ev.Token + ":" + ev.Option
		}
	}
	return ""
}

// Step applies ev to s and returns the new session and the replies. It is
// pure: s is not modified, and the only clock is ev.Now.
func Step(cat *Catalog, s Session, ev Event) Result {
	if ev.ID != "" && slices.Contains(s.Recent, ev.ID) {
		return Result{Session: s, Duplicate: true}
	}
	press := pressKey(ev)
	if press != "" && press == s.Pressed {
		return Result{Session: s, Repeat: true}
	}
	st := &stepper{cat: cat, s: s.clone(), now: ev.Now}
	if st.now.IsZero() {
		st.now = time.Now()
	}
	if st.s.Lang == "" && ev.Lang != "" {
		st.s.Lang = ev.Lang
		st.changed = true
	}
	if st.s.Created.IsZero() {
		st.s.Created = st.now
		// Start the step counter at a time-derived value rather than 0:
		// after /forget or expiry a chat starts afresh, and buttons left
		// in its history must not match the new session's tokens.
		st.s.Seq = st.now.UnixMilli() % (1 << 40)
		st.changed = true
	}
	if ev.Kind == Mark {
		st.changed = true // the id is all there is to save
	} else {
		st.repair()
		st.apply(ev)
	}
	if st.changed && ev.Kind != Mark {
		st.s.Pressed = ""
		if !st.refused {
			st.s.Pressed = press
		}
	}
	if ev.ID != "" && st.changed {
		st.s.Recent = append(st.s.Recent, ev.ID)
		if len(st.s.Recent) > maxRecent {
			st.s.Recent = st.s.Recent[len(st.s.Recent)-maxRecent:]
		}
	}
	if st.changed {
		st.s.Updated = st.now
	}
	return Result{Session: st.s, Replies: st.replies, Changed: st.changed}
}

// Current returns the replies that show where s stands, without changing
// it: the open question, the outcome, or the category menu.
func Current(cat *Catalog, s Session, now time.Time) []Reply {
	st := &stepper{cat: cat, s: s.clone(), now: now}
	st.repair()
	st.show()
	return st.replies
}

type stepper struct {
	cat     *Catalog
	s       Session
	now     time.Time
	replies []Reply
	changed bool
	// noticed: the event brought its own notice (Event.Notice), which
	// replaces the engine's re-ask notice.
	noticed bool
	// refused: the event was a stale or invalid press.
	refused bool
}

func (st *stepper) say(key string, data map[string]string) {
	st.replies = append(st.replies, Reply{Kind: NoticeReply, Key: key, Data: data})
}

func (st *stepper) tree() *Tree { return st.cat.Trees[st.s.Tree] }

func (st *stepper) node() *Node {
	if t := st.tree(); t != nil {
		return t.Nodes[st.s.Node]
	}
	return nil
}

// repair handles a session whose tree or node no longer exists (the dialogs
// changed under a live session): it restarts that tree, or goes back to
// the menu, with a notice rather than failing.
func (st *stepper) repair() {
	if st.s.Tree == "" {
		return
	}
	t := st.tree()
	if t != nil && t.Nodes[st.s.Node] != nil && (t.Version == st.s.TreeVersion || st.s.TreeVersion == 0) {
		return
	}
	if t != nil && t.Nodes[st.s.Node] != nil {
		// Same node still exists in a newer version: carry on, but drop
		// history that may point at removed nodes.
		st.s.TreeVersion = t.Version
		st.s.History = slices.DeleteFunc(st.s.History, func(f Frame) bool {
			ft := st.cat.Trees[f.Tree]
			return ft == nil || ft.Nodes[f.Node] == nil
		})
		st.changed = true
		return
	}
	st.say("notice.tree_changed", nil)
	st.s.History = nil
	st.s.Facts = nil
	st.s.Prefilled = nil
	st.s.Evidence = nil
	st.changed = true
	if t == nil {
		st.s.Tree, st.s.Node = "", ""
		st.enterTree(st.cat.Menu)
		return
	}
	st.enterTree(t.ID)
}

func (st *stepper) apply(ev Event) {
	if ev.Notice != "" {
		st.say(ev.Notice, nil)
		st.noticed = true
	}
	if ev.Kind == Back && ev.Token != "" && (st.stalePress(ev.Token) || st.s.Pending != nil) {
		// A Back button from an older step (or one tapped while a guess
		// awaits confirmation, which shows none) changes nothing. Checked
		// here, against the session being stepped, so the advisor's
		// compare-and-set makes it atomic across replicas.
		st.stale()
		return
	}
	if st.s.Form != nil {
		switch ev.Kind {
		case Text:
			st.formText(ev.Text)
			return
		case Show, SetLang:
		default:
			// Anything else abandons the draft's questions; the details
			// typed so far stay in the facts.
			st.s.Form = nil
			st.changed = true
			if ev.Kind == Back {
				st.show()
				return
			}
		}
	}
	switch ev.Kind {
	case Start:
		st.reset()
		id := ev.Tree
		if id == "" {
			id = st.cat.Menu
		}
		if st.cat.Trees[id] == nil {
			st.say("notice.unknown_category", nil)
			id = st.cat.Menu
		}
		st.enterTree(id)
	case Restart:
		id := st.s.Tree
		st.reset()
		if id == "" {
			id = st.cat.Menu
		}
		st.enterTree(id)
	case Choose:
		st.choose(ev)
	case Text:
		st.text(ev.Text)
	case Back:
		st.back()
	case SetLang:
		if ev.Lang != "" && ev.Lang != st.s.Lang {
			st.s.Lang = ev.Lang
			st.changed = true
		}
		st.say("notice.lang_set", nil)
		st.show()
	case Show:
		st.show()
	case Propose:
		if ev.Proposal == nil || st.cat.Trees[ev.Proposal.Category] == nil {
			st.say("notice.unknown_category", nil)
			st.reset()
			st.enterTree(st.cat.Menu)
			return
		}
		if ev.Option == NewCase {
			// "/new <description>": the old case is given up at once, so
			// "No, something else" leads to the menu, not back to it.
			st.reset()
		}
		p := *ev.Proposal
		p.Facts = cloneMap(p.Facts)
		// Offer only categories there is a tree for, each once.
		p.Alternatives = nil
		for _, c := range ev.Proposal.Alternatives {
			if st.cat.Trees[c] != nil && !slices.Contains(p.Offers(), c) {
				p.Alternatives = append(p.Alternatives, c)
			}
		}
		st.s.Pending = &p
		st.s.Seq++
		st.changed = true
		st.replies = append(st.replies, Reply{Kind: ConfirmReply, Proposal: &p, Token: Token(st.s.Seq)})
	case Accept:
		st.accept(ev)
	case Tick:
		st.tick(ev)
	case Draft:
		st.draft(ev)
	default:
		st.show()
	}
}

// stalePress: a button press (it carries a token) from an older question.
// Typed commands carry no token and always apply.
func (st *stepper) stalePress(token string) bool {
	return token != "" && token != Token(st.s.Seq)
}

// reset abandons the case in progress but keeps the language and the
// delivery ids.
func (st *stepper) reset() {
	st.s.Tree, st.s.Node, st.s.TreeVersion = "", "", 0
	st.s.Facts, st.s.Prefilled, st.s.History, st.s.Evidence, st.s.Pending, st.s.Form = nil, nil, nil, nil, nil, nil
	// A summary link shows one case; a new case must not appear behind it.
	st.s.Share = ""
	st.s.At = ""
	// The next case's personal details, if any, are kept for their own time.
	st.s.PersonalSince = time.Time{}
	st.changed = true
}

func (st *stepper) enterTree(id string) {
	t := st.cat.Trees[id]
	if t == nil {
		return
	}
	st.s.Tree, st.s.TreeVersion = t.ID, t.Version
	st.enter(t.Start)
}

// enter moves to node id and runs forward through info nodes and questions
// already answered by prefilled facts until it must ask or has an outcome.
func (st *stepper) enter(id string) {
	st.changed = true
	// A validated tree has no cycles; the bound guards against a bad one.
	for range 1000 {
		t := st.tree()
		n := t.Nodes[id]
		st.s.Node = id
		switch n.Kind {
		case Info:
			st.replies = append(st.replies, Reply{Kind: InfoReply, Key: n.Text, Data: cloneMap(st.s.Facts)})
			next, ok := n.Next.Pick(st.s.Facts, st.now)
			if !ok {
				st.ask(n)
				return
			}
			id = next
			continue
		case Input:
			if v, ok := st.known(n); ok {
				st.push(v)
				st.setFact(n.SaveAs, v, true)
				st.replies = append(st.replies, Reply{Kind: KnownReply, Key: n.Text, Data: map[string]string{"Value": v, "Fact": n.SaveAs}})
				if next, ok := n.Next.Pick(st.s.Facts, st.now); ok {
					id = next
					continue
				}
			}
		case Choice:
			if o := st.knownOption(n); o != nil {
				st.push(o.ID)
				st.replies = append(st.replies, Reply{Kind: KnownReply, Key: n.Text, Data: map[string]string{"Value": o.Text, "Option": "1"}})
				if o.Goto != "" {
					st.s.Tree = o.Goto
					st.s.TreeVersion = st.cat.Trees[o.Goto].Version
					id = st.cat.Trees[o.Goto].Start
					continue
				}
				if next, ok := o.Next.Pick(st.s.Facts, st.now); ok {
					id = next
					continue
				}
			}
		case Outcome:
			// A new token per visit: buttons of the last question, and the
			// checklist of any earlier visit, are stale from now on.
			st.s.Seq++
			st.s.At = Token(st.s.Seq)
			st.replies = append(st.replies, Reply{Kind: OutcomeReply, Advice: st.advice(n)})
			return
		}
		st.ask(n)
		return
	}
}

// known returns the value that answers an input node from prefilled facts.
func (st *stepper) known(n *Node) (string, bool) {
	if v, ok := st.s.Facts[n.SaveAs]; ok && st.s.Prefilled[n.SaveAs] {
		return v, true
	}
	if n.Prefill != "" && st.s.Prefilled[n.Prefill] {
		v, ok := st.s.Facts[n.Prefill]
		return v, ok
	}
	return "", false
}

// knownOption returns the option whose facts the user's free text already
// gave, if exactly one option matches.
func (st *stepper) knownOption(n *Node) *Option {
	var found *Option
	for i := range n.Options {
		o := &n.Options[i]
		if len(o.Set) == 0 {
			continue
		}
		match := true
		for k, v := range o.Set {
			if !st.s.Prefilled[k] || st.s.Facts[k] != v {
				match = false
				break
			}
		}
		if match {
			if found != nil {
				return nil
			}
			found = o
		}
	}
	return found
}

func (st *stepper) ask(n *Node) {
	st.s.Seq++
	q := &Question{Tree: st.s.Tree, Node: n.ID, Key: n.Text, Input: n.Input, Facts: cloneMap(st.s.Facts), CanGoBack: len(st.s.History) > 0}
	for _, o := range n.Options {
		q.Options = append(q.Options, Button{ID: o.ID, Key: o.Text})
	}
	st.replies = append(st.replies, Reply{Kind: QuestionReply, Question: q, Token: Token(st.s.Seq)})
}

// show repeats where the session stands without moving it.
func (st *stepper) show() {
	if st.s.Form != nil {
		st.askField()
		return
	}
	if st.s.Pending != nil {
		st.replies = append(st.replies, Reply{Kind: ConfirmReply, Proposal: st.s.Pending, Token: Token(st.s.Seq)})
		return
	}
	n := st.node()
	if n == nil {
		st.enterTree(st.cat.Menu)
		return
	}
	if n.Kind == Outcome {
		st.replies = append(st.replies, Reply{Kind: OutcomeReply, Advice: st.advice(n)})
		return
	}
	// Re-asking keeps the same token so the buttons already on screen stay
	// valid.
	q := &Question{Tree: st.s.Tree, Node: n.ID, Key: n.Text, Input: n.Input, Facts: cloneMap(st.s.Facts), CanGoBack: len(st.s.History) > 0}
	for _, o := range n.Options {
		q.Options = append(q.Options, Button{ID: o.ID, Key: o.Text})
	}
	st.replies = append(st.replies, Reply{Kind: QuestionReply, Question: q, Token: Token(st.s.Seq)})
}

// push records the question being answered, its answer (an option id or
// the typed value) and the facts before it.
func (st *stepper) push(answer string) {
	st.s.History = append(st.s.History, Frame{Tree: st.s.Tree, TreeVersion: st.s.TreeVersion, Node: st.s.Node, Answer: answer, Facts: cloneMap(st.s.Facts)})
}

func (st *stepper) setFact(k, v string, prefilled bool) {
	if st.s.Facts == nil {
		st.s.Facts = map[string]string{}
	}
	st.s.Facts[k] = v
	if !prefilled && st.s.Prefilled[k] {
		delete(st.s.Prefilled, k)
	}
}

func (st *stepper) stale() {
	st.refused = true
	st.say("notice.stale_button", nil)
	st.show()
}

func (st *stepper) choose(ev Event) {
	n := st.node()
	if st.s.Pending != nil || n == nil || n.Kind != Choice || ev.Token != Token(st.s.Seq) {
		st.stale()
		return
	}
	var o *Option
	for i := range n.Options {
		if n.Options[i].ID == ev.Option {
			o = &n.Options[i]
		}
	}
	if o == nil {
		st.stale()
		return
	}
	st.push(o.ID)
	for k, v := range o.Set {
		st.setFact(k, v, false)
	}
	if o.Goto != "" {
		st.s.Tree, st.s.TreeVersion = o.Goto, st.cat.Trees[o.Goto].Version
		st.enter(st.cat.Trees[o.Goto].Start)
		return
	}
	next, ok := o.Next.Pick(st.s.Facts, st.now)
	if !ok {
		st.say("notice.no_route", nil)
		st.show()
		return
	}
	st.enter(next)
}

func (st *stepper) text(raw string) {
	n := st.node()
	switch {
	case st.s.Pending != nil:
		st.reask("notice.use_buttons")
		return
	case n == nil:
		st.reask("notice.pick_category")
		return
	case n.Kind == Outcome:
		if !st.noticed {
			st.say("notice.case_done", nil)
		}
		return
	case n.Kind != Input:
		st.reask("notice.use_buttons")
		return
	}
	v, err := ParseInput(n.Input, raw, st.now)
	if err != nil {
		st.replies = append(st.replies, Reply{Kind: NoticeReply, Key: err.Key, Data: err.Data})
		st.show()
		return
	}
	st.push(v)
	st.setFact(n.SaveAs, v, false)
	next, ok := n.Next.Pick(st.s.Facts, st.now)
	if !ok {
		st.say("notice.no_route", nil)
		st.show()
		return
	}
	st.enter(next)
}

// reask repeats the question after text it cannot use, with key unless
// the event brought its own notice.
func (st *stepper) reask(key string) {
	if !st.noticed {
		st.say(key, nil)
	}
	st.show()
}

func (st *stepper) back() {
	if st.s.Pending != nil {
		st.s.Pending = nil
		st.s.Seq++
		st.changed = true
		st.show()
		return
	}
	if len(st.s.History) == 0 {
		st.say("notice.nothing_to_undo", nil)
		st.show()
		return
	}
	f := st.s.History[len(st.s.History)-1]
	st.s.History = st.s.History[:len(st.s.History)-1]
	st.s.Tree, st.s.TreeVersion, st.s.Node, st.s.Facts = f.Tree, f.TreeVersion, f.Node, f.Facts
	for k := range st.s.Prefilled {
		if _, ok := st.s.Facts[k]; !ok {
			delete(st.s.Prefilled, k)
		}
	}
	st.s.Seq++
	st.changed = true
	st.show()
}

func (st *stepper) accept(ev Event) {
	p := st.s.Pending
	if p == nil || ev.Token != Token(st.s.Seq) {
		st.stale()
		return
	}
	category := p.Category
	switch {
	case ev.Option == "yes", ev.Option == "no":
	case slices.Contains(p.Offers(), ev.Option) && st.cat.Trees[ev.Option] != nil:
		category = ev.Option
	default:
		st.stale()
		return
	}
	if ev.Option == "no" {
		st.s.Pending = nil
		st.changed = true
		if st.s.Tree != "" && st.s.Tree != st.cat.Menu && st.node() != nil {
			// The guess came from text typed mid-case: keep the case.
			st.s.Seq++
			st.show()
			return
		}
		st.reset()
		st.enterTree(st.cat.Menu)
		return
	}
	st.reset()
	for k, v := range p.Facts {
		st.setFact(k, v, true)
		if st.s.Prefilled == nil {
			st.s.Prefilled = map[string]bool{}
		}
		st.s.Prefilled[k] = true
	}
	st.enterTree(category)
}

func (st *stepper) tick(ev Event) {
	n := st.node()
	if n == nil || n.Kind != Outcome || ev.Token != "" && ev.Token != st.s.At {
		st.stale()
		return
	}
	a := st.advice(n)
	if !slices.Contains(a.Evidence, ev.Option) {
		st.stale()
		return
	}
	if st.s.Evidence == nil {
		st.s.Evidence = map[string]bool{}
	}
	if st.s.Evidence[ev.Option] {
		delete(st.s.Evidence, ev.Option)
	} else {
		st.s.Evidence[ev.Option] = true
	}
	st.changed = true
	st.replies = append(st.replies, Reply{Kind: ChecklistReply, Advice: st.advice(n)})
}

// cited keeps the items whose condition holds, with the law ids of those
// that cite any.
func (st *stepper) cited(items []Cited) ([]string, map[string][]string) {
	var ids []string
	var laws map[string][]string
	for _, c := range items {
		if !c.If.Holds(st.s.Facts, st.now) {
			continue
		}
		ids = append(ids, c.Key)
		if len(c.Law) > 0 {
			if laws == nil {
				laws = map[string][]string{}
			}
			laws[c.Key] = c.Law
		}
	}
	return ids, laws
}

// advice computes an outcome for the current facts.
func (st *stepper) advice(n *Node) *Advice {
	o := n.Outcome
	a := &Advice{Token: st.s.At, Tree: st.s.Tree, Node: n.ID, Category: o.Category, Title: o.Title, Summary: o.Summary,
		Facts: cloneMap(st.s.Facts), Have: map[string]bool{}}
	for _, c := range o.Law {
		if c.If.Holds(st.s.Facts, st.now) {
			a.Law = append(a.Law, c.Key)
		}
	}
	a.Evidence, a.EvidenceLaw = st.cited(o.Evidence)
	for _, id := range a.Evidence {
		if st.s.Evidence[id] {
			a.Have[id] = true
		}
	}
	a.Refusals, a.RefusalLaw = st.cited(o.Refusals)
	for _, d := range o.Deadlines {
		if !d.If.Holds(st.s.Facts, st.now) {
			continue
		}
		if dl, ok := ComputeDeadline(d.Rule, st.s.Facts[d.From], st.now); ok {
			a.Deadlines = append(a.Deadlines, dl)
		}
	}
	if filed := st.s.Facts["complaint_date"]; filed != "" {
		// Filed with 12315: when it must decide, and when mediation ends
		// at the latest (60 days from acceptance, counted from the last
		// day it may accept).
		if acc, ok := ComputeDeadline("accept_12315", filed, st.now); ok {
			a.Deadlines = append(a.Deadlines, acc)
			if med, ok := ComputeDeadline("mediation_end", acc.Due, st.now); ok {
				a.Deadlines = append(a.Deadlines, med)
			}
		}
	}
	open := map[string]bool{}
	for _, d := range a.Deadlines {
		open[d.Rule] = d.Open()
	}
	for _, c := range o.Steps {
		if !c.If.Holds(st.s.Facts, st.now) {
			continue
		}
		if isOpen, known := open[c.WhileOpen]; c.WhileOpen != "" && known && !isOpen {
			continue
		}
		if isOpen, known := open[c.OnceClosed]; c.OnceClosed != "" && (!known || isOpen) {
			continue
		}
		a.Steps = append(a.Steps, c)
	}
	for _, c := range o.Compensation {
		if !c.If.Holds(st.s.Facts, st.now) {
			continue
		}
		in := map[string]string{}
		for arg, fact := range c.Facts {
			if v, ok := st.s.Facts[fact]; ok {
				in[arg] = v
			}
		}
		if comp, ok := ComputeCompensation(c.Rule, in); ok {
			comp.Established = c.Always || (c.Established != nil && c.Established.Holds(st.s.Facts, st.now))
			a.Compensation = append(a.Compensation, comp)
		}
	}
	return a
}
