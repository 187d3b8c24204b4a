package engine

import (
	"encoding/json"
	"slices"
	"testing"
)

func withSecondTree(cat *Catalog) *Catalog {
	cat.Trees["u"] = &Tree{ID: "u", Version: 1, Start: "q", Nodes: map[string]*Node{
		"q":   {ID: "q", Kind: Choice, Text: "q.u", Options: []Option{{ID: "x", Text: "o.x", Next: Next{{To: "end"}}}}},
		"end": {ID: "end", Kind: Outcome, Outcome: &OutcomeSpec{Category: "u", Title: "end", Law: []Cited{{Key: "cpl_24"}}}},
	}}
	return cat
}

// An unsure proposal offers its alternatives; choosing one enters that tree
// with the facts from the description, as accepting the first does.
func TestAcceptAnAlternative(t *testing.T) {
	cat := withSecondTree(testCatalog())
	now := noon("2026-11-26")
	p := &Proposal{Category: "t", Confidence: 0.4, Alternatives: []string{"u", "gone", "t", "u"}, Facts: map[string]string{"amount": "80.00"}}
	r := Step(cat, Session{}, Event{Kind: Propose, Proposal: p, Now: now})
	if got := r.Session.Pending.Alternatives; !slices.Equal(got, []string{"u"}) {
		t.Fatalf("alternatives %v, want [u]: no tree-less category, none twice", got)
	}
	tok := lastToken(r)
	for _, tt := range []struct {
		option, tree string
		stale        bool
	}{
		{"u", "u", false},
		{"t", "t", false},
		{"yes", "t", false},
		{"no", "menu", false},
		{"gone", "", true},
		{"menu", "", true},
	} {
		got := Step(cat, r.Session, Event{Kind: Accept, Token: tok, Option: tt.option, Now: now})
		if tt.stale {
			if got.Changed || !hasNotice(got, "notice.stale_button") {
				t.Errorf("accept %q applied", tt.option)
			}
			continue
		}
		if got.Session.Tree != tt.tree || got.Session.Pending != nil {
			t.Errorf("accept %q: in %q, want %q", tt.option, got.Session.Tree, tt.tree)
		}
		if tt.tree != "menu" && (got.Session.Facts["amount"] != "80.00" || !got.Session.Prefilled["amount"]) {
			t.Errorf("accept %q: facts %v, prefilled %v", tt.option, got.Session.Facts, got.Session.Prefilled)
		}
	}
}

// An event's notice is said first and replaces the engine's own re-ask.
func TestEventNotice(t *testing.T) {
	cat := testCatalog()
	now := noon("2026-11-26")
	r := Step(cat, Session{}, Event{Kind: Start, Tree: "t", Now: now})
	got := Step(cat, r.Session, Event{Kind: Text, Text: "shop", Notice: "notice.ambiguous_answer", Now: now})
	if len(got.Replies) != 2 || got.Replies[0].Key != "notice.ambiguous_answer" || got.Replies[1].Kind != QuestionReply {
		t.Fatalf("replies %+v, want the notice then the question", got.Replies)
	}
	if hasNotice(got, "notice.use_buttons") {
		t.Fatal("the engine's own notice was said too")
	}
	got = Step(cat, Session{}, Event{Kind: Start, Notice: "notice.not_understood", Now: now})
	if got.Replies[0].Key != "notice.not_understood" || got.Session.Tree != "menu" {
		t.Fatalf("replies %+v in %q", got.Replies, got.Session.Tree)
	}
	plain := Step(cat, r.Session, Event{Kind: Text, Text: "shop", Now: now})
	if !hasNotice(plain, "notice.use_buttons") {
		t.Fatal("without a notice, the engine's own re-ask is missing")
	}
}

// Sessions stored before proposals had alternatives still decode, and
// alternatives survive a round trip.
func TestStoredProposalsDecode(t *testing.T) {
	var old Session
	if err := json.Unmarshal([]byte(`{"v":3,"l":"zh","s":12,"p":{"c":"food_safety","q":0.91,"f":{"amount":"8.00"}},"c":"2026-11-20T10:00:00Z","u":"2026-11-20T10:00:00Z"}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Pending == nil || old.Pending.Category != "food_safety" || old.Pending.Alternatives != nil || !slices.Equal(old.Pending.Offers(), []string{"food_safety"}) {
		t.Fatalf("old pending %+v", old.Pending)
	}
	s := Session{Pending: &Proposal{Category: "a", Alternatives: []string{"b", "c"}}}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Session
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Pending.Alternatives, []string{"b", "c"}) {
		t.Fatalf("round trip lost alternatives: %s", data)
	}
}

func TestYesNo(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"是", "yes"}, {"是的", "yes"}, {"对", "yes"}, {"对的", "yes"}, {"嗯", "yes"}, {"好", "yes"}, {"好的", "yes"}, {"可以", "yes"},
		{"没错", "yes"}, {"有", "yes"}, {"yes", "yes"}, {"Yes!", "yes"}, {"y", "yes"}, {"yeah", "yes"}, {"yep", "yes"}, {"OK", "yes"},
		{"okay", "yes"}, {"sure", "yes"}, {"right", "yes"}, {"ｙｅｓ", "yes"}, {"是的。", "yes"}, {"That's right", "yes"},
		{"不", "no"}, {"不是", "no"}, {"没有", "no"}, {"否", "no"}, {"不对", "no"}, {"无", "no"}, {"no", "no"}, {"n", "no"},
		{"nope", "no"}, {"Not really.", "no"}, {"NO", "no"},
		{"", ""}, {"maybe", ""}, {"1", ""}, {"是假货", ""}, {"no refund", ""}, {"👍", ""},
	} {
		got, ok := YesNo(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("YesNo(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}
