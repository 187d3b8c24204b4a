package bot

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/law"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/locales"
)

// The bot's tests run on small dialogs of their own, built here, so that
// they test the bot — taps, edits, languages, races — and not the content,
// which other packages test and which changes as authors write it. Their
// messages (testdata/test.*.yaml) are loaded beside the real locale files,
// so the notices, buttons and the bot's own messages are the real ones.

// testCatalog: a menu with two categories. quality_defect asks two choice
// questions, an amount and a date, then gives a long outcome (it splits
// into several messages) with two evidence items to tick. food_safety
// gives a short outcome without evidence, at once or after a question
// answered in free text.
func testCatalog() *engine.Catalog {
	next := func(to string) engine.Next { return engine.Next{{To: to}} }
	menu := &engine.Tree{ID: "menu", Version: 1, Start: "pick", Category: "menu", Nodes: map[string]*engine.Node{
		"pick": {ID: "pick", Kind: engine.Choice, Text: "test.menu.pick", Options: []engine.Option{
			{ID: "quality_defect", Text: "category.quality_defect", Goto: "quality_defect"},
			{ID: "food_safety", Text: "category.food_safety", Goto: "food_safety"},
		}},
	}}
	qd := &engine.Tree{ID: "quality_defect", Version: 1, Start: "what", Category: "quality_defect", Nodes: map[string]*engine.Node{
		"what": {ID: "what", Kind: engine.Choice, Text: "test.qd.what", Options: []engine.Option{
			{ID: "broken", Text: "test.qd.opt.broken", Set: map[string]string{"defect": "broken"}, Next: next("bought")},
			{ID: "fake", Text: "test.qd.opt.fake", Set: map[string]string{"defect": "fake"}, Next: next("bought")},
		}},
		"bought": {ID: "bought", Kind: engine.Choice, Text: "test.qd.bought", Options: []engine.Option{
			{ID: "online", Text: "test.qd.opt.online", Set: map[string]string{"place": "online"}, Next: next("price")},
			{ID: "shop", Text: "test.qd.opt.shop", Set: map[string]string{"place": "shop"}, Next: next("price")},
		}},
		"price":    {ID: "price", Kind: engine.Input, Text: "test.qd.price", Input: &engine.InputSpec{Kind: engine.MoneyInput}, SaveAs: "price", Next: next("received")},
		"received": {ID: "received", Kind: engine.Input, Text: "test.qd.received", Input: &engine.InputSpec{Kind: engine.DateInput}, SaveAs: "received", Prefill: "date", Next: next("advice")},
		"advice": {ID: "advice", Kind: engine.Outcome, Outcome: &engine.OutcomeSpec{
			Category: "quality_defect", Title: "test.qd.title", Summary: "test.qd.summary",
			Law:      []engine.Cited{{Key: "cpl_24"}},
			Steps:    []engine.Cited{{Key: "test.qd.step.ask", Law: []string{"cpl_24"}}, {Key: "test.qd.step.complain"}, {Key: "test.qd.step.court"}},
			Evidence: []engine.Cited{{Key: "test_receipt"}, {Key: "test_photos"}},
		}},
	}}
	fs := &engine.Tree{ID: "food_safety", Version: 1, Start: "what", Category: "food_safety", Nodes: map[string]*engine.Node{
		"what": {ID: "what", Kind: engine.Choice, Text: "test.fs.what", Options: []engine.Option{
			{ID: "expired", Text: "test.fs.opt.expired", Set: map[string]string{"issue": "expired"}, Next: next("advice")},
			{ID: "other", Text: "test.fs.opt.other", Set: map[string]string{"issue": "other"}, Next: next("details")},
		}},
		"details": {ID: "details", Kind: engine.Input, Text: "test.fs.details", Input: &engine.InputSpec{Kind: engine.TextInput}, SaveAs: "details", Next: next("advice")},
		"advice":  {ID: "advice", Kind: engine.Outcome, Outcome: &engine.OutcomeSpec{Category: "food_safety", Title: "test.fs.title", Law: []engine.Cited{{Key: "cpl_24"}}}},
	}}
	for _, t := range []*engine.Tree{menu, qd, fs} {
		for id := range t.Nodes {
			t.Order = append(t.Order, id)
		}
	}
	return &engine.Catalog{Trees: map[string]*engine.Tree{"menu": menu, "quality_defect": qd, "food_safety": fs}, Menu: "menu"}
}

func testLaws() *law.Registry {
	r := &law.Registry{
		Statutes: map[string]*law.Statute{"cpl": {ID: "cpl",
			Name:  law.Text{ZH: "《消费者权益保护法》", EN: "Consumer Rights and Interests Protection Law"},
			Short: law.Text{ZH: "消保法", EN: "CPL"}}},
		Entries: map[string]*law.Entry{"cpl_24": {ID: "cpl_24", Statute: "cpl",
			Article: law.Text{ZH: "第24条", EN: "Art. 24"},
			Says:    law.Text{ZH: "质量不合格的商品可以退货、换货或修理。", EN: "Defective goods may be returned, exchanged or repaired."}}},
	}
	// The provisions the program itself cites (drafts, deadline and
	// compensation rules), as stand-ins.
	for _, id := range engine.RuleLawIDs() {
		st, art, _ := strings.Cut(id, "_")
		if r.Statutes[st] == nil {
			r.Statutes[st] = &law.Statute{ID: st, Name: law.Text{ZH: "《测试法规" + st + "》", EN: "Test Rules " + st}, Short: law.Text{ZH: st, EN: st}}
		}
		if r.Entries[id] == nil {
			r.Entries[id] = &law.Entry{ID: id, Statute: st, Article: law.Text{ZH: "第" + art + "条", EN: "Art. " + art},
				Says: law.Text{ZH: "测试条文。", EN: "A test provision."}}
		}
	}
	return r
}

// testRenderer renders with every real locale file plus the test dialogs'.
func testRenderer(t testing.TB) *render.Renderer {
	t.Helper()
	all := fstest.MapFS{}
	add := func(fsys fs.FS) {
		names, err := fs.Glob(fsys, "*.yaml")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			data, err := fs.ReadFile(fsys, n)
			if err != nil {
				t.Fatal(err)
			}
			all[n] = &fstest.MapFile{Data: data}
		}
	}
	add(locales.FS)
	add(os.DirFS("testdata"))
	r, err := render.New(all, testLaws())
	if err != nil {
		t.Fatalf("load messages: %v", err)
	}
	return r
}
