package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
)

// TestOutcomeFitsAPhone walks a real tree in Telegram to its outcome: the
// first outcome message is the brief (one phone screen, its key article,
// first step and disclaimer), its buttons send every other part in place,
// and the checklist with the case's actions still follows it.
func TestOutcomeFitsAPhone(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h, cat := realBot(t)
			u := h.api.NewUser(int64(5600+i), "Mei", l.code)
			msgs := h.send(u, "/start food_safety")
			answers := map[engine.InputKind]string{engine.MoneyInput: "8", engine.DateInput: "2026-11-20", engine.NumberInput: "1", engine.TextInput: "x"}
			for step := 0; step < 12; step++ {
				s, err := h.session(u.Chat.ID)
				if err != nil {
					t.Fatal(err)
				}
				n := cat.Trees[s.Tree].Nodes[s.Node]
				if n.Kind == engine.Outcome {
					break
				}
				switch n.Kind {
				case engine.Choice:
					msgs = h.tap(u, h.T(l.lang, n.Options[0].Text))
				case engine.Input:
					msgs = h.send(u, answers[n.Input.Kind])
				default:
					t.Fatalf("at %s/%s (%s)", s.Tree, s.Node, n.Kind)
				}
			}
			var brief *string
			for i := range msgs {
				if strings.Contains(msgs[i].Text, "📜") {
					brief = &msgs[i].Text
					labels := buttons(msgs[i])
					if !contains(labels, h.T(l.lang, "outcome.more.steps")) || !contains(labels, h.T(l.lang, "outcome.more.law")) {
						t.Fatalf("brief buttons %v", labels)
					}
				}
			}
			if brief == nil {
				t.Fatalf("no brief outcome message; chat:\n%s", h.transcript(u.Chat.ID))
			}
			limit := map[string]int{render.ZH: 800, render.EN: 1250}[l.lang]
			if n := utf8.RuneCountInString(*brief); n > limit {
				t.Errorf("first outcome message is %d characters, over %d", n, limit)
			}
			if strings.Contains(*brief, h.T(l.lang, "outcome.refusals")) {
				t.Error("the brief holds the merchant-refusals section; it belongs behind its button")
			}
			expect(t, msgs, h.T(l.lang, "bot.checklist.intro"))
			got := h.tap(u, h.T(l.lang, "outcome.more.steps"))
			expect(t, got, h.T(l.lang, "outcome.steps"), "2. ")
			got = h.tap(u, h.T(l.lang, "outcome.more.refusals"))
			expect(t, got, h.T(l.lang, "outcome.refusals"), "🗣")
			noApology(t, h, u, l.lang)
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
