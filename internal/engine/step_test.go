package engine

import (
	"testing"
	"time"
)

// testCatalog is a small tree exercising every node kind:
// kind (choice) → amount (input) → note (info) → big/small (outcomes).
func testCatalog() *Catalog {
	t := &Tree{ID: "t", Version: 1, Start: "kind", Nodes: map[string]*Node{
		"kind": {ID: "kind", Kind: Choice, Text: "q.kind", Options: []Option{
			{ID: "goods", Text: "o.goods", Set: map[string]string{"subject": "goods"}, Next: Next{{To: "amount"}}},
			{ID: "menu", Text: "o.menu", Goto: "menu"},
		}},
		"amount": {ID: "amount", Kind: Input, Text: "q.amount", Input: &InputSpec{Kind: MoneyInput, Max: 1e6, HasMax: true}, SaveAs: "amount",
			Next: Next{{If: &Condition{Var: "amount", Op: "gt", Value: "1000"}, To: "big"}, {To: "note"}}},
		"note":  {ID: "note", Kind: Info, Text: "i.note", Next: Next{{To: "small"}}},
		"big":   {ID: "big", Kind: Outcome, Outcome: &OutcomeSpec{Category: "t", Title: "big", Law: []Cited{{Key: "cpl_55"}}, Evidence: []Cited{{Key: "receipt"}}}},
		"small": {ID: "small", Kind: Outcome, Outcome: &OutcomeSpec{Category: "t", Title: "small", Law: []Cited{{Key: "cpl_24"}}, Compensation: []CompensationSpec{{Rule: "fraud_3x", Facts: map[string]string{"price": "amount"}}}}},
	}}
	m := &Tree{ID: "menu", Version: 1, Start: "pick", Nodes: map[string]*Node{
		"pick": {ID: "pick", Kind: Choice, Text: "menu.pick", Options: []Option{{ID: "t", Text: "c.t", Goto: "t"}}},
	}}
	return &Catalog{Trees: map[string]*Tree{"t": t, "menu": m}, Menu: "menu"}
}

// toBigOutcome walks s from the start of tree "t" to its "big" outcome.
func toBigOutcome(cat *Catalog, s Session, now time.Time) Result {
	r := Step(cat, s, Event{Kind: Start, Tree: "t", Now: now})
	r = Step(cat, r.Session, Event{Kind: Choose, Token: lastToken(r), Option: "goods", Now: now})
	return Step(cat, r.Session, Event{Kind: Text, Text: "5000", Now: now})
}

func lastToken(r Result) string {
	tok := ""
	for _, rep := range r.Replies {
		if rep.Token != "" {
			tok = rep.Token
		}
	}
	return tok
}

func hasNotice(r Result, key string) bool {
	for _, rep := range r.Replies {
		if rep.Kind == NoticeReply && rep.Key == key {
			return true
		}
	}
	return false
}

func TestStepWalkBackAndStale(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now, Lang: "zh"})
	if r.Session.Node != "kind" || r.Session.Lang != "zh" || !r.Changed {
		t.Fatalf("start: %+v", r.Session)
	}
	oldTok := lastToken(r)
	r = Step(cat, r.Session, Event{Kind: Choose, Token: oldTok, Option: "goods", Now: now})
	if r.Session.Node != "amount" || r.Session.Facts["subject"] != "goods" {
		t.Fatalf("choose: %+v", r.Session)
	}
	// A bad amount re-asks and leaves the session as it was.
	before := r.Session
	bad := Step(cat, before, Event{Kind: Text, Text: "lots", Now: now})
	if bad.Changed || bad.Session.Node != "amount" || !hasNotice(bad, "input.bad_money") {
		t.Fatalf("bad input changed the session or did not re-ask: %+v", bad)
	}
	// The same tap again (a double tap) is a repeat: nothing changes and
	// nothing is said.
	again := Step(cat, before, Event{Kind: Choose, Token: oldTok, Option: "goods", Now: now})
	if again.Changed || !again.Repeat || len(again.Replies) != 0 {
		t.Fatalf("double tap: %+v", again)
	}
	// Another button of the old question is stale now and changes nothing.
	stale := Step(cat, before, Event{Kind: Choose, Token: oldTok, Option: "menu", Now: now})
	if stale.Changed || stale.Repeat || !hasNotice(stale, "notice.stale_button") {
		t.Fatalf("stale tap applied: %+v", stale)
	}
	// A forged option on the current token is stale too.
	r2 := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now})
	forged := Step(cat, r2.Session, Event{Kind: Choose, Token: lastToken(r2), Option: "nope", Now: now})
	if forged.Changed || !hasNotice(forged, "notice.stale_button") {
		t.Fatal("forged option applied")
	}

	r = Step(cat, before, Event{Kind: Text, Text: "120", Now: now})
	if r.Session.Node != "small" || len(r.Replies) != 2 || r.Replies[0].Kind != InfoReply || r.Replies[1].Kind != OutcomeReply {
		t.Fatalf("outcome: node %s replies %+v", r.Session.Node, r.Replies)
	}
	if c := r.Replies[1].Advice.Compensation; len(c) != 1 || c[0].Amount != "500.00" {
		t.Fatalf("compensation %+v", c)
	}
	// Back twice returns to the first question with the facts undone.
	r = Step(cat, r.Session, Event{Kind: Back, Now: now})
	if r.Session.Node != "amount" || r.Session.Facts["amount"] != "" {
		t.Fatalf("back 1: %+v", r.Session)
	}
	r = Step(cat, r.Session, Event{Kind: Back, Now: now})
	if r.Session.Node != "kind" || len(r.Session.Facts) != 0 {
		t.Fatalf("back 2: %+v", r.Session)
	}
	r = Step(cat, r.Session, Event{Kind: Back, Now: now})
	if !hasNotice(r, "notice.nothing_to_undo") {
		t.Fatal("back at the start should say there is nothing to undo")
	}
}

func TestStepDuplicateEventAppliedOnce(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now, ID: "u1"})
	r = Step(cat, r.Session, Event{Kind: Choose, Token: lastToken(r), Option: "goods", Now: now, ID: "u2"})
	again := Step(cat, r.Session, Event{Kind: Choose, Token: "1", Option: "goods", Now: now, ID: "u2"})
	if !again.Duplicate || again.Changed || len(again.Replies) != 0 {
		t.Fatalf("redelivery not recognised: %+v", again)
	}
}

func TestStepTreeChangedUnderSession(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	s := Session{Tree: "t", TreeVersion: 1, Node: "removed_node", Seq: 5}
	r := Step(cat, s, Event{Kind: Text, Text: "hello", Now: now})
	if !hasNotice(r, "notice.tree_changed") || r.Session.Node != "kind" {
		t.Fatalf("not restarted gracefully: %+v", r)
	}
	s = Session{Tree: "gone", Node: "x"}
	r = Step(cat, s, Event{Kind: Show, Now: now})
	if !hasNotice(r, "notice.tree_changed") || r.Session.Tree != "menu" {
		t.Fatalf("missing tree not sent to the menu: %+v", r.Session)
	}
}

func TestStepProposalPrefillsAndBackReachesIt(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := Step(cat, Session{}, Event{Kind: Propose, Proposal: &Proposal{Category: "t", Facts: map[string]string{"subject": "goods", "amount": "5000.00"}}, Now: now})
	if r.Replies[0].Kind != ConfirmReply {
		t.Fatalf("no confirmation: %+v", r.Replies)
	}
	r = Step(cat, r.Session, Event{Kind: Accept, Token: lastToken(r), Option: "yes", Now: now})
	if r.Session.Node != "big" {
		t.Fatalf("prefilled facts did not answer the questions: at %s", r.Session.Node)
	}
	known := 0
	for _, rep := range r.Replies {
		if rep.Kind == KnownReply {
			known++
		}
	}
	if known != 2 {
		t.Fatalf("want the 2 known answers shown, got %d", known)
	}
	r = Step(cat, r.Session, Event{Kind: Back, Now: now})
	if r.Session.Node != "amount" || r.Replies[0].Kind != QuestionReply {
		t.Fatalf("back should land on the prefilled question: %s", r.Session.Node)
	}
	// "No, something else" goes to the menu.
	p := Step(cat, Session{}, Event{Kind: Propose, Proposal: &Proposal{Category: "t"}, Now: now})
	p = Step(cat, p.Session, Event{Kind: Accept, Token: lastToken(p), Option: "no", Now: now})
	if p.Session.Tree != "menu" {
		t.Fatalf("declined proposal should open the menu, got %s", p.Session.Tree)
	}
}

func TestStepTickEvidence(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := toBigOutcome(cat, Session{}, now)
	r = Step(cat, r.Session, Event{Kind: Tick, Option: "receipt", Now: now})
	if !r.Session.Evidence["receipt"] || !r.Replies[0].Advice.Have["receipt"] {
		t.Fatal("tick not recorded")
	}
	r = Step(cat, r.Session, Event{Kind: Tick, Option: "receipt", Now: now})
	if r.Session.Evidence["receipt"] {
		t.Fatal("second tick should untick")
	}
	bad := Step(cat, r.Session, Event{Kind: Tick, Option: "forged", Now: now})
	if bad.Changed {
		t.Fatal("unknown evidence id ticked")
	}
}

func TestStepDoesNotMutateInput(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now})
	r = Step(cat, r.Session, Event{Kind: Choose, Token: lastToken(r), Option: "goods", Now: now})
	s := r.Session
	_ = Step(cat, s, Event{Kind: Text, Text: "12", Now: now})
	if s.Facts["amount"] != "" || len(s.History) != 1 {
		t.Fatalf("input session mutated: %+v", s)
	}
}

func TestStepDeclinedSwitchKeepsTheCase(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now})
	r = Step(cat, r.Session, Event{Kind: Choose, Token: lastToken(r), Option: "goods", Now: now})
	r = Step(cat, r.Session, Event{Kind: Propose, Proposal: &Proposal{Category: "t"}, Now: now})
	r = Step(cat, r.Session, Event{Kind: Accept, Token: lastToken(r), Option: "no", Now: now})
	if r.Session.Node != "amount" || r.Session.Facts["subject"] != "goods" || r.Session.Pending != nil {
		t.Fatalf("declining a switch lost the case: %+v", r.Session)
	}
}

func TestDraftAsksForMissingDetails(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := toBigOutcome(cat, Session{}, now)
	r = Step(cat, r.Session, Event{Kind: Draft, Option: "12315", Now: now})
	if r.Session.Form == nil || r.Session.Form.Field != "complainant_name" || r.Replies[0].Question.Key != "draft.ask.complainant_name" {
		t.Fatalf("first missing detail not asked: %+v", r.Replies)
	}
	for _, v := range []string{"Li Wei", "13812345678", "Beijing", "Hotpot King", ""} {
		if v == "" {
			break
		}
		r = Step(cat, r.Session, Event{Kind: Text, Text: v, Now: now})
	}
	if r.Session.Form.Field != "merchant_address" {
		t.Fatalf("at %+v", r.Session.Form)
	}
	// Back abandons the questions but keeps what was typed.
	b := Step(cat, r.Session, Event{Kind: Back, Now: now})
	if b.Session.Form != nil || b.Session.Node != "big" || b.Session.Facts["complainant_name"] != "Li Wei" {
		t.Fatalf("back from the form: %+v", b.Session)
	}
	r = Step(cat, r.Session, Event{Kind: Text, Text: "1 Road", Now: now})
	r = Step(cat, r.Session, Event{Kind: Text, Text: "Refund ¥5000", Now: now})
	if r.Session.Form != nil || r.Replies[len(r.Replies)-1].Kind != DraftReply || r.Replies[len(r.Replies)-1].Data["Channel"] != "12315" {
		t.Fatalf("no draft after the last detail: %+v", r.Replies)
	}
	// Asking again needs nothing more.
	again := Step(cat, r.Session, Event{Kind: Draft, Option: "merchant", Now: now})
	if again.Replies[0].Kind != DraftReply {
		t.Fatalf("known details asked again: %+v", again.Replies)
	}
	// Not at an outcome, or an unknown channel: stale.
	if x := Step(cat, r.Session, Event{Kind: Draft, Option: "fax", Now: now}); x.Changed {
		t.Fatal("unknown channel accepted")
	}
}

func TestStaleBackButtonAndNewCaseProposal(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now})
	old := lastToken(r)
	r = Step(cat, r.Session, Event{Kind: Choose, Token: old, Option: "goods", Now: now})
	// A Back button from the earlier question must not undo this answer.
	stale := Step(cat, r.Session, Event{Kind: Back, Token: old, Now: now})
	if stale.Changed || !hasNotice(stale, "notice.stale_button") {
		t.Fatal("an old Back button undid an answer")
	}
	// "/new <text>" then "No, something else" lands on the menu.
	p := Step(cat, r.Session, Event{Kind: Propose, Option: NewCase, Proposal: &Proposal{Category: "t"}, Now: now})
	p = Step(cat, p.Session, Event{Kind: Accept, Token: lastToken(p), Option: "no", Now: now})
	if p.Session.Tree != "menu" {
		t.Fatalf("declined /new went back to the old case: %s", p.Session.Tree)
	}
}

func TestTickFromAnEarlierVisitIsStale(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	reach := func(s Session) Result { return toBigOutcome(cat, s, now) }
	first := reach(Session{})
	oldTok := first.Replies[len(first.Replies)-1].Advice.Token
	second := reach(first.Session)
	if tok := second.Replies[len(second.Replies)-1].Advice.Token; tok == oldTok {
		t.Fatal("two visits of an outcome share a token")
	}
	stale := Step(cat, second.Session, Event{Kind: Tick, Token: oldTok, Option: "receipt", Now: now})
	if stale.Changed || stale.Session.Evidence["receipt"] {
		t.Fatal("a tick on an old checklist changed the case")
	}
	fresh := Step(cat, second.Session, Event{Kind: Tick, Token: second.Replies[len(second.Replies)-1].Advice.Token, Option: "receipt", Now: now})
	if !fresh.Session.Evidence["receipt"] {
		t.Fatal("a tick on the current checklist was refused")
	}
}

func TestNewSessionTokensDifferFromAForgottenOne(t *testing.T) {
	cat := testCatalog()
	a := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: noon("2026-11-26")})
	b := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: noon("2026-11-27")})
	if lastToken(a) == lastToken(b) {
		t.Fatal("a fresh session reuses the tokens of an earlier one")
	}
	if len(lastToken(b)) > MaxTokenLen {
		t.Fatalf("token %q longer than %d", lastToken(b), MaxTokenLen)
	}
}

func TestFiledWith12315AddsItsDeadlines(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := toBigOutcome(cat, Session{}, now)
	r = Step(cat, r.Session, Event{Kind: Draft, Option: FiledForm, Now: now})
	if r.Replies[0].Question == nil || r.Replies[0].Question.Input.Kind != DateInput {
		t.Fatalf("the filing date is not asked as a date: %+v", r.Replies)
	}
	r = Step(cat, r.Session, Event{Kind: Text, Text: "2026-11-26", Now: now})
	a := r.Replies[len(r.Replies)-1].Advice
	if a == nil || len(a.Deadlines) != 2 || a.Deadlines[0].Due != "2026-12-07" || a.Deadlines[1].Due != "2027-02-05" {
		t.Fatalf("12315 deadlines: %+v", a)
	}
}

func TestChecklistStaysValidAcrossADraft(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := toBigOutcome(cat, Session{}, now)
	tok := r.Replies[len(r.Replies)-1].Advice.Token
	r = Step(cat, r.Session, Event{Kind: Draft, Option: "merchant", Now: now})
	r = Step(cat, r.Session, Event{Kind: Text, Text: "Shop", Now: now})
	r = Step(cat, r.Session, Event{Kind: Text, Text: "Refund", Now: now})
	r = Step(cat, r.Session, Event{Kind: Tick, Token: tok, Option: "receipt", Now: now})
	if !r.Session.Evidence["receipt"] {
		t.Fatal("the checklist went stale because a draft asked questions")
	}
}
