package bot

import (
	"testing"
)

// People type instead of tapping: "yes" at "Is that right?", the words of
// an option at a question. Both work like the buttons, and short text
// that fits nothing re-asks the question instead of opening a case.
func TestTypedAnswersOnTelegram(t *testing.T) {
	texts := map[string]struct{ describe, yes, option, stray string }{
		"en": {"The kettle I bought broke after two days", "yes", "in a shop", "ok"},
		"zh": {"买的电水壶用了两天就坏了", "是的", "实体店", "好的"},
	}
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			tx := texts[l.lang]
			h := newHarness(t)
			h.start(func(c *Config) { c.Describer = fakeDescriber{} })
			u := h.api.NewUser(int64(1800+i), "Qing", l.code)

			expect(t, h.send(u, tx.describe), h.T(l.lang, "confirm.category", map[string]any{"Category": h.T(l.lang, "category.quality_defect")}))
			// A typed yes accepts the guess, as the Yes button does.
			expect(t, h.send(u, tx.yes), h.T(l.lang, "test.qd.opt.broken"), h.T(l.lang, "test.qd.bought"))
			// A yes where the options are places selects nothing: re-asked.
			expect(t, h.send(u, tx.stray), h.T(l.lang, "notice.use_buttons"), h.T(l.lang, "test.qd.bought"))
			if s, _ := h.session(u.Chat.ID); s.Pending != nil || s.Node != "bought" {
				t.Fatalf("a stray %q moved the case: node %s, pending %v", tx.stray, s.Node, s.Pending)
			}
			// The label of an option, typed, selects it.
			expect(t, h.send(u, tx.option), h.T(l.lang, "test.qd.price"))
			s, _ := h.session(u.Chat.ID)
			if s.Facts["place"] != "shop" {
				t.Fatalf("facts %v, want place=shop", s.Facts)
			}
			// Back still undoes a typed answer.
			expect(t, h.send(u, "/back"), h.T(l.lang, "test.qd.bought"))
			expect(t, h.send(u, "１"), h.T(l.lang, "test.qd.price")) // full-width 1: online
			if s, _ := h.session(u.Chat.ID); s.Facts["place"] != "online" {
				t.Fatalf("facts %v, want place=online", s.Facts)
			}
		})
	}
}

// A typed no at "Is that right?" declines: the menu, as the button does.
func TestTypedNoAtTheConfirm(t *testing.T) {
	h := newHarness(t)
	h.start(func(c *Config) { c.Describer = fakeDescriber{} })
	u := h.api.NewUser(1810, "Qing", "zh-hans")
	h.send(u, "买的电水壶用了两天就坏了")
	expect(t, h.send(u, "不是"), h.T("zh", "test.menu.pick"))
	if s, _ := h.session(u.Chat.ID); s.Pending != nil || s.Tree != "menu" {
		t.Fatalf("after a typed no: tree %q, pending %v", s.Tree, s.Pending)
	}
}

// A greeting is asked for a sentence, not classified.
func TestGreetingAsksForASentence(t *testing.T) {
	h := newHarness(t)
	h.start(func(c *Config) { c.Describer = fakeDescriber{} })
	u := h.api.NewUser(1820, "Qing", "zh-hans")
	expect(t, h.send(u, "你好"), h.T("zh", "notice.describe_more"), h.T("zh", "test.menu.pick"))
}

// On the shipped dialogs with the real classifier: a typed "对"/"yes"
// accepts the guess, and a typed label answers the first question.
func TestRealTypedAnswers(t *testing.T) {
	cases := []struct{ lang, code, text, yes string }{
		{"zh", "zh-hans", "火锅店不扫码登录微信就不让点菜", "对"},
		{"en", "en-GB", "The hotpot place won't let me order unless I log in with WeChat", "yes"},
	}
	for i, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			h, cat := realBot(t)
			u := h.api.NewUser(int64(5900+i), "Lan", c.code)
			expect(t, h.send(u, c.text), h.T(c.lang, "confirm.category", map[string]any{"Category": h.T(c.lang, "category.personal_info")}))
			msgs := h.send(u, c.yes)
			at := asking(t, h, u, cat, c.lang, msgs)
			s, _ := h.session(u.Chat.ID)
			n := cat.Trees[s.Tree].Nodes[s.Node]
			o := n.Options[len(n.Options)-1]
			h.send(u, h.T(c.lang, o.Text))
			after, _ := h.session(u.Chat.ID)
			if len(after.History) <= len(s.History) || after.History[len(s.History)].Node != s.Node || after.History[len(s.History)].Answer != o.ID {
				t.Fatalf("typing the label of %s at %s did not select it; chat:\n%s", o.ID, at, h.transcript(u.Chat.ID))
			}
			noApology(t, h, u, c.lang)
		})
	}
}
