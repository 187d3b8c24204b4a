package engine

import "testing"

// TestStaleBackButtonIsCheckedByStep: Step, not the front end, refuses a
// Back button from an older step, so the check runs against the session
// inside the advisor's compare-and-set (issue 11, defect 13). A Back from
// a draft question answered since must not abandon the draft, nor one from
// before a proposal drop it.
func TestStaleBackButtonIsCheckedByStep(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	out := toBigOutcome(cat, Session{}, now)
	form := Step(cat, out.Session, Event{Kind: Draft, Option: "12315", Now: now})
	asked := lastToken(form)
	typed := Step(cat, form.Session, Event{Kind: Text, Text: "Li Wei", Now: now})
	if typed.Session.Form == nil || typed.Session.Form.Field != "complainant_phone" {
		t.Fatalf("after the name: %+v", typed.Session.Form)
	}
	r := Step(cat, typed.Session, Event{Kind: Back, Token: asked, Now: now})
	if r.Changed || !hasNotice(r, "notice.stale_button") {
		t.Fatalf("an old Back button abandoned the draft: changed=%v form=%+v", r.Changed, r.Session.Form)
	}
	// The current Back button still works.
	r = Step(cat, typed.Session, Event{Kind: Back, Token: lastToken(typed), Now: now})
	if r.Session.Form != nil || r.Session.Node != "big" {
		t.Fatalf("current Back in a draft: %+v", r.Session)
	}

	// A Back button carrying the current token while a proposal is open
	// (no rendered button does) is refused too, as the bot refused it.
	start := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now})
	p := Step(cat, start.Session, Event{Kind: Propose, Proposal: &Proposal{Category: "t"}, Now: now})
	r = Step(cat, p.Session, Event{Kind: Back, Token: Token(p.Session.Seq), Now: now})
	if r.Changed || r.Session.Pending == nil {
		t.Fatal("a Back button dropped an open proposal")
	}
	// Typed /back (no token) still drops it.
	if r = Step(cat, p.Session, Event{Kind: Back, Now: now}); r.Session.Pending != nil {
		t.Fatal("/back kept the proposal")
	}
}

// TestBackFromACompletedDraftIsStale: once a draft's last detail is typed,
// the Back button of that detail's question is old; it must not undo the
// answer before the outcome.
func TestBackFromACompletedDraftIsStale(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	for _, channel := range []string{"merchant", FiledForm} {
		r := toBigOutcome(cat, Session{}, now)
		r = Step(cat, r.Session, Event{Kind: Draft, Option: channel, Now: now})
		var tok string
		for r.Session.Form != nil {
			tok = lastToken(r)
			v := "Hotpot King"
			if r.Session.Form.Field == "complaint_date" {
				v = "2026-11-25"
			}
			r = Step(cat, r.Session, Event{Kind: Text, Text: v, Now: now})
		}
		b := Step(cat, r.Session, Event{Kind: Back, Token: tok, Now: now})
		if b.Changed || b.Session.Node != "big" {
			t.Errorf("%s: the last detail's Back undid an answer: node %q", channel, b.Session.Node)
		}
	}
}

// TestRepeatIsOnlyTheLastPress: a press is a repeat only while nothing
// else has changed the session; after a typed answer the old button is
// plainly stale, and a repeated Back or Accept is a repeat too.
func TestRepeatIsOnlyTheLastPress(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now})
	tap := Event{Kind: Choose, Token: lastToken(r), Option: "goods", Now: now}
	r = Step(cat, r.Session, tap)
	typed := Step(cat, r.Session, Event{Kind: Text, Text: "5000", Now: now})
	if x := Step(cat, typed.Session, tap); x.Repeat || !hasNotice(x, "notice.stale_button") {
		t.Fatalf("an old press after a typed answer: %+v", x)
	}
	back := Event{Kind: Back, Token: lastToken(r), Now: now}
	b := Step(cat, r.Session, back)
	if b.Session.Node != "kind" {
		t.Fatalf("back: %+v", b.Session)
	}
	if x := Step(cat, b.Session, back); !x.Repeat || x.Changed {
		t.Fatalf("a second tap on Back: %+v", x)
	}
	p := Step(cat, b.Session, Event{Kind: Propose, Proposal: &Proposal{Category: "t"}, Now: now})
	yes := Event{Kind: Accept, Token: lastToken(p), Option: "yes", Now: now}
	a := Step(cat, p.Session, yes)
	if x := Step(cat, a.Session, yes); !x.Repeat || x.Changed {
		t.Fatalf("a second tap on Yes: %+v", x)
	}
}
