package render_test

import (
	"testing"

	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
)

// BenchmarkRenderOutcome measures rendering the longest-running part of a
// reply: a full outcome, in HTML, as the bot sends it.
func BenchmarkRenderOutcome(b *testing.B) {
	bundle, r := loadReal(b)
	results, _ := dialog.RunCases(bundle, dialogs.FS)
	var rep engine.Reply
	for _, res := range results {
		for _, x := range res.Replies {
			if x.Kind == engine.OutcomeReply {
				rep = x
			}
		}
		if rep.Advice != nil {
			break
		}
	}
	if rep.Advice == nil {
		b.Fatal("no outcome among the dialog cases")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(render.ZH, rep, render.HTML); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStep measures one engine step on the shipped dialogs: a tap
// that moves to the next question.
func BenchmarkStep(b *testing.B) {
	bundle, _ := loadReal(b)
	cat := bundle.Catalog
	start := engine.Step(cat, engine.Session{}, engine.Event{Kind: engine.Start, Tree: "personal_info"})
	tok := engine.Token(start.Session.Seq)
	b.ReportAllocs()
	for b.Loop() {
		engine.Step(cat, start.Session, engine.Event{Kind: engine.Choose, Token: tok, Option: "forced_login"})
	}
}
