package summary

import (
	"strings"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

func catalog() *engine.Catalog {
	t := &engine.Tree{ID: "t", Version: 1, Start: "kind", Nodes: map[string]*engine.Node{
		"kind": {ID: "kind", Kind: engine.Choice, Text: "q.kind", Options: []engine.Option{
			{ID: "goods", Text: "o.goods", Set: map[string]string{"subject": "goods"}, Next: engine.Next{{To: "merchant"}}}}},
		"merchant": {ID: "merchant", Kind: engine.Input, Text: "q.merchant", Input: &engine.InputSpec{Kind: engine.TextInput}, SaveAs: "merchant", Next: engine.Next{{To: "end"}}},
		"end": {ID: "end", Kind: engine.Outcome, Outcome: &engine.OutcomeSpec{Category: "t", Title: "end.title", Law: []engine.Cited{{Key: "cpl_24"}},
			Evidence: []engine.Cited{{Key: "receipt"}, {Key: "order_page"}}}},
	}}
	return &engine.Catalog{Trees: map[string]*engine.Tree{"t": t}, Menu: "menu"}
}

func reach(t *testing.T, text string) engine.Session {
	t.Helper()
	cat := catalog()
	now := time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)
	r := engine.Step(cat, engine.Session{}, engine.Event{Kind: engine.Start, Tree: "t", Now: now})
	r = engine.Step(cat, r.Session, engine.Event{Kind: engine.Choose, Token: engine.Token(r.Session.Seq), Option: "goods", Now: now})
	r = engine.Step(cat, r.Session, engine.Event{Kind: engine.Text, Text: text, Now: now})
	r = engine.Step(cat, r.Session, engine.Event{Kind: engine.Tick, Option: "receipt", Now: now})
	return r.Session
}

func TestBuild(t *testing.T) {
	s := reach(t, "Shop at 13812345678")
	sum, ok := Build(catalog(), s, time.Now(), false)
	if !ok {
		t.Fatal("no summary at an outcome")
	}
	if len(sum.Answers) != 2 || sum.Answers[0].Option != "o.goods" || sum.Answers[1].Value != "Shop at 13812345678" {
		t.Fatalf("answers: %+v", sum.Answers)
	}
	if strings.Join(sum.Have, ",") != "receipt" || strings.Join(sum.Missing, ",") != "order_page" {
		t.Fatalf("evidence split: have %v missing %v", sum.Have, sum.Missing)
	}
	s.Facts["complainant_address"] = "Room 1, 2 Road"
	shared, _ := Build(catalog(), s, time.Now(), true)
	if _, ok := shared.Advice.Facts["complainant_address"]; ok {
		t.Fatal("a shared summary carries the complainant's address")
	}
	if v := shared.Answers[1].Value; strings.Contains(v, "12345678") || shared.Advice.Facts["merchant"] != "Shop at 138****5678" {
		t.Fatalf("shared summary leaks: %q / %q", v, shared.Advice.Facts["merchant"])
	}
	s.Form = &engine.Form{Channel: "12315", Field: "demand"}
	if _, ok := Build(catalog(), s, time.Now(), false); !ok {
		t.Fatal("an open draft form hides the summary")
	}
	if _, ok := Build(catalog(), engine.Session{}, time.Now(), false); ok {
		t.Fatal("a summary without an outcome")
	}
}

func TestNewToken(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if len(a) != 22 || a == b {
		t.Fatalf("tokens %q %q: want 22 chars (128 bits), distinct", a, b)
	}
}
