package bot

import (
	"strings"
	"testing"

	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/source"
	"github.com/disputebot/disputebot/locales"
)

// TestShippedDialogs walks every category of the real dialogs through the
// bot and the fake Bot API, in both languages, always taking the first
// option and typing a plausible answer: every message must be accepted by
// the API (valid HTML, within the length limit, callback data within 64
// bytes) and no turn may end in an apology. Content errors are lint's to
// report; this test is skipped while the dialogs do not load. At the
// outcome it asks for the summary, the files, the inline article and each
// complaint draft.
func TestShippedDialogs(t *testing.T) {
	b, probs := dialog.Load(dialogs.FS, locales.FS, append(render.Keys(), Keys()...))
	if len(probs) > 0 {
		t.Skipf("the shipped dialogs do not load (disputebot lint lists why):\n%v", source.Error(probs[:min(len(probs), 5)]))
	}
	r, err := render.New(locales.FS, b.Laws)
	if err != nil {
		t.Fatal(err)
	}
	answers := map[engine.InputKind]string{
		engine.MoneyInput: "299", engine.NumberInput: "3", engine.DateInput: "2026-11-20",
		engine.YesNoInput: "yes", engine.TextInput: "Test shop",
	}
	for _, l := range languages {
		menu := b.Catalog.Trees[b.Catalog.Menu].Nodes[b.Catalog.Trees[b.Catalog.Menu].Start]
		for i, opt := range menu.Options {
			t.Run(l.lang+"/"+opt.ID, func(t *testing.T) {
				h := newHarness(t)
				h.r = r
				h.start(func(c *Config) { c.Catalog = b.Catalog })
				u := h.api.NewUser(int64(3000+i), "Test", l.code)
				h.send(u, "/start")
				h.tap(u, h.T(l.lang, opt.Text))
				for step := 0; ; step++ {
					s, err := h.session(u.Chat.ID)
					if err != nil {
						t.Fatal(err)
					}
					n := b.Catalog.Trees[s.Tree].Nodes[s.Node]
					if n.Kind == engine.Outcome {
						break
					}
					if step == 40 {
						t.Fatalf("no outcome after 40 answers; at %s/%s", s.Tree, s.Node)
					}
					switch {
					case n.Kind == engine.Input:
						h.send(u, answers[n.Input.Kind])
					case len(n.Options) > 0:
						h.tapFirst(u)
					}
				}
				// What can be done with the outcome: every summary, file,
				// inline article and draft must be accepted by the API.
				h.send(u, "/summary")
				h.tap(u, h.T(l.lang, "bot.action.download"))
				h.tap(u, h.T(l.lang, "bot.action.share"))
				s, _ := h.session(u.Chat.ID)
				if rs := h.inline(u, s.Share).Results(); len(rs) != 2 {
					t.Errorf("%d inline results", len(rs))
				}
				for _, ch := range engine.DraftChannels {
					h.tap(u, h.T(l.lang, "bot.action.drafts"))
					h.tap(u, h.T(l.lang, "bot.draft."+ch))
					for n := 0; ; n++ {
						s, _ := h.session(u.Chat.ID)
						if s.Form == nil || n == 10 {
							break
						}
						h.send(u, "Test detail 42")
					}
				}
				if n := len(h.api.Calls("sendDocument")); n != 2 {
					t.Errorf("%d documents", n)
				}
				for _, c := range h.api.Calls() {
					if !c.OK() {
						t.Errorf("%s refused: %s", c.Method, c.Description)
					}
				}
				if tr := h.transcript(u.Chat.ID); strings.Contains(tr, h.T(l.lang, "bot.notice.sorry")) {
					t.Fatalf("the bot apologised:\n%s", tr)
				}
			})
		}
	}
}
